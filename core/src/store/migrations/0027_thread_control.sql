-- Agents take a Messenger thread from a bot or ask the bot for it (the handover
-- protocol's take_thread_control and request_thread_control), run by the channel runtime
-- as tasks; SQLite cannot change a check, so the table is rebuilt with its rows.
CREATE TABLE channel_tasks_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('pass_thread_control', 'take_thread_control', 'request_thread_control', 'local_storage', 'refresh', 'profile', 'react', 'read', 'typing', 'check', 'retry_mail')),
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
