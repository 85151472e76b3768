//! SQL for media downloads: files a webhook announced, fetched by the runtime and
//! stored as attachments inside the encrypted database.

use crate::channel::MediaRef;
use crate::error::Result;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// A file announced by a webhook, to download.
#[derive(Clone, Debug)]
pub struct MediaJob {
    pub id: i64,
    pub message: MessageId,
    pub conversation: ConversationId,
    pub account: ChannelAccountId,
    pub media: MediaRef,
    pub attempt: i64,
}

/// Queues the download of `media` for `message` (once per media id).
pub fn insert(
    conn: &Connection,
    message: MessageId,
    media: &MediaRef,
    now: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT OR IGNORE INTO media_downloads (message_id, media_id, file_name, mime_type, sha256, next_attempt_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![message, media.media_id, media.file_name, media.mime_type, media.sha256, now],
    )?;
    Ok(())
}

/// Takes up to `limit` due downloads, leased for ten minutes.
pub fn claim(conn: &Connection, now: Timestamp, limit: i64) -> Result<Vec<MediaJob>> {
    crate::store::queue::claim(
        conn,
        &format!(
            "SELECT d.id, d.message_id, m.conversation_id, c.channel_account_id, d.media_id,
                        d.file_name, d.mime_type, d.sha256, d.attempts
                 FROM media_downloads d JOIN messages m ON m.id = d.message_id
                 JOIN conversations c ON c.id = m.conversation_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                 ORDER BY d.next_attempt_at, d.id {}",
            crate::store::limit(limit)
        ),
        "UPDATE media_downloads SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
        now,
        |r| {
            Ok(MediaJob {
                id: r.get(0)?,
                message: r.get(1)?,
                conversation: r.get(2)?,
                account: r.get(3)?,
                media: MediaRef {
                    media_id: r.get(4)?,
                    file_name: r.get(5)?,
                    mime_type: r.get(6)?,
                    sha256: r.get(7)?,
                },
                attempt: r.get::<_, i64>(8)? + 1,
            })
        },
        |job| job.id,
    )
}

pub fn mark_done(conn: &Connection, id: i64) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE media_downloads SET state = 'done', last_error = '' WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub fn retry(conn: &Connection, id: i64, at: Timestamp, reason: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE media_downloads SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
        params![id, at, reason],
    )?;
    Ok(())
}

pub fn mark_failed(conn: &Connection, id: i64, reason: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE media_downloads SET state = 'failed', last_error = ?2 WHERE id = ?1",
        params![id, reason],
    )?;
    Ok(())
}
