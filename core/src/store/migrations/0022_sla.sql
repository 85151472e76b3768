-- SLA policies per team: how long a first reply, a next reply (after the customer wrote
-- again) and a resolution may take, in the team's business hours (calendar time when
-- it has none). A target left NULL is not tracked.
CREATE TABLE sla_policies (
    team_id                INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    first_response_minutes INTEGER CHECK (first_response_minutes BETWEEN 1 AND 525600),
    next_response_minutes  INTEGER CHECK (next_response_minutes BETWEEN 1 AND 525600),
    resolution_minutes     INTEGER CHECK (resolution_minutes BETWEEN 1 AND 525600),
    updated_at             INTEGER NOT NULL
) STRICT;

-- Since when the customer has been waiting for an agent's answer (the first message
-- after the last agent reply), cleared by the next agent reply.
ALTER TABLE conversations ADD COLUMN awaiting_since INTEGER;
UPDATE conversations SET awaiting_since = w.first_in
    FROM (SELECT m.conversation_id, min(m.created_at) AS first_in
          FROM messages m
          LEFT JOIN (SELECT conversation_id, max(created_at) AS last_out FROM messages
                     WHERE direction = 'out' AND author_user_id IS NOT NULL
                     GROUP BY conversation_id) o ON o.conversation_id = m.conversation_id
          WHERE m.direction = 'in' AND m.created_at > coalesce(o.last_out, 0)
          GROUP BY m.conversation_id) AS w
    WHERE w.conversation_id = conversations.id AND conversations.status != 'resolved';

-- The conversation's running SLA clock (the reply the customer waits for, else the
-- resolution): which target, when it started, when it warns and when it is breached. Kept up to date with every change that moves it, so the
-- list can sort by it and the runtime can find what is due with one index range.
ALTER TABLE conversations ADD COLUMN sla_target TEXT
    CHECK (sla_target IN ('first_response', 'next_response', 'resolution'));
ALTER TABLE conversations ADD COLUMN sla_started_at INTEGER;
ALTER TABLE conversations ADD COLUMN sla_warn_at INTEGER;
ALTER TABLE conversations ADD COLUMN sla_due_at INTEGER;
CREATE INDEX conversations_sla_due ON conversations (sla_due_at) WHERE sla_due_at IS NOT NULL;
CREATE INDEX conversations_sla_warn ON conversations (sla_warn_at) WHERE sla_warn_at IS NOT NULL;

-- Each warning and breach of a clock, recorded once (a clock is its target and start,
-- so a due time recomputed after a policy or hours change does not alert again);
-- breaches are also in the audit chain.
CREATE TABLE sla_alerts (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    target          TEXT NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
    started_at      INTEGER NOT NULL,
    stage           TEXT NOT NULL CHECK (stage IN ('warning', 'breach')),
    due_at          INTEGER NOT NULL,
    team_id         INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, target, started_at, stage)
) STRICT, WITHOUT ROWID;
CREATE INDEX sla_alerts_at ON sla_alerts (at);

-- Whether a person wants a desktop notification of an SLA breach (the other choices are
-- the bits of `users.notify`, whose CHECK allows four).
ALTER TABLE users ADD COLUMN notify_sla INTEGER NOT NULL DEFAULT 1 CHECK (notify_sla IN (0, 1));

-- Each person's status as reports count it: available or away (their own choice) while
-- signed in with an unlocked session, offline otherwise. A row whenever it changes.
CREATE TABLE agent_status_changes (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status  TEXT NOT NULL CHECK (status IN ('available', 'away', 'offline')),
    at      INTEGER NOT NULL
) STRICT;
CREATE INDEX agent_status_changes_user ON agent_status_changes (user_id, at);
CREATE INDEX agent_status_changes_at ON agent_status_changes (at);
