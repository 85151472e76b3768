-- 0013: drafts that survive a lock and a restart (issue 19): what one person is writing
-- in one conversation, per mode (reply or note), in the encrypted store, never in the
-- window's storage. They go with their conversation (erasure, retention) and their user.
-- Shipped: never edit.
CREATE TABLE drafts (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    mode            TEXT NOT NULL CHECK (mode IN ('reply', 'note')),
    body            TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id, mode)
) STRICT, WITHOUT ROWID;
CREATE INDEX drafts_conversation ON drafts (conversation_id);
