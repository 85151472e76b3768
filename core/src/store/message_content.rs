//! SQL for what a customer's message holds besides its text (`message_content`).

use crate::channel::rich::RichContent;
use crate::error::{CoreError, Result};
use crate::ids::MessageId;
use rusqlite::{params, Connection};

/// Keeps `content` with `message`.
pub fn set(conn: &Connection, message: MessageId, content: &RichContent) -> Result<()> {
    let json = serde_json::to_string(content)
        .map_err(|e| CoreError::Storage(format!("message content: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO message_content (message_id, content) VALUES (?1, ?2)
         ON CONFLICT (message_id) DO UPDATE SET content = excluded.content",
    )?
    .execute(params![message, json])?;
    Ok(())
}

/// The content of each of `messages` that has one. A row this build cannot read (written
/// by a newer one) is left out rather than failing the page.
pub fn of(conn: &Connection, messages: &[MessageId]) -> Result<Vec<(MessageId, RichContent)>> {
    let mut stmt =
        conn.prepare_cached("SELECT content FROM message_content WHERE message_id = ?1")?;
    let mut out = Vec::new();
    for &m in messages {
        let mut rows = stmt.query([m])?;
        if let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            match serde_json::from_str(&json) {
                Ok(content) => out.push((m, content)),
                Err(_) => tracing::warn!(message = m.get(), "message content not readable"),
            }
        }
    }
    Ok(out)
}
