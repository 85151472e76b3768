//! SQL for reading attachments: one file's content and its conversation, and the space
//! all of them take.

use crate::error::Result;
use crate::ids::ConversationId;
use rusqlite::Connection;

/// The conversation attachment `id` belongs to (an error when there is none).
pub fn conversation_of(conn: &Connection, id: i64) -> rusqlite::Result<ConversationId> {
    crate::store::cached::query_row(conn,
        "SELECT m.conversation_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = ?1",
        [id],
        |r| r.get(0),
    )
}

/// File name, type and content of attachment `id`.
pub fn content(conn: &Connection, id: i64) -> Result<(String, String, Vec<u8>)> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT file_name, mime_type, data FROM attachments WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}

/// Bytes all attachments take.
pub fn total_size(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT coalesce(sum(size), 0) FROM attachments",
        [],
        |r| r.get(0),
    )?)
}
