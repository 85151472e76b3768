//! SQL for webhook receipts: keys of provider events already applied, for events that
//! carry no message id of their own (a thread handed over).

use crate::error::Result;
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// Records `key`; `false` when it was recorded before (the event is a repeat).
pub fn record(conn: &Connection, key: &str, now: Timestamp) -> Result<bool> {
    let fresh = crate::store::cached::execute(
        conn,
        "INSERT OR IGNORE INTO webhook_receipts (key, received_at) VALUES (?1, ?2)",
        params![key, now],
    )?;
    Ok(fresh > 0)
}
