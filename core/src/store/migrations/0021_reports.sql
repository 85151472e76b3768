-- 0021: what reports are made from (issue 23). Every change of a conversation's status
-- is kept as it happens (an agent's, a snooze ending, a customer writing to a resolved
-- conversation), so resolutions and reopenings can be counted; the history so far is
-- taken from the audit chain's status changes. Teams get business hours (a weekly
-- schedule in their time zone, with holidays, as JSON). Conversations are found by when
-- they started, and remember their first agent reply. Accounts may answer outside
-- business hours. Shipped: never edit.
CREATE TABLE status_changes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL CHECK (to_status IN ('open', 'pending', 'snoozed', 'resolved')),
    at              INTEGER NOT NULL,
    by_user         INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX status_changes_at ON status_changes (at);
CREATE INDEX status_changes_conversation ON status_changes (conversation_id, at);

INSERT INTO status_changes (conversation_id, from_status, to_status, at, by_user)
    SELECT CAST(substr(a.subject, 14) AS INTEGER), coalesce(json_extract(a.detail, '$.from'), ''),
           json_extract(a.detail, '$.to'), a.at, a.actor_id
    FROM audit_events a
    WHERE a.kind = 'conversation_status_changed' AND a.subject LIKE 'conversation:%'
      AND json_valid(a.detail)
      AND json_extract(a.detail, '$.to') IN ('open', 'pending', 'snoozed', 'resolved')
      AND CAST(substr(a.subject, 14) AS INTEGER) IN (SELECT id FROM conversations)
      AND (a.actor_id IS NULL OR a.actor_id IN (SELECT id FROM users))
    ORDER BY a.id;

CREATE TABLE team_hours (
    team_id  INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    schedule TEXT NOT NULL CHECK (json_valid(schedule) AND length(schedule) <= 20000)
) STRICT;

CREATE INDEX conversations_created ON conversations (created_at);

-- When an agent first answered a conversation, and who: written with that reply, so a
-- report reads the conversation, not its messages; for the past, from the messages.
ALTER TABLE conversations ADD COLUMN first_reply_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_reply_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
UPDATE conversations SET first_reply_at = f.created_at, first_reply_by = f.author_user_id
    FROM (SELECT conversation_id, created_at, author_user_id,
                 row_number() OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS n
          FROM messages WHERE direction = 'out' AND author_user_id IS NOT NULL) AS f
    WHERE f.conversation_id = conversations.id AND f.n = 1;

-- An optional reply a channel account sends when a customer writes outside its team's
-- business hours, and when a conversation last got it (once per conversation).
CREATE TABLE out_of_hours_replies (
    account_id INTEGER PRIMARY KEY REFERENCES channel_accounts (id) ON DELETE CASCADE,
    body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1000)
) STRICT;
ALTER TABLE conversations ADD COLUMN out_of_hours_replied_at INTEGER;
