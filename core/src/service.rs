//! The workspace service: every call a front end can make. Each call takes the caller's
//! session token and `now`, and checks the session and role here, in the core.

pub mod admin;
pub mod backups;
pub mod channel_lifecycle;
pub mod channel_secrets;
pub mod channels;
pub mod consent;
pub mod contacts;
pub mod conversation;
pub mod delivery;
pub mod drafts;
pub mod handoff;
pub mod health;
pub mod inbox;
pub mod ingest;
pub mod login;
pub mod mail;
pub mod mail_folders;
pub mod mail_forward;
pub mod mail_recipients;
pub mod mail_retry;
pub mod mail_seen;
pub mod mail_settings;
pub mod mentions;
pub mod merge;
pub mod message_parts;
pub mod notifications;
pub mod outgoing;
pub mod password;
pub mod presence;
pub mod pricing;
pub mod privacy;
pub mod push;
pub mod react;
pub mod read_receipts;
pub mod reports;
pub mod residency;
pub mod sample;
pub mod satisfaction;
pub mod sla;
pub mod start;
pub(crate) mod steps;
pub mod thread_control;
pub mod triage;
pub mod users;
pub mod webhooks;

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::ids::{TeamId, UserId};
use crate::secret::SessionToken;
use crate::store::sessions::{self, SessionRow, Stage};
use crate::store::{settings, users as user_store};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

/// Session policy defaults: lock after 15 idle minutes, end after 12 hours.
pub const DEFAULT_IDLE_MINUTES: i64 = 15;
pub const DEFAULT_ABSOLUTE_HOURS: i64 = 12;

/// Who is calling, once their session has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub user: UserId,
    pub role: Role,
    pub teams: Vec<TeamId>,
}

impl Caller {
    pub fn require(&self, role: Role, action: &'static str) -> Result<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(CoreError::Forbidden { action })
        }
    }
}

/// The session policy in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionPolicy {
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = IDLE_MINUTES_MAX)))]
    pub idle_minutes: i64,
    /// Not shorter than the idle lock.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = ABSOLUTE_HOURS_MAX)))]
    pub absolute_hours: i64,
}

/// The longest idle lock an admin may set, in minutes.
pub const IDLE_MINUTES_MAX: i64 = 480;
/// The longest session an admin may allow, in hours.
pub const ABSOLUTE_HOURS_MAX: i64 = 72;

pub(crate) fn policy(conn: &Connection) -> Result<SessionPolicy> {
    let (idle_minutes, absolute_hours) =
        settings::session_limits(conn, DEFAULT_IDLE_MINUTES, DEFAULT_ABSOLUTE_HOURS)?;
    Ok(SessionPolicy {
        idle_minutes,
        absolute_hours,
    })
}

/// What a live session row means at `now`, after applying the policy.
pub(crate) enum Liveness {
    Live,
    IdleLocked,
    Expired,
}

pub(crate) fn liveness(session: &SessionRow, policy: SessionPolicy, now: Timestamp) -> Liveness {
    if now.seconds_since(session.created_at) > policy.absolute_hours * 3600 {
        Liveness::Expired
    } else if session.stage == Stage::Active
        && now.seconds_since(session.last_active_at) > policy.idle_minutes * 60
    {
        Liveness::IdleLocked
    } else {
        Liveness::Live
    }
}

impl Workspace {
    /// Checks a session for a call that needs `role`, and marks it active. Idle sessions
    /// become locked, sessions past the absolute limit or of disabled users end.
    pub(crate) fn authorize(
        &self,
        token: &SessionToken,
        now: Timestamp,
        role: Role,
        action: &'static str,
    ) -> Result<Caller> {
        match self.authorize_by_reading(token, now)? {
            Quick::Caller(caller) => {
                caller.require(role, action)?;
                return Ok(caller);
            }
            Quick::Refused(err) => return Err(err),
            Quick::NeedsWrite => {}
        }
        let outcome = self.store.write(|tx| {
            let Some(session) = sessions::by_token_hash(tx, &token.hash())? else {
                return Ok(Err(CoreError::NotSignedIn));
            };
            match session.stage {
                Stage::Ended => return Ok(Err(CoreError::SessionExpired)),
                Stage::Password | Stage::Enrol => return Ok(Err(CoreError::NotSignedIn)),
                Stage::Locked => return Ok(Err(CoreError::SessionLocked)),
                Stage::Active => {}
            }
            match liveness(&session, policy(tx)?, now) {
                Liveness::Expired => {
                    sessions::set_stage(tx, session.id, Stage::Ended, now)?;
                    return Ok(Err(CoreError::SessionExpired));
                }
                Liveness::IdleLocked => {
                    lock_for_idleness(tx, &session, now)?;
                    return Ok(Err(CoreError::SessionLocked));
                }
                Liveness::Live => {}
            }
            let user = user_store::require(tx, session.user_id)?;
            if user.disabled {
                sessions::set_stage(tx, session.id, Stage::Ended, now)?;
                return Ok(Err(CoreError::SessionExpired));
            }
            let caller = Caller {
                user: user.id,
                role: user.role,
                teams: user_store::team_ids_of(tx, user.id)?,
            };
            if let Err(e) = caller.require(role, action) {
                return Ok(Err(e));
            }
            sessions::touch(tx, session.id, now)?;
            Ok(Ok(caller))
        })?;
        // Committed even when refused: the lock or end of the session must stick.
        outcome
    }
}

impl Workspace {
    /// Like [`Workspace::authorize`] for a call that is not the person's activity (a
    /// presence heartbeat while a conversation is open): a read only, so it neither keeps
    /// the idle lock away nor locks; a session past its idle time is refused as locked
    /// (the next real call records the lock).
    pub(crate) fn authorize_passive(
        &self,
        token: &SessionToken,
        now: Timestamp,
        role: Role,
        action: &'static str,
    ) -> Result<Caller> {
        let caller = self.store.read(|conn| {
            let Some(session) = sessions::by_token_hash(conn, &token.hash())? else {
                return Ok(Err(CoreError::NotSignedIn));
            };
            match session.stage {
                Stage::Ended => return Ok(Err(CoreError::SessionExpired)),
                Stage::Password | Stage::Enrol => return Ok(Err(CoreError::NotSignedIn)),
                Stage::Locked => return Ok(Err(CoreError::SessionLocked)),
                Stage::Active => {}
            }
            match liveness(&session, policy(conn)?, now) {
                Liveness::Expired => return Ok(Err(CoreError::SessionExpired)),
                Liveness::IdleLocked => return Ok(Err(CoreError::SessionLocked)),
                Liveness::Live => {}
            }
            let user = user_store::require(conn, session.user_id)?;
            if user.disabled {
                return Ok(Err(CoreError::SessionExpired));
            }
            Ok(Ok(Caller {
                user: user.id,
                role: user.role,
                teams: user_store::team_ids_of(conn, user.id)?,
            }))
        })??;
        caller.require(role, action)?;
        Ok(caller)
    }
}

/// A session's activity is written at most this often: the idle lock counts minutes, and
/// most calls then need no write at all.
const TOUCH_EVERY_SECONDS: i64 = 10;

/// What a read alone can decide about a session.
enum Quick {
    /// Live, active, and its activity was written in the last [`TOUCH_EVERY_SECONDS`].
    Caller(Caller),
    /// Refused with nothing to record: unknown, ended, half signed in or locked.
    Refused(CoreError),
    /// Something must be written (activity, an idle lock, an end): `authorize` decides in
    /// a write transaction.
    NeedsWrite,
}

impl Workspace {
    /// Decides a session by a read when it can, so that most calls, and every call with
    /// a made-up token, take no write lock.
    fn authorize_by_reading(&self, token: &SessionToken, now: Timestamp) -> Result<Quick> {
        self.store.read(|conn| {
            let Some(session) = sessions::by_token_hash(conn, &token.hash())? else {
                return Ok(Quick::Refused(CoreError::NotSignedIn));
            };
            match session.stage {
                Stage::Ended => return Ok(Quick::Refused(CoreError::SessionExpired)),
                Stage::Password | Stage::Enrol => {
                    return Ok(Quick::Refused(CoreError::NotSignedIn))
                }
                Stage::Locked => return Ok(Quick::Refused(CoreError::SessionLocked)),
                Stage::Active => {}
            }
            let recent = now.seconds_since(session.last_active_at) < TOUCH_EVERY_SECONDS;
            if !recent || !matches!(liveness(&session, policy(conn)?, now), Liveness::Live) {
                return Ok(Quick::NeedsWrite);
            }
            let user = user_store::require(conn, session.user_id)?;
            if user.disabled {
                return Ok(Quick::NeedsWrite);
            }
            Ok(Quick::Caller(Caller {
                user: user.id,
                role: user.role,
                teams: user_store::team_ids_of(conn, user.id)?,
            }))
        })
    }

    /// Whether `token` is a signed-in session (both factors given, not locked or ended),
    /// by a read that changes nothing. A server asks this before it reads a large request
    /// body: a made-up token costs one lookup, and a pending sign-in, which anyone gets
    /// for any username, is no licence to send one.
    pub fn session_is_signed_in(&self, token: &SessionToken) -> Result<bool> {
        self.store.read(|conn| {
            Ok(sessions::by_token_hash(conn, &token.hash())?
                .is_some_and(|session| session.stage == Stage::Active))
        })
    }
}

pub(crate) fn lock_for_idleness(
    conn: &Connection,
    session: &SessionRow,
    now: Timestamp,
) -> Result<()> {
    // Noticed now, but idle since its last activity plus the idle time: the person's
    // status (for reports) turns offline then, not when someone happened to look.
    let idle_from = session
        .last_active_at
        .plus_seconds(policy(conn)?.idle_minutes * 60)
        .min(now);
    sessions::set_stage(conn, session.id, Stage::Locked, idle_from)?;
    audit::append(
        conn,
        AuditEvent::new(
            AuditKind::SessionLocked,
            Some(session.user_id),
            format!("user:{}", session.user_id),
            now,
        )
        .detail(serde_json::json!({ "reason": "inactivity" })),
    )?;
    Ok(())
}
