-- Devices signed up at the Target Cloud (Part 11 §12) and the links they published (§15).

CREATE TABLE device (
    id           VARCHAR(64)              NOT NULL PRIMARY KEY,
    owner_id     VARCHAR(255)             NOT NULL,
    provider     VARCHAR(64)              NOT NULL,
    name         VARCHAR(256),
    signed_up_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX device_owner_ix ON device (owner_id);

CREATE TABLE device_link (
    device_id    VARCHAR(64)              NOT NULL,
    ins          BIGINT                   NOT NULL,
    href         VARCHAR(256)             NOT NULL,
    link         VARCHAR(16384)           NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE,
    published_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT device_link_pk PRIMARY KEY (device_id, ins),
    CONSTRAINT device_link_href_uq UNIQUE (device_id, href),
    CONSTRAINT device_link_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
);
