-- The webhook sender reads its next page as "this webhook's live deliveries in event order, first 100". With the index
-- on (webhook, event_id) H2 chose the one on dead_at instead, read every pending delivery and sorted them, and ran the
-- "held back by an earlier one" check for each: O(backlog²) per page, 84% of the daemon's CPU at 1,000 changes/s
-- (bench/origin.sh, 2026-12-05), where the backlog then grew without end. With dead_at in the index, both databases
-- walk it in order and stop after the page.
DROP INDEX webhook_delivery_due_ix;
CREATE INDEX webhook_delivery_due_ix ON webhook_delivery (webhook, dead_at, event_id);
