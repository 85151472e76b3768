-- Channel accounts managed after they are connected: an admin disables one (no sending,
-- no polling or mail sync; webhooks are still received and stored) or removes it
-- (its secrets wiped; its history kept, or erased with the account row). A removed
-- account whose history is kept comes back when the same number, page or address is
-- connected again. "Test connection" keeps its last report per account.
ALTER TABLE channel_accounts ADD COLUMN disabled_at INTEGER;
ALTER TABLE channel_accounts ADD COLUMN removed_at INTEGER;

CREATE TABLE connection_checks (
    account_id   INTEGER PRIMARY KEY REFERENCES channel_accounts (id) ON DELETE CASCADE,
    requested_at INTEGER NOT NULL,
    finished_at  INTEGER,
    -- JSON list of steps: name, outcome (ok, failed, skipped), detail. No secrets.
    steps        TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- The task kinds gain 'check' (a test run by the channel runtime) and 'retry_mail' (a
-- set-aside mail read again after a fix); SQLite cannot change
-- a check, so the table is rebuilt with its rows.
CREATE TABLE channel_tasks_new (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('pass_thread_control', 'local_storage', 'refresh', 'profile', 'react', 'read', 'typing', 'check', 'retry_mail')),
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
