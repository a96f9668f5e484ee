-- The owner's fence is an advisory lock (PostgreSQL) or a lock in the one H2 instance's memory now, shared between a
-- device's sign-ups and exclusive for a devices-level subscription's first read (OwnerFence): the row per owner that
-- every sign-up locked exclusively is no longer read.
DROP TABLE device_owner;
