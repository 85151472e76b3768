//! SQL for channel tasks: provider calls that are not messages (read templates, turn on
//! in-country storage, fetch a profile, pass a thread back), queued and leased.

use crate::error::Result;
use crate::ids::ChannelAccountId;
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// A provider call that is not a message.
#[derive(Clone, Debug)]
pub struct ChannelTask {
    pub id: i64,
    pub account: ChannelAccountId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempt: i64,
}

/// Queues a call to the provider that is not a message.
pub fn insert(
    conn: &Connection,
    id: ChannelAccountId,
    kind: &str,
    payload: &serde_json::Value,
    now: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT INTO channel_tasks (account_id, kind, payload, next_attempt_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, kind, payload.to_string(), now],
    )?;
    Ok(())
}

/// Takes up to `limit` due tasks, leased for ten minutes.
pub fn claim(conn: &Connection, now: Timestamp, limit: i64) -> Result<Vec<ChannelTask>> {
    crate::store::queue::claim(
        conn,
        &format!(
            // A disabled account's calls wait until it is enabled (a test and a set-aside
            // mail's retry do not: they are what an admin does while it is off).
            "SELECT id, account_id, kind, payload, attempts FROM channel_tasks t
                 WHERE state = 'pending' AND next_attempt_at <= ?1
                   AND (kind IN ('check', 'retry_mail') OR NOT EXISTS (
                        SELECT 1 FROM channel_accounts a WHERE a.id = t.account_id AND a.disabled_at IS NOT NULL))
                 ORDER BY next_attempt_at, id {}",
            crate::store::limit(limit)
        ),
        "UPDATE channel_tasks SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
        now,
        |r| {
            let payload: String = r.get(3)?;
            Ok(ChannelTask {
                id: r.get(0)?,
                account: r.get(1)?,
                kind: r.get(2)?,
                payload: serde_json::from_str(&payload).unwrap_or_default(),
                attempt: r.get::<_, i64>(4)? + 1,
            })
        },
        |task| task.id,
    )
}

pub fn mark_done(conn: &Connection, id: i64) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_tasks SET state = 'done', last_error = '' WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub fn retry(conn: &Connection, id: i64, at: Timestamp, error: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_tasks SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
        params![id, at, error],
    )?;
    Ok(())
}

pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_tasks SET state = 'failed', last_error = ?2 WHERE id = ?1",
        params![id, error],
    )?;
    Ok(())
}
