//! Scheduled backups: the folder, how often, how many copies to keep, and the backup
//! passphrase (kept inside the encrypted workspace, never shown back). The system's
//! maintenance makes the copies and removes the oldest beyond `keep`.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::secret::{Password, SessionToken};
use crate::service::residency::Maintenance;
use crate::store::settings;
use crate::time::Timestamp;
use crate::workspace::backup::BackupReport;
use crate::workspace::Workspace;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The schedule as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupSchedule {
    /// None: no scheduled backups.
    pub folder: Option<String>,
    pub every_hours: i64,
    pub keep: i64,
    pub has_passphrase: bool,
    pub last_backup_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

fn schedule(conn: &rusqlite::Connection) -> Result<BackupSchedule> {
    let stored = settings::backups(conn)?;
    let last = stored.last_at;
    Ok(BackupSchedule {
        folder: stored.folder.filter(|f| !f.is_empty()),
        every_hours: stored.every_hours,
        keep: stored.keep,
        has_passphrase: settings::backup_passphrase(conn)?.is_some_and(|p| !p.is_empty()),
        last_backup_at: (last > 0).then(|| Timestamp::from_unix(last)),
        last_error: stored.last_error.filter(|e| !e.is_empty()),
    })
}

/// Whether `path` is (or would be) inside `root`, after resolving `..` and symlinks as far
/// as the folders exist.
fn inside(path: &Path, root: &Path) -> bool {
    let resolve = |p: &Path| -> PathBuf {
        let mut existing = p.to_path_buf();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (
                existing.file_name().map(|n| n.to_os_string()),
                existing.parent(),
            ) {
                (Some(name), Some(parent)) => {
                    rest.push(name);
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
        for name in rest.into_iter().rev() {
            out.push(name);
        }
        out
    };
    resolve(path).starts_with(resolve(root))
}

/// `appcare-backup-<workspace>-<unix time>.acbk`: sortable by time.
fn backup_name(workspace_id: &str, now: Timestamp) -> String {
    format!("appcare-backup-{workspace_id}-{:012}.acbk", now.unix())
}

impl Workspace {
    pub fn backup_schedule(&self, token: &SessionToken, now: Timestamp) -> Result<BackupSchedule> {
        self.authorize(token, now, Role::Admin, "see the backup schedule")?;
        self.store.read(schedule)
    }

    /// Sets (or, with no folder, turns off) scheduled backups. A new passphrase replaces
    /// the stored one; `None` keeps it.
    pub fn set_backup_schedule(
        &self,
        token: &SessionToken,
        folder: Option<&str>,
        every_hours: i64,
        keep: i64,
        passphrase: Option<&Password>,
        now: Timestamp,
    ) -> Result<BackupSchedule> {
        let caller = self.authorize(token, now, Role::Admin, "change the backup schedule")?;
        let folder = folder.map(str::trim).filter(|f| !f.is_empty());
        if !(1..=720).contains(&every_hours) {
            return Err(CoreError::invalid("backups", "every 1 to 720 hours"));
        }
        if !(1..=365).contains(&keep) {
            return Err(CoreError::invalid("backups", "keep 1 to 365 copies"));
        }
        if let Some(p) = passphrase {
            if p.expose().chars().count() < 12 {
                return Err(CoreError::invalid(
                    "backup passphrase",
                    "use at least 12 characters",
                ));
            }
        }
        if let Some(f) = folder {
            let path = Path::new(f);
            if !path.is_absolute() {
                return Err(CoreError::invalid(
                    "backup folder",
                    "give a full path, e.g. /srv/backups/appcare",
                ));
            }
            if inside(path, self.dir().root()) {
                return Err(CoreError::invalid(
                    "backup folder",
                    "choose a folder outside the workspace's own folder",
                ));
            }
        }
        self.store.write(|tx| {
            let stored = settings::backup_passphrase(tx)?.is_some_and(|p| !p.is_empty());
            if folder.is_some() && passphrase.is_none() && !stored {
                return Err(CoreError::invalid("backup passphrase", "set a passphrase for the backups"));
            }
            settings::set_backup_schedule(tx, folder.unwrap_or(""), every_hours, keep)?;
            if let Some(p) = passphrase {
                settings::set_backup_passphrase(tx, p.expose())?;
            }
            audit::append(
                tx,
                AuditEvent::new(AuditKind::SettingsChanged, Some(caller.user), "backups", now).detail(serde_json::json!({
                    "folder": folder, "every_hours": every_hours, "keep": keep, "passphrase_changed": passphrase.is_some()
                })),
            )?;
            schedule(tx)
        })
    }
}

impl Maintenance<'_> {
    /// Makes the scheduled backup when one is due, then keeps only the newest `keep`.
    pub fn run_scheduled_backup(&self, now: Timestamp) -> Result<Option<BackupReport>> {
        let ws = self.workspace();
        let (plan, passphrase) = ws
            .store
            .read(|c| Ok((schedule(c)?, settings::backup_passphrase(c)?)))?;
        let (Some(folder), Some(passphrase)) = (plan.folder, passphrase.filter(|p| !p.is_empty()))
        else {
            return Ok(None);
        };
        if plan
            .last_backup_at
            .is_some_and(|last| now.seconds_since(last) < plan.every_hours * 3600)
        {
            return Ok(None);
        }
        let folder = PathBuf::from(folder);
        let id = ws.info().workspace_id.clone();
        let result = ws.backup_to(
            &folder.join(backup_name(&id, now)),
            &Password::new(passphrase),
            now,
        );
        ws.store.write(|tx| {
            let error = result
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            settings::set_backup_outcome(tx, now, &error)
        })?;
        let report = result?;
        // Rotation: the newest `keep` copies of this workspace stay.
        let prefix = format!("appcare-backup-{id}-");
        let mut ours: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".acbk"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        ours.sort();
        let excess = ours.len().saturating_sub(plan.keep.max(1) as usize);
        for old in ours.into_iter().take(excess) {
            let _ = std::fs::remove_file(old);
        }
        Ok(Some(report))
    }
}
