//! SQL for mentions: a colleague named in a note.

use crate::error::Result;
use crate::ids::{ConversationId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// Records that note `note` of `conversation` names `user`.
pub fn insert(
    conn: &Connection,
    note: i64,
    conversation: ConversationId,
    user: UserId,
    now: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO mentions (note_id, conversation_id, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![note, conversation, user, now],
    )?;
    Ok(())
}
