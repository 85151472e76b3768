//! SQL for the audit log. Rows are only ever inserted; triggers refuse updates and deletes.

use crate::error::Result;
use crate::ids::{AuditId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor: Option<UserId>,
    pub kind: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Maps `SELECT id, at, actor_id, kind, subject, detail, prev_hash, hash`.
fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        kind: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

pub fn last(conn: &Connection) -> Result<Option<(AuditId, Vec<u8>)>> {
    Ok(conn
        .query_row(
            "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn insert(conn: &Connection, row: &AuditRow) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO audit_events (id, at, actor_id, kind, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.id,
            row.at,
            row.actor,
            row.kind,
            row.subject,
            row.detail,
            row.prev_hash,
            row.hash
        ],
    )?;
    Ok(())
}

/// Visits every row in id order.
pub fn for_each(conn: &Connection, mut f: impl FnMut(AuditRow) -> bool) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor_id, kind, subject, detail, prev_hash, hash FROM audit_events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if !f(from_row(r)?) {
            break;
        }
    }
    Ok(())
}

/// Rows matching every given filter, newest first.
pub fn filtered(
    conn: &Connection,
    actor: Option<i64>,
    subject: Option<&str>,
    kind: Option<&str>,
    from: Option<i64>,
    to: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, at, actor_id, kind, subject, detail, prev_hash, hash FROM audit_events
         WHERE (?1 IS NULL OR actor_id = ?1) AND (?2 IS NULL OR subject = ?2) AND (?3 IS NULL OR kind = ?3)
           AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5)
         ORDER BY id DESC {}",
        crate::store::limit(limit)
    ))?;
    let rows = stmt.query_map(params![actor, subject, kind, from, to], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM audit_events",
        [],
        |r| r.get(0),
    )?)
}
