//! SQL for tombstones: keyed hashes (HMAC-SHA-256 under the workspace's tombstone key) of
//! the channel ids of erased messages, per account. They hold no content and cannot be
//! turned back into ids, yet a re-delivered webhook or a Messenger poll that names an
//! erased message is recognised and not stored again.

use crate::error::Result;
use crate::ids::{ChannelAccountId, ContactId};
use crate::store::settings;
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection};
use sha2::Sha256;

/// HMAC-SHA-256 of `text` under `key`.
pub fn keyed_hash(key: &[u8], text: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether a message with channel id `external_id` of `account` was erased.
pub fn is_erased(conn: &Connection, account: ChannelAccountId, external_id: &str) -> Result<bool> {
    let key = settings::tombstone_key(conn)?;
    Ok(conn
        .prepare_cached(
            "SELECT count(*) > 0 FROM erased_ids WHERE account_id = ?1 AND id_hash = ?2",
        )?
        .query_row(params![account, keyed_hash(&key, external_id)], |r| {
            r.get(0)
        })?)
}

/// Leaves a tombstone for every message with a channel id in the contact's
/// conversations; call before they are deleted. Returns how many were written.
pub fn bury_contact(conn: &Connection, contact: ContactId) -> Result<usize> {
    let rows: Vec<(ChannelAccountId, String)> = conn
        .prepare(
            "SELECT c.channel_account_id, m.external_id FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             WHERE c.contact_id = ?1 AND m.external_id IS NOT NULL",
        )?
        .query_map([contact], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    bury(conn, &rows)
}

/// Leaves a tombstone for each `(account, channel id)`.
pub fn bury(conn: &Connection, ids: &[(ChannelAccountId, String)]) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let key = settings::tombstone_key(conn)?;
    let mut insert = conn
        .prepare_cached("INSERT OR IGNORE INTO erased_ids (account_id, id_hash) VALUES (?1, ?2)")?;
    for (account, id) in ids {
        insert.execute(params![account, keyed_hash(&key, id)])?;
    }
    Ok(ids.len())
}
