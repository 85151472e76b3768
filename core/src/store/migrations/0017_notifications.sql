-- 0017: which desktop notifications each person wants (issue 20): a bit each for a new
-- conversation assigned to them, a customer's reply on their conversation, a mention and
-- a handoff. All on by default. Shipped: never edit.
ALTER TABLE users ADD COLUMN notify INTEGER NOT NULL DEFAULT 15 CHECK (notify BETWEEN 0 AND 15);
