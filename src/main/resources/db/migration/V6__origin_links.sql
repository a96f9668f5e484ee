-- Origin Cloud role: the Target Clouds it links to, browser linking in progress, and linked accounts (Part 10 §2).

CREATE TABLE linked_cloud (
    name                   VARCHAR(64)              NOT NULL PRIMARY KEY,
    api_url                VARCHAR(2048)            NOT NULL,
    authorization_endpoint VARCHAR(2048)            NOT NULL,
    token_endpoint         VARCHAR(2048)            NOT NULL,
    client_id              VARCHAR(256)             NOT NULL,
    client_secret          VARCHAR(1024),
    scopes                 VARCHAR(512)             NOT NULL,
    trusted_ca             VARCHAR(16384),
    created_at             TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A browser on its way through the Target Cloud's authorization page; any instance can finish it.
CREATE TABLE link_request (
    state         VARCHAR(64)              NOT NULL PRIMARY KEY,
    cloud_name    VARCHAR(64)              NOT NULL,
    vendor_user   VARCHAR(255)             NOT NULL,
    code_verifier VARCHAR(128)             NOT NULL,
    return_to     VARCHAR(2048),
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at       TIMESTAMP WITH TIME ZONE
);

CREATE TABLE linked_account (
    id               UUID                     NOT NULL PRIMARY KEY,
    vendor_user      VARCHAR(255)             NOT NULL,
    cloud_name       VARCHAR(64)              NOT NULL,
    target_user      VARCHAR(255),
    access_token     VARCHAR(8192)            NOT NULL,
    refresh_token    VARCHAR(8192),
    token_expires_at TIMESTAMP WITH TIME ZONE,
    state            VARCHAR(16)              NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT linked_account_cloud_fk FOREIGN KEY (cloud_name) REFERENCES linked_cloud (name)
);
CREATE INDEX linked_account_vendor_ix ON linked_account (vendor_user);
