-- 0004: WhatsApp and Messenger channels: delivery state of outbound messages, outbox
-- payloads and the "unconfirmed" state, media waiting for download, approved templates,
-- channel tasks (handover, local storage) and notes written by the system. Shipped: never edit.

-- A plain explanation of a final send failure ("Meta error 131047: …").
ALTER TABLE messages ADD COLUMN failure TEXT;
-- Non-secret state of a channel account read back from the provider (local storage,
-- last error), as JSON.
ALTER TABLE channel_accounts ADD COLUMN state TEXT NOT NULL DEFAULT '{}';

-- The outbox gains what to send (text, template, media) and the state a send is left in
-- when the app stopped during it: 'unconfirmed' is never resent without a person.
CREATE TABLE outbox_v4 (
    message_id      INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unconfirmed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO outbox_v4 (message_id, state, attempts, next_attempt_at, last_error)
    SELECT message_id, state, attempts, next_attempt_at, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Notes may be written by the system (a bot handing a Messenger thread over): no author.
CREATE TABLE notes_v4 (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_user_id  INTEGER REFERENCES users (id),
    body            TEXT NOT NULL,
    is_handoff      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;
INSERT INTO notes_v4 SELECT id, conversation_id, author_user_id, body, is_handoff, created_at FROM notes;
DROP TABLE notes;
ALTER TABLE notes_v4 RENAME TO notes;
CREATE INDEX notes_conversation ON notes (conversation_id, created_at);

-- Media announced by a webhook, fetched later (media id -> URL -> bearer download).
CREATE TABLE media_downloads (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    media_id        TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    mime_type       TEXT NOT NULL,
    sha256          TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (message_id, media_id)
) STRICT;
CREATE INDEX media_downloads_due ON media_downloads (state, next_attempt_at);

-- Message templates approved by Meta for a WhatsApp account.
CREATE TABLE channel_templates (
    account_id INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    language   TEXT NOT NULL,
    category   TEXT NOT NULL,
    body       TEXT NOT NULL,
    parameters INTEGER NOT NULL,
    PRIMARY KEY (account_id, name, language)
) STRICT;

-- Calls to the provider that are not messages: pass thread control back to a bot,
-- set in-country storage, read a Messenger contact's name. Run by the channel runtime with retries.
CREATE TABLE channel_tasks (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('pass_thread_control', 'local_storage', 'refresh', 'profile')),
    payload         TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX channel_tasks_due ON channel_tasks (state, next_attempt_at);

-- Webhook events that carry no message id of their own (handovers), seen once.
CREATE TABLE webhook_receipts (
    key         TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
) STRICT;

-- Which Messenger thread a bot handed to us, so resolving can hand it back.
ALTER TABLE conversations ADD COLUMN handover_app_id TEXT;
