//! SQL for users, teams and team membership.

use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::ids::{TeamId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};
use zeroize::Zeroizing;

/// A user as stored. Holds the password hash and TOTP secret, so its `Debug` leaves them out.
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub totp_secret: Option<Zeroizing<Vec<u8>>>,
    pub totp_confirmed: bool,
    pub totp_last_step: i64,
    pub failed_attempts: i64,
    pub locked_until: Timestamp,
    pub disabled: bool,
    pub available: bool,
    pub created_at: Timestamp,
    /// Must choose a new password before any session becomes active.
    pub must_change_password: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("totp_confirmed", &self.totp_confirmed)
            .field("disabled", &self.disabled)
            .field("must_change_password", &self.must_change_password)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, username, display_name, role, password_hash, totp_secret, \
     totp_confirmed, totp_last_step, failed_attempts, locked_until, disabled, availability, created_at, must_change_password";

fn from_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    let role: String = r.get(3)?;
    let availability: String = r.get(11)?;
    Ok(UserRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Agent),
        password_hash: r.get(4)?,
        totp_secret: r.get::<_, Option<Vec<u8>>>(5)?.map(Zeroizing::new),
        totp_confirmed: r.get(6)?,
        totp_last_step: r.get(7)?,
        failed_attempts: r.get(8)?,
        locked_until: r.get(9)?,
        disabled: r.get(10)?,
        available: availability == "available",
        created_at: r.get(12)?,
        must_change_password: r.get(13)?,
    })
}

pub fn insert(
    conn: &Connection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    now: Timestamp,
) -> Result<UserId> {
    let inserted = crate::store::cached::execute(
        conn,
        "INSERT INTO users (username, display_name, role, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![username, display_name, role.as_str(), password_hash, now],
    );
    match inserted {
        Ok(_) => Ok(UserId::new(conn.last_insert_rowid())),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => Err(
            CoreError::Conflict(format!("A user named {username} already exists.")),
        ),
        Err(e) => Err(e.into()),
    }
}

pub fn by_username(conn: &Connection, username: &str) -> Result<Option<UserRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM users WHERE username = ?1"),
            [username],
            from_row,
        )
        .optional()?)
}

pub fn by_id(conn: &Connection, id: UserId) -> Result<Option<UserRow>> {
    // Cached: every session check reads the user.
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

pub fn require(conn: &Connection, id: UserId) -> Result<UserRow> {
    by_id(conn, id)?.ok_or(CoreError::NotFound { what: "The user" })
}

pub fn list(conn: &Connection) -> Result<Vec<UserRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM users",
        [],
        |r| r.get(0),
    )?)
}

/// Stores a new, unconfirmed TOTP secret (or clears it with `None`).
pub fn set_totp(
    conn: &Connection,
    id: UserId,
    secret: Option<&[u8]>,
    confirmed: bool,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET totp_secret = ?2, totp_confirmed = ?3, totp_last_step = 0 WHERE id = ?1",
        params![id, secret, confirmed],
    )?;
    Ok(())
}

pub fn confirm_totp(conn: &Connection, id: UserId, step: i64) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET totp_confirmed = 1, totp_last_step = ?2 WHERE id = ?1",
        params![id, step],
    )?;
    Ok(())
}

pub fn set_totp_last_step(conn: &Connection, id: UserId, step: i64) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET totp_last_step = ?2 WHERE id = ?1",
        params![id, step],
    )?;
    Ok(())
}

pub fn set_failures(
    conn: &Connection,
    id: UserId,
    failed: i64,
    locked_until: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1",
        params![id, failed, locked_until],
    )?;
    Ok(())
}

pub fn set_role(conn: &Connection, id: UserId, role: Role) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET role = ?2 WHERE id = ?1",
        params![id, role.as_str()],
    )?;
    Ok(())
}

pub fn set_disabled(conn: &Connection, id: UserId, disabled: bool) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET disabled = ?2 WHERE id = ?1",
        params![id, disabled],
    )?;
    Ok(())
}

pub fn set_availability(conn: &Connection, id: UserId, available: bool) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET availability = ?2 WHERE id = ?1",
        params![id, if available { "available" } else { "away" }],
    )?;
    Ok(())
}

/// Sets a password the user chose themselves: it need not be changed any more.
pub fn set_password_hash(conn: &Connection, id: UserId, hash: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET password_hash = ?2, must_change_password = 0 WHERE id = ?1",
        params![id, hash],
    )?;
    Ok(())
}

/// Marks a user as having to choose a new password at their next sign-in.
pub fn require_password_change(conn: &Connection, id: UserId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET must_change_password = 1 WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

pub fn count_admins(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0",
        [],
        |r| r.get(0),
    )?)
}

/// A team as listed to admins and leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRow {
    pub id: TeamId,
    pub name: String,
    pub members: i64,
}

pub fn insert_team(conn: &Connection, name: &str, now: Timestamp) -> Result<TeamId> {
    let inserted = crate::store::cached::execute(
        conn,
        "INSERT INTO teams (name, created_at) VALUES (?1, ?2)",
        params![name, now],
    );
    match inserted {
        Ok(_) => Ok(TeamId::new(conn.last_insert_rowid())),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => Err(
            CoreError::Conflict(format!("A team named {name} already exists.")),
        ),
        Err(e) => Err(e.into()),
    }
}

pub fn list_teams(conn: &Connection) -> Result<Vec<TeamRow>> {
    let mut stmt = conn.prepare(
        "SELECT t.id, t.name, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id)
         FROM teams t ORDER BY t.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TeamRow {
            id: r.get(0)?,
            name: r.get(1)?,
            members: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn team_exists(conn: &Connection, id: TeamId) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM teams WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn team_ids_of(conn: &Connection, user: UserId) -> Result<Vec<TeamId>> {
    let mut stmt = conn
        .prepare_cached("SELECT team_id FROM team_members WHERE user_id = ?1 ORDER BY team_id")?;
    let rows = stmt.query_map([user], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_teams_of(conn: &Connection, user: UserId, teams: &[TeamId]) -> Result<()> {
    crate::store::cached::execute(conn, "DELETE FROM team_members WHERE user_id = ?1", [user])?;
    let mut stmt = conn.prepare("INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2)")?;
    for team in teams {
        stmt.execute(params![team, user])?;
    }
    Ok(())
}

pub fn team_count(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM teams",
        [],
        |r| r.get(0),
    )?)
}

/// Recovery codes: replaces a user's codes with new hashes.
pub fn replace_recovery_codes(conn: &Connection, user: UserId, hashes: &[[u8; 32]]) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM recovery_codes WHERE user_id = ?1",
        [user],
    )?;
    let mut stmt =
        conn.prepare("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
    for hash in hashes {
        stmt.execute(params![user, hash.as_slice()])?;
    }
    Ok(())
}

/// Unused recovery-code hashes of a user, with their row ids.
pub fn unused_recovery_codes(conn: &Connection, user: UserId) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare(
        "SELECT id, code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
    )?;
    let rows = stmt.query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_recovery_code_used(conn: &Connection, code_row: i64, now: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1",
        params![code_row, now],
    )?;
    Ok(())
}

/// Who auto-assignment may choose in `team` (available, enabled agents and leads), with
/// how many open or pending conversations each has, by id.
pub fn auto_assign_candidates(conn: &Connection, team: TeamId) -> Result<Vec<(UserId, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, (SELECT count(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending'))
         FROM users u JOIN team_members m ON m.user_id = u.id
         WHERE m.team_id = ?1 AND u.disabled = 0 AND u.availability = 'available' AND u.role IN ('agent', 'lead')
         ORDER BY u.id",
    )?;
    let candidates = stmt
        .query_map([team], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(candidates)
}

/// A failure counter of one account, from one source or (for a username nobody has)
/// from all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failures {
    pub failed_attempts: i64,
    pub locked_until: Timestamp,
}

impl Default for Failures {
    fn default() -> Self {
        Self {
            failed_attempts: 0,
            locked_until: Timestamp::from_unix(0),
        }
    }
}

/// The counter of `account` (a key, see `sign_in_failures` in migration 0008) from
/// `source`; zero when it has none.
pub fn sign_in_failures(conn: &Connection, account: &[u8; 32], source: &str) -> Result<Failures> {
    Ok(conn
        .prepare_cached(
            "SELECT failed_attempts, locked_until FROM sign_in_failures
             WHERE account = ?1 AND source = ?2",
        )?
        .query_row(params![account.as_slice(), source], |r| {
            Ok(Failures {
                failed_attempts: r.get(0)?,
                locked_until: r.get(1)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Sets the counter of `account` from `source`.
pub fn set_sign_in_failures(
    conn: &Connection,
    account: &[u8; 32],
    source: &str,
    failures: Failures,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sign_in_failures (account, source, failed_attempts, locked_until, last_failed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (account, source) DO UPDATE SET failed_attempts = excluded.failed_attempts,
             locked_until = excluded.locked_until, last_failed_at = excluded.last_failed_at",
    )?
    .execute(params![
        account.as_slice(),
        source,
        failures.failed_attempts,
        failures.locked_until,
        now
    ])?;
    Ok(())
}

/// Forgets the counter of `account` from `source` (a sign-in from there succeeded).
pub fn clear_sign_in_failures(conn: &Connection, account: &[u8; 32], source: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM sign_in_failures WHERE account = ?1 AND source = ?2",
        params![account.as_slice(), source],
    )?;
    Ok(())
}

/// Forgets counters that are no longer locked and saw no failure since `before`.
pub fn forget_old_sign_in_failures(
    conn: &Connection,
    before: Timestamp,
    now: Timestamp,
) -> Result<usize> {
    Ok(crate::store::cached::execute(
        conn,
        "DELETE FROM sign_in_failures WHERE last_failed_at < ?1 AND locked_until <= ?2",
        params![before, now],
    )?)
}

/// Which desktop notifications `user` wants, as bits (see `service::notifications`).
pub fn notify_bits(conn: &Connection, user: UserId) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT notify | (notify_sla << 4) FROM users WHERE id = ?1",
        [user],
        |r| r.get(0),
    )?)
}

pub fn set_notify_bits(conn: &Connection, user: UserId, bits: i64) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE users SET notify = ?2 & 15, notify_sla = (?2 >> 4) & 1 WHERE id = ?1",
        rusqlite::params![user, bits],
    )?;
    Ok(())
}
