//! SQL for the retention purge: messages of one channel older than a cutoff (their
//! attachments and search entries go with them), conversations left empty, and the
//! search index and file compaction afterwards.

use crate::channel::Channel;
use crate::error::Result;
use crate::time::Timestamp;
use rusqlite::{params, Connection};

const SCOPE: &str = "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                     JOIN channel_accounts a ON a.id = c.channel_account_id
                     WHERE a.kind = ?1 AND m.created_at < ?2";

const STALE: &str =
    "SELECT c.id FROM conversations c JOIN channel_accounts a ON a.id = c.channel_account_id
                     WHERE a.kind = ?1 AND c.last_activity_at < ?2
                       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)";

/// Deletes the messages of `channel` created before `cutoff`; returns how many
/// attachments went with them and how many messages went.
pub fn purge_messages(
    conn: &Connection,
    channel: Channel,
    cutoff: Timestamp,
) -> Result<(i64, i64)> {
    let channel = channel.as_str();
    let attachments: i64 = conn.query_row(
        &format!("SELECT count(*) FROM attachments WHERE message_id IN ({SCOPE})"),
        params![channel, cutoff],
        |r| r.get(0),
    )?;
    let messages = conn.execute(
        &format!("DELETE FROM messages WHERE id IN ({SCOPE})"),
        params![channel, cutoff],
    )? as i64;
    Ok((attachments, messages))
}

/// Deletes mail the sync set aside before `cutoff`.
pub fn purge_set_aside(conn: &Connection, cutoff: Timestamp) -> Result<()> {
    conn.execute("DELETE FROM mail_set_aside WHERE created_at < ?1", [cutoff])?;
    Ok(())
}

/// Deletes conversations of `channel` idle since before `cutoff` with no message left;
/// returns how many.
pub fn purge_empty_conversations(
    conn: &Connection,
    channel: Channel,
    cutoff: Timestamp,
) -> Result<i64> {
    let channel = channel.as_str();
    conn.execute(
        &format!("DELETE FROM assignments WHERE conversation_id IN ({STALE})"),
        params![channel, cutoff],
    )?;
    Ok(conn.execute(
        &format!("DELETE FROM conversations WHERE id IN ({STALE})"),
        params![channel, cutoff],
    )? as i64)
}

/// Rewrites the message search index after deletions.
pub fn optimize_search(conn: &Connection) -> Result<()> {
    conn.execute_batch("INSERT INTO messages_fts (messages_fts) VALUES ('optimize');")?;
    Ok(())
}

/// Free pages and all pages of the database file.
pub fn free_pages(conn: &Connection) -> Result<(i64, i64)> {
    Ok((
        conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?,
        conn.query_row("PRAGMA page_count", [], |r| r.get(0))?,
    ))
}
