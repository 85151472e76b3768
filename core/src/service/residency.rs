//! Where the data lives and what may leave: the egress allowlist, the retention policy
//! per channel, the residency report, and the system's scheduled purge.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::privacy::egress::EgressPolicy;
use crate::secret::SessionToken;
use crate::store::{attachments, channel_accounts, retention, settings};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

const RETENTION_CHANNELS: [Channel; 3] = [Channel::WhatsApp, Channel::Messenger, Channel::Email];
/// The longest retention an admin can set (ten years).
pub const RETENTION_MAX_DAYS: i64 = 3650;

/// Days messages are kept per channel; 0 keeps them until someone deletes them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetentionPolicy {
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = RETENTION_MAX_DAYS)))]
    pub whatsapp_days: i64,
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = RETENTION_MAX_DAYS)))]
    pub messenger_days: i64,
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = RETENTION_MAX_DAYS)))]
    pub email_days: i64,
}

impl RetentionPolicy {
    fn days(&self, channel: Channel) -> i64 {
        match channel {
            Channel::WhatsApp => self.whatsapp_days,
            Channel::Messenger => self.messenger_days,
            Channel::Email => self.email_days,
        }
    }
}

/// One channel's purge: what went (counts only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PurgeRun {
    pub channel: String,
    pub cutoff: Timestamp,
    pub messages: i64,
    pub attachments: i64,
    pub conversations: i64,
}

/// Where each kind of data lives, for the admin page and `appcare residency`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResidencyReport {
    pub region: String,
    pub data_folder: String,
    pub volume: String,
    pub database_bytes: i64,
    pub attachments_bytes: i64,
    pub key_store: String,
    /// One line per channel account: where the provider keeps its copy.
    pub channel_accounts: Vec<String>,
    pub mail_servers: Vec<String>,
    pub hub: Option<String>,
    pub backups: Vec<String>,
    pub allowed_hosts: Vec<String>,
    pub retention: RetentionPolicy,
}

fn retention(conn: &Connection) -> Result<RetentionPolicy> {
    Ok(RetentionPolicy {
        whatsapp_days: settings::retention_days(conn, Channel::WhatsApp)?,
        messenger_days: settings::retention_days(conn, Channel::Messenger)?,
        email_days: settings::retention_days(conn, Channel::Email)?,
    })
}

/// The mount that holds `path` (from /proc/mounts where there is one).
fn volume_of(path: &std::path::Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return "unknown (no /proc/mounts)".into();
    };
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?, f.next()?, f.next()?))
        })
        .filter(|(_, mount, _)| path.starts_with(mount))
        .max_by_key(|(_, mount, _)| mount.len())
        .map(|(device, mount, fs)| format!("{mount} ({fs} on {device})"))
        .unwrap_or_else(|| "unknown".into())
}

/// The report without a session, for `appcare residency` run by the operator who holds
/// the workspace key.
pub fn report_offline(ws: &Workspace) -> Result<ResidencyReport> {
    report(ws)
}

pub(crate) fn report(ws: &Workspace) -> Result<ResidencyReport> {
    let dir = ws.dir().root().to_path_buf();
    let database_bytes = ["appcare.db", "appcare.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len() as i64)
        .sum();
    ws.store.read(|c| {
        let region = settings::region(c)?.unwrap_or_default();
        let attachments_bytes = attachments::total_size(c)?;
        let views = channel_accounts::views(c)?;
        let mail_servers = views
            .iter()
            .filter_map(|a| a.email.as_ref().map(|e| (a, e)))
            .map(|(a, e)| {
                format!(
                    "{} ({}): the mailbox stays on {} (synced read-only); replies leave through {}",
                    a.name, e.address, e.imap, e.smtp
                )
            })
            .collect();
        let channel_accounts = views
            .into_iter()
            .map(|a| match (a.kind.as_str(), &a.local_storage) {
                ("whatsapp", Some(l)) => format!(
                    "WhatsApp {} ({}): Meta's copy at rest: {}{}",
                    a.name,
                    a.external_id,
                    l.status,
                    l.region
                        .as_deref()
                        .map(|r| format!(" in {r}"))
                        .unwrap_or_default()
                ),
                ("whatsapp", None) => format!(
                    "WhatsApp {} ({}): Meta's in-country storage not read yet",
                    a.name, a.external_id
                ),
                ("messenger", _) => format!(
                    "Messenger {} ({}): Meta keeps its copy in Meta's data centres",
                    a.name, a.external_id
                ),
                ("email", _) => format!(
                    "E-mail {} ({}): the provider's copy stays in the mailbox (see mail servers)",
                    a.name, a.external_id
                ),
                (kind, _) => format!("{kind} {} ({})", a.name, a.external_id),
            })
            .collect();
        let backups = settings::backups(c)?
            .folder
            .filter(|f| !f.is_empty())
            .map(|f| {
                format!(
                    "scheduled encrypted backups in {f} ({})",
                    volume_of(std::path::Path::new(&f))
                )
            })
            .into_iter()
            .collect();
        Ok(ResidencyReport {
            region,
            data_folder: dir.display().to_string(),
            volume: volume_of(&dir),
            database_bytes,
            attachments_bytes,
            key_store: ws.info().key_store.as_str().to_string(),
            channel_accounts,
            mail_servers,
            hub: None,
            backups,
            allowed_hosts: settings::egress_policy(c)?.hosts,
            retention: retention(c)?,
        })
    })
}

impl Workspace {
    pub fn egress_allowlist(&self, token: &SessionToken, now: Timestamp) -> Result<EgressPolicy> {
        self.authorize(token, now, Role::Admin, "see the allowed hosts")?;
        self.store.read(settings::egress_policy)
    }

    /// Replaces the hosts this workspace may connect to (audited with the old and new list).
    pub fn set_egress_allowlist(
        &self,
        token: &SessionToken,
        hosts: &[String],
        now: Timestamp,
    ) -> Result<EgressPolicy> {
        let caller = self.authorize(token, now, Role::Admin, "change the allowed hosts")?;
        let policy = EgressPolicy::parse(hosts)?;
        self.store.write(|tx| {
            let before = settings::egress_policy(tx)?;
            settings::set_egress_policy(tx, &policy)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::EgressAllowlistChanged,
                    Some(caller.user),
                    "workspace",
                    now,
                )
                .detail(serde_json::json!({ "from": before.hosts, "to": policy.hosts })),
            )
        })?;
        self.publish(Event::SettingsChanged);
        Ok(policy)
    }

    pub fn retention_policy(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<RetentionPolicy> {
        self.authorize(token, now, Role::Admin, "see the retention policy")?;
        self.store.read(retention)
    }

    /// Sets how many days messages are kept per channel (0 = keep).
    pub fn set_retention_policy(
        &self,
        token: &SessionToken,
        policy: RetentionPolicy,
        now: Timestamp,
    ) -> Result<RetentionPolicy> {
        let caller = self.authorize(token, now, Role::Admin, "change the retention policy")?;
        for channel in RETENTION_CHANNELS {
            let days = policy.days(channel);
            if !(0..=RETENTION_MAX_DAYS).contains(&days) {
                return Err(CoreError::invalid(
                    "retention",
                    format!(
                        "{}: between 0 (keep) and {RETENTION_MAX_DAYS} days",
                        channel.as_str()
                    ),
                ));
            }
        }
        self.store.write(|tx| {
            let before = retention(tx)?;
            for channel in RETENTION_CHANNELS {
                settings::set_retention_days(tx, channel, policy.days(channel))?;
            }
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::RetentionChanged,
                    Some(caller.user),
                    "workspace",
                    now,
                )
                .detail(serde_json::json!({ "from": before, "to": policy })),
            )
        })?;
        self.publish(Event::SettingsChanged);
        Ok(policy)
    }

    /// Where each kind of data lives.
    pub fn residency_report(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<ResidencyReport> {
        self.authorize(token, now, Role::Admin, "see where data lives")?;
        report(self)
    }

    /// The system's housekeeping (no session): retention purges.
    pub fn maintenance(&self) -> Maintenance<'_> {
        Maintenance { ws: self }
    }
}

/// See [`Workspace::maintenance`].
pub struct Maintenance<'a> {
    ws: &'a Workspace,
}

impl Maintenance<'_> {
    pub(crate) fn workspace(&self) -> &Workspace {
        self.ws
    }

    /// Deletes messages older than each channel's retention (attachments, search entries,
    /// queued work with them), and conversations with nothing newer; audits each channel's
    /// counts; then rewrites the search index and reclaims the freed pages.
    pub fn purge_expired(&self, now: Timestamp) -> Result<Vec<PurgeRun>> {
        let runs = self.ws.store.write(|tx| {
            let policy = retention(tx)?;
            let mut runs = Vec::new();
            for channel in RETENTION_CHANNELS {
                let days = policy.days(channel);
                if days <= 0 {
                    continue;
                }
                let cutoff = now.plus_seconds(-days * 86_400);
                let (attachments, messages) = retention::purge_messages(tx, channel, cutoff)?;
                if channel == Channel::Email {
                    // Mail set aside by the sync is e-mail content too.
                    retention::purge_set_aside(tx, cutoff)?;
                } else {
                    // So are webhook items set aside for an admin.
                    crate::store::webhook_set_aside::purge(tx, channel, cutoff)?;
                }
                let notes = retention::purge_notes(tx, channel, cutoff)?;
                let conversations = retention::purge_empty_conversations(tx, channel, cutoff)?;
                let contacts = retention::purge_orphan_contacts(tx, channel, cutoff)?;
                if channel == Channel::Messenger {
                    retention::purge_receipts_and_tasks(tx, cutoff)?;
                }
                if messages == 0 && conversations == 0 && notes == 0 && contacts == 0 {
                    continue;
                }
                let run = PurgeRun {
                    channel: channel.as_str().into(),
                    cutoff,
                    messages,
                    attachments,
                    conversations,
                };
                audit::append(
                    tx,
                    AuditEvent::new(
                        AuditKind::RetentionPurged,
                        None,
                        format!("channel:{}", channel.as_str()),
                        now,
                    )
                    .detail(serde_json::json!({
                        "days": days, "cutoff": cutoff, "messages": messages,
                        "attachments": attachments, "conversations": conversations,
                        "notes": notes, "contacts": contacts
                    })),
                )?;
                runs.push(run);
            }
            if !runs.is_empty() {
                retention::optimize_search(tx)?;
            }
            // People's status history is kept only as long as a report can look back.
            crate::store::agent_status::purge_before(
                tx,
                now.plus_seconds(-crate::reports::figures::MAX_RANGE_DAYS * 86_400),
            )?;
            Ok(runs)
        })?;
        if !runs.is_empty() {
            self.ws.store.checkpoint()?;
            // Freed pages are zeroed (secure_delete) and reused; the file is rebuilt to
            // give them back once they are a tenth of it, not on every hourly run.
            let (free, pages) = self.ws.store.read(retention::free_pages)?;
            if free * 10 >= pages {
                self.ws.store.vacuum()?;
            }
            for run in &runs {
                tracing::info!(channel = %run.channel, messages = run.messages, "retention purge");
            }
            self.ws.publish(Event::SettingsChanged);
        }
        Ok(runs)
    }
}
