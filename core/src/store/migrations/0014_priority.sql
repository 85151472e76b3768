-- 0014: a conversation's priority (issue 19): 0 none, 1 low, 2 medium, 3 high, 4 urgent.
-- The inbox can sort by it or filter on one level, page by page, in each view: these
-- indexes give the list its rows in that order without sorting. A status filter (the
-- snoozed ones, pending) reads one index range per view too, and a contact's
-- conversations (the customer panel, issue 20) come newest first from their own range,
-- and a contact's addresses are found without reading every address.
-- Shipped: never edit.
ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0
    CHECK (priority BETWEEN 0 AND 4);
CREATE INDEX conversations_priority
    ON conversations (priority DESC, last_activity_at DESC, id DESC);
CREATE INDEX conversations_assignee_priority
    ON conversations (assignee_id, priority DESC, last_activity_at DESC, id DESC);
CREATE INDEX conversations_team_priority
    ON conversations (team_id, priority DESC, last_activity_at DESC, id DESC);
CREATE INDEX conversations_assignee_status
    ON conversations (assignee_id, status, last_activity_at DESC, id DESC);
CREATE INDEX conversations_team_status
    ON conversations (team_id, status, last_activity_at DESC, id DESC);
DROP INDEX conversations_contact;
CREATE INDEX conversations_contact_activity
    ON conversations (contact_id, last_activity_at DESC, id DESC);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);
