//! Workspace settings: a small key/value table behind typed getters and setters, so no
//! other module spells a key. A setting never written reads as its default.

use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, TeamId, UserId};
use crate::privacy::egress::EgressPolicy;
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension};

/// The workspace's region code, written once when the workspace is created.
pub const REGION: &str = "region";
const SESSION_IDLE_MINUTES: &str = "session_idle_minutes";
const SESSION_ABSOLUTE_HOURS: &str = "session_absolute_hours";
const MASK_SENSITIVE_DATA: &str = "mask_sensitive_data";
const AUTO_ASSIGN_CAP: &str = "auto_assign_cap";
const RETURN_ON_AWAY: &str = "return_on_away";
const EGRESS_ALLOWLIST: &str = "egress_allowlist";
const BACKUP_FOLDER: &str = "backup_folder";
const BACKUP_EVERY_HOURS: &str = "backup_every_hours";
const BACKUP_KEEP: &str = "backup_keep";
const BACKUP_PASSPHRASE: &str = "backup_passphrase";
const BACKUP_LAST_AT: &str = "backup_last_at";
const BACKUP_LAST_ERROR: &str = "backup_last_error";
const TOMBSTONE_KEY: &str = "tombstone_key";
const CONSENT_KEYWORDS: &str = "consent_keywords";

fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    // Cached: the session policy is read on every call.
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn get_i64(conn: &Connection, key: &str, default: i64) -> Result<i64> {
    Ok(get(conn, key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(default))
}

/// A flag that is on unless it was set to `false`.
fn get_on_unless_false(conn: &Connection, key: &str) -> Result<bool> {
    Ok(get(conn, key)?.as_deref() != Some("false"))
}

fn set_bool(conn: &Connection, key: &str, on: bool) -> Result<()> {
    set(conn, key, if on { "true" } else { "false" })
}

/// Writes one setting. Only the workspace's creation writes a key by name (`REGION`);
/// everything else goes through a typed setter below.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// The stop and start keywords per language; the defaults until an admin changes them.
pub fn consent_keywords(
    conn: &Connection,
) -> Result<Vec<crate::privacy::consent::ConsentKeywords>> {
    Ok(get(conn, CONSENT_KEYWORDS)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(crate::privacy::consent::default_keywords))
}

pub fn set_consent_keywords(
    conn: &Connection,
    keywords: &[crate::privacy::consent::ConsentKeywords],
) -> Result<()> {
    let json = serde_json::to_string(keywords)
        .map_err(|e| CoreError::Storage(format!("consent keywords: {e}")))?;
    set(conn, CONSENT_KEYWORDS, &json)
}

/// The workspace's secret for keyed hashes of channel ids (tombstones of erased messages,
/// mail already dealt with), made on first use; it never leaves the encrypted store.
pub fn tombstone_key(conn: &Connection) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    if let Some(hex_key) = get(conn, TOMBSTONE_KEY)?.map(zeroize::Zeroizing::new) {
        if let Ok(key) = hex::decode(hex_key.as_str()) {
            if key.len() == 32 {
                return Ok(zeroize::Zeroizing::new(key));
            }
        }
    }
    let mut key = zeroize::Zeroizing::new(vec![0u8; 32]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, key.as_mut_slice());
    set(
        conn,
        TOMBSTONE_KEY,
        &zeroize::Zeroizing::new(hex::encode(&*key)),
    )?;
    Ok(key)
}

/// The region code the workspace was created in (empty before it was set).
pub fn region(conn: &Connection) -> Result<Option<String>> {
    get(conn, REGION)
}

/// The session policy: idle lock in minutes, absolute limit in hours.
pub fn session_limits(
    conn: &Connection,
    default_idle: i64,
    default_hours: i64,
) -> Result<(i64, i64)> {
    Ok((
        get_i64(conn, SESSION_IDLE_MINUTES, default_idle)?,
        get_i64(conn, SESSION_ABSOLUTE_HOURS, default_hours)?,
    ))
}

pub fn set_session_limits(conn: &Connection, idle_minutes: i64, absolute_hours: i64) -> Result<()> {
    set(conn, SESSION_IDLE_MINUTES, &idle_minutes.to_string())?;
    set(conn, SESSION_ABSOLUTE_HOURS, &absolute_hours.to_string())
}

/// Whether payment data is masked before it is stored (on unless an admin turned it off).
pub fn masking(conn: &Connection) -> Result<bool> {
    get_on_unless_false(conn, MASK_SENSITIVE_DATA)
}

pub fn set_masking(conn: &Connection, on: bool) -> Result<()> {
    set_bool(conn, MASK_SENSITIVE_DATA, on)
}

/// Most open conversations auto-assignment gives one person (0 = off).
pub fn auto_assign_cap(conn: &Connection) -> Result<i64> {
    get_i64(conn, AUTO_ASSIGN_CAP, 0)
}

pub fn set_auto_assign_cap(conn: &Connection, cap: i64) -> Result<()> {
    set(conn, AUTO_ASSIGN_CAP, &cap.to_string())
}

/// Whether going away or being disabled returns a person's open conversations to the
/// queue (on unless an admin turned it off).
pub fn return_on_away(conn: &Connection) -> Result<bool> {
    get_on_unless_false(conn, RETURN_ON_AWAY)
}

pub fn set_return_on_away(conn: &Connection, on: bool) -> Result<()> {
    set_bool(conn, RETURN_ON_AWAY, on)
}

/// The hosts this workspace may connect to (the default when unset or unreadable).
pub fn egress_policy(conn: &Connection) -> Result<EgressPolicy> {
    Ok(get(conn, EGRESS_ALLOWLIST)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

pub fn set_egress_policy(conn: &Connection, policy: &EgressPolicy) -> Result<()> {
    let text = serde_json::to_string(policy).map_err(|e| CoreError::Storage(e.to_string()))?;
    set(conn, EGRESS_ALLOWLIST, &text)
}

fn retention_key(channel: Channel) -> String {
    format!("retention_days:{}", channel.as_str())
}

/// Days messages of `channel` are kept (0 = until someone deletes them).
pub fn retention_days(conn: &Connection, channel: Channel) -> Result<i64> {
    get_i64(conn, &retention_key(channel), 0)
}

pub fn set_retention_days(conn: &Connection, channel: Channel, days: i64) -> Result<()> {
    set(conn, &retention_key(channel), &days.to_string())
}

/// The scheduled backups' settings as stored.
#[derive(Clone, Debug)]
pub struct BackupSettings {
    /// Empty when no folder was chosen.
    pub folder: Option<String>,
    pub every_hours: i64,
    pub keep: i64,
    pub last_at: i64,
    pub last_error: Option<String>,
}

pub fn backups(conn: &Connection) -> Result<BackupSettings> {
    Ok(BackupSettings {
        folder: get(conn, BACKUP_FOLDER)?,
        every_hours: get_i64(conn, BACKUP_EVERY_HOURS, 24)?,
        keep: get_i64(conn, BACKUP_KEEP, 7)?,
        last_at: get_i64(conn, BACKUP_LAST_AT, 0)?,
        last_error: get(conn, BACKUP_LAST_ERROR)?,
    })
}

pub fn set_backup_schedule(
    conn: &Connection,
    folder: &str,
    every_hours: i64,
    keep: i64,
) -> Result<()> {
    set(conn, BACKUP_FOLDER, folder)?;
    set(conn, BACKUP_EVERY_HOURS, &every_hours.to_string())?;
    set(conn, BACKUP_KEEP, &keep.to_string())
}

/// The backups' passphrase as stored (kept inside the encrypted store).
pub fn backup_passphrase(conn: &Connection) -> Result<Option<String>> {
    get(conn, BACKUP_PASSPHRASE)
}

pub fn set_backup_passphrase(conn: &Connection, passphrase: &str) -> Result<()> {
    set(conn, BACKUP_PASSPHRASE, passphrase)
}

/// When the last scheduled backup ran and how it ended (empty error: it worked).
pub fn set_backup_outcome(conn: &Connection, at: Timestamp, error: &str) -> Result<()> {
    set(conn, BACKUP_LAST_AT, &at.unix().to_string())?;
    set(conn, BACKUP_LAST_ERROR, error)
}

fn round_robin_key(team: TeamId) -> String {
    format!("rr_last:{team}")
}

/// The person auto-assignment chose last in `team` (0 when none yet).
pub fn round_robin_last(conn: &Connection, team: TeamId) -> Result<i64> {
    get_i64(conn, &round_robin_key(team), 0)
}

pub fn set_round_robin_last(conn: &Connection, team: TeamId, user: UserId) -> Result<()> {
    set(conn, &round_robin_key(team), &user.get().to_string())
}

fn poll_key(account: ChannelAccountId) -> String {
    format!("messenger_poll:{account}")
}

/// Where the Messenger poller of `account` stopped last time.
pub fn poll_cursor(conn: &Connection, account: ChannelAccountId) -> Result<Option<String>> {
    get(conn, &poll_key(account))
}

pub fn set_poll_cursor(conn: &Connection, account: ChannelAccountId, cursor: &str) -> Result<()> {
    set(conn, &poll_key(account), cursor)
}
