//! SQL for webhook items set aside: what a channel sent that the app could not store as
//! what it is, kept with the reason and the item's raw JSON for an admin.

use crate::channel::webhook_aside::WebhookSetAsideView;
use crate::channel::Channel;
use crate::error::Result;
use crate::ids::ChannelAccountId;
use crate::time::Timestamp;
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};

/// Keeps one item; `false` when the same item of this account was kept before (Meta
/// delivered it again).
pub fn insert(
    conn: &Connection,
    account: ChannelAccountId,
    channel: &str,
    reason: &str,
    raw: &str,
    now: Timestamp,
) -> Result<bool> {
    let reason: String = reason.chars().take(500).collect();
    let digest = Sha256::digest(raw.as_bytes()).to_vec();
    let fresh = crate::store::cached::execute(conn,
        "INSERT OR IGNORE INTO webhook_set_aside (account_id, channel, reason, raw, digest, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![account, channel, reason, raw, digest, now],
    )?;
    Ok(fresh > 0)
}

/// The newest 500 items of `account`.
pub fn views(conn: &Connection, account: ChannelAccountId) -> Result<Vec<WebhookSetAsideView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, channel, reason, raw, received_at FROM webhook_set_aside
         WHERE account_id = ?1 ORDER BY id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map([account], |r| {
        Ok(WebhookSetAsideView {
            id: r.get(0)?,
            channel: r.get(1)?,
            reason: r.get(2)?,
            raw: r.get(3)?,
            received_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Items of `channel` kept before `cutoff` go with that channel's retention run.
pub fn purge(conn: &Connection, channel: Channel, cutoff: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM webhook_set_aside WHERE channel = ?1 AND received_at < ?2",
        params![channel.as_str(), cutoff],
    )?;
    Ok(())
}
