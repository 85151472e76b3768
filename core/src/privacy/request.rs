//! Customers' privacy requests, in SQL: everything stored about one contact gathered for
//! an export, and erased without a trace (messages, attachments, search entries, queued
//! downloads, notes, the contact), leaving only a content-free audit record.

use crate::error::{CoreError, Result};
use crate::ids::{ContactId, ConversationId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// A contact an admin may act on, found by name, phone, PSID or address.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactMatch {
    pub id: ContactId,
    pub name: String,
    /// `channel: address`, e.g. `whatsapp: 16505551234`.
    pub identities: Vec<String>,
    pub conversations: i64,
    pub messages: i64,
}

crate::redacted_debug!(ContactMatch);

/// Contacts whose address equals `query` (phone digits compared without `+` and spaces)
/// or whose name or address matches it as words.
pub fn find(conn: &Connection, query: &str) -> Result<Vec<ContactMatch>> {
    let query = query.trim();
    if query.chars().count() < 2 {
        return Err(CoreError::invalid("search", "type at least two characters"));
    }
    let digits: String = query
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect();
    let mut ids: Vec<ContactId> = conn
        .prepare(
            "SELECT DISTINCT contact_id FROM contact_identities
             WHERE external_id = ?1 OR external_id = ?2 OR lower(external_id) = lower(?1) LIMIT 50",
        )?
        .query_map(params![query, digits], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if let Ok(fts) = crate::service::inbox::fts_query(query) {
        let by_words: Vec<ContactId> = conn
            .prepare("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 LIMIT 50")?
            .query_map([fts], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in by_words {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.into_iter().map(|id| describe(conn, id)).collect()
}

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
    let (conversations, messages): (i64, i64) = conn.query_row(
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

fn conversations_of(conn: &Connection, id: ContactId) -> Result<Vec<ConversationId>> {
    Ok(conn
        .prepare("SELECT id FROM conversations WHERE contact_id = ?1 ORDER BY id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// One message row of an export.
struct MessageRow {
    id: i64,
    direction: String,
    author: Option<String>,
    body: String,
    status: String,
    at: Timestamp,
    external_id: Option<String>,
}

/// One file of an export.
pub struct ExportFile {
    /// Relative path inside the archive (`files/…`).
    pub path: String,
    pub data: Vec<u8>,
}

crate::redacted_debug!(ExportFile);

/// Everything about a contact: the JSON document and the attachment files.
pub fn gather(
    conn: &Connection,
    id: ContactId,
    include_notes: bool,
    now: Timestamp,
) -> Result<(serde_json::Value, Vec<ExportFile>, i64)> {
    let contact = describe(conn, id)?;
    let (do_not_contact, created_at): (bool, Timestamp) = conn.query_row(
        "SELECT do_not_contact, created_at FROM contacts WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut files = Vec::new();
    let mut conversations = Vec::new();
    let mut message_count = 0;
    for conversation in conversations_of(conn, id)? {
        let (channel, account, subject, status, started): (
            String,
            String,
            String,
            String,
            Timestamp,
        ) = conn.query_row(
            "SELECT a.kind, a.name, c.subject, c.status, c.created_at FROM conversations c
             JOIN channel_accounts a ON a.id = c.channel_account_id WHERE c.id = ?1",
            [conversation],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let mut messages = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT m.id, m.direction, u.display_name, m.body, m.status, m.created_at, m.external_id
             FROM messages m LEFT JOIN users u ON u.id = m.author_user_id
             WHERE m.conversation_id = ?1 ORDER BY m.created_at, m.id",
        )?;
        let rows: Vec<MessageRow> = stmt
            .query_map([conversation], |r| {
                Ok(MessageRow {
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
        for row in rows {
            let MessageRow {
                id: message,
                direction,
                author,
                body,
                status,
                at,
                external_id,
            } = row;
            message_count += 1;
            let mut attachments = Vec::new();
            let mut a = conn.prepare(
                "SELECT id, file_name, mime_type, size, hex(sha256), data FROM attachments WHERE message_id = ?1 ORDER BY id",
            )?;
            let found: Vec<(i64, String, String, i64, String, Vec<u8>)> = a
                .query_map([message], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            for (attachment, file_name, mime_type, size, sha256, data) in found {
                let safe: String = file_name
                    .chars()
                    .map(|c| {
                        if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                            c
                        } else {
                            '_'
                        }
                    })
                    .take(100)
                    .collect();
                let path = format!("files/{attachment}-{safe}");
                attachments.push(serde_json::json!({
                    "file_name": file_name, "mime_type": mime_type, "size": size,
                    "sha256": sha256.to_ascii_lowercase(), "path": path
                }));
                files.push(ExportFile { path, data });
            }
            messages.push(serde_json::json!({
                "id": message, "direction": direction, "author": author, "text": body, "status": status,
                "at": at.to_rfc3339(), "channel_message_id": external_id, "attachments": attachments
            }));
        }
        let mut entry = serde_json::json!({
            "id": conversation, "channel": channel, "account": account, "subject": subject,
            "status": status, "started_at": started.to_rfc3339(), "messages": messages
        });
        if include_notes {
            let notes: Vec<serde_json::Value> = crate::store::conversations::notes_of(conn, conversation)?
                .into_iter()
                .map(|n| serde_json::json!({ "author": n.author, "text": n.body, "handoff": n.is_handoff, "at": n.at.to_rfc3339() }))
                .collect();
            entry["internal_notes"] = serde_json::Value::Array(notes);
        }
        conversations.push(entry);
    }
    let document = serde_json::json!({
        "format": "appcare-contact-export/1",
        "exported_at": now.to_rfc3339(),
        "contact": {
            "id": id, "name": contact.name, "identities": contact.identities,
            "do_not_contact": do_not_contact, "first_seen": created_at.to_rfc3339()
        },
        "conversations": conversations,
        "internal_notes_included": include_notes,
    });
    Ok((document, files, message_count))
}

/// What an erasure removed (counts only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErasureSummary {
    pub conversations: i64,
    pub messages: i64,
    pub attachments: i64,
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
    for conversation in &conversations {
        summary.attachments += tx.query_row(
            "SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = ?1",
            [conversation],
            |r| r.get::<_, i64>(0),
        )?;
        // Assignments point at notes; go first. Messages delete their search rows by trigger
        // and cascade to attachments, outbox rows and queued downloads.
        tx.execute(
            "DELETE FROM assignments WHERE conversation_id = ?1",
            [conversation],
        )?;
        summary.messages += tx.execute(
            "DELETE FROM messages WHERE conversation_id = ?1",
            [conversation],
        )? as i64;
        tx.execute(
            "DELETE FROM notes WHERE conversation_id = ?1",
            [conversation],
        )?;
        tx.execute("DELETE FROM conversations WHERE id = ?1", [conversation])?;
    }
    for address in &identities {
        tx.execute(
            "DELETE FROM webhook_receipts WHERE key LIKE 'handover:%:' || ?1 || ':%'",
            [address],
        )?;
    }
    for address in &identities {
        // Mail from this person that the sync set aside (kept whole, raw).
        tx.execute(
            "DELETE FROM mail_set_aside WHERE from_address = ?1",
            [address],
        )?;
    }
    for address in &identities {
        // Queued or finished provider calls about this person (profile, thread control).
        tx.execute(
            "DELETE FROM channel_tasks WHERE json_extract(payload, '$.psid') = ?1",
            [address],
        )?;
    }
    tx.execute("DELETE FROM contacts_fts WHERE rowid = ?1", [id])?;
    tx.execute("DELETE FROM contact_identities WHERE contact_id = ?1", [id])?;
    tx.execute("DELETE FROM contacts WHERE id = ?1", [id])?;
    tx.execute_batch(
        "INSERT INTO messages_fts (messages_fts) VALUES ('optimize');
         INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize');",
    )?;
    Ok(summary)
}
