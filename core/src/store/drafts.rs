//! SQL for drafts: what one person is writing in one conversation, per mode.

use crate::error::Result;
use crate::ids::{ConversationId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// One stored draft: mode (`reply` or `note`), body, when it was last saved.
pub type DraftRow = (String, String, Timestamp);

/// Keeps `body` as the draft of `user` in `conversation` for `mode`.
pub fn upsert(
    conn: &Connection,
    user: UserId,
    conversation: ConversationId,
    mode: &str,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO drafts (user_id, conversation_id, mode, body, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (user_id, conversation_id, mode)
         DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![user, conversation, mode, body, now])?;
    Ok(())
}

/// Forgets the draft of `user` in `conversation` for `mode`, if there is one.
pub fn delete(
    conn: &Connection,
    user: UserId,
    conversation: ConversationId,
    mode: &str,
) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM drafts WHERE user_id = ?1 AND conversation_id = ?2 AND mode = ?3",
    )?
    .execute(params![user, conversation, mode])?;
    Ok(())
}

/// The drafts of `user` in `conversation`, the most recently saved first.
pub fn of(conn: &Connection, user: UserId, conversation: ConversationId) -> Result<Vec<DraftRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT mode, body, updated_at FROM drafts
         WHERE user_id = ?1 AND conversation_id = ?2
         ORDER BY updated_at DESC, mode DESC",
    )?;
    let rows = stmt.query_map(params![user, conversation], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
