//! SQL for contacts, channel accounts, conversations, messages and attachments: the rows
//! the channel adapters' ingest path writes. Statements are cached for bulk ingest.

use crate::channel::{Channel, Direction};
use crate::error::Result;
use crate::ids::{ChannelAccountId, ContactId, ConversationId, MessageId};
use crate::time::Timestamp;
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};

pub fn insert_channel_account(
    conn: &Connection,
    channel: Channel,
    name: &str,
    external_id: &str,
    now: Timestamp,
) -> Result<ChannelAccountId> {
    let inserted = crate::store::cached::execute(conn,
        "INSERT INTO channel_accounts (kind, name, external_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![channel.as_str(), name, external_id, now],
    );
    match inserted {
        Ok(_) => Ok(ChannelAccountId::new(conn.last_insert_rowid())),
        // The same kind and id twice: the caller hears it in plain words (409), never
        // the constraint's name.
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => Err(
            crate::error::CoreError::Conflict("This account is already connected.".into()),
        ),
        Err(e) => Err(e.into()),
    }
}

pub fn insert_contact(
    conn: &Connection,
    display_name: &str,
    channel: Channel,
    external_id: &str,
    now: Timestamp,
) -> Result<ContactId> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO contacts (display_name, created_at) VALUES (?1, ?2)",
        params![display_name, now],
    )?;
    let id = ContactId::new(conn.last_insert_rowid());
    crate::store::cached::execute(
        conn,
        "INSERT INTO contact_identities (contact_id, channel, external_id) VALUES (?1, ?2, ?3)",
        params![id, channel.as_str(), external_id],
    )?;
    crate::store::cached::execute(
        conn,
        "INSERT INTO contacts_fts (rowid, display_name, addresses) VALUES (?1, ?2, ?3)",
        params![id, display_name, external_id],
    )?;
    Ok(id)
}

pub fn insert_conversation(
    conn: &Connection,
    account: ChannelAccountId,
    contact: ContactId,
    now: Timestamp,
) -> Result<ConversationId> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO conversations (channel_account_id, contact_id, last_activity_at, created_at)
         VALUES (?1, ?2, ?3, ?3)",
        params![account, contact, now],
    )?;
    Ok(ConversationId::new(conn.last_insert_rowid()))
}

/// A message to store.
pub struct NewMessage<'a> {
    pub conversation: ConversationId,
    pub external_id: Option<&'a str>,
    pub direction: Direction,
    pub body: &'a str,
    pub created_at: Timestamp,
}

pub fn insert_message(conn: &Connection, message: &NewMessage<'_>) -> Result<MessageId> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO messages (conversation_id, external_id, direction, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    stmt.execute(params![
        message.conversation,
        message.external_id,
        match message.direction {
            Direction::In => "in",
            Direction::Out => "out",
        },
        message.body,
        message.created_at
    ])?;
    Ok(MessageId::new(conn.last_insert_rowid()))
}

/// Stores an attachment's bytes inside the encrypted database.
pub fn insert_attachment(
    conn: &Connection,
    message: MessageId,
    file_name: &str,
    mime_type: &str,
    data: &[u8],
    now: Timestamp,
) -> Result<i64> {
    let digest: [u8; 32] = Sha256::digest(data).into();
    crate::store::cached::execute(
        conn,
        "INSERT INTO attachments (message_id, file_name, mime_type, size, sha256, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            message,
            file_name,
            mime_type,
            data.len() as i64,
            digest.as_slice(),
            data,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn attachment_data(conn: &Connection, id: i64) -> Result<Vec<u8>> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT data FROM attachments WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Message ids whose text matches an FTS5 query, best first.
pub fn search_ids(conn: &Connection, query: &str, limit: i64) -> Result<Vec<MessageId>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rank {}",
        crate::store::limit(limit)
    ))?;
    let rows = stmt.query_map(params![query], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The display name of the colleague (not `caller`) who last wrote to the customer in
/// `conversation` after message `after` (any time when `None`), if one did.
pub fn answered_by_other_since(
    conn: &Connection,
    conversation: ConversationId,
    after: Option<MessageId>,
    caller: crate::ids::UserId,
) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let mut stmt = conn.prepare_cached(
        "SELECT u.display_name FROM messages m JOIN users u ON u.id = m.author_user_id
         WHERE m.conversation_id = ?1 AND m.direction = 'out' AND m.id > coalesce(?2, 0)
           AND m.author_user_id <> ?3
         ORDER BY m.id DESC LIMIT 1",
    )?;
    Ok(stmt
        .query_row(params![conversation, after, caller], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use crate::channel::{Channel, Direction};

    #[test]
    fn channels_and_directions_are_stored_by_name_and_read_back() -> rusqlite::Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        for channel in [Channel::WhatsApp, Channel::Messenger, Channel::Email] {
            let stored: String =
                crate::store::cached::query_row(&conn, "SELECT ?1", [channel], |r| r.get(0))?;
            assert_eq!(stored, channel.as_str());
            let read: Channel =
                crate::store::cached::query_row(&conn, "SELECT ?1", [channel], |r| r.get(0))?;
            assert_eq!(read, channel);
        }
        for direction in [Direction::In, Direction::Out] {
            let read: Direction =
                crate::store::cached::query_row(&conn, "SELECT ?1", [direction], |r| r.get(0))?;
            assert_eq!(read, direction);
        }
        let unknown = crate::store::cached::query_row(&conn, "SELECT 'telegram'", [], |r| {
            r.get::<_, Channel>(0)
        });
        assert!(unknown.is_err());
        assert_eq!(Direction::parse("sideways"), None);
        Ok(())
    }
}
