//! Files and folders the workspace writes: new files readable by the owner only, private
//! folders, and the quiet clean-up that undoes a half-made workspace.

use crate::error::{CoreError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes a file that must not exist yet, flushed to disk, readable by the owner only.
pub fn write_new_file(path: &Path, contents: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| CoreError::Storage(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| CoreError::Storage(format!("cannot write {}: {e}", path.display())))
}

/// Creates one folder (its parent must exist) that only the owner may enter.
pub(crate) fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Creates `path` and any missing folders above it, each new one only the owner may
/// enter (an export's folders, on whichever side of the wire it is written).
pub fn create_private_dir_all(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Whether `path` is a folder holding something (or cannot be read): a restore or a
/// move needs a new or empty one.
pub(crate) fn is_occupied_dir(path: &Path) -> bool {
    std::fs::read_dir(path)
        .map(|mut d| d.next().is_some())
        .unwrap_or(true)
}

/// Removes files, ignoring those that are not there: the undo of a half-made workspace.
pub(crate) fn remove_files_quietly(paths: impl IntoIterator<Item = PathBuf>) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}
