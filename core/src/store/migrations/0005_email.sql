-- 0005: the e-mail channel. IMAP sync state per folder, the threading headers of every
-- e-mail message, the token carried in a conversation's reply-to address, and mail the
-- sync could not store (with the reason, for admins). Shipped: never edit.

-- Where the sync of one IMAP folder stands. `uidnext` is the first UID not yet stored;
-- it advances in the same transaction as the messages, so a crash loses nothing and
-- stores nothing twice. A changed UIDVALIDITY resets it (Message-IDs prevent duplicates).
CREATE TABLE mail_folders (
    account_id  INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    uidnext     INTEGER NOT NULL DEFAULT 1,
    -- Progress of the current pass: messages found to fetch and fetched so far.
    total       INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'connecting', 'syncing', 'idle', 'polling', 'error')),
    last_error  TEXT NOT NULL DEFAULT '',
    synced_at   INTEGER,
    PRIMARY KEY (account_id, folder)
) STRICT;

-- Threading headers of e-mail messages, inbound and ours. `header_id` is the Message-ID
-- without angle brackets; `refs` the References ids, space separated, oldest first.
CREATE TABLE email_messages (
    message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    header_id   TEXT NOT NULL,
    in_reply_to TEXT NOT NULL DEFAULT '',
    refs        TEXT NOT NULL DEFAULT '',
    -- Sanitised HTML body (no scripts, no remote loads), when the mail had one.
    html        TEXT
) STRICT;
CREATE INDEX email_messages_header ON email_messages (account_id, header_id);

-- The token in a conversation's reply-to address (support+TOKEN@domain): a second way
-- to find the conversation when a mail client drops the threading headers.
CREATE TABLE email_threads (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    token           TEXT NOT NULL UNIQUE
) STRICT;

-- Mail the sync could not turn into a conversation message, kept (encrypted, like
-- everything here) with the reason an admin sees. The sync goes on past it.
CREATE TABLE mail_set_aside (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    folder       TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    from_address TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL,
    raw          BLOB,
    created_at   INTEGER NOT NULL,
    UNIQUE (account_id, folder, uidvalidity, uid)
) STRICT;
CREATE INDEX mail_set_aside_from ON mail_set_aside (from_address);

-- Every mail the sync has dealt with, by a hash of its Message-ID (no customer text):
-- a resync (new UIDVALIDITY) then skips mail already stored, noted, set aside, purged by
-- retention or erased on request, instead of bringing it back.
CREATE TABLE mail_seen (
    account_id INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    id_hash    BLOB NOT NULL,
    PRIMARY KEY (account_id, id_hash)
) STRICT, WITHOUT ROWID;
