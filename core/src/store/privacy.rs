//! SQL for privacy requests, about one contact as a whole: finding a contact by address or
//! by words, reading everything about them for an export, and erasing every row about
//! them (messages, attachments, search entries, queued downloads, notes, the contact),
//! leaving keyed tombstones of their channel ids behind.

use crate::error::{CoreError, Result};
use crate::ids::{ContactId, ConversationId};
use crate::privacy::request::{ContactMatch, ErasureSummary};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// Contacts with an address equal to `query` or to its `digits` (or equal ignoring case).
pub fn ids_by_address(conn: &Connection, query: &str, digits: &str) -> Result<Vec<ContactId>> {
    Ok(conn
        .prepare(
            "SELECT DISTINCT contact_id FROM contact_identities
             WHERE external_id = ?1 OR external_id = ?2 OR lower(external_id) = lower(?1) LIMIT 50",
        )?
        .query_map(params![query, digits], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Contacts whose name or address matches the FTS5 query `fts`.
pub fn ids_by_words(conn: &Connection, fts: &str) -> Result<Vec<ContactId>> {
    Ok(conn
        .prepare("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 LIMIT 50")?
        .query_map([fts], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A contact with its addresses and how much is stored about them; `NotFound` if none.
pub fn describe(conn: &Connection, id: ContactId) -> Result<ContactMatch> {
    let name: String = conn
        .query_row(
            "SELECT display_name FROM contacts WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(CoreError::NotFound {
            what: "The contact",
        })?;
    let identities: Vec<String> = conn
        .prepare("SELECT channel || ': ' || external_id FROM contact_identities WHERE contact_id = ?1 ORDER BY id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let (conversations, messages): (i64, i64) = crate::store::cached::query_row(conn,
        "SELECT count(*), coalesce(sum((SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)), 0)
         FROM conversations c WHERE c.contact_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(ContactMatch {
        id,
        name,
        identities,
        conversations,
        messages,
    })
}

/// The contact's conversations, oldest first.
pub fn conversations_of(conn: &Connection, id: ContactId) -> Result<Vec<ConversationId>> {
    Ok(conn
        .prepare("SELECT id FROM conversations WHERE contact_id = ?1 ORDER BY id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The contact's do-not-contact flag and when they were first seen.
pub fn flags_of(conn: &Connection, id: ContactId) -> Result<(bool, Timestamp)> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT do_not_contact, created_at FROM contacts WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// One conversation's heading in an export.
pub struct ExportConversation {
    /// The channel's name (`channel_accounts.kind`).
    pub channel: String,
    pub account: String,
    pub subject: String,
    pub status: String,
    pub started: Timestamp,
}

pub fn export_conversation(
    conn: &Connection,
    conversation: ConversationId,
) -> Result<ExportConversation> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT a.kind, a.name, c.subject, c.status, c.created_at FROM conversations c
         JOIN channel_accounts a ON a.id = c.channel_account_id WHERE c.id = ?1",
        [conversation],
        |r| {
            Ok(ExportConversation {
                channel: r.get(0)?,
                account: r.get(1)?,
                subject: r.get(2)?,
                status: r.get(3)?,
                started: r.get(4)?,
            })
        },
    )?)
}

/// One message row of an export.
pub struct ExportMessage {
    pub id: i64,
    pub direction: String,
    pub author: Option<String>,
    pub body: String,
    pub status: String,
    pub at: Timestamp,
    pub external_id: Option<String>,
}

/// A conversation's messages in the order they were written.
pub fn export_messages(
    conn: &Connection,
    conversation: ConversationId,
) -> Result<Vec<ExportMessage>> {
    let mut stmt = conn.prepare(
        "SELECT m.id, m.direction, u.display_name, m.body, m.status, m.created_at, m.external_id
         FROM messages m LEFT JOIN users u ON u.id = m.author_user_id
         WHERE m.conversation_id = ?1 ORDER BY m.created_at, m.id",
    )?;
    let rows = stmt
        .query_map([conversation], |r| {
            Ok(ExportMessage {
                id: r.get(0)?,
                direction: r.get(1)?,
                author: r.get(2)?,
                body: r.get(3)?,
                status: r.get(4)?,
                at: r.get(5)?,
                external_id: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One attachment of an export, with its bytes.
pub struct ExportAttachment {
    pub id: i64,
    pub file_name: String,
    pub mime_type: String,
    pub size: i64,
    /// The SHA-256 as SQLite's `hex()` writes it (upper case).
    pub sha256: String,
    pub data: Vec<u8>,
}

/// A message's attachments in the order they were stored.
pub fn export_attachments(conn: &Connection, message: i64) -> Result<Vec<ExportAttachment>> {
    let mut a = conn.prepare(
        "SELECT id, file_name, mime_type, size, hex(sha256), data FROM attachments WHERE message_id = ?1 ORDER BY id",
    )?;
    let found = a
        .query_map([message], |r| {
            Ok(ExportAttachment {
                id: r.get(0)?,
                file_name: r.get(1)?,
                mime_type: r.get(2)?,
                size: r.get(3)?,
                sha256: r.get(4)?,
                data: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found)
}

/// Deletes every row about the contact inside `tx`, search entries included, then
/// rewrites both search indexes so no deleted token survives in an old segment.
pub fn erase(tx: &Connection, id: ContactId) -> Result<ErasureSummary> {
    describe(tx, id)?;
    let conversations = conversations_of(tx, id)?;
    let mut summary = ErasureSummary {
        conversations: conversations.len() as i64,
        messages: 0,
        attachments: 0,
    };
    let identities: Vec<String> = tx
        .prepare("SELECT external_id FROM contact_identities WHERE contact_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Content-free tombstones first, so a re-delivery of these messages stays away.
    crate::store::tombstones::bury_contact(tx, id)?;
    // Other customers' e-mail threads this person was copied in on: their own mails
    // there go, and their address leaves every other mail; the threads stay.
    let emails: Vec<String> = tx
        .prepare("SELECT external_id FROM contact_identities WHERE contact_id = ?1 AND channel = 'email'")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for address in &emails {
        for conversation in crate::store::mail_addresses::conversations_copied(tx, address, id)? {
            let (messages, attachments) =
                crate::store::mail_addresses::erase_from_thread(tx, conversation, address)?;
            summary.messages += messages as i64;
            summary.attachments += attachments as i64;
        }
    }
    for conversation in &conversations {
        summary.attachments += crate::store::cached::query_row(tx,
            "SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ?1",
            [conversation],
            |r| r.get::<_, i64>(0),
        )?;
        // Assignments point at notes; go first. Messages delete their search rows by trigger
        // and cascade to attachments, outbox rows and queued downloads.
        crate::store::cached::execute(
            tx,
            "DELETE FROM assignments WHERE conversation_id = ?1",
            [conversation],
        )?;
        summary.messages += crate::store::cached::execute(
            tx,
            "DELETE FROM messages WHERE conversation_id = ?1",
            [conversation],
        )? as i64;
        crate::store::cached::execute(
            tx,
            "DELETE FROM notes WHERE conversation_id = ?1",
            [conversation],
        )?;
        crate::store::cached::execute(
            tx,
            "DELETE FROM conversations WHERE id = ?1",
            [conversation],
        )?;
    }
    for address in &identities {
        crate::store::cached::execute(
            tx,
            "DELETE FROM webhook_receipts WHERE key LIKE 'handover:%:' || ?1 || ':%'",
            [address],
        )?;
    }
    for address in &identities {
        // Mail from this person that the sync set aside (kept whole, raw).
        crate::store::cached::execute(
            tx,
            "DELETE FROM mail_set_aside WHERE from_address = ?1",
            [address],
        )?;
    }
    for address in &identities {
        // Webhook items set aside that name this person (raw JSON, kept whole).
        crate::store::cached::execute(
            tx,
            "DELETE FROM webhook_set_aside WHERE instr(raw, '\"' || ?1 || '\"') > 0",
            [address],
        )?;
    }
    for address in &identities {
        // Queued or finished provider calls about this person (profile, thread control,
        // our reactions to their messages).
        crate::store::cached::execute(
            tx,
            "DELETE FROM channel_tasks
             WHERE json_extract(payload, '$.psid') = ?1 OR json_extract(payload, '$.to') = ?1",
            [address],
        )?;
    }
    crate::store::cached::execute(tx, "DELETE FROM contacts_fts WHERE rowid = ?1", [id])?;
    crate::store::cached::execute(
        tx,
        "DELETE FROM contact_identities WHERE contact_id = ?1",
        [id],
    )?;
    // The contacts merged into this one (emptied rows that still hold their old names).
    crate::store::merges::erase_merged_into(tx, id)?;
    crate::store::cached::execute(tx, "DELETE FROM contacts WHERE id = ?1", [id])?;
    tx.execute_batch(
        "INSERT INTO messages_fts (messages_fts) VALUES ('optimize');
         INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize');",
    )?;
    Ok(summary)
}
