//! Encrypted backups: an online, consistent copy of the database (one read snapshot, so
//! writes may go on) under its own passphrase, checked after writing; verification of a
//! backup file; and restoring one into a new folder under a new key.
//!
//! File layout: the line `APPCARE-BACKUP 1`, a 4-byte big-endian header length, the header
//! (JSON: workspace, time, schema, SHA-256 and length of the database, and the backup's
//! database key wrapped under the backup passphrase with Argon2id + XChaCha20-Poly1305),
//! then the database bytes (SQLCipher, encrypted under that key).

use super::{KeySource, Workspace, WorkspaceDir, WorkspaceInfo, MARKER_FORMAT};
use crate::audit::{self, AuditEvent, AuditKind};
use crate::error::{CoreError, Result};
use crate::fs::{is_occupied_dir, write_new_file};
use crate::keys::{key_file, os_keyring, KeyStoreKind};
use crate::secret::{DbKey, Password};
use crate::store::backup::count_rows;
use crate::store::{migrations, Store};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"APPCARE-BACKUP 1\n";
const KEY_AAD: &str = "appcare-backup";

#[derive(Serialize, Deserialize)]
struct Header {
    workspace_id: String,
    created_at: Timestamp,
    schema: i64,
    sha256: String,
    length: u64,
    key: serde_json::Value,
}

/// What a backup holds, as checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupReport {
    pub file: String,
    pub workspace_id: String,
    pub created_at: Timestamp,
    pub schema: i64,
    pub bytes: i64,
    pub conversations: i64,
    pub messages: i64,
    pub audit_rows: i64,
    pub audit_intact: bool,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CoreError + '_ {
    move |e| CoreError::invalid("backup file", format!("{}: {e}", path.display()))
}

/// A scratch path beside `target` that is removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// A scratch path in the system's temporary folder (backups may sit on read-only media).
fn scratch_temp(tag: &str) -> Scratch {
    let mut random = [0u8; 8];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    Scratch(std::env::temp_dir().join(format!("appcare-{tag}-{}", hex::encode(random))))
}

fn scratch_beside(target: &Path, tag: &str) -> Scratch {
    let mut random = [0u8; 6];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let name = format!(
        ".{}.{tag}-{}",
        target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("backup"),
        hex::encode(random)
    );
    Scratch(target.with_file_name(name))
}

fn wrap_key(key: &DbKey, passphrase: &Password) -> Result<serde_json::Value> {
    let scratch = scratch_temp("key");
    key_file::write(&scratch.0, key, passphrase, KEY_AAD)?;
    let bytes = std::fs::read(&scratch.0).map_err(io(&scratch.0))?;
    serde_json::from_slice(&bytes).map_err(|e| CoreError::Storage(e.to_string()))
}

fn unwrap_key(wrapped: &serde_json::Value, passphrase: &Password) -> Result<DbKey> {
    let scratch = scratch_temp("key");
    let bytes = serde_json::to_vec(wrapped).map_err(|e| CoreError::Storage(e.to_string()))?;
    write_new_file(&scratch.0, &bytes)?;
    key_file::read(&scratch.0, passphrase, KEY_AAD)
}

impl Workspace {
    /// Makes an encrypted, consistent copy of the workspace in `to` (which must not
    /// exist) under `passphrase`, then checks it. An operator's tool: it needs the
    /// workspace open (the key), no session. Audited with its size, never its content.
    pub fn backup_to(
        &self,
        to: &Path,
        passphrase: &Password,
        now: Timestamp,
    ) -> Result<BackupReport> {
        if to.exists() {
            return Err(CoreError::Conflict(format!(
                "{} already exists; choose a new file name.",
                to.display()
            )));
        }
        if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let key = DbKey::generate();
        let wrapped = wrap_key(&key, passphrase)?;
        let db = scratch_beside(to, "db");
        self.store.export_into(&db.0, &key)?;
        let data = std::fs::read(&db.0).map_err(io(&db.0))?;
        let header = Header {
            workspace_id: self.info.workspace_id.clone(),
            created_at: now,
            schema: self.store.read(migrations::current_version)?,
            sha256: hex::encode(Sha256::digest(&data)),
            length: data.len() as u64,
            key: wrapped,
        };
        let header = serde_json::to_vec(&header).map_err(|e| CoreError::Storage(e.to_string()))?;
        let mut file = Vec::with_capacity(MAGIC.len() + 4 + header.len() + data.len());
        file.write_all(MAGIC).map_err(io(to))?;
        file.write_all(&(header.len() as u32).to_be_bytes())
            .map_err(io(to))?;
        file.write_all(&header).map_err(io(to))?;
        file.write_all(&data).map_err(io(to))?;
        write_new_file(to, &file)?;
        let report = match verify_backup(to, passphrase) {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_file(to);
                return Err(e);
            }
        };
        self.store.write(|tx| {
            audit::append(
                tx,
                AuditEvent::new(AuditKind::BackupMade, None, "workspace", now).detail(
                    serde_json::json!({ "bytes": report.bytes, "messages": report.messages }),
                ),
            )
        })?;
        Ok(report)
    }

    /// Restores a backup into a new folder, under a new key kept as `key_source` says.
    pub fn restore_backup(
        file: &Path,
        passphrase: &Password,
        dir: &WorkspaceDir,
        key_source: KeySource,
        now: Timestamp,
    ) -> Result<Self> {
        if dir.exists() {
            return Err(CoreError::WorkspaceExists {
                path: dir.root.clone(),
            });
        }
        let (header, data) = read_file(file)?;
        let key = unwrap_key(&header.key, passphrase)?;
        check_digest(&header, &data)?;
        let created_folder = !dir.root.exists();
        if !created_folder && is_occupied_dir(&dir.root) {
            return Err(CoreError::invalid(
                "data folder",
                "choose a new or empty folder to restore into",
            ));
        }
        std::fs::create_dir_all(&dir.root).map_err(|e| {
            CoreError::invalid(
                "data folder",
                format!("cannot create {}: {e}", dir.root.display()),
            )
        })?;
        let info = WorkspaceInfo {
            format: MARKER_FORMAT,
            workspace_id: super::new_workspace_id(),
            key_store: match key_source {
                KeySource::Keyring => KeyStoreKind::Keyring,
                KeySource::Passphrase(_) => KeyStoreKind::Passphrase,
            },
            created_at: now,
        };
        let result = (|| -> Result<Self> {
            let copy = scratch_beside(&dir.database(), "restore");
            write_new_file(&copy.0, &data)?;
            let source = Store::open(&copy.0, &key)?;
            source.verify_integrity()?;
            let new_key = DbKey::generate();
            match &key_source {
                KeySource::Keyring => {
                    os_keyring::probe()?;
                    os_keyring::store(&info.workspace_id, &new_key)?;
                }
                KeySource::Passphrase(p) => {
                    key_file::write(&dir.key_file(), &new_key, p, &info.workspace_id)?
                }
            }
            source.export_into(&dir.database(), &new_key)?;
            drop(source);
            let marker = serde_json::to_vec_pretty(&info)
                .map_err(|e| CoreError::Storage(format!("could not encode workspace.json: {e}")))?;
            write_new_file(&dir.marker(), &marker)?;
            let ws = Workspace::open_with_key(dir, &new_key)?;
            ws.store.verify_integrity()?;
            ws.store.write(|tx| {
                audit::append(
                    tx,
                    AuditEvent::new(AuditKind::BackupRestored, None, "workspace", now).detail(serde_json::json!({
                        "from_workspace": header.workspace_id, "backup_made_at": header.created_at
                    })),
                )
            })?;
            Ok(ws)
        })();
        if result.is_err() {
            // Only what this restore made: the folder was new or empty.
            dir.remove_workspace_files();
            if created_folder {
                let _ = std::fs::remove_dir(&dir.root);
            }
            if info.key_store == KeyStoreKind::Keyring {
                let _ = os_keyring::delete(&info.workspace_id);
            }
        }
        result
    }
}

fn read_file(file: &Path) -> Result<(Header, Vec<u8>)> {
    let bytes = std::fs::read(file).map_err(io(file))?;
    let (header, data) = split(&bytes)?;
    Ok((header, data.to_vec()))
}

/// A backup file's header and database bytes, as far as they can be read without the
/// passphrase: magic, length, header JSON, the wrapped key's parameters, the checksum.
/// What the fuzz target `file_headers` feeds strangers' bytes to.
pub fn inspect_backup(bytes: &[u8]) -> Result<()> {
    let (header, data) = split(bytes)?;
    let key = serde_json::to_vec(&header.key).map_err(|e| CoreError::Storage(e.to_string()))?;
    key_file::inspect(&key)?;
    check_digest(&header, data)
}

fn split(bytes: &[u8]) -> Result<(Header, &[u8])> {
    let damaged = || CoreError::Tampered {
        detail: "this is not an Appcare backup, or it is damaged".into(),
    };
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(damaged)?;
    let (len, rest) = rest.split_at_checked(4).ok_or_else(damaged)?;
    let len = u32::from_be_bytes(len.try_into().map_err(|_| damaged())?) as usize;
    let (header, data) = rest.split_at_checked(len).ok_or_else(damaged)?;
    let header: Header = serde_json::from_slice(header).map_err(|_| damaged())?;
    Ok((header, data))
}

fn check_digest(header: &Header, data: &[u8]) -> Result<()> {
    if data.len() as u64 != header.length || hex::encode(Sha256::digest(data)) != header.sha256 {
        return Err(CoreError::Tampered {
            detail: "the backup's contents do not match its checksum".into(),
        });
    }
    Ok(())
}

/// Checks a backup: passphrase, checksum, every page's authentication code, SQLite's
/// structure check and the audit chain. Writes only a scratch copy, removed after.
pub fn verify_backup(file: &Path, passphrase: &Password) -> Result<BackupReport> {
    let (header, data) = read_file(file)?;
    let key = unwrap_key(&header.key, passphrase)?;
    check_digest(&header, &data)?;
    let copy = scratch_temp("verify");
    write_new_file(&copy.0, &data)?;
    let store = Store::open(&copy.0, &key)?;
    store.verify_integrity()?;
    let (conversations, messages, audit_rows, chain) = store.read(|c| {
        let count = |table: &str| count_rows(c, table);
        Ok((
            count("conversations")?,
            count("messages")?,
            count("audit_events")?,
            audit::verify(c)?,
        ))
    })?;
    Ok(BackupReport {
        file: file.display().to_string(),
        workspace_id: header.workspace_id,
        created_at: header.created_at,
        schema: header.schema,
        bytes: data.len() as i64,
        conversations,
        messages,
        audit_rows,
        audit_intact: matches!(chain, audit::ChainCheck::Intact { .. }),
    })
}
