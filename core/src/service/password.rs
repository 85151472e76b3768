//! Passwords after sign-up: a signed-in user changes their own (current password and
//! authenticator code), a user who must choose a new one does so during sign-in (every
//! user an admin created, after an authenticator reset, or when an admin asks), and an
//! admin asks for one. Also re-authentication: a signed-in user's own code for a
//! sensitive step, counted on its own failure counter.

use super::login::{account_key, activate, SessionStage, SETUP_SECONDS};
use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::lockout;
use crate::auth::{password, totp, Role};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::UserId;
use crate::secret::{Password, SessionToken};
use crate::service::users::UserSummary;
use crate::store::sessions::{self, SessionRow, Stage};
use crate::store::users::{self as user_store, Failures, UserRow};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

/// The source re-authentication failures count under, per account. Its own counter: a
/// guesser elsewhere who locks the account's sign-ins does not stop its holder from
/// confirming a step at their desk, and wrong codes in a signed-in session lock only
/// re-authentication, not the account's sign-ins.
const REAUTH_SOURCE: &str = "reauth";

fn subject(user: UserId) -> String {
    format!("user:{user}")
}

/// Whether `user`'s re-authentication is locked after too many failures.
fn reauth_locked(conn: &Connection, user: &UserRow, now: Timestamp) -> Result<bool> {
    let own = user_store::sign_in_failures(conn, &account_key(&user.username), REAUTH_SOURCE)?;
    Ok(own.locked_until > now)
}

/// Counts a failed re-authentication of `user` (a lock after `lockout::FREE_ATTEMPTS`,
/// on the sign-in schedule) and audits it, and the lock if one follows.
fn record_reauth_failure(
    conn: &Connection,
    user: &UserRow,
    reason: &str,
    now: Timestamp,
) -> Result<()> {
    tracing::warn!(user = user.id.get(), reason, "re-authentication failed");
    audit::append(
        conn,
        AuditEvent::new(AuditKind::LoginFailed, Some(user.id), subject(user.id), now)
            .detail(serde_json::json!({ "reason": reason })),
    )?;
    let key = account_key(&user.username);
    let own = user_store::sign_in_failures(conn, &key, REAUTH_SOURCE)?;
    if own.locked_until > now {
        return Ok(());
    }
    let failed = own.failed_attempts + 1;
    let until = lockout::locked_until(failed, now);
    user_store::set_sign_in_failures(
        conn,
        &key,
        REAUTH_SOURCE,
        Failures {
            failed_attempts: failed,
            locked_until: until.unwrap_or(Timestamp::from_unix(0)),
        },
        now,
    )?;
    if let Some(until) = until {
        audit::append(
            conn,
            AuditEvent::new(
                AuditKind::AccountLocked,
                Some(user.id),
                subject(user.id),
                now,
            )
            .detail(serde_json::json!({
                "failed_attempts": failed, "until": until.unix(), "scope": REAUTH_SOURCE,
            })),
        )?;
    }
    Ok(())
}

/// The answer to a refused re-authentication; the caller commits what was counted.
const TOO_MANY: &str = "too many wrong attempts; wait a few minutes and try again";

/// Checks a signed-in user's own current authenticator code for a sensitive step. A wrong
/// one counts on the re-authentication counter; a replayed one is audited, not counted
/// (a code used a moment ago to unlock is no guess). `Ok(Err(..))` is a refusal whose
/// counting must still be committed.
pub(crate) fn check_own_code(
    conn: &Connection,
    user: &UserRow,
    code: &str,
    now: Timestamp,
) -> Result<std::result::Result<(), CoreError>> {
    if reauth_locked(conn, user, now)? {
        return Ok(Err(CoreError::invalid("your code", TOO_MANY)));
    }
    let Some(secret) = user.totp_secret.as_ref().filter(|_| user.totp_confirmed) else {
        return Ok(Err(CoreError::NotSignedIn));
    };
    match totp::check(secret, code, now, user.totp_last_step)? {
        totp::CodeCheck::Accepted { step } => {
            user_store::set_totp_last_step(conn, user.id, step)?;
            user_store::clear_sign_in_failures(conn, &account_key(&user.username), REAUTH_SOURCE)?;
            Ok(Ok(()))
        }
        totp::CodeCheck::Replayed => {
            audit::append(
                conn,
                AuditEvent::new(AuditKind::LoginFailed, Some(user.id), subject(user.id), now)
                    .detail(serde_json::json!({ "reason": "reauthentication_replayed" })),
            )?;
            Ok(Err(CoreError::invalid(
                "your code",
                "that code was already used; wait for the next one",
            )))
        }
        totp::CodeCheck::Wrong => {
            record_reauth_failure(conn, user, "reauthentication_failed", now)?;
            Ok(Err(CoreError::invalid(
                "your code",
                "your own authenticator code is not right; enter the newest one",
            )))
        }
    }
}

fn same_password() -> CoreError {
    CoreError::invalid(
        "new password",
        "choose a password other than the one you have now",
    )
}

/// A new password the user chose: the policy (as at creation), and not the current one.
/// Returns its hash. Two Argon2 runs, outside any transaction.
fn new_hash(user: &UserRow, new: &Password) -> Result<String> {
    password::check_policy(new, &user.username)?;
    if password::verify(new, &user.password_hash) {
        return Err(same_password());
    }
    password::hash(new)
}

/// The session and user of a sign-in that must choose a new password now.
fn choosing(
    conn: &Connection,
    token: &SessionToken,
    now: Timestamp,
) -> Result<(SessionRow, UserRow)> {
    let session = sessions::by_token_hash(conn, &token.hash())?.ok_or(CoreError::NotSignedIn)?;
    if !session.known
        || session.stage != Stage::Enrol
        || now.seconds_since(session.created_at) > SETUP_SECONDS
    {
        return Err(CoreError::NotSignedIn);
    }
    let user = user_store::require(conn, session.user_id)?;
    if user.disabled || !user.must_change_password {
        return Err(CoreError::NotSignedIn);
    }
    Ok((session, user))
}

impl Workspace {
    /// During sign-in, for an account that must choose a new password (after the
    /// password and, if enrolled, the code): sets the password the user chose, which no
    /// admin learns. Every other session of the user ends (a sign-in someone began with
    /// the old password included). Answers what comes next: enrolment, or an active
    /// session.
    pub fn set_new_password(
        &self,
        token: &SessionToken,
        new_password: &Password,
        now: Timestamp,
    ) -> Result<SessionStage> {
        let (_, user) = self.store.read(|c| choosing(c, token, now))?;
        let hash = new_hash(&user, new_password)?;
        let (stage, ended) = self.store.write(|tx| {
            let (session, user_now) = choosing(tx, token, now)?;
            if user_now.password_hash != user.password_hash {
                return Err(CoreError::Conflict(
                    "The password was changed a moment ago; sign in again.".into(),
                ));
            }
            user_store::set_password_hash(tx, user.id, &hash)?;
            let ended = sessions::end_all_others_of(tx, user.id, session.id, now)?;
            audit::append(
                tx,
                AuditEvent::new(AuditKind::PasswordChanged, Some(user.id), subject(user.id), now)
                    .detail(serde_json::json!({ "by": "user", "at_sign_in": true, "sessions_ended": ended })),
            )?;
            if !user_now.totp_confirmed {
                return Ok((SessionStage::NeedsEnrolment, ended));
            }
            activate(tx, &user_now, &session, "new_password", now)?;
            Ok((SessionStage::Active, ended))
        })?;
        if ended > 0 {
            self.notify_sessions_ended(user.id);
        }
        Ok(stage)
    }

    /// A signed-in user changes their own password: the current one and a current
    /// authenticator code prove it is them (failures count on re-authentication's own
    /// counter); the new one follows the same rules as at creation. Audited; every other
    /// session of the user ends.
    pub fn change_password(
        &self,
        token: &SessionToken,
        old_password: &Password,
        code: &str,
        new_password: &Password,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "change your password")?;
        let user = self.store.read(|c| user_store::require(c, caller.user))?;
        if self.store.read(|c| reauth_locked(c, &user, now))? {
            return Err(CoreError::invalid("current password", TOO_MANY));
        }
        password::check_policy(new_password, &user.username)?;
        // The Argon2 work before the transaction; whether the new password is the current
        // one is told only after the code (else it would tell a session thief, uncounted,
        // that a guessed password is right).
        let old_ok = password::verify(old_password, &user.password_hash);
        let hash = if old_ok && !password::verify(new_password, &user.password_hash) {
            Some(password::hash(new_password)?)
        } else {
            None
        };
        let outcome = self.store.write(|tx| {
            let user_now = user_store::require(tx, caller.user)?;
            if user_now.password_hash != user.password_hash {
                return Ok(Err(CoreError::Conflict(
                    "Your password was changed a moment ago; sign in again.".into(),
                )));
            }
            if reauth_locked(tx, &user_now, now)? {
                return Ok(Err(CoreError::invalid("current password", TOO_MANY)));
            }
            if !old_ok {
                record_reauth_failure(tx, &user_now, "wrong_password", now)?;
                return Ok(Err(CoreError::invalid(
                    "current password",
                    "that is not your current password",
                )));
            }
            if let Err(refused) = check_own_code(tx, &user_now, code, now)? {
                return Ok(Err(refused));
            }
            let Some(hash) = &hash else {
                return Ok(Err(same_password()));
            };
            let session =
                sessions::by_token_hash(tx, &token.hash())?.ok_or(CoreError::NotSignedIn)?;
            user_store::set_password_hash(tx, user.id, hash)?;
            let ended = sessions::end_all_others_of(tx, user.id, session.id, now)?;
            audit::append(
                tx,
                AuditEvent::new(AuditKind::PasswordChanged, Some(user.id), subject(user.id), now)
                    .detail(serde_json::json!({ "by": "user", "at_sign_in": false, "sessions_ended": ended })),
            )?;
            Ok(Ok(ended))
        })?;
        if outcome? > 0 {
            self.notify_sessions_ended(user.id);
        }
        Ok(())
    }

    /// An admin asks `user` to choose a new password at their next sign-in (a password
    /// that may have leaked): their sessions end at once, and the admin never learns the
    /// new one. Not for the admin's own account (they change it themselves).
    pub fn require_password_change(
        &self,
        token: &SessionToken,
        user: UserId,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "ask for a new password")?;
        if caller.user == user {
            return Err(CoreError::Conflict(
                "To change your own password, use Change password.".into(),
            ));
        }
        let changed = self.store.write(|tx| {
            user_store::require(tx, user)?;
            user_store::require_password_change(tx, user)?;
            let ended = sessions::end_all_of(tx, user, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::PasswordChangeRequired,
                    Some(caller.user),
                    subject(user),
                    now,
                )
                .detail(serde_json::json!({ "sessions_ended": ended })),
            )?;
            super::users::summary(tx, &user_store::require(tx, user)?, now)
        })?;
        self.publish(Event::UserChanged { user });
        self.notify_sessions_ended(user);
        Ok(changed)
    }
}
