-- 0007: the preview trigger on insert looks for a newer message through the index on
-- (conversation_id, created_at) and its rowid. 0006 asked with one OR, which SQLite
-- answers by walking every message of the conversation from the new one's second on:
-- a conversation whose messages share a timestamp (an import, a burst) made every
-- insert read all of them. Shipped: never edit.

DROP TRIGGER messages_preview_insert;

-- A new message becomes the preview unless a newer one is already there.
CREATE TRIGGER messages_preview_insert AFTER INSERT ON messages
BEGIN
    UPDATE conversations SET preview = substr(new.body, 1, 140)
    WHERE id = new.conversation_id
      AND NOT EXISTS (SELECT 1 FROM messages m
                      WHERE m.conversation_id = new.conversation_id
                        AND m.created_at > new.created_at)
      AND NOT EXISTS (SELECT 1 FROM messages m
                      WHERE m.conversation_id = new.conversation_id
                        AND m.created_at = new.created_at
                        AND m.id > new.id);
END;
