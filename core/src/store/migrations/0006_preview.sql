-- 0006: the inbox list's preview (the start of a conversation's newest message) kept on
-- the conversation, so listing a page no longer reads every row's newest message (an
-- e-mail body can run to many pages, all read for 140 characters). Triggers keep it
-- right whichever way messages come and go: arrival, retention purge, erasure.
-- Shipped: never edit.

ALTER TABLE conversations ADD COLUMN preview TEXT NOT NULL DEFAULT '';

UPDATE conversations SET preview = coalesce(
    (SELECT substr(m.body, 1, 140) FROM messages m WHERE m.conversation_id = conversations.id
     ORDER BY m.created_at DESC, m.id DESC LIMIT 1), '');

-- A new message becomes the preview unless a newer one is already there.
CREATE TRIGGER messages_preview_insert AFTER INSERT ON messages
BEGIN
    UPDATE conversations SET preview = substr(new.body, 1, 140)
    WHERE id = new.conversation_id
      AND NOT EXISTS (SELECT 1 FROM messages m
                      WHERE m.conversation_id = new.conversation_id
                        AND (m.created_at > new.created_at
                             OR (m.created_at = new.created_at AND m.id > new.id)));
END;

CREATE TRIGGER messages_preview_delete AFTER DELETE ON messages
BEGIN
    UPDATE conversations SET preview = coalesce(
        (SELECT substr(m.body, 1, 140) FROM messages m WHERE m.conversation_id = old.conversation_id
         ORDER BY m.created_at DESC, m.id DESC LIMIT 1), '')
    WHERE id = old.conversation_id;
END;

CREATE TRIGGER messages_preview_update AFTER UPDATE OF body, created_at, conversation_id ON messages
BEGIN
    UPDATE conversations SET preview = coalesce(
        (SELECT substr(m.body, 1, 140) FROM messages m WHERE m.conversation_id = old.conversation_id
         ORDER BY m.created_at DESC, m.id DESC LIMIT 1), '')
    WHERE id = old.conversation_id;
    UPDATE conversations SET preview = coalesce(
        (SELECT substr(m.body, 1, 140) FROM messages m WHERE m.conversation_id = new.conversation_id
         ORDER BY m.created_at DESC, m.id DESC LIMIT 1), '')
    WHERE id = new.conversation_id AND new.conversation_id IS NOT old.conversation_id;
END;
