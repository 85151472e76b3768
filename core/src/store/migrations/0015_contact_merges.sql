-- 0015: merging two contacts that are one person (issue 20). The merged contact's row
-- stays, emptied of addresses and conversations and pointing at the one it joined, so
-- an undo can give it back what it had; erasure of the kept contact removes it too.
-- Each merge records which addresses and conversations moved (ids only, as JSON arrays)
-- and whether the kept contact's do-not-contact came from the merged one.
-- Shipped: never edit.
ALTER TABLE contacts ADD COLUMN merged_into INTEGER REFERENCES contacts (id);
CREATE INDEX contacts_merged_into ON contacts (merged_into) WHERE merged_into IS NOT NULL;
CREATE TABLE contact_merges (
    id               INTEGER PRIMARY KEY,
    kept_id          INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    merged_id        INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    identity_ids     TEXT NOT NULL,
    conversation_ids TEXT NOT NULL,
    opt_out_gained   INTEGER NOT NULL,
    merged_by        INTEGER NOT NULL REFERENCES users (id),
    merged_at        INTEGER NOT NULL,
    undone_at        INTEGER
) STRICT;
CREATE INDEX contact_merges_kept ON contact_merges (kept_id);
CREATE INDEX contact_merges_merged ON contact_merges (merged_id);
