//! SQL for trying a set-aside mail again: the row with what the runtime needs to read it
//! again (its raw bytes when they were kept, else where it lies on the server), and the
//! row resolved (stored or found stored before: gone, the folder's counts moved) or kept
//! with the new reason.

use crate::error::Result;
use crate::ids::ChannelAccountId;
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// A set-aside mail as the runtime reads it again. `raw` is customer content.
pub struct SetAsideItem {
    pub id: i64,
    pub account: ChannelAccountId,
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
    pub raw: Option<Vec<u8>>,
    pub created_at: Timestamp,
}

crate::redacted_debug!(SetAsideItem);

pub fn item(conn: &Connection, id: i64) -> Result<Option<SetAsideItem>> {
    Ok(conn
        .query_row(
            "SELECT id, account_id, folder, uidvalidity, uid, raw, created_at
             FROM mail_set_aside WHERE id = ?1",
            [id],
            |r| {
                Ok(SetAsideItem {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    folder: r.get(2)?,
                    uidvalidity: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    uid: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                    raw: r.get(5)?,
                    created_at: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// The mail is in the store now (`duplicate`: it was already): the row goes and the
/// folder's counts move from set aside to stored or duplicates, so they still add up.
pub fn resolved(conn: &Connection, item: &SetAsideItem, duplicate: bool) -> Result<()> {
    crate::store::cached::execute(conn, "DELETE FROM mail_set_aside WHERE id = ?1", [item.id])?;
    let column = if duplicate { "duplicates" } else { "stored" };
    conn.execute(
        &format!(
            "UPDATE mail_folders SET set_aside = max(set_aside - 1, 0), {column} = {column} + 1
             WHERE account_id = ?1 AND folder = ?2"
        ),
        params![item.account, item.folder],
    )?;
    Ok(())
}

/// Still set aside: the reason says why now; bytes read this time are kept when none were.
pub fn still_aside(conn: &Connection, id: i64, reason: &str, raw: Option<&[u8]>) -> Result<()> {
    let reason: String = reason.chars().take(500).collect();
    crate::store::cached::execute(
        conn,
        "UPDATE mail_set_aside SET reason = ?2, raw = coalesce(raw, ?3) WHERE id = ?1",
        params![id, reason, raw],
    )?;
    Ok(())
}
