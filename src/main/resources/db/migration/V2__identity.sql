-- The embedded OAuth2 authorization server (package identity). Secrets, codes and tokens are stored only as
-- hashes: a copy of the database does not let anyone sign in or call the API.

CREATE TABLE idp_user (
    id            UUID                     NOT NULL PRIMARY KEY,
    username      VARCHAR(128)             NOT NULL,
    password_hash VARCHAR(255)             NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT idp_user_username_uq UNIQUE (username)
);

CREATE TABLE oauth_client (
    client_id     VARCHAR(128)             NOT NULL PRIMARY KEY,
    secret_hash   VARCHAR(255),
    redirect_uris VARCHAR(4096)            NOT NULL,
    scopes        VARCHAR(1024)            NOT NULL,
    grant_types   VARCHAR(256)             NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A browser's authorization request between the authorize redirect and the consent answer.
CREATE TABLE oauth_authz_request (
    id             VARCHAR(64)              NOT NULL PRIMARY KEY,
    client_id      VARCHAR(128)             NOT NULL,
    redirect_uri   VARCHAR(2048)            NOT NULL,
    scope          VARCHAR(1024)            NOT NULL,
    state          VARCHAR(1024),
    code_challenge VARCHAR(128),
    browser_hash   VARCHAR(64),
    user_id        UUID,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One chain of tokens that started with one authorization code (or one client-credentials request).
CREATE TABLE oauth_grant (
    id         UUID                     NOT NULL PRIMARY KEY,
    client_id  VARCHAR(128)             NOT NULL,
    user_id    UUID,
    device_id  VARCHAR(64),
    scope      VARCHAR(1024)            NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE
);

CREATE TABLE oauth_code (
    code_hash      VARCHAR(64)              NOT NULL PRIMARY KEY,
    client_id      VARCHAR(128)             NOT NULL,
    user_id        UUID                     NOT NULL,
    redirect_uri   VARCHAR(2048),
    scope          VARCHAR(1024)            NOT NULL,
    code_challenge VARCHAR(128),
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at        TIMESTAMP WITH TIME ZONE,
    grant_id       UUID
);

CREATE TABLE oauth_refresh_token (
    token_hash VARCHAR(64)              NOT NULL PRIMARY KEY,
    grant_id   UUID                     NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at    TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX oauth_refresh_token_grant_ix ON oauth_refresh_token (grant_id);

CREATE TABLE signing_key (
    kid         VARCHAR(64)              NOT NULL PRIMARY KEY,
    algorithm   VARCHAR(16)              NOT NULL,
    private_key VARCHAR(4096)            NOT NULL,
    public_key  VARCHAR(4096)            NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    retired_at  TIMESTAMP WITH TIME ZONE
);
