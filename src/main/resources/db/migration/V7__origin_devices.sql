-- Origin Cloud role: the device set of each linked account, kept current by the Target Cloud's notifications.

-- id is ours (it is in the eventsUrl, so a notification that beats the 201 is still recognised); target_id is the
-- Target Cloud's subscriptionId once it answered.
CREATE TABLE origin_subscription (
    id         UUID                     NOT NULL PRIMARY KEY,
    target_id  UUID,
    link_id    UUID                     NOT NULL,
    level      VARCHAR(16)              NOT NULL,
    device_id  VARCHAR(64),
    href       VARCHAR(256),
    secret     VARCHAR(1024)            NOT NULL,
    last_seq   BIGINT                   NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT origin_subscription_link_fk FOREIGN KEY (link_id) REFERENCES linked_account (id) ON DELETE CASCADE
);
CREATE INDEX origin_subscription_link_ix ON origin_subscription (link_id);

CREATE TABLE origin_device (
    link_id    UUID                     NOT NULL,
    device_id  VARCHAR(64)              NOT NULL,
    status     VARCHAR(16)              NOT NULL,
    device     VARCHAR(65536)           NOT NULL,
    links      VARCHAR(1000000)         NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT origin_device_pk PRIMARY KEY (link_id, device_id),
    CONSTRAINT origin_device_link_fk FOREIGN KEY (link_id) REFERENCES linked_account (id) ON DELETE CASCADE
);

CREATE TABLE origin_resource (
    link_id    UUID                     NOT NULL,
    device_id  VARCHAR(64)              NOT NULL,
    href       VARCHAR(256)             NOT NULL,
    content    VARCHAR(1000000)         NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT origin_resource_pk PRIMARY KEY (link_id, device_id, href),
    CONSTRAINT origin_resource_link_fk FOREIGN KEY (link_id) REFERENCES linked_account (id) ON DELETE CASCADE
);
