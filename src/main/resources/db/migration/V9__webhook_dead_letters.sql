-- Origin Cloud role: an operator may send a dead webhook delivery again; its age then counts from that moment.
ALTER TABLE webhook_delivery ADD COLUMN revived_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX webhook_delivery_dead_ix ON webhook_delivery (dead_at);
