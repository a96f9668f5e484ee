-- The device twin (Part 11 §17): the latest representation of each observed resource, as the device sent it.
CREATE TABLE device_resource (
    device_id      VARCHAR(64)              NOT NULL,
    href           VARCHAR(256)             NOT NULL,
    content        BYTEA                    NOT NULL,
    content_format INTEGER                  NOT NULL,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT device_resource_pk PRIMARY KEY (device_id, href),
    CONSTRAINT device_resource_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
);
