//! SQL for the retention purge: messages and notes of one channel older than a cutoff
//! (attachments and search entries go with them; their channel ids leave tombstones), conversations left empty, contacts
//! left with nothing (their identities, search row, provider calls and webhook receipts
//! about them), and the search indexes and file compaction afterwards.

use crate::channel::Channel;
use crate::error::Result;
use crate::ids::ChannelAccountId;
use crate::time::Timestamp;
use rusqlite::{params, Connection};

const SCOPE: &str = "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                     JOIN channel_accounts a ON a.id = c.channel_account_id
                     WHERE a.kind = ?1 AND m.created_at < ?2";

const STALE: &str =
    "SELECT c.id FROM conversations c JOIN channel_accounts a ON a.id = c.channel_account_id
                     WHERE a.kind = ?1 AND c.last_activity_at < ?2
                       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)";

/// Deletes the messages of `channel` created before `cutoff`, leaving a tombstone for
/// each channel id so a re-delivery or a poll does not store it again; returns how many
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
    let ids: Vec<(ChannelAccountId, String)> = conn
        .prepare(&format!(
            "SELECT c.channel_account_id, m.external_id FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             WHERE m.external_id IS NOT NULL AND m.id IN ({SCOPE})"
        ))?
        .query_map(params![channel, cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    crate::store::tombstones::bury(conn, &ids)?;
    // A satisfaction comment is the purged answer's text: it goes with it (the rating,
    // a number, stays for reports).
    conn.execute(
        &format!("UPDATE satisfaction_surveys SET comment = NULL WHERE answer_id IN ({SCOPE})"),
        params![channel, cutoff],
    )?;
    let messages = conn.execute(
        &format!("DELETE FROM messages WHERE id IN ({SCOPE})"),
        params![channel, cutoff],
    )? as i64;
    Ok((attachments, messages))
}

/// Deletes mail the sync set aside before `cutoff`.
pub fn purge_set_aside(conn: &Connection, cutoff: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM mail_set_aside WHERE created_at < ?1",
        [cutoff],
    )?;
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

/// Deletes notes older than `cutoff` in conversations of `channel` (an assignment that
/// pointed at one keeps its history without it); returns how many.
pub fn purge_notes(conn: &Connection, channel: Channel, cutoff: Timestamp) -> Result<i64> {
    const OLD_NOTES: &str =
        "SELECT n.id FROM notes n JOIN conversations c ON c.id = n.conversation_id
                             JOIN channel_accounts a ON a.id = c.channel_account_id
                             WHERE a.kind = ?1 AND n.created_at < ?2";
    let channel = channel.as_str();
    conn.execute(
        &format!("UPDATE assignments SET note_id = NULL WHERE note_id IN ({OLD_NOTES})"),
        params![channel, cutoff],
    )?;
    Ok(conn.execute(
        &format!("DELETE FROM notes WHERE id IN ({OLD_NOTES})"),
        params![channel, cutoff],
    )? as i64)
}

/// Deletes contacts first seen before `cutoff` with an address on `channel` and no
/// conversation left: their identities, their search row, and the provider calls and
/// webhook receipts that name one of their addresses. Returns how many contacts went.
pub fn purge_orphan_contacts(
    conn: &Connection,
    channel: Channel,
    cutoff: Timestamp,
) -> Result<i64> {
    let orphans: Vec<(i64, String)> = conn
        .prepare(
            "SELECT c.id, i.external_id FROM contacts c JOIN contact_identities i ON i.contact_id = c.id
             WHERE c.created_at < ?2
               AND EXISTS (SELECT 1 FROM contact_identities x WHERE x.contact_id = c.id AND x.channel = ?1)
               AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.contact_id = c.id)",
        )?
        .query_map(params![channel.as_str(), cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (_, address) in &orphans {
        crate::store::cached::execute(
            conn,
            "DELETE FROM channel_tasks WHERE json_extract(payload, '$.psid') = ?1",
            [address],
        )?;
        crate::store::cached::execute(
            conn,
            "DELETE FROM webhook_receipts WHERE key LIKE 'handover:%:' || ?1 || ':%'",
            [address],
        )?;
    }
    let mut ids: Vec<i64> = orphans.iter().map(|(id, _)| *id).collect();
    ids.dedup();
    for id in &ids {
        crate::store::cached::execute(conn, "DELETE FROM contacts_fts WHERE rowid = ?1", [id])?;
        crate::store::cached::execute(
            conn,
            "DELETE FROM contact_identities WHERE contact_id = ?1",
            [id],
        )?;
        crate::store::cached::execute(conn, "DELETE FROM contacts WHERE id = ?1", [id])?;
    }
    Ok(ids.len() as i64)
}

/// Deletes webhook receipts older than `cutoff` (they only stop Meta's retries, which
/// end within days) and finished provider calls older than it.
pub fn purge_receipts_and_tasks(conn: &Connection, cutoff: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM webhook_receipts WHERE received_at < ?1",
        [cutoff],
    )?;
    crate::store::cached::execute(
        conn,
        "DELETE FROM channel_tasks WHERE state IN ('done', 'failed') AND next_attempt_at < ?1",
        [cutoff],
    )?;
    Ok(())
}

/// Rewrites the message and contact search indexes after deletions, so no deleted
/// token survives in an old segment.
pub fn optimize_search(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "INSERT INTO messages_fts (messages_fts) VALUES ('optimize');
         INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize');",
    )?;
    Ok(())
}

/// Free pages and all pages of the database file.
pub fn free_pages(conn: &Connection) -> Result<(i64, i64)> {
    Ok((
        crate::store::cached::query_row(conn, "PRAGMA freelist_count", [], |r| r.get(0))?,
        crate::store::cached::query_row(conn, "PRAGMA page_count", [], |r| r.get(0))?,
    ))
}
