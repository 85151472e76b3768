//! SQL for sessions. Only the SHA-256 of a token is stored.

use crate::error::Result;
use crate::ids::UserId;
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// How far a session has come through sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Password given (right or wrong: `password_ok` says), code pending.
    Password,
    /// Password right (and, for an enrolled account, the code too), but a step remains
    /// before the session is active: choosing a new password (the user's
    /// `must_change_password`) and then, for an account with no confirmed authenticator
    /// yet, enrolling one.
    Enrol,
    Active,
    /// Idle too long; the authenticator code unlocks it.
    Locked,
    Ended,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Enrol => "enrol",
            Self::Active => "active",
            Self::Locked => "locked",
            Self::Ended => "ended",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "password" => Self::Password,
            "enrol" => Self::Enrol,
            "active" => Self::Active,
            "locked" => Self::Locked,
            _ => Self::Ended,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: i64,
    /// The user; [`NO_USER`] for the pending sign-in of a username nobody has (`known`
    /// is false then, and the stage is `Password` or `Ended`).
    pub user_id: UserId,
    pub known: bool,
    pub stage: Stage,
    pub password_ok: bool,
    pub created_at: Timestamp,
    pub last_active_at: Timestamp,
    /// Where the sign-in came from: `SignInSource::key`.
    pub source: String,
}

/// The `user_id` of a session with no user (no real user has id 0).
pub const NO_USER: UserId = UserId::new(0);

/// A new session; `user` is `None` for the pending sign-in of a username nobody has.
pub fn insert(
    conn: &Connection,
    token_hash: &[u8; 32],
    user: Option<UserId>,
    stage: Stage,
    password_ok: bool,
    source: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, stage, password_ok, created_at, last_active_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
    )?
    .execute(params![
        token_hash.as_slice(),
        user,
        stage.as_str(),
        password_ok,
        now,
        source
    ])?;
    Ok(())
}

pub fn by_token_hash(conn: &Connection, token_hash: &[u8; 32]) -> Result<Option<SessionRow>> {
    // Cached: every call looks its session up.
    Ok(conn
        .prepare_cached(
            "SELECT id, user_id, stage, password_ok, created_at, last_active_at, source
             FROM sessions WHERE token_hash = ?1",
        )?
        .query_row([token_hash.as_slice()], session_row)
        .optional()?)
}

/// A session row from `id, user_id, stage, password_ok, created_at, last_active_at, source`.
fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    let stage: String = r.get(2)?;
    let user: Option<UserId> = r.get(1)?;
    Ok(SessionRow {
        id: r.get(0)?,
        user_id: user.unwrap_or(NO_USER),
        known: user.is_some(),
        stage: Stage::parse(&stage),
        password_ok: r.get(3)?,
        created_at: r.get(4)?,
        last_active_at: r.get(5)?,
        source: r.get(6)?,
    })
}

pub fn set_stage(conn: &Connection, id: i64, stage: Stage, now: Timestamp) -> Result<()> {
    let ended = (stage == Stage::Ended).then_some(now);
    crate::store::cached::execute(
        conn,
        "UPDATE sessions SET stage = ?2, ended_at = coalesce(?3, ended_at) WHERE id = ?1",
        params![id, stage.as_str(), ended],
    )?;
    if let Some(user) = crate::store::agent_status::user_of_session(conn, id)? {
        crate::store::agent_status::sync(conn, user, now)?;
    }
    Ok(())
}

pub fn touch(conn: &Connection, id: i64, now: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE sessions SET last_active_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Ends every session of a user but `keep` (a password change). Returns how many were live.
pub fn end_all_others_of(
    conn: &Connection,
    user: UserId,
    keep: i64,
    now: Timestamp,
) -> Result<usize> {
    let ended = crate::store::cached::execute(
        conn,
        "UPDATE sessions SET stage = 'ended', ended_at = ?3
         WHERE user_id = ?1 AND id != ?2 AND stage != 'ended'",
        params![user, keep, now],
    )?;
    crate::store::agent_status::sync(conn, user, now)?;
    Ok(ended)
}

/// Deletes sessions nobody can use any more: pending sign-ins created before
/// `pending_before` (known and unknown users' alike), ended sessions that ended before
/// `ended_before`, and any session created before `any_before`. Returns how many.
pub fn delete_old(
    conn: &Connection,
    pending_before: Timestamp,
    ended_before: Timestamp,
    any_before: Timestamp,
) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM sessions
             WHERE (stage IN ('password', 'enrol') AND created_at < ?1)
                OR (stage = 'ended' AND coalesce(ended_at, created_at) < ?2)
                OR created_at < ?3",
        )?
        .execute(params![pending_before, ended_before, any_before])?)
}

/// Ends every session of a user (disable, 2FA reset). Returns how many were live.
pub fn end_all_of(conn: &Connection, user: UserId, now: Timestamp) -> Result<usize> {
    let ended = crate::store::cached::execute(conn,
        "UPDATE sessions SET stage = 'ended', ended_at = ?2 WHERE user_id = ?1 AND stage != 'ended'",
        params![user, now],
    )?;
    crate::store::agent_status::sync(conn, user, now)?;
    Ok(ended)
}

/// The active sessions of `user`.
pub fn active_of(conn: &Connection, user: UserId) -> Result<Vec<SessionRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, user_id, stage, password_ok, created_at, last_active_at, source
             FROM sessions WHERE user_id = ?1 AND stage = 'active'",
        )?
        .query_map([user], session_row)?
        .collect::<rusqlite::Result<_>>()?)
}
