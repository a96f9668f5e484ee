-- Several instances may share one database (issue 14). Each running instance has a row here, its lease renewed by a
-- heartbeat; an instance whose lease has run out is gone, and what it had claimed may be claimed by another.
CREATE TABLE bridge_instance (
    id          VARCHAR(36) PRIMARY KEY,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_until TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Work is claimed per unit of order, so that one instance at a time delivers it and order is kept: a subscription's
-- notifications (Target outbox), a linked account's webhook deliveries (Origin). NULL: nobody's yet. Claimed in
-- batches with SELECT ... FOR UPDATE SKIP LOCKED; a claim of an instance that is gone is free again.
ALTER TABLE subscription ADD COLUMN delivered_by VARCHAR(36);
ALTER TABLE linked_account ADD COLUMN delivered_by VARCHAR(36);
