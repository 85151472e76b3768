-- 0001: the first schema. Shipped: never edit, add a new migration instead.

CREATE TABLE settings (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
    password_hash   TEXT NOT NULL,
    totp_secret     BLOB,
    totp_confirmed  INTEGER NOT NULL DEFAULT 0,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    availability    TEXT NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'away')),
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
) STRICT;

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at   INTEGER
) STRICT;

-- Stage: 'password' (password checked, code pending), 'enrol' (must enrol first),
-- 'active', 'locked' (idle; the code unlocks), 'ended'.
CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    token_hash     BLOB NOT NULL UNIQUE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage          TEXT NOT NULL CHECK (stage IN ('password', 'enrol', 'active', 'locked', 'ended')),
    password_ok    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    ended_at       INTEGER
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id, stage);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- A contact's address on one channel: wa_id, PSID or e-mail address.
CREATE TABLE contact_identities (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('whatsapp', 'messenger', 'email')),
    external_id TEXT NOT NULL,
    UNIQUE (channel, external_id)
) STRICT;

CREATE TABLE channel_accounts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('whatsapp', 'messenger', 'email')),
    name        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    credentials BLOB NOT NULL DEFAULT x'',
    config      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    UNIQUE (kind, external_id)
) STRICT;

CREATE TABLE conversations (
    id                       INTEGER PRIMARY KEY,
    channel_account_id       INTEGER NOT NULL REFERENCES channel_accounts (id),
    contact_id               INTEGER NOT NULL REFERENCES contacts (id),
    subject                  TEXT NOT NULL DEFAULT '',
    status                   TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    snoozed_until            INTEGER,
    assignee_id              INTEGER REFERENCES users (id),
    team_id                  INTEGER REFERENCES teams (id),
    version                  INTEGER NOT NULL DEFAULT 0,
    unread_count             INTEGER NOT NULL DEFAULT 0,
    last_customer_message_at INTEGER,
    last_activity_at         INTEGER NOT NULL,
    created_at               INTEGER NOT NULL
) STRICT;
CREATE INDEX conversations_activity ON conversations (last_activity_at DESC);
CREATE INDEX conversations_assignee ON conversations (assignee_id, last_activity_at DESC);
CREATE INDEX conversations_team ON conversations (team_id, last_activity_at DESC);
CREATE INDEX conversations_contact ON conversations (contact_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    external_id     TEXT,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    author_user_id  INTEGER REFERENCES users (id),
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'received',
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
CREATE UNIQUE INDEX messages_external ON messages (external_id) WHERE external_id IS NOT NULL;

CREATE TABLE notes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_user_id  INTEGER NOT NULL REFERENCES users (id),
    body            TEXT NOT NULL,
    is_handoff      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX notes_conversation ON notes (conversation_id, created_at);

-- Attachment bytes live inside the encrypted database, never as loose files.
CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    file_name  TEXT NOT NULL,
    mime_type  TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     BLOB NOT NULL,
    data       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE assignments (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    from_user_id    INTEGER REFERENCES users (id),
    to_user_id      INTEGER REFERENCES users (id),
    to_team_id      INTEGER REFERENCES teams (id),
    changed_by      INTEGER NOT NULL REFERENCES users (id),
    note_id         INTEGER REFERENCES notes (id),
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX assignments_conversation ON assignments (conversation_id, id);

-- Append-only, hash-chained: hash = SHA-256(prev_hash, id, at, actor, kind, subject, detail).
CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor_id  INTEGER,
    kind      TEXT NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '{}',
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
) STRICT;
CREATE INDEX audit_events_kind ON audit_events (kind, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Full-text index over message text, kept in step by triggers (external content).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
