//! SQL for the folders a mailbox's server offers (`mail_folder_list`) and how many mails
//! each synced folder stored (`mail_folders`).

use crate::error::Result;
use crate::ids::ChannelAccountId;
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// Replaces the server's folder list of `account` with `folders` (name, special use).
pub fn replace_list(
    conn: &Connection,
    account: ChannelAccountId,
    folders: &[(String, String)],
    now: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM mail_folder_list WHERE account_id = ?1",
        [account],
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO mail_folder_list (account_id, name, special_use, seen_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (name, special_use) in folders {
        insert.execute(params![account, name, special_use, now])?;
    }
    Ok(())
}

/// The server's folders (name, special use), by name.
pub fn list(conn: &Connection, account: ChannelAccountId) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, special_use FROM mail_folder_list WHERE account_id = ?1 ORDER BY name",
    )?;
    let rows = stmt.query_map([account], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Mails stored from `folder` so far.
pub fn stored(conn: &Connection, account: ChannelAccountId, folder: &str) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT coalesce(sum(stored), 0) FROM mail_folders WHERE account_id = ?1 AND folder = ?2",
        params![account, folder],
        |r| r.get(0),
    )?)
}
