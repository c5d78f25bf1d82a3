-- 0008: a file the hub refused to take (too large, over the
-- organization's quota, a type the network does not take) is kept on the
-- device with the hub's reason, shown to the person, and not sent again
-- until it is attached again.

ALTER TABLE blobs ADD COLUMN refused TEXT NOT NULL DEFAULT '';
