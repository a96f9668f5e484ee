-- Indexes the sweeps and a device's deregistration look rows up by, so that neither walks a whole table.
CREATE INDEX oauth_grant_device_ix ON oauth_grant (device_id);
CREATE INDEX oauth_grant_created_ix ON oauth_grant (created_at);
CREATE INDEX webhook_delivery_event_ix ON webhook_delivery (event_id);
CREATE INDEX notification_dead_letter_died_ix ON notification_dead_letter (died_at);
CREATE INDEX vendor_event_created_ix ON vendor_event (created_at);
