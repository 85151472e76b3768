-- 0003: privacy in the message path: which messages had payment data masked, and
-- contacts who asked not to be contacted. Shipped: never edit.

ALTER TABLE messages ADD COLUMN masked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0;
