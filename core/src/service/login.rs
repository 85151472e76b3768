//! Sign-in: password, then authenticator code (or a recovery code); enrolment for new
//! accounts; lock, unlock and sign-out. Failures never say which factor was wrong or
//! whether the user exists: a username nobody has gets a pending session that answers
//! like a wrong password, after the same work. Failures count when they happen (a wrong
//! password at once) per account and per source, so a guesser elsewhere locks out only
//! their own source; the account as a whole locks only after far more failures, and
//! never for the desktop the workspace runs on (see `auth::lockout`). An account that must
//! choose a new password stops one step short of an active session until it has (see
//! `service::password`). Each first step deletes session rows nobody can use any more.

use super::{liveness, lock_for_idleness, policy, Liveness};
use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::lockout::{self, SignInSource};
use crate::auth::{password, recovery, totp, Role};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{TeamId, UserId};
use crate::qr::QrMatrix;
use crate::secret::{Password, SessionToken};
use crate::store::sessions::{self, SessionRow, Stage};
use crate::store::users::{self as user_store, Failures, UserRow};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::Serialize;
use std::net::IpAddr;
use subtle::ConstantTimeEq;

/// A password challenge may wait this long for its code.
const CHALLENGE_SECONDS: i64 = 300;

/// An enrolment or a new password may be given this long after the password.
pub(crate) const SETUP_SECONDS: i64 = CHALLENGE_SECONDS * 2;

/// Pending sign-ins are deleted this long after they began (long after they stale), ended
/// sessions this long after they ended, and every session this long after the longest
/// absolute limit (72 hours) would have ended it: rows do not pile up.
const KEEP_PENDING_SECONDS: i64 = 3600;
const KEEP_ENDED_SECONDS: i64 = 24 * 3600;
const KEEP_ANY_SECONDS: i64 = 72 * 3600 + KEEP_ENDED_SECONDS;

/// The failure counter of a username nobody has over all its sources.
const EVERY_SOURCE: &str = "*";

/// Failure counters that saw nothing for this long (and hold no lock) are forgotten.
const FORGET_FAILURES_SECONDS: i64 = 24 * 3600;

/// What the person must do after giving their password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Enter the authenticator code (or a recovery code).
    Code,
    /// Set up an authenticator first.
    Enrol,
    /// Choose a new password first (the one given was set by an admin, or an admin asked
    /// for a new one), then set up an authenticator.
    NewPassword,
}

/// The answer to a password: a pending session token and what comes next.
#[derive(Debug, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SignInChallenge {
    pub token: SessionToken,
    pub next: NextStep,
}

/// Where a session stands, as shown to its holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    NeedsCode,
    NeedsEnrolment,
    /// Both factors (or, before enrolment, the password) were right, but the account
    /// must choose a new password before the session becomes active.
    NeedsNewPassword,
    Active,
    Locked,
    Ended,
}

/// The signed-in user, for the window's header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionInfo {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub teams: Vec<TeamId>,
}

/// What a new authenticator needs. Holds the secret: shown once, never logged.
#[derive(Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Enrolment {
    pub otpauth_uri: String,
    pub manual_key: String,
    pub qr: QrMatrix,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

/// Recovery codes, shown once after enrolment.
#[derive(Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes, <redacted>)", self.codes.len())
    }
}

fn subject(user: UserId) -> String {
    format!("user:{user}")
}

fn session_info(conn: &Connection, user: &UserRow) -> Result<SessionInfo> {
    Ok(SessionInfo {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        teams: user_store::team_ids_of(conn, user.id)?,
    })
}

/// The key a username's failure counters are stored by: the name as sign-in matches it
/// (trimmed, ASCII case folded, like the `NOCASE` column), hashed.
pub(crate) fn account_key(username: &str) -> [u8; 32] {
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    digest.update(b"appcare sign-in account\0");
    digest.update(username.trim().to_ascii_lowercase().as_bytes());
    digest.finalize().into()
}

/// Whether sign-ins of `user` from `source` (a `SignInSource::key`) are refused for now:
/// that source is locked, or the whole account is and the source is not the local desktop.
pub(crate) fn locked_out(
    conn: &Connection,
    user: &UserRow,
    source: &str,
    now: Timestamp,
) -> Result<bool> {
    let own = user_store::sign_in_failures(conn, &account_key(&user.username), source)?;
    Ok(own.locked_until > now || (source != SignInSource::Local.key() && user.locked_until > now))
}

/// A sign-in's account: a user, or a username nobody has.
#[derive(Clone, Copy)]
enum Account<'a> {
    Known(&'a UserRow),
    Unknown(&'a str),
}

/// Counts a failed sign-in step of `account` from `source`, locks that source (and, after
/// far more failures from everywhere, the account) when the schedule says so, and audits
/// both. A username nobody has goes through the same reads and writes as a real one.
fn record_sign_in_failure(
    conn: &Connection,
    account: Account<'_>,
    source: &str,
    reason: &str,
    now: Timestamp,
) -> Result<()> {
    let (actor, subject, key) = match account {
        Account::Known(user) => {
            tracing::warn!(user = user.id.get(), reason, "sign-in failed");
            (Some(user.id), subject(user.id), account_key(&user.username))
        }
        Account::Unknown(name) => {
            tracing::warn!(user = "unknown", reason, "sign-in failed");
            (None, "user:unknown".to_string(), account_key(name))
        }
    };
    audit::append(
        conn,
        AuditEvent::new(AuditKind::LoginFailed, actor, subject.clone(), now)
            .detail(serde_json::json!({ "reason": reason })),
    )?;
    user_store::forget_old_sign_in_failures(conn, now.plus_seconds(-FORGET_FAILURES_SECONDS), now)?;
    let own = user_store::sign_in_failures(conn, &key, source)?;
    if own.locked_until > now {
        // Already locked from here: refused without extending the lock.
        return Ok(());
    }
    let whole = match account {
        Account::Known(user) => Failures {
            failed_attempts: user.failed_attempts,
            locked_until: user.locked_until,
        },
        Account::Unknown(_) => user_store::sign_in_failures(conn, &key, EVERY_SOURCE)?,
    };
    let own_failed = own.failed_attempts + 1;
    let own_until = lockout::locked_until(own_failed, now);
    let whole_failed = whole.failed_attempts + 1;
    let whole_until = if whole.locked_until > now {
        None
    } else {
        lockout::account_locked_until(whole_failed, now)
    };
    user_store::set_sign_in_failures(
        conn,
        &key,
        source,
        Failures {
            failed_attempts: own_failed,
            locked_until: own_until.unwrap_or(Timestamp::from_unix(0)),
        },
        now,
    )?;
    let whole_now = Failures {
        failed_attempts: whole_failed,
        locked_until: whole_until.unwrap_or(whole.locked_until),
    };
    match account {
        Account::Known(user) => user_store::set_failures(
            conn,
            user.id,
            whole_now.failed_attempts,
            whole_now.locked_until,
        )?,
        Account::Unknown(_) => {
            user_store::set_sign_in_failures(conn, &key, EVERY_SOURCE, whole_now, now)?
        }
    }
    for (scope, failed, until) in [
        ("source", own_failed, own_until),
        ("account", whole_failed, whole_until),
    ] {
        if let Some(until) = until {
            audit::append(
                conn,
                AuditEvent::new(AuditKind::AccountLocked, actor, subject.clone(), now).detail(
                    serde_json::json!({ "failed_attempts": failed, "until": until.unix(), "scope": scope }),
                ),
            )?;
        }
    }
    Ok(())
}

/// Both factors were right: clears the failure counters, then makes the session active,
/// or, for an account that must choose a new password first, leaves it one step short
/// (stage `Enrol`, see `service::password`).
fn record_success(
    conn: &Connection,
    user: &UserRow,
    session: &SessionRow,
    method: &str,
    now: Timestamp,
) -> Result<()> {
    user_store::set_failures(conn, user.id, 0, Timestamp::from_unix(0))?;
    user_store::clear_sign_in_failures(conn, &account_key(&user.username), &session.source)?;
    if user.must_change_password {
        sessions::set_stage(conn, session.id, Stage::Enrol, now)?;
        return Ok(());
    }
    activate(conn, user, session, method, now)
}

/// Makes a session whose sign-in is complete active, and audits the sign-in.
pub(crate) fn activate(
    conn: &Connection,
    user: &UserRow,
    session: &SessionRow,
    method: &str,
    now: Timestamp,
) -> Result<()> {
    tracing::info!(user = user.id.get(), method, "signed in");
    // Sessions of this person left open and idle (the app closed without signing out)
    // are locked first, so their status shows offline from when they went idle.
    let limits = super::policy(conn)?;
    for other in sessions::active_of(conn, user.id)? {
        if other.id != session.id
            && matches!(super::liveness(&other, limits, now), Liveness::IdleLocked)
        {
            lock_for_idleness(conn, &other, now)?;
        }
    }
    sessions::set_stage(conn, session.id, Stage::Active, now)?;
    sessions::touch(conn, session.id, now)?;
    audit::append(
        conn,
        AuditEvent::new(
            AuditKind::LoginSucceeded,
            Some(user.id),
            subject(user.id),
            now,
        )
        .detail(serde_json::json!({ "method": method })),
    )?;
    Ok(())
}

/// A pending challenge that may still take a code, with its user if the password was
/// right (a wrong one was counted when it was given).
fn pending(
    conn: &Connection,
    token: &SessionToken,
    now: Timestamp,
) -> Result<Option<(SessionRow, UserRow)>> {
    // Debug only: anyone can send made-up or stale tokens, as many as the limits allow,
    // and a warning each would let them flood the log.
    let Some(session) = sessions::by_token_hash(conn, &token.hash())? else {
        tracing::debug!(user = "unknown", "sign-in failed: no such challenge");
        return Ok(None);
    };
    if session.stage != Stage::Password || now.seconds_since(session.created_at) > CHALLENGE_SECONDS
    {
        if session.known {
            tracing::debug!(
                user = session.user_id.get(),
                "sign-in failed: stale challenge"
            );
        } else {
            tracing::debug!(user = "unknown", "sign-in failed: stale challenge");
        }
        return Ok(None);
    }
    if !session.known || !session.password_ok {
        return Ok(None);
    }
    let user = user_store::require(conn, session.user_id)?;
    Ok(Some((session, user)))
}

/// The workspace as a sign-in from a hub client's address sees it: the hub makes the
/// open calls through this, so their failures count for that source.
pub struct FromAddress<'a> {
    workspace: &'a Workspace,
    source: SignInSource,
}

impl<'a> FromAddress<'a> {
    pub fn new(workspace: &'a Workspace, address: IpAddr) -> Self {
        Self {
            workspace,
            source: SignInSource::remote(address),
        }
    }

    pub fn begin_sign_in(
        &self,
        username: &str,
        password: &Password,
        now: Timestamp,
    ) -> Result<SignInChallenge> {
        self.workspace
            .begin_sign_in_from(&self.source, username, password, now)
    }
}

impl Workspace {
    /// Step one: the password, from the desktop the workspace runs on. A wrong password,
    /// an unknown username, a disabled or locked-out account all get the same refusal here
    /// ([`CoreError::PasswordRefused`]), whether the account is enrolled or not; only a right
    /// password moves on, to the code or, for an account not enrolled yet, to enrolment.
    pub fn begin_sign_in(
        &self,
        username: &str,
        password: &Password,
        now: Timestamp,
    ) -> Result<SignInChallenge> {
        self.begin_sign_in_from(&SignInSource::Local, username, password, now)
    }

    /// [`Self::begin_sign_in`] from `source`: failures count per source (see `lockout`).
    /// A username nobody has costs the same as a wrong password: one Argon2 hash (against
    /// a dummy), one write with an audit entry and the failure counters.
    pub fn begin_sign_in_from(
        &self,
        source: &SignInSource,
        username: &str,
        password: &Password,
        now: Timestamp,
    ) -> Result<SignInChallenge> {
        let token = SessionToken::generate();
        let name = username.trim();
        let user = self.store.read(|c| user_store::by_username(c, name))?;
        let hash = user
            .as_ref()
            .map_or(password::dummy_hash(), |u| u.password_hash.as_str());
        let password_ok = password::verify(password, hash) && user.is_some();
        let source = source.key();
        let next = self.store.write(|tx| {
            sessions::delete_old(
                tx,
                now.plus_seconds(-KEEP_PENDING_SECONDS),
                now.plus_seconds(-KEEP_ENDED_SECONDS),
                now.plus_seconds(-KEEP_ANY_SECONDS),
            )?;
            let Some(user) = &user else {
                record_sign_in_failure(tx, Account::Unknown(name), &source, "unknown_user", now)?;
                return Ok(None);
            };
            let locked = locked_out(tx, user, &source, now)?;
            if !password_ok || user.disabled || locked {
                let reason = if password_ok {
                    failure_reason(user, locked)
                } else {
                    "wrong_password"
                };
                record_sign_in_failure(tx, Account::Known(user), &source, reason, now)?;
                return Ok(None);
            }
            let (stage, next) = if !user.totp_confirmed {
                let next = if user.must_change_password {
                    NextStep::NewPassword
                } else {
                    NextStep::Enrol
                };
                (Stage::Enrol, next)
            } else {
                (Stage::Password, NextStep::Code)
            };
            sessions::insert(tx, &token.hash(), Some(user.id), stage, true, &source, now)?;
            Ok(Some(next))
        })?;
        match next {
            Some(next) => Ok(SignInChallenge { token, next }),
            None => Err(CoreError::PasswordRefused),
        }
    }

    /// Step two: the authenticator code.
    pub fn submit_code(
        &self,
        token: &SessionToken,
        code: &str,
        now: Timestamp,
    ) -> Result<SessionInfo> {
        self.store.write(|tx| {
            let Some((session, user)) = pending(tx, token, now)? else {
                return Ok(Err(CoreError::SignInFailed));
            };
            let locked = locked_out(tx, &user, &session.source, now)?;
            let usable = !user.disabled && !locked && user.totp_confirmed;
            let Some(secret) = user.totp_secret.as_ref().filter(|_| usable) else {
                let reason = failure_reason(&user, locked);
                record_sign_in_failure(tx, Account::Known(&user), &session.source, reason, now)?;
                return Ok(Err(CoreError::SignInFailed));
            };
            match totp::check(secret, code, now, user.totp_last_step)? {
                totp::CodeCheck::Accepted { step } => {
                    user_store::set_totp_last_step(tx, user.id, step)?;
                    record_success(tx, &user, &session, "totp", now)?;
                    Ok(Ok(session_info(tx, &user)?))
                }
                totp::CodeCheck::Replayed => {
                    audit::append(
                        tx,
                        AuditEvent::new(
                            AuditKind::CodeReplayed,
                            Some(user.id),
                            subject(user.id),
                            now,
                        ),
                    )?;
                    record_sign_in_failure(
                        tx,
                        Account::Known(&user),
                        &session.source,
                        "replayed_code",
                        now,
                    )?;
                    Ok(Err(CoreError::SignInFailed))
                }
                totp::CodeCheck::Wrong => {
                    record_sign_in_failure(
                        tx,
                        Account::Known(&user),
                        &session.source,
                        "wrong_code",
                        now,
                    )?;
                    Ok(Err(CoreError::SignInFailed))
                }
            }
        })?
    }

    /// Step two with a recovery code instead; answers how many codes remain.
    pub fn submit_recovery_code(
        &self,
        token: &SessionToken,
        code: &str,
        now: Timestamp,
    ) -> Result<(SessionInfo, usize)> {
        let wanted = recovery::hash(code);
        self.store.write(|tx| {
            let Some((session, user)) = pending(tx, token, now)? else {
                return Ok(Err(CoreError::SignInFailed));
            };
            let locked = locked_out(tx, &user, &session.source, now)?;
            if user.disabled || locked || !user.totp_confirmed {
                let reason = failure_reason(&user, locked);
                record_sign_in_failure(tx, Account::Known(&user), &session.source, reason, now)?;
                return Ok(Err(CoreError::SignInFailed));
            }
            let unused = user_store::unused_recovery_codes(tx, user.id)?;
            let mut matched = None;
            for (row, hash) in &unused {
                if bool::from(hash.as_slice().ct_eq(&wanted)) {
                    matched = Some(*row);
                }
            }
            let Some(row) = matched else {
                record_sign_in_failure(
                    tx,
                    Account::Known(&user),
                    &session.source,
                    "wrong_recovery_code",
                    now,
                )?;
                return Ok(Err(CoreError::SignInFailed));
            };
            user_store::mark_recovery_code_used(tx, row, now)?;
            let remaining = unused.len() - 1;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::RecoveryCodeUsed,
                    Some(user.id),
                    subject(user.id),
                    now,
                )
                .detail(serde_json::json!({ "remaining": remaining })),
            )?;
            record_success(tx, &user, &session, "recovery_code", now)?;
            Ok(Ok((session_info(tx, &user)?, remaining)))
        })?
    }

    /// For an account that must enrol: shows the secret to enrol (URI, key, QR). An
    /// unconfirmed secret made earlier (e.g. by `appcare init --json`) is shown again, so
    /// an authenticator that already scanned it keeps working.
    pub fn start_enrolment(&self, token: &SessionToken, now: Timestamp) -> Result<Enrolment> {
        self.store.write(|tx| {
            let (_, user) = enrolling(tx, token, now)?;
            let secret = match user.totp_secret.clone() {
                Some(existing) => existing,
                None => {
                    let fresh = totp::generate_secret();
                    user_store::set_totp(tx, user.id, Some(&fresh), false)?;
                    fresh
                }
            };
            let uri = totp::otpauth_uri(&secret, &user.username)?;
            Ok(Enrolment {
                qr: QrMatrix::encode(&uri)?,
                otpauth_uri: uri.to_string(),
                manual_key: totp::manual_key(&secret).to_string(),
            })
        })
    }

    /// Confirms enrolment with a first code; the session becomes active and the ten
    /// recovery codes are returned, once.
    pub fn confirm_enrolment(
        &self,
        token: &SessionToken,
        code: &str,
        now: Timestamp,
    ) -> Result<(SessionInfo, RecoveryCodes)> {
        let codes = recovery::generate();
        let hashes: Vec<[u8; 32]> = codes.iter().map(|c| recovery::hash(c)).collect();
        self.store.write(|tx| {
            let (session, user) = enrolling(tx, token, now)?;
            let Some(secret) = user.totp_secret.as_ref() else {
                return Err(CoreError::invalid("code", "start the authenticator setup first"));
            };
            let totp::CodeCheck::Accepted { step } = totp::check(secret, code, now, 0)? else {
                return Err(CoreError::invalid(
                    "code",
                    "that code is not right. Check that your phone's clock is correct and enter the newest code",
                ));
            };
            user_store::confirm_totp(tx, user.id, step)?;
            user_store::replace_recovery_codes(tx, user.id, &hashes)?;
            audit::append(tx, AuditEvent::new(AuditKind::Enrolled, Some(user.id), subject(user.id), now))?;
            record_success(tx, &user, &session, "enrolment", now)?;
            Ok((
                session_info(tx, &user)?,
                RecoveryCodes {
                    codes: codes.iter().map(|c| c.to_string()).collect(),
                },
            ))
        })
    }

    /// Unlocks a session locked by inactivity with the current code.
    pub fn unlock(&self, token: &SessionToken, code: &str, now: Timestamp) -> Result<SessionInfo> {
        self.store.write(|tx| {
            let Some(session) = sessions::by_token_hash(tx, &token.hash())? else {
                return Ok(Err(CoreError::NotSignedIn));
            };
            if session.stage != Stage::Locked {
                return Ok(Err(CoreError::NotSignedIn));
            }
            if let Liveness::Expired = liveness(&session, policy(tx)?, now) {
                sessions::set_stage(tx, session.id, Stage::Ended, now)?;
                return Ok(Err(CoreError::SessionExpired));
            }
            let user = user_store::require(tx, session.user_id)?;
            if user.disabled || locked_out(tx, &user, &session.source, now)? {
                sessions::set_stage(tx, session.id, Stage::Ended, now)?;
                return Ok(Err(CoreError::SessionExpired));
            }
            let Some(secret) = user.totp_secret.as_ref() else {
                return Ok(Err(CoreError::SessionExpired));
            };
            match totp::check(secret, code, now, user.totp_last_step)? {
                totp::CodeCheck::Accepted { step } => {
                    user_store::set_totp_last_step(tx, user.id, step)?;
                    user_store::set_failures(tx, user.id, 0, Timestamp::from_unix(0))?;
                    user_store::clear_sign_in_failures(
                        tx,
                        &account_key(&user.username),
                        &session.source,
                    )?;
                    sessions::set_stage(tx, session.id, Stage::Active, now)?;
                    sessions::touch(tx, session.id, now)?;
                    audit::append(
                        tx,
                        AuditEvent::new(
                            AuditKind::SessionUnlocked,
                            Some(user.id),
                            subject(user.id),
                            now,
                        ),
                    )?;
                    Ok(Ok(session_info(tx, &user)?))
                }
                result => {
                    if result == totp::CodeCheck::Replayed {
                        audit::append(
                            tx,
                            AuditEvent::new(
                                AuditKind::CodeReplayed,
                                Some(user.id),
                                subject(user.id),
                                now,
                            ),
                        )?;
                    }
                    record_sign_in_failure(
                        tx,
                        Account::Known(&user),
                        &session.source,
                        "wrong_unlock_code",
                        now,
                    )?;
                    Ok(Err(CoreError::invalid("code", "that code is not right")))
                }
            }
        })?
    }

    /// Locks an active session now (the person steps away).
    pub fn lock(&self, token: &SessionToken, now: Timestamp) -> Result<()> {
        self.store.write(|tx| {
            let session =
                sessions::by_token_hash(tx, &token.hash())?.ok_or(CoreError::NotSignedIn)?;
            if session.stage != Stage::Active {
                return Err(CoreError::NotSignedIn);
            }
            sessions::set_stage(tx, session.id, Stage::Locked, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::SessionLocked,
                    Some(session.user_id),
                    subject(session.user_id),
                    now,
                )
                .detail(serde_json::json!({ "reason": "manual" })),
            )?;
            Ok(())
        })
    }

    /// Ends the session. Signing out twice is not an error.
    pub fn sign_out(&self, token: &SessionToken, now: Timestamp) -> Result<()> {
        self.store.write(|tx| {
            let Some(session) = sessions::by_token_hash(tx, &token.hash())? else {
                return Ok(());
            };
            if session.stage == Stage::Ended {
                return Ok(());
            }
            sessions::set_stage(tx, session.id, Stage::Ended, now)?;
            if matches!(session.stage, Stage::Active | Stage::Locked) {
                audit::append(
                    tx,
                    AuditEvent::new(
                        AuditKind::Logout,
                        Some(session.user_id),
                        subject(session.user_id),
                        now,
                    ),
                )?;
            }
            Ok(())
        })
    }

    /// Where the session stands, without counting as activity. Applies the idle lock and
    /// the absolute limit, so a window polling this sees them happen.
    pub fn session_state(&self, token: &SessionToken, now: Timestamp) -> Result<SessionStage> {
        self.store.write(|tx| {
            let Some(session) = sessions::by_token_hash(tx, &token.hash())? else {
                return Ok(SessionStage::Ended);
            };
            if session.stage == Stage::Ended {
                return Ok(SessionStage::Ended);
            }
            match liveness(&session, policy(tx)?, now) {
                Liveness::Expired => {
                    sessions::set_stage(tx, session.id, Stage::Ended, now)?;
                    return Ok(SessionStage::Ended);
                }
                Liveness::IdleLocked => {
                    lock_for_idleness(tx, &session, now)?;
                    return Ok(SessionStage::Locked);
                }
                Liveness::Live => {}
            }
            // A pending sign-in answers alike whoever it named; a disabled user's ends.
            let mut new_password = false;
            if session.known && session.stage != Stage::Password {
                let user = user_store::require(tx, session.user_id)?;
                if user.disabled {
                    sessions::set_stage(tx, session.id, Stage::Ended, now)?;
                    return Ok(SessionStage::Ended);
                }
                new_password = user.must_change_password;
            }
            Ok(match session.stage {
                Stage::Password => SessionStage::NeedsCode,
                Stage::Enrol if new_password => SessionStage::NeedsNewPassword,
                Stage::Enrol => SessionStage::NeedsEnrolment,
                Stage::Active => SessionStage::Active,
                Stage::Locked => SessionStage::Locked,
                Stage::Ended => SessionStage::Ended,
            })
        })
    }

    /// The signed-in user.
    pub fn session_info(&self, token: &SessionToken, now: Timestamp) -> Result<SessionInfo> {
        let caller = self.authorize(token, now, Role::Agent, "see your own account")?;
        self.store
            .read(|c| session_info(c, &user_store::require(c, caller.user)?))
    }

    pub(crate) fn notify_sessions_ended(&self, user: UserId) {
        self.publish(Event::SessionsEnded { user });
    }
}

fn failure_reason(user: &UserRow, locked: bool) -> &'static str {
    if user.disabled {
        "disabled"
    } else if locked {
        "locked"
    } else {
        "not_enrolled"
    }
}

/// The session and user of an enrolment in progress.
fn enrolling(
    conn: &Connection,
    token: &SessionToken,
    now: Timestamp,
) -> Result<(SessionRow, UserRow)> {
    let session = sessions::by_token_hash(conn, &token.hash())?.ok_or(CoreError::NotSignedIn)?;
    if session.stage != Stage::Enrol || now.seconds_since(session.created_at) > SETUP_SECONDS {
        return Err(CoreError::NotSignedIn);
    }
    let user = user_store::require(conn, session.user_id)?;
    if user.disabled || user.totp_confirmed {
        return Err(CoreError::NotSignedIn);
    }
    if user.must_change_password {
        return Err(CoreError::invalid(
            "new password",
            "choose your own password before you set up the authenticator",
        ));
    }
    Ok((session, user))
}
