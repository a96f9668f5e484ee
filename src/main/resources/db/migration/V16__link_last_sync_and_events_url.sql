-- A linked account's last sync is kept with the account, not in one instance's memory: a restarted daemon, or any
-- other instance, shows when it last succeeded (and whether the latest failed, and why) instead of "never".
ALTER TABLE linked_account ADD COLUMN last_sync_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE linked_account ADD COLUMN sync_failed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE linked_account ADD COLUMN sync_error VARCHAR(200);

