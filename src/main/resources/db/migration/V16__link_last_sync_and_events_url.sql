-- A linked account's last sync is kept with the account, not in one instance's memory: a restarted daemon, or any
-- other instance, shows when it last succeeded (and whether the latest failed, and why) instead of "never".
ALTER TABLE linked_account ADD COLUMN last_sync_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE linked_account ADD COLUMN sync_failed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE linked_account ADD COLUMN sync_error VARCHAR(200);

-- The eventsUrl each subscription gave the Target: after the bridge's public URL changes, the sync renews the
-- subscriptions whose notifications still go to the old one (NULL: made before this column, renewed once).
ALTER TABLE origin_subscription ADD COLUMN events_url VARCHAR(2048);
