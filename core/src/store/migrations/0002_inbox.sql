-- 0002: the inbox: labels, canned replies, a team per channel account, the outbox, and a
-- full-text index over contact names and addresses. Shipped: never edit.

CREATE TABLE labels (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;

CREATE TABLE conversation_labels (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    label_id        INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, label_id)
) STRICT;
CREATE INDEX conversation_labels_label ON conversation_labels (label_id);

CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
) STRICT;

ALTER TABLE channel_accounts ADD COLUMN default_team_id INTEGER REFERENCES teams (id);

-- Every outbound message waits here until a channel adapter has sent it.
CREATE TABLE outbox (
    message_id      INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- List order is (last_activity_at, id) newest first: index both so no sort is needed.
DROP INDEX conversations_activity;
DROP INDEX conversations_assignee;
DROP INDEX conversations_team;
CREATE INDEX conversations_activity ON conversations (last_activity_at DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations (assignee_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_team ON conversations (team_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_status_activity ON conversations (status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_unassigned ON conversations (team_id, created_at) WHERE assignee_id IS NULL;

-- Contact names and addresses, kept by the store code (rowid = contact id).
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    display_name,
    addresses,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO contacts_fts (rowid, display_name, addresses)
SELECT c.id, c.display_name,
       coalesce((SELECT group_concat(external_id, ' ') FROM contact_identities i WHERE i.contact_id = c.id), '')
FROM contacts c;
