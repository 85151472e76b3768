-- Customer satisfaction (and, below, SLA targets per channel or label). An account that
-- asks for it sends its question a short while after a conversation is resolved (so an
-- Undo or a quick reopening sends nothing); `survey_due_at` marks a resolved
-- conversation waiting for that moment.
CREATE TABLE satisfaction_questions (
    account_id INTEGER PRIMARY KEY REFERENCES channel_accounts (id) ON DELETE CASCADE,
    question   TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 500)
) STRICT;
ALTER TABLE conversations ADD COLUMN survey_due_at INTEGER;
CREATE INDEX conversations_survey_due ON conversations (survey_due_at)
    WHERE survey_due_at IS NOT NULL;

-- One survey per conversation: when it was sent, to whose work it refers (the assignee
-- and team when it was sent) and the customer's answer (a rating from 1 to 5 and an
-- optional comment), kept with the message that carried it. Gone with the conversation.
CREATE TABLE satisfaction_surveys (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL UNIQUE REFERENCES conversations (id) ON DELETE CASCADE,
    question_id       INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    agent_id          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    team_id           INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    sent_at           INTEGER NOT NULL,
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment           TEXT CHECK (length(comment) BETWEEN 1 AND 1000),
    answer_id         INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    answered_at       INTEGER,
    CHECK ((rating IS NULL) = (answered_at IS NULL))
) STRICT;
CREATE INDEX satisfaction_surveys_answered ON satisfaction_surveys (answered_at)
    WHERE answered_at IS NOT NULL;

-- A team's SLA targets refined for one channel or one label: each target set here
-- replaces the team's for conversations on that channel or with that label (a label's
-- over a channel's; with several labels, the shortest).
CREATE TABLE sla_overrides (
    id                     INTEGER PRIMARY KEY,
    team_id                INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    channel                TEXT CHECK (channel IN ('whatsapp', 'messenger', 'email')),
    label_id               INTEGER REFERENCES labels (id) ON DELETE CASCADE,
    first_response_minutes INTEGER CHECK (first_response_minutes BETWEEN 1 AND 525600),
    next_response_minutes  INTEGER CHECK (next_response_minutes BETWEEN 1 AND 525600),
    resolution_minutes     INTEGER CHECK (resolution_minutes BETWEEN 1 AND 525600),
    updated_at             INTEGER NOT NULL,
    CHECK ((channel IS NULL) <> (label_id IS NULL))
) STRICT;
CREATE UNIQUE INDEX sla_overrides_scope
    ON sla_overrides (team_id, coalesce(channel, ''), coalesce(label_id, 0));
