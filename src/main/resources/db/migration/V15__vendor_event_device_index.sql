-- The page's "last change" of a device is its newest kept event: looked up per device by this index instead of a max
-- over every event the user has kept.
CREATE INDEX vendor_event_user_device_ix ON vendor_event (vendor_user, device_id, id);
