-- Webhook items the app could not store as what they are (an unknown message type, a
-- group message, a business-app echo to a customer not known here …), kept for an
-- admin with the reason and the raw JSON of that one item (cut to 64 KiB by the code).
-- A re-delivered item has the same digest and is a duplicate. And message ids are
-- unique per account, not across accounts: a Messenger mid and a WhatsApp id that
-- happen to match are two messages.
CREATE TABLE webhook_set_aside (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL,
    digest      BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (account_id, digest)
) STRICT;

DROP INDEX messages_external;
CREATE INDEX messages_external ON messages (external_id) WHERE external_id IS NOT NULL;
