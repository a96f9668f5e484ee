-- One row per owner of devices, locked by a device's sign-up and by a devices-level subscription's first read, so that
-- a device signing up meanwhile is either in that read or notified after it (a new device row has nothing to lock).
CREATE TABLE device_owner (
    owner_id VARCHAR(255) NOT NULL PRIMARY KEY
);
INSERT INTO device_owner (owner_id) SELECT DISTINCT owner_id FROM device;
