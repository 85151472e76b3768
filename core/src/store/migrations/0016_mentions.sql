-- 0016: colleagues named in a note (@username, issue 20): the note, its conversation and
-- who was named, for the "Mentions" view. Rows go with their note or conversation.
-- Shipped: never edit.
CREATE TABLE mentions (
    id              INTEGER PRIMARY KEY,
    note_id         INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX mentions_user ON mentions (user_id, conversation_id);
CREATE INDEX mentions_conversation ON mentions (conversation_id);
