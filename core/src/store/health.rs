//! SQL for the hub's operator figures: counts and ages only, never a row's content.

use crate::error::Result;
use crate::time::Timestamp;
use rusqlite::Connection;

/// Replies waiting to go out (pending or being sent) and those that did not
/// (failed, or sent with no confirmation).
pub fn outbox_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')),
                count(*) FILTER (WHERE state IN ('failed', 'unconfirmed'))
         FROM outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Seconds since the mailbox folder synced longest ago last finished a pass (a folder
/// never synced counts from the Unix epoch); `None` with no mailbox.
pub fn oldest_mail_sync_age(conn: &Connection, now: Timestamp) -> Result<Option<i64>> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT ?1 - min(coalesce(synced_at, 0)) FROM mail_folders",
        [now.unix()],
        |r| r.get(0),
    )?)
}

/// Webhook events and mails set aside (kept for an admin, not stored as messages).
pub fn set_aside_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT (SELECT count(*) FROM webhook_set_aside), (SELECT count(*) FROM mail_set_aside)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The id of the newest audit event (the chain's head), `None` in an empty log.
pub fn audit_head(conn: &Connection) -> Result<Option<i64>> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT max(id) FROM audit_events",
        [],
        |r| r.get(0),
    )?)
}
