-- What a customer's message holds besides its text (a shared place, contact cards, a
-- sticker, an order, the button tapped, or a message of a type the app does not know
-- with its raw payload), as JSON. Goes with its message (erasure, retention).
CREATE TABLE message_content (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    content    TEXT NOT NULL
) STRICT;
