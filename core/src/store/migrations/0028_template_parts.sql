-- 0028: an approved template's header (text or a file) and buttons, as JSON
-- `{"header": {...} | null, "buttons": [...]}`, so agents fill their values too.
-- Templates read before this version have none until the next refresh from Meta.
-- Shipped: never edit.
ALTER TABLE channel_templates ADD COLUMN parts TEXT NOT NULL DEFAULT '{}';
