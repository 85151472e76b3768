//! Moving a workspace to another folder as one safe operation: copy, verify the copy,
//! then wipe and remove the old files. Run it while no app has the workspace open.

use super::{KeyStoreKind, Workspace, WorkspaceDir};
use crate::audit::{self, AuditEvent, AuditKind};
use crate::error::{CoreError, Result};
use crate::secret::Password;
use crate::time::Timestamp;
use std::io::Write;
use std::path::Path;

fn io(path: &Path) -> impl Fn(std::io::Error) -> CoreError + '_ {
    move |e| CoreError::invalid("workspace folder", format!("{}: {e}", path.display()))
}

/// Copies one file, flushed to disk, readable by the owner only.
fn copy_synced(from: &Path, to: &Path) -> Result<()> {
    let data = std::fs::read(from).map_err(io(from))?;
    crate::fs::write_new_file(to, &data)
}

/// Overwrites a file with zeros, flushes, and removes it. On copy-on-write file systems
/// and SSDs the old blocks may survive; the data in them is encrypted either way.
fn wipe(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io(path))?;
    let zeros = vec![0u8; 64 * 1024];
    let mut left = meta.len();
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n]).map_err(io(path))?;
        left -= n as u64;
    }
    file.sync_all().map_err(io(path))?;
    drop(file);
    std::fs::remove_file(path).map_err(io(path))
}

impl Workspace {
    /// Moves the workspace in `from` to the new folder `to`: the database is checkpointed
    /// and closed, the files are copied, the copy is opened with the same key and checked
    /// (every page, structure, audit chain), the move is audited in the copy, and only
    /// then are the old files overwritten and removed. A failure before that leaves the
    /// old folder as it was and removes the partial copy.
    pub fn relocate(
        from: &WorkspaceDir,
        to: &WorkspaceDir,
        passphrase: Option<&Password>,
        now: Timestamp,
    ) -> Result<()> {
        if to.exists() {
            return Err(CoreError::WorkspaceExists {
                path: to.root.clone(),
            });
        }
        let old = Workspace::open(from, passphrase)?;
        // Held until the old files are wiped: nobody writes to them meanwhile.
        old.store.take_exclusively()?;
        let key_store = old.info.key_store;
        let fingerprint = |ws: &Workspace| -> Result<(i64, i64, Vec<u8>)> {
            ws.store.read(crate::store::backup::fingerprint)
        };
        let before = fingerprint(&old)?;
        let created_folder = !to.root.exists();
        if !created_folder && crate::fs::is_occupied_dir(&to.root) {
            return Err(CoreError::invalid(
                "new folder",
                "choose a new or empty folder",
            ));
        }
        std::fs::create_dir_all(&to.root).map_err(io(&to.root))?;
        let copied = (|| -> Result<()> {
            copy_synced(&from.marker(), &to.marker())?;
            copy_synced(&from.database(), &to.database())?;
            if key_store == KeyStoreKind::Passphrase {
                copy_synced(&from.key_file(), &to.key_file())?;
            }
            let copy = Workspace::open(to, passphrase)?;
            copy.store.verify_integrity()?;
            if fingerprint(&copy)? != before {
                return Err(CoreError::Tampered {
                    detail: "the copy differs from the original".into(),
                });
            }
            let chain = copy.store.read(audit::verify)?;
            if !matches!(chain, audit::ChainCheck::Intact { .. }) {
                return Err(CoreError::Tampered {
                    detail: "the copy's audit chain does not verify".into(),
                });
            }
            copy.store.write(|tx| {
                audit::append(
                    tx,
                    AuditEvent::new(AuditKind::WorkspaceMoved, None, "workspace", now).detail(serde_json::json!({
                        "from": from.root().display().to_string(), "to": to.root().display().to_string()
                    })),
                )
            })?;
            copy.store.checkpoint()?;
            drop(copy);
            // The new folder's entries are on disk before the old files go.
            if let Ok(folder) = std::fs::File::open(&to.root) {
                let _ = folder.sync_all();
            }
            Ok(())
        })();
        if let Err(e) = copied {
            // Only what this move made: the folder was new or empty.
            to.remove_workspace_files();
            if created_folder {
                let _ = std::fs::remove_dir(&to.root);
            }
            return Err(e);
        }
        drop(old);
        for suffix in ["-wal", "-shm"] {
            wipe(&from.root.join(format!("{}{suffix}", super::DATABASE)))?;
        }
        wipe(&from.database())?;
        wipe(&from.key_file())?;
        wipe(&from.marker())?;
        let _ = std::fs::remove_dir(&from.root);
        Ok(())
    }
}
