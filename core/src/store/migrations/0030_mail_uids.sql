-- 0030: where each stored customer mail sits in its mailbox (folder, UIDVALIDITY, UID),
-- so reading it here sets \Seen there, reading it there marks it read here, and a mail
-- deleted or moved there is marked (never erased: retention and erasure stay the only
-- deletions). Shipped: never edit.
CREATE TABLE mail_uids (
    message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES channel_accounts (id) ON DELETE CASCADE,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    -- 1 once \Seen is set in the mailbox (by us or by anyone there).
    seen        INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),
    -- When the sync found it no longer in its folder.
    gone_at     INTEGER
) STRICT;
CREATE INDEX mail_uids_place ON mail_uids (account_id, folder, uidvalidity, uid);
