-- 0018: reactions and quoted replies (issue 21). A reaction belongs to the message it
-- names, one per side (the customer's and ours), replaced as it changes and gone when
-- removed or when its message goes (retention, erasure). A message that answers another
-- keeps the provider's id of the one it quotes; the quote is found by that id in the same
-- account when shown, so a quote of an erased message says it is gone. Shipped: never edit.
CREATE TABLE message_reactions (
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    by_customer INTEGER NOT NULL CHECK (by_customer IN (0, 1)),
    user_id     INTEGER REFERENCES users(id),
    emoji       TEXT NOT NULL CHECK (length(emoji) BETWEEN 1 AND 32),
    reacted_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, by_customer)
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN reply_to_external TEXT;
