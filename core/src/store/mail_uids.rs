//! SQL for where each stored customer mail sits in its mailbox (`mail_uids`): recorded
//! when it is stored, its `\Seen` state both ways, and whether it is gone from there.

use crate::error::Result;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashSet;

/// A stored mail's place: its folder, the folder's UIDVALIDITY and its UID.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailPlace {
    pub folder: String,
    pub uidvalidity: u32,
    pub uid: u32,
}

pub fn record(
    conn: &Connection,
    message: MessageId,
    account: ChannelAccountId,
    place: &MailPlace,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO mail_uids (message_id, account_id, folder, uidvalidity, uid)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        message,
        account,
        place.folder,
        place.uidvalidity,
        place.uid
    ])?;
    Ok(())
}

/// The customer's mails of `conversation` still unread in the mailbox (and still there).
pub fn unseen_of(
    conn: &Connection,
    conversation: ConversationId,
) -> Result<Vec<(MessageId, MailPlace)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.message_id, u.folder, u.uidvalidity, u.uid FROM mail_uids u
         JOIN messages m ON m.id = u.message_id
         WHERE m.conversation_id = ?1 AND u.seen = 0 AND u.gone_at IS NULL
         ORDER BY u.message_id LIMIT 500",
    )?;
    let rows = stmt.query_map([conversation], |r| {
        Ok((
            r.get(0)?,
            MailPlace {
                folder: r.get(1)?,
                uidvalidity: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                uid: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_seen(conn: &Connection, messages: &[MessageId]) -> Result<()> {
    let mut stmt = conn.prepare_cached("UPDATE mail_uids SET seen = 1 WHERE message_id = ?1")?;
    for m in messages {
        stmt.execute([m])?;
    }
    Ok(())
}

/// One stored mail's state in its folder.
pub struct KnownMail {
    pub uid: u32,
    pub seen: bool,
    pub gone: bool,
    pub message: MessageId,
}

/// The mails known in one folder at this UIDVALIDITY, gone or not.
pub fn known_in(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    uidvalidity: u32,
) -> Result<Vec<KnownMail>> {
    let mut stmt = conn.prepare_cached(
        "SELECT uid, seen, gone_at IS NOT NULL, message_id FROM mail_uids
         WHERE account_id = ?1 AND folder = ?2 AND uidvalidity = ?3",
    )?;
    let rows = stmt.query_map(params![account, folder, uidvalidity], |r| {
        Ok(KnownMail {
            uid: u32::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            seen: r.get::<_, i64>(1)? == 1,
            gone: r.get(2)?,
            message: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Mails found again where they were (a partial answer once marked them gone).
pub fn mark_back(conn: &Connection, messages: &[MessageId]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("UPDATE mail_uids SET gone_at = NULL WHERE message_id = ?1")?;
    for m in messages {
        stmt.execute([m])?;
    }
    Ok(())
}

/// The mailbox would not mark this mail read: it counts as unread there again.
pub fn unmark_seen_at(
    conn: &Connection,
    account: ChannelAccountId,
    place: &MailPlace,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE mail_uids SET seen = 0
         WHERE account_id = ?1 AND folder = ?2 AND uidvalidity = ?3 AND uid = ?4",
    )?
    .execute(params![account, place.folder, place.uidvalidity, place.uid])?;
    Ok(())
}

/// Whether any mail was stored from this folder (at this UIDVALIDITY).
pub fn any_in(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    uidvalidity: u32,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM mail_uids
             WHERE account_id = ?1 AND folder = ?2 AND uidvalidity = ?3 LIMIT 1",
        )?
        .exists(params![account, folder, uidvalidity])?)
}

/// Marks `messages` gone from the mailbox at `now`.
pub fn mark_gone(conn: &Connection, messages: &[MessageId], now: Timestamp) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE mail_uids SET gone_at = ?2 WHERE message_id = ?1 AND gone_at IS NULL",
    )?;
    for m in messages {
        stmt.execute(params![m, now])?;
    }
    Ok(())
}

/// Which of `messages` are gone from their mailbox.
pub fn gone(conn: &Connection, messages: &[MessageId]) -> Result<HashSet<MessageId>> {
    let mut stmt =
        conn.prepare_cached("SELECT gone_at IS NOT NULL FROM mail_uids WHERE message_id = ?1")?;
    let mut out = HashSet::new();
    for &m in messages {
        let gone: Option<bool> = stmt.query_row([m], |r| r.get(0)).optional()?;
        if gone == Some(true) {
            out.insert(m);
        }
    }
    Ok(out)
}

/// Whether every customer mail of `conversation` is read in its mailbox: mail gone from
/// there unread, and mail stored before its place was kept, count as unread.
pub fn all_seen(conn: &Connection, conversation: ConversationId) -> Result<bool> {
    let unseen: i64 = crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM messages m LEFT JOIN mail_uids u ON u.message_id = m.id
         WHERE m.conversation_id = ?1 AND m.direction = 'in' AND coalesce(u.seen, 0) = 0",
        [conversation],
        |r| r.get(0),
    )?;
    Ok(unseen == 0)
}

/// A known mail found at another place: kept there now, when its old place is gone (it
/// was moved) or void (its folder was renumbered). A copy found while the original is
/// still where it was changes nothing.
pub fn relocate(conn: &Connection, message: MessageId, place: &MailPlace) -> Result<()> {
    conn.prepare_cached(
        "UPDATE mail_uids SET folder = ?2, uidvalidity = ?3, uid = ?4, gone_at = NULL
         WHERE message_id = ?1
           AND (gone_at IS NOT NULL OR (folder = ?2 AND uidvalidity != ?3))",
    )?
    .execute(params![message, place.folder, place.uidvalidity, place.uid])?;
    Ok(())
}
