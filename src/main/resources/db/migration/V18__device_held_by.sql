-- Which instance holds a device's CoAP connection (issue 14): set when the device signs in there, cleared when it goes
-- offline. When that instance's lease runs out, a survivor finds its devices by this column and marks them offline;
-- an instance that starts marks offline only devices nobody alive holds. NULL: no instance holds it.
ALTER TABLE device ADD COLUMN held_by VARCHAR(36);
CREATE INDEX device_held_by_ix ON device (held_by);
