-- A pending link is bound to the browser that started it (RFC 6749 §10.12): the SHA-256 of a random nonce that only
-- that browser holds in a cookie. Requests started before this column existed have none and cannot be finished.
ALTER TABLE link_request ADD COLUMN browser_hash VARCHAR(64);
