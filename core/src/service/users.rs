//! User and team management: admins create, change, disable users and reset a lost
//! authenticator; everyone signed in can list teams.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::{password, validate_username, Role};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{TeamId, UserId};
use crate::secret::{Password, SessionToken};
use crate::store::sessions;
use crate::store::users::{self as user_store, TeamRow, UserRow};
use crate::time::Timestamp;
use crate::workspace::Workspace;

/// The longest team name, in characters.
pub const TEAM_NAME_MAX_CHARS: usize = 80;
use serde::Serialize;

/// A user as admins see them in the user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub teams: Vec<TeamId>,
    pub disabled: bool,
    pub enrolled: bool,
    pub failed_attempts: i64,
    /// Set while the account is locked after failed sign-ins.
    pub locked_until: Option<Timestamp>,
    /// Must choose a new password at the next sign-in.
    pub must_change_password: bool,
}

/// A team with its member count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamSummary {
    pub id: TeamId,
    pub name: String,
    pub members: i64,
}

impl From<TeamRow> for TeamSummary {
    fn from(row: TeamRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            members: row.members,
        }
    }
}

/// What an admin fills in to add a user. The user enrols an authenticator at first sign-in.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewUser {
    /// The rules of `auth::validate_username`, declared for the team API's document.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 3, max = 64), regex(pattern = r"^[A-Za-z0-9._@-]+$"))
    )]
    pub username: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 100)))]
    pub display_name: String,
    pub role: Role,
    pub password: Password,
    pub teams: Vec<TeamId>,
}

pub(crate) fn summary(
    conn: &rusqlite::Connection,
    row: &UserRow,
    now: Timestamp,
) -> Result<UserSummary> {
    Ok(UserSummary {
        id: row.id,
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        role: row.role,
        teams: user_store::team_ids_of(conn, row.id)?,
        disabled: row.disabled,
        enrolled: row.totp_confirmed,
        failed_attempts: row.failed_attempts,
        locked_until: (row.locked_until > now).then_some(row.locked_until),
        must_change_password: row.must_change_password,
    })
}

fn subject(user: UserId) -> String {
    format!("user:{user}")
}

fn check_teams(conn: &rusqlite::Connection, teams: &[TeamId]) -> Result<()> {
    for team in teams {
        if !user_store::team_exists(conn, *team)? {
            return Err(CoreError::NotFound { what: "The team" });
        }
    }
    Ok(())
}

impl Workspace {
    pub fn list_users(&self, token: &SessionToken, now: Timestamp) -> Result<Vec<UserSummary>> {
        self.authorize(token, now, Role::Admin, "list users")?;
        self.store.read(|c| {
            user_store::list(c)?
                .iter()
                .map(|row| summary(c, row, now))
                .collect()
        })
    }

    pub fn create_user(
        &self,
        token: &SessionToken,
        new: NewUser,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "create users")?;
        let username = new.username.trim().to_string();
        validate_username(&username)?;
        let display_name = new.display_name.trim().to_string();
        if display_name.is_empty() || display_name.chars().count() > 100 {
            return Err(CoreError::invalid(
                "display name",
                "use 1 to 100 characters",
            ));
        }
        password::check_policy(&new.password, &username)?;
        let hash = password::hash(&new.password)?;
        let created = self.store.write(|tx| {
            check_teams(tx, &new.teams)?;
            let id = user_store::insert(tx, &username, &display_name, new.role, &hash, now)?;
            // The admin typed this password: the user chooses their own at first sign-in.
            user_store::require_password_change(tx, id)?;
            user_store::set_teams_of(tx, id, &new.teams)?;
            audit::append(
                tx,
                AuditEvent::new(AuditKind::UserCreated, Some(caller.user), subject(id), now)
                    .detail(serde_json::json!({ "role": new.role.as_str(), "teams": new.teams })),
            )?;
            summary(tx, &user_store::require(tx, id)?, now)
        })?;
        self.publish(Event::UserChanged { user: created.id });
        Ok(created)
    }

    pub fn set_role(
        &self,
        token: &SessionToken,
        user: UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "change roles")?;
        let changed = self.store.write(|tx| {
            let row = user_store::require(tx, user)?;
            if row.role == Role::Admin
                && role != Role::Admin
                && !row.disabled
                && user_store::count_admins(tx)? <= 1
            {
                return Err(CoreError::Conflict(
                    "This is the last admin; make another user admin first.".into(),
                ));
            }
            user_store::set_role(tx, user, role)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::RoleChanged,
                    Some(caller.user),
                    subject(user),
                    now,
                )
                .detail(serde_json::json!({ "from": row.role.as_str(), "to": role.as_str() })),
            )?;
            summary(tx, &user_store::require(tx, user)?, now)
        })?;
        self.publish(Event::UserChanged { user });
        Ok(changed)
    }

    pub fn set_teams(
        &self,
        token: &SessionToken,
        user: UserId,
        teams: Vec<TeamId>,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "change team membership")?;
        let changed = self.store.write(|tx| {
            user_store::require(tx, user)?;
            check_teams(tx, &teams)?;
            let before = user_store::team_ids_of(tx, user)?;
            user_store::set_teams_of(tx, user, &teams)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::TeamsChanged,
                    Some(caller.user),
                    subject(user),
                    now,
                )
                .detail(serde_json::json!({ "from": before, "to": teams })),
            )?;
            summary(tx, &user_store::require(tx, user)?, now)
        })?;
        self.publish(Event::UserChanged { user });
        Ok(changed)
    }

    /// Disables a user and ends their sessions at once.
    pub fn disable_user(
        &self,
        token: &SessionToken,
        user: UserId,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "disable users")?;
        if caller.user == user {
            return Err(CoreError::Conflict(
                "You cannot disable your own account.".into(),
            ));
        }
        let changed = self.store.write(|tx| {
            let row = user_store::require(tx, user)?;
            if row.role == Role::Admin && !row.disabled && user_store::count_admins(tx)? <= 1 {
                return Err(CoreError::Conflict("This is the last admin.".into()));
            }
            user_store::set_disabled(tx, user, true)?;
            let ended = sessions::end_all_of(tx, user, now)?;
            let returned = crate::service::steps::return_all_to_queue(tx, user, caller.user, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::UserDisabled,
                    Some(caller.user),
                    subject(user),
                    now,
                )
                .detail(serde_json::json!({
                    "sessions_ended": ended,
                    "conversations_returned": returned.len(),
                })),
            )?;
            Ok((summary(tx, &user_store::require(tx, user)?, now)?, returned))
        })?;
        let (changed, returned) = changed;
        for e in returned {
            self.publish(e);
        }
        self.publish(Event::UserChanged { user });
        self.notify_sessions_ended(user);
        Ok(changed)
    }

    pub fn enable_user(
        &self,
        token: &SessionToken,
        user: UserId,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "enable users")?;
        let changed = self.store.write(|tx| {
            user_store::require(tx, user)?;
            user_store::set_disabled(tx, user, false)?;
            user_store::set_failures(tx, user, 0, Timestamp::from_unix(0))?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::UserEnabled,
                    Some(caller.user),
                    subject(user),
                    now,
                ),
            )?;
            summary(tx, &user_store::require(tx, user)?, now)
        })?;
        self.publish(Event::UserChanged { user });
        Ok(changed)
    }

    /// Resets a lost authenticator: the admin confirms with their own current code; the
    /// user's secret and recovery codes are removed, their sessions end, and at next
    /// sign-in they choose a new password and enrol again.
    pub fn reset_authenticator(
        &self,
        token: &SessionToken,
        user: UserId,
        admin_code: &str,
        now: Timestamp,
    ) -> Result<UserSummary> {
        let caller = self.authorize(token, now, Role::Admin, "reset authenticators")?;
        let outcome = self.store.write(|tx| {
            // The admin's own code, on re-authentication's own failure counter, so a
            // stolen session cannot guess it.
            let admin = user_store::require(tx, caller.user)?;
            if let Err(refused) = super::password::check_own_code(tx, &admin, admin_code, now)? {
                return Ok(Err(refused));
            }
            user_store::require(tx, user)?;
            user_store::set_totp(tx, user, None, false)?;
            user_store::replace_recovery_codes(tx, user, &[])?;
            // Whoever knows the password the user has now must not be able to enrol in
            // their place: the user chooses a new one first.
            user_store::require_password_change(tx, user)?;
            let ended = sessions::end_all_of(tx, user, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::TwoFactorReset,
                    Some(caller.user),
                    subject(user),
                    now,
                )
                .detail(serde_json::json!({ "sessions_ended": ended })),
            )?;
            Ok(Ok(summary(tx, &user_store::require(tx, user)?, now)?))
        })?;
        let changed = outcome?;
        self.publish(Event::UserChanged { user });
        self.notify_sessions_ended(user);
        Ok(changed)
    }

    pub fn list_teams(&self, token: &SessionToken, now: Timestamp) -> Result<Vec<TeamSummary>> {
        self.authorize(token, now, Role::Agent, "list teams")?;
        self.store.read(|c| {
            Ok(user_store::list_teams(c)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    pub fn create_team(
        &self,
        token: &SessionToken,
        name: &str,
        now: Timestamp,
    ) -> Result<TeamSummary> {
        let caller = self.authorize(token, now, Role::Admin, "create teams")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > TEAM_NAME_MAX_CHARS {
            return Err(CoreError::invalid("team name", "use 1 to 80 characters"));
        }
        self.store.write(|tx| {
            let id = user_store::insert_team(tx, name, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::TeamCreated,
                    Some(caller.user),
                    format!("team:{id}"),
                    now,
                ),
            )?;
            Ok(TeamSummary {
                id,
                name: name.to_string(),
                members: 0,
            })
        })
    }
}
