//! SQL for merging two contacts that are one person: candidates with the same name or
//! known by an address another one is named after, moving
//! every address and conversation of one to the other (recorded, so it can be undone), and
//! giving them back. The merged contact's row stays, empty, pointing at the kept one.

use crate::error::Result;
use crate::ids::{ContactId, ContactMergeId, ConversationId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// Contacts other than `contact`, not merged away, whose name equals `name` ignoring case
/// and surrounding spaces: found through the name index, at most `limit`.
pub fn same_name(
    conn: &Connection,
    contact: ContactId,
    name: &str,
    limit: i64,
) -> Result<Vec<ContactId>> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let fts = format!("display_name : ({})", words.join(" AND "));
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM contacts_fts f JOIN contacts c ON c.id = f.rowid
         WHERE contacts_fts MATCH ?1 AND c.id <> ?2 AND c.merged_into IS NULL
           AND lower(trim(c.display_name)) = lower(trim(?3))
         ORDER BY c.id LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![fts, contact, name, limit], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Contacts other than `contact`, not merged away, known by `external_id` on `channel`.
pub fn with_identity(
    conn: &Connection,
    contact: ContactId,
    channel: &str,
    external_id: &str,
) -> Result<Vec<ContactId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM contact_identities i JOIN contacts c ON c.id = i.contact_id
         WHERE i.channel = ?1 AND i.external_id = ?2 AND c.id <> ?3 AND c.merged_into IS NULL
         ORDER BY c.id",
    )?;
    let rows = stmt.query_map(params![channel, external_id, contact], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The contact `contact` was merged into, if it was.
pub fn merged_into(conn: &Connection, contact: ContactId) -> Result<Option<ContactId>> {
    Ok(conn
        .query_row(
            "SELECT merged_into FROM contacts WHERE id = ?1",
            [contact],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// What one merge moved, read back for an undo.
pub struct MergeRecord {
    pub kept: ContactId,
    pub merged: ContactId,
    pub identities: Vec<i64>,
    pub conversations: Vec<ConversationId>,
    pub opt_out_gained: bool,
    pub merged_by: UserId,
    pub merged_at: Timestamp,
    pub undone: bool,
}

/// Moves every address and conversation of `merged` to `kept`, carries an opt-out over,
/// keeps the name index true, and records it all. Returns the merge and what moved.
pub fn merge(
    tx: &Connection,
    kept: ContactId,
    merged: ContactId,
    by: UserId,
    now: Timestamp,
) -> Result<(ContactMergeId, usize, usize)> {
    let ids = |sql: &str| -> Result<Vec<i64>> {
        let mut stmt = tx.prepare(sql)?;
        let rows = stmt.query_map([merged], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let identities = ids("SELECT id FROM contact_identities WHERE contact_id = ?1 ORDER BY id")?;
    let conversations = ids("SELECT id FROM conversations WHERE contact_id = ?1 ORDER BY id")?;
    let opt_out_gained: bool = crate::store::cached::query_row(
        tx,
        "SELECT m.do_not_contact AND NOT k.do_not_contact FROM contacts m, contacts k
         WHERE m.id = ?1 AND k.id = ?2",
        params![merged, kept],
        |r| r.get(0),
    )?;
    crate::store::cached::execute(
        tx,
        "UPDATE contact_identities SET contact_id = ?2 WHERE contact_id = ?1",
        params![merged, kept],
    )?;
    crate::store::cached::execute(
        tx,
        "UPDATE conversations SET contact_id = ?2 WHERE contact_id = ?1",
        params![merged, kept],
    )?;
    if opt_out_gained {
        crate::store::cached::execute(
            tx,
            "UPDATE contacts SET do_not_contact = 1 WHERE id = ?1",
            [kept],
        )?;
    }
    // Contacts merged into this one earlier now belong to the kept one too, so erasing it
    // reaches them.
    crate::store::cached::execute(
        tx,
        "UPDATE contacts SET merged_into = ?2 WHERE merged_into = ?1 OR id = ?1",
        params![merged, kept],
    )?;
    crate::store::cached::execute(tx, "DELETE FROM contacts_fts WHERE rowid = ?1", [merged])?;
    refresh_addresses(tx, kept)?;
    crate::store::cached::execute(
        tx,
        "INSERT INTO contact_merges (kept_id, merged_id, identity_ids, conversation_ids,
                                     opt_out_gained, merged_by, merged_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            kept,
            merged,
            serde_json::to_string(&identities).unwrap_or_default(),
            serde_json::to_string(&conversations).unwrap_or_default(),
            opt_out_gained,
            by,
            now
        ],
    )?;
    Ok((
        ContactMergeId::new(tx.last_insert_rowid()),
        identities.len(),
        conversations.len(),
    ))
}

/// One merge as recorded.
pub fn record(conn: &Connection, id: ContactMergeId) -> Result<Option<MergeRecord>> {
    let parse = |text: String| serde_json::from_str::<Vec<i64>>(&text).unwrap_or_default();
    Ok(conn
        .query_row(
            "SELECT kept_id, merged_id, identity_ids, conversation_ids, opt_out_gained,
                    merged_by, merged_at, undone_at IS NOT NULL
             FROM contact_merges WHERE id = ?1",
            [id],
            |r| {
                Ok(MergeRecord {
                    kept: r.get(0)?,
                    merged: r.get(1)?,
                    identities: parse(r.get(2)?),
                    conversations: parse(r.get::<_, String>(3)?)
                        .into_iter()
                        .map(ConversationId::new)
                        .collect(),
                    opt_out_gained: r.get(4)?,
                    merged_by: r.get(5)?,
                    merged_at: r.get(6)?,
                    undone: r.get(7)?,
                })
            },
        )
        .optional()?)
}

/// Gives the merged contact back what the merge moved (what still belongs to the kept
/// one), restores the name index and marks the merge undone.
pub fn undo(tx: &Connection, id: ContactMergeId, m: &MergeRecord, now: Timestamp) -> Result<()> {
    for identity in &m.identities {
        crate::store::cached::execute(
            tx,
            "UPDATE contact_identities SET contact_id = ?2 WHERE id = ?1 AND contact_id = ?3",
            params![identity, m.merged, m.kept],
        )?;
    }
    for conversation in &m.conversations {
        crate::store::cached::execute(
            tx,
            "UPDATE conversations SET contact_id = ?2 WHERE id = ?1 AND contact_id = ?3",
            params![conversation, m.merged, m.kept],
        )?;
    }
    if m.opt_out_gained {
        crate::store::cached::execute(
            tx,
            "UPDATE contacts SET do_not_contact = 0 WHERE id = ?1",
            [m.kept],
        )?;
    }
    crate::store::cached::execute(
        tx,
        "UPDATE contacts SET merged_into = NULL WHERE id = ?1",
        [m.merged],
    )?;
    crate::store::cached::execute(
        tx,
        "INSERT INTO contacts_fts (rowid, display_name, addresses)
         SELECT id, display_name, '' FROM contacts WHERE id = ?1",
        [m.merged],
    )?;
    refresh_addresses(tx, m.merged)?;
    refresh_addresses(tx, m.kept)?;
    crate::store::cached::execute(
        tx,
        "UPDATE contact_merges SET undone_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Erasure of `contact`: the contacts merged into it go with it (their merge records
/// follow by cascade).
pub fn erase_merged_into(tx: &Connection, contact: ContactId) -> Result<usize> {
    crate::store::cached::execute(
        tx,
        "DELETE FROM contact_merges WHERE kept_id = ?1 OR merged_id = ?1
            OR merged_id IN (SELECT id FROM contacts WHERE merged_into = ?1)",
        [contact],
    )?;
    Ok(crate::store::cached::execute(
        tx,
        "DELETE FROM contacts WHERE merged_into = ?1",
        [contact],
    )?)
}

/// The search index's addresses of `contact`, from its addresses now.
fn refresh_addresses(tx: &Connection, contact: ContactId) -> Result<()> {
    crate::store::cached::execute(tx,
        "UPDATE contacts_fts SET addresses = coalesce(
             (SELECT group_concat(external_id, ' ') FROM contact_identities WHERE contact_id = ?1), '')
         WHERE rowid = ?1",
        [contact],
    )?;
    Ok(())
}
