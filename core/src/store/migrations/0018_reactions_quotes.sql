-- 0018: reactions and quoted replies (issue 21). A reaction belongs to the message it
-- names, one per side (the customer's and ours), replaced as it changes; taking it back
-- leaves an empty emoji with its time, so a change Meta delivers late cannot bring back
-- an older one; gone when its message goes (retention, erasure). A message that answers another
-- keeps the provider's id of the one it quotes; the quote is found by that id in the same
-- conversation when shown, so a quote of an erased message says it is gone. Shipped: never edit.
CREATE TABLE message_reactions (
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    by_customer INTEGER NOT NULL CHECK (by_customer IN (0, 1)),
    user_id     INTEGER REFERENCES users(id),
    emoji       TEXT NOT NULL CHECK (length(emoji) <= 32),
    reacted_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, by_customer)
) STRICT, WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN reply_to_external TEXT;

-- An agent's reaction is sent as a channel task: the task kinds' check gains 'react'.
-- SQLite cannot change a check, so the table is rebuilt with its rows.
CREATE TABLE channel_tasks_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('pass_thread_control', 'local_storage', 'refresh', 'profile', 'react')),
    payload         TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO channel_tasks_new (id, account_id, kind, payload, state, attempts, next_attempt_at, last_error)
    SELECT id, account_id, kind, payload, state, attempts, next_attempt_at, last_error FROM channel_tasks;
DROP TABLE channel_tasks;
ALTER TABLE channel_tasks_new RENAME TO channel_tasks;
CREATE INDEX channel_tasks_due ON channel_tasks (state, next_attempt_at);
