//! Workspace-wide calls: the first screen's overview, the session policy, and the audit
//! trail (chain check and recent events).

use super::{policy, SessionPolicy};
use crate::audit::{self, AuditEvent, AuditKind, ChainCheck};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::AuditId;
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::{audit_log, settings, users as user_store};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::Serialize;

/// The first screen: what this workspace is and holds, from the store itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Overview {
    pub workspace_id: String,
    pub region: String,
    pub data_dir: String,
    pub key_store: String,
    pub schema_version: i64,
    pub users: i64,
    pub teams: i64,
    pub conversations: i64,
    pub open_conversations: i64,
    pub messages: i64,
    pub audit_events: i64,
}

/// One audit row as admins read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor: Option<String>,
    pub kind: String,
    pub subject: String,
    pub detail: String,
}

/// The chain check as shown to admins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditStatus {
    pub intact: bool,
    pub rows: u64,
    pub first_broken_row: Option<AuditId>,
    pub message: String,
}

impl From<ChainCheck> for AuditStatus {
    fn from(check: ChainCheck) -> Self {
        match check {
            ChainCheck::Intact { rows } => Self {
                intact: true,
                rows,
                first_broken_row: None,
                message: format!("The audit trail is intact ({rows} events)."),
            },
            ChainCheck::Broken { row, reason } => Self {
                intact: false,
                rows: 0,
                first_broken_row: Some(row),
                message: format!("The audit trail was altered at row {row}: {reason}."),
            },
        }
    }
}

impl Workspace {
    pub fn overview(&self, token: &SessionToken, now: Timestamp) -> Result<Overview> {
        self.authorize(token, now, Role::Agent, "see the workspace overview")?;
        self.store.read(|c| {
            Ok(Overview {
                workspace_id: self.info.workspace_id.clone(),
                region: settings::region(c)?.unwrap_or_default(),
                data_dir: self.dir.root().display().to_string(),
                key_store: self.info.key_store.as_str().to_string(),
                schema_version: crate::store::migrations::current_version(c)?,
                users: user_store::count(c)?,
                teams: user_store::team_count(c)?,
                conversations: conv_store::count(c)?,
                open_conversations: conv_store::count_open(c)?,
                messages: conv_store::count_messages(c)?,
                audit_events: audit_log::count(c)?,
            })
        })
    }

    pub fn session_policy(&self, token: &SessionToken, now: Timestamp) -> Result<SessionPolicy> {
        self.authorize(token, now, Role::Agent, "see the session policy")?;
        self.store.read(policy)
    }

    /// Idle lock 1–480 minutes; absolute limit 1–72 hours and not shorter than the idle lock.
    pub fn set_session_policy(
        &self,
        token: &SessionToken,
        new: SessionPolicy,
        now: Timestamp,
    ) -> Result<SessionPolicy> {
        let caller = self.authorize(token, now, Role::Admin, "change the session policy")?;
        if !(1..=crate::service::IDLE_MINUTES_MAX).contains(&new.idle_minutes) {
            return Err(CoreError::invalid("idle lock", "choose 1 to 480 minutes"));
        }
        if !(1..=crate::service::ABSOLUTE_HOURS_MAX).contains(&new.absolute_hours) {
            return Err(CoreError::invalid("session limit", "choose 1 to 72 hours"));
        }
        if new.idle_minutes > new.absolute_hours * 60 {
            return Err(CoreError::invalid(
                "idle lock",
                "the idle lock must not be longer than the session limit",
            ));
        }
        self.store.write(|tx| {
            let old = policy(tx)?;
            settings::set_session_limits(tx, new.idle_minutes, new.absolute_hours)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::SettingsChanged,
                    Some(caller.user),
                    "settings:session_policy",
                    now,
                )
                .detail(serde_json::json!({
                    "idle_minutes": { "from": old.idle_minutes, "to": new.idle_minutes },
                    "absolute_hours": { "from": old.absolute_hours, "to": new.absolute_hours },
                })),
            )?;
            Ok(())
        })?;
        self.publish(Event::SettingsChanged);
        Ok(new)
    }

    pub fn verify_audit(&self, token: &SessionToken, now: Timestamp) -> Result<AuditStatus> {
        self.authorize(token, now, Role::Admin, "check the audit trail")?;
        self.store.read(|c| Ok(audit::verify(c)?.into()))
    }

    pub fn recent_audit(
        &self,
        token: &SessionToken,
        kind: Option<&str>,
        limit: i64,
        now: Timestamp,
    ) -> Result<Vec<AuditEntry>> {
        self.authorize(token, now, Role::Admin, "read the audit trail")?;
        let filter = AuditFilter {
            kind: kind.map(str::to_string),
            ..AuditFilter::default()
        };
        self.store
            .read(|c| self.audit_rows(c, &filter, limit.clamp(1, 1000)))
    }
}

/// What an admin narrows the audit trail to. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditFilter {
    /// Username of the actor.
    pub user: Option<String>,
    /// e.g. `conversation:12`, `contact:5`, `user:3`.
    pub subject: Option<String>,
    pub kind: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub limit: i64,
}

/// Where an audit export was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditExport {
    pub path: String,
    pub rows: i64,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Workspace {
    fn audit_rows(
        &self,
        c: &rusqlite::Connection,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let actor = match blank(&filter.user) {
            Some(name) => match user_store::by_username(c, name)? {
                Some(u) => Some(u.id.get()),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let rows = audit_log::filtered(
            c,
            actor,
            blank(&filter.subject),
            blank(&filter.kind),
            filter.from.map(Timestamp::unix),
            filter.to.map(Timestamp::unix),
            limit,
        )?;
        let mut names: std::collections::HashMap<crate::ids::UserId, Option<String>> =
            std::collections::HashMap::new();
        rows.into_iter()
            .map(|row| {
                let actor = match row.actor {
                    Some(id) => match names.entry(id) {
                        std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
                        std::collections::hash_map::Entry::Vacant(e) => e
                            .insert(user_store::by_id(c, id)?.map(|u| u.username))
                            .clone(),
                    },
                    None => None,
                };
                Ok(AuditEntry {
                    id: row.id,
                    at: row.at,
                    actor,
                    kind: row.kind,
                    subject: row.subject,
                    detail: row.detail,
                })
            })
            .collect()
    }

    /// The audit trail narrowed by user, subject, kind and time (up to 1,000 rows).
    pub fn search_audit(
        &self,
        token: &SessionToken,
        filter: &AuditFilter,
        now: Timestamp,
    ) -> Result<Vec<AuditEntry>> {
        self.authorize(token, now, Role::Admin, "read the audit trail")?;
        self.store
            .read(|c| self.audit_rows(c, filter, filter.limit.clamp(1, 1000)))
    }

    /// Writes every matching row (up to 100,000) with the chain check as JSON into a new
    /// file under `destination`.
    pub fn export_audit(
        &self,
        token: &SessionToken,
        filter: &AuditFilter,
        destination: &std::path::Path,
        now: Timestamp,
    ) -> Result<AuditExport> {
        self.authorize(token, now, Role::Admin, "export the audit trail")?;
        let (rows, chain) = self.store.read(|c| {
            Ok((
                self.audit_rows(c, filter, 100_000)?,
                AuditStatus::from(audit::verify(c)?),
            ))
        })?;
        let document = serde_json::json!({
            "format": "appcare-audit-export/1",
            "exported_at": now.to_rfc3339(),
            "chain": chain,
            "filter": {
                "user": filter.user, "subject": filter.subject, "kind": filter.kind,
                "from": filter.from, "to": filter.to
            },
            "events": rows,
        });
        let path = destination.join(format!("appcare-audit-{}.json", now.unix()));
        let bytes =
            serde_json::to_vec_pretty(&document).map_err(|e| CoreError::Storage(e.to_string()))?;
        std::fs::create_dir_all(destination).map_err(|e| {
            CoreError::invalid(
                "export folder",
                format!("cannot use {}: {e}", destination.display()),
            )
        })?;
        crate::fs::write_new_file(&path, &bytes)?;
        Ok(AuditExport {
            path: path.display().to_string(),
            rows: rows.len() as i64,
        })
    }
}

/// The chain check without a session, for `appcare audit verify` run by the machine's
/// operator who holds the workspace key.
pub fn verify_audit_offline(workspace: &Workspace) -> Result<ChainCheck> {
    workspace.store.read(audit::verify)
}

/// Inbox policy: auto-assignment cap (0 = off) and whether going away or being disabled
/// returns a person's open conversations to the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InboxSettings {
    pub auto_assign_cap: i64,
    pub return_on_away: bool,
    /// Mask card numbers and IBANs in messages before they are stored (default on).
    pub mask_sensitive_data: bool,
}

/// A colleague one can hand a conversation to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Colleague {
    pub id: crate::ids::UserId,
    /// What a note types after `@` to mention them.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub available: bool,
    pub teams: Vec<crate::ids::TeamId>,
}

impl Workspace {
    pub fn inbox_settings(&self, token: &SessionToken, now: Timestamp) -> Result<InboxSettings> {
        self.authorize(token, now, Role::Agent, "see the inbox settings")?;
        self.store.read(|c| {
            Ok(InboxSettings {
                auto_assign_cap: settings::auto_assign_cap(c)?,
                return_on_away: settings::return_on_away(c)?,
                mask_sensitive_data: settings::masking(c)?,
            })
        })
    }

    pub fn set_inbox_settings(
        &self,
        token: &SessionToken,
        new: InboxSettings,
        now: Timestamp,
    ) -> Result<InboxSettings> {
        let caller = self.authorize(token, now, Role::Admin, "change the inbox settings")?;
        if !(0..=500).contains(&new.auto_assign_cap) {
            return Err(CoreError::invalid(
                "auto-assignment cap",
                "choose 0 (off) to 500",
            ));
        }
        self.store.write(|tx| {
            settings::set_auto_assign_cap(tx, new.auto_assign_cap)?;
            settings::set_return_on_away(tx, new.return_on_away)?;
            settings::set_masking(tx, new.mask_sensitive_data)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::SettingsChanged,
                    Some(caller.user),
                    "settings:inbox",
                    now,
                )
                .detail(serde_json::json!({
                    "auto_assign_cap": new.auto_assign_cap,
                    "return_on_away": new.return_on_away,
                    "mask_sensitive_data": new.mask_sensitive_data,
                })),
            )?;
            Ok(())
        })?;
        self.publish(Event::SettingsChanged);
        Ok(new)
    }

    /// Everyone enabled, for choosing whom to hand a conversation to.
    pub fn list_colleagues(&self, token: &SessionToken, now: Timestamp) -> Result<Vec<Colleague>> {
        self.authorize(token, now, Role::Agent, "list colleagues")?;
        self.store.read(|c| {
            user_store::list(c)?
                .into_iter()
                .filter(|u| !u.disabled)
                .map(|u| {
                    Ok(Colleague {
                        teams: user_store::team_ids_of(c, u.id)?,
                        id: u.id,
                        username: u.username,
                        display_name: u.display_name,
                        role: u.role,
                        available: u.available,
                    })
                })
                .collect()
        })
    }
}
