//! SQL for canned replies: texts leads and admins write for agents to reuse.

use crate::error::Result;
use crate::ids::UserId;
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// One canned reply as stored: id, title, body.
pub type CannedRow = (i64, String, String);

/// Every canned reply, by title.
pub fn list(conn: &Connection) -> Result<Vec<CannedRow>> {
    let mut stmt = conn.prepare("SELECT id, title, body FROM canned_replies ORDER BY title")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores a canned reply; returns its id.
pub fn insert(
    conn: &Connection,
    title: &str,
    body: &str,
    by: UserId,
    now: Timestamp,
) -> Result<i64> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO canned_replies (title, body, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![title, body, by, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The body of canned reply `id` (an error when there is none).
pub fn body_of(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    crate::store::cached::query_row(
        conn,
        "SELECT body FROM canned_replies WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
}
