-- 0019: read receipts and typing indicators towards the customer (issue 21 item 6), and
-- what Meta charges per message we sent (item 9). A
-- conversation remembers the newest customer message we marked read at the channel, so
-- opening it again marks nothing twice; the task kinds' check gains 'read' and 'typing'
-- (the table is rebuilt with its rows, as SQLite cannot change a check). The pricing block
-- of a WhatsApp status is kept per outbound message (its newest state), gone with the
-- message. Shipped: never edit.
ALTER TABLE conversations ADD COLUMN read_sent_message_id INTEGER
    REFERENCES messages (id) ON DELETE SET NULL;

CREATE TABLE channel_tasks_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('pass_thread_control', 'local_storage', 'refresh', 'profile', 'react', 'read', 'typing')),
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

CREATE TABLE message_pricing (
    message_id    INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    billable      INTEGER NOT NULL CHECK (billable IN (0, 1)),
    pricing_model TEXT NOT NULL CHECK (length(pricing_model) <= 32),
    pricing_type  TEXT NOT NULL CHECK (length(pricing_type) <= 32),
    category      TEXT NOT NULL CHECK (length(category) <= 32)
) STRICT;
