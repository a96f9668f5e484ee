-- The web page's sign-ins: the cookie holds a random session id (only its SHA-256 is here), never a token. Signing out
-- deletes the row and revokes the grant behind it.
CREATE TABLE console_session (
    id_hash     VARCHAR(64)              NOT NULL PRIMARY KEY,
    vendor_user VARCHAR(255)             NOT NULL,
    grant_id    UUID                     NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX console_session_expires_ix ON console_session (expires_at);
