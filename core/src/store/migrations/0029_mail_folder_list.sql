-- 0029: the folders an IMAP server offers (its LIST, as last seen by the sync), with their
-- special use (RFC 6154: sent, junk, trash…), so an admin can pick which are synced.
-- Names are kept as the server sends them (modified UTF-7). Shipped: never edit.
CREATE TABLE mail_folder_list (
    account_id  INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    special_use TEXT NOT NULL DEFAULT '',
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
) STRICT;
