//! SQL for contacts: finding one by its address on a channel, and naming one that was
//! known only by that address. (New contacts are written by `messages::insert_contact`.)

use crate::channel::Channel;
use crate::error::Result;
use crate::ids::{ContactId, ConversationId};
use rusqlite::{params, Connection, OptionalExtension};

/// The contact with address `external_id` on `channel`.
pub fn find(conn: &Connection, channel: Channel, external_id: &str) -> Result<Option<ContactId>> {
    Ok(conn
        .query_row(
            "SELECT contact_id FROM contact_identities WHERE channel = ?1 AND external_id = ?2",
            params![channel.as_str(), external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The contact at `address` on `channel` whose name is still that address.
pub fn unnamed(conn: &Connection, channel: Channel, address: &str) -> Result<Option<ContactId>> {
    Ok(conn
        .query_row(
            "SELECT c.id FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id
                     WHERE ci.channel = ?1 AND ci.external_id = ?2 AND c.display_name = ?2",
            params![channel.as_str(), address],
            |r| r.get(0),
        )
        .optional()?)
}

/// Gives `contact` a display name, in the table and the search index.
pub fn rename(conn: &Connection, contact: ContactId, name: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE contacts SET display_name = ?2 WHERE id = ?1",
        params![contact, name],
    )?;
    crate::store::cached::execute(
        conn,
        "UPDATE contacts_fts SET display_name = ?2 WHERE rowid = ?1",
        params![contact, name],
    )?;
    Ok(())
}

/// A contact's name and whether they asked not to be contacted.
pub fn name_and_opt_out(conn: &Connection, contact: ContactId) -> Result<Option<(String, bool)>> {
    Ok(conn
        .query_row(
            "SELECT display_name, do_not_contact FROM contacts WHERE id = ?1",
            [contact],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// A contact's addresses as (channel, address), by channel then in the order they came.
pub fn identities(conn: &Connection, contact: ContactId) -> Result<Vec<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT channel, external_id FROM contact_identities WHERE contact_id = ?1
             ORDER BY channel, id",
        )?
        .query_map([contact], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every conversation with `contact`.
pub fn conversations_of(conn: &Connection, contact: ContactId) -> Result<Vec<ConversationId>> {
    Ok(conn
        .prepare("SELECT id FROM conversations WHERE contact_id = ?1")?
        .query_map([contact], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Links `external_id` on `channel` to `contact` as another of its addresses (a
/// WhatsApp business-scoped user id beside the phone number, a new number); `false`
/// when that address already belongs to a contact (this one or another: never moved).
pub fn link(
    conn: &Connection,
    contact: ContactId,
    channel: Channel,
    external_id: &str,
) -> Result<bool> {
    let added = crate::store::cached::execute(conn,
        "INSERT OR IGNORE INTO contact_identities (contact_id, channel, external_id) VALUES (?1, ?2, ?3)",
        params![contact, channel.as_str(), external_id],
    )?;
    if added > 0 {
        crate::store::cached::execute(
            conn,
            "UPDATE contacts_fts SET addresses = addresses || ' ' || ?2 WHERE rowid = ?1",
            params![contact, external_id],
        )?;
    }
    Ok(added > 0)
}

/// Deletes a contact that has no conversation and no merge (one made for a first message
/// that could not be queued); returns whether it went.
pub fn delete_if_unused(conn: &Connection, contact: ContactId) -> Result<bool> {
    let unused: bool = crate::store::cached::query_row(
        conn,
        "SELECT NOT EXISTS (SELECT 1 FROM conversations WHERE contact_id = ?1)
            AND NOT EXISTS (SELECT 1 FROM contacts WHERE merged_into = ?1)
            AND NOT EXISTS (SELECT 1 FROM contact_merges WHERE kept_id = ?1 OR merged_id = ?1)",
        [contact],
        |r| r.get(0),
    )?;
    if !unused {
        return Ok(false);
    }
    crate::store::cached::execute(conn, "DELETE FROM contacts_fts WHERE rowid = ?1", [contact])?;
    crate::store::cached::execute(
        conn,
        "DELETE FROM contact_identities WHERE contact_id = ?1",
        [contact],
    )?;
    Ok(crate::store::cached::execute(conn, "DELETE FROM contacts WHERE id = ?1", [contact])? > 0)
}
