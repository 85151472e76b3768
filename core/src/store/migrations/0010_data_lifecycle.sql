-- 0010: what keeps customer data from coming back or going missing. Tombstones of
-- erased messages' channel ids (keyed hashes, no content), so a re-delivered webhook or
-- a Messenger poll does not bring an erased message back; the date a mail's sender
-- wrote in its `Date:` header (shown; ordering and retention use the server's arrival
-- time); and per-folder counts of the mail sync, which add up: offered = stored + set
-- aside + duplicates. Shipped: never edit.

CREATE TABLE erased_ids (
    account_id INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    -- HMAC-SHA-256 of the channel's message id under the workspace's tombstone key.
    id_hash    BLOB NOT NULL,
    PRIMARY KEY (account_id, id_hash)
) STRICT, WITHOUT ROWID;

ALTER TABLE email_messages ADD COLUMN header_date INTEGER;

ALTER TABLE mail_folders ADD COLUMN offered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_folders ADD COLUMN stored INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_folders ADD COLUMN set_aside INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_folders ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
