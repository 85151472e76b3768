//! One window per workspace: a second launch asks the running one to come to the front
//! and exits. The running app listens on a Unix socket in a folder only its user may
//! enter (`$XDG_RUNTIME_DIR/appcare-inbox`, else `/tmp/appcare-inbox-<uid>`), named by a
//! hash of where it keeps its data (`APPCARE_DATA_DIR`, the config folder), so two
//! workspaces opened on purpose with different folders still run side by side. What a
//! second launch sends is never read as anything but "come forward" (at most a few bytes,
//! with a deadline). A lock file beside the socket decides who is first, so two launches
//! at once cannot both win; a socket left by a crash is replaced.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What [`claim`] found.
pub enum Claim {
    /// This process is the one instance; it listens here (and holds the lock file for as
    /// long as it runs).
    First(UnixListener, std::fs::File),
    /// Another instance runs and was asked to come forward.
    AlreadyRunning,
}

/// The socket for this user and data location.
pub fn socket_path() -> PathBuf {
    let folder = match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("appcare-inbox"),
        None => std::env::temp_dir().join(format!("appcare-inbox-{}", current_uid())),
    };
    let key = [
        std::env::var_os("APPCARE_DATA_DIR"),
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    ]
    .iter()
    .map(|v| {
        v.as_deref()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    })
    .collect::<Vec<_>>()
    .join("\n");
    folder.join(format!("{:016x}.sock", fnv1a(key.as_bytes())))
}

/// The user id: the owner of this process's `/proc` entry.
fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Makes `folder` (owner-only), or checks that the one there is this user's and that no
/// one else may enter it; never changes a folder it did not make.
fn private_folder(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    match std::fs::DirBuilder::new().mode(0o700).create(folder) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(folder)?;
    if !meta.is_dir() || meta.uid() != current_uid() || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(
            "the single-instance folder is not this user's own",
        ));
    }
    Ok(())
}

/// Becomes the one instance at `path`, or asks the running one to come forward.
pub fn claim(path: &Path) -> std::io::Result<Claim> {
    if let Some(folder) = path.parent() {
        private_folder(folder)?;
    }
    // Whoever holds the lock is the one instance; two launches at once cannot both win.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_extension("lock"))?;
    if lock.try_lock().is_ok() {
        // A socket left by a crash (its owner's lock went with it) is replaced.
        let _ = std::fs::remove_file(path);
        return Ok(Claim::First(UnixListener::bind(path)?, lock));
    }
    // The one instance may still be starting: its socket comes within a moment.
    for _ in 0..50 {
        if let Ok(mut running) = UnixStream::connect(path) {
            running.set_write_timeout(Some(Duration::from_secs(2)))?;
            running.write_all(b"focus\n")?;
            return Ok(Claim::AlreadyRunning);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(std::io::Error::other(
        "another instance holds the lock but does not answer",
    ))
}

/// Serves second launches on its own thread: each one calls `focus`.
pub fn serve(listener: UnixListener, focus: impl Fn() + Send + 'static) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 16];
            let _ = stream.read(&mut buf);
            tracing::info!("a second launch asked this window to come forward");
            focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_claim_reaches_the_first_and_a_dead_socket_is_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("run").join("instance.sock");
        let Claim::First(listener, _lock) = claim(&path).expect("first") else {
            panic!("the first claim must win");
        };
        let (tx, rx) = mpsc::channel();
        serve(listener, move || {
            let _ = tx.send(());
        });
        assert!(matches!(
            claim(&path).expect("second"),
            Claim::AlreadyRunning
        ));
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the first instance was asked to come forward");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path.parent().expect("folder"))
            .expect("folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "only its user may enter the folder");

        // A folder others may enter is refused, and left as it was.
        let open = dir.path().join("open");
        std::fs::create_dir(&open).expect("folder");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o1777)).expect("mode");
        assert!(claim(&open.join("x.sock")).is_err());
        let mode = std::fs::metadata(&open)
            .expect("folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o1777, "not changed");

        // A socket file nobody listens on (a crash: no lock held): the next launch takes over.
        let stale = dir.path().join("run").join("stale.sock");
        drop(UnixListener::bind(&stale).expect("bind"));
        assert!(stale.exists());
        assert!(matches!(claim(&stale).expect("claim"), Claim::First(..)));
    }

    #[test]
    fn the_socket_depends_on_where_the_data_lives() {
        assert_ne!(fnv1a(b"/a\n/c\n/h"), fnv1a(b"/b\n/c\n/h"));
        assert!(socket_path().to_string_lossy().ends_with(".sock"));
    }
}
