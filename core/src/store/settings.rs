//! Workspace settings: a small key/value table with typed accessors.

use crate::error::Result;
use rusqlite::{Connection, OptionalExtension};

pub const REGION: &str = "region";
pub const SESSION_IDLE_MINUTES: &str = "session_idle_minutes";
pub const SESSION_ABSOLUTE_HOURS: &str = "session_absolute_hours";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    // Cached: the session policy is read on every call.
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn get_i64(conn: &Connection, key: &str, default: i64) -> Result<i64> {
    Ok(get(conn, key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(default))
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}
