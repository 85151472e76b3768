//! The desktop's log: `appcare.log` in the OS log folder, size-capped and rotated.
//!
//! The folder: `APPCARE_LOG_DIR` when set; else on Linux `$XDG_STATE_HOME/appcare-inbox/logs`
//! (`~/.local/state/appcare-inbox/logs`), on macOS `~/Library/Logs/appcare-inbox`, on
//! Windows `%LOCALAPPDATA%\appcare-inbox\logs`. It is found before Tauri starts, so a
//! failure while the app starts is logged too. The folder is made owner-only (0700), the
//! files are created owner-only (0600).
//!
//! The size: `appcare.log` grows to [`MAX_BYTES`], then becomes `appcare.log.1` (the older
//! ones move up a number, the oldest beyond [`FILES`] is deleted): at most 25 MiB in all.
//! The level: `RUST_LOG` (`tracing` filter directives), default `info`. What a line may
//! hold is what the hub's may (`appcare_hub::logging`): never customer text, tokens,
//! codes, passwords or keys.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The size at which the current file is set aside.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Files kept: the current one and the numbered older ones.
pub const FILES: usize = 5;
/// The current file's name.
pub const FILE_NAME: &str = "appcare.log";

/// Installs the log; returns the folder it writes to, or `None` (then it logs to
/// standard error) when there is no folder for it.
pub fn init() -> Option<PathBuf> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .log_internal_errors(false);
    let opened = log_dir().map(|dir| RotatingFile::open(&dir, MAX_BYTES, FILES).map(|f| (dir, f)));
    match opened {
        Some(Ok((dir, file))) => {
            let _ = builder.with_writer(file).try_init();
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "desktop started");
            Some(dir)
        }
        other => {
            if let Some(Err(e)) = other {
                eprintln!("appcare-desktop: no log file ({e}); logging to standard error");
            }
            let _ = builder.with_writer(io::stderr).try_init();
            None
        }
    }
}

/// The folder for the log (see the module's comment).
pub fn log_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("APPCARE_LOG_DIR") {
        return Some(dir);
    }
    if cfg!(target_os = "windows") {
        return var("LOCALAPPDATA").map(|d| d.join("appcare-inbox").join("logs"));
    }
    if cfg!(target_os = "macos") {
        return var("HOME").map(|h| h.join("Library/Logs/appcare-inbox"));
    }
    var("XDG_STATE_HOME")
        .filter(|d| d.is_absolute())
        .or_else(|| var("HOME").map(|h| h.join(".local/state")))
        .map(|d| d.join("appcare-inbox").join("logs"))
}

/// A log file that is set aside when it reaches its size, keeping a fixed number of
/// older files. Each event is written under one lock, so lines never interleave and a
/// file is only ever set aside between lines.
pub struct RotatingFile {
    state: Mutex<State>,
}

struct State {
    dir: PathBuf,
    file: File,
    size: u64,
    max_bytes: u64,
    files: usize,
}

impl RotatingFile {
    /// Opens (or continues) `FILE_NAME` in `dir`, making the folder owner-only.
    pub fn open(dir: &Path, max_bytes: u64, files: usize) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let file = open_current(dir)?;
        let size = file.metadata()?.len();
        Ok(Self {
            state: Mutex::new(State {
                dir: dir.to_path_buf(),
                file,
                size,
                max_bytes,
                files: files.max(1),
            }),
        })
    }
}

/// Opens the current file for appending, owner-only (also when it was there before).
fn open_current(dir: &Path) -> io::Result<File> {
    let path = dir.join(FILE_NAME);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

fn numbered(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("{FILE_NAME}.{n}"))
}

impl State {
    /// `appcare.log.N` → `.N+1` (the last one dropped), `appcare.log` → `.1`, a new
    /// `appcare.log`.
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        if self.files == 1 {
            std::fs::remove_file(self.dir.join(FILE_NAME))?;
        } else {
            for n in (1..self.files - 1).rev() {
                match std::fs::rename(numbered(&self.dir, n), numbered(&self.dir, n + 1)) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            std::fs::rename(self.dir.join(FILE_NAME), numbered(&self.dir, 1))?;
        }
        self.file = open_current(&self.dir)?;
        self.size = 0;
        Ok(())
    }
}

/// The writer of one event: holds the file's lock until the event is written.
pub struct Locked<'a>(MutexGuard<'a, State>);

impl Write for Locked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let state = &mut *self.0;
        if state.size > 0 && state.size + buf.len() as u64 > state.max_bytes {
            state.rotate()?;
        }
        let written = state.file.write(buf)?;
        state.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.file.flush()
    }
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = Locked<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Locked(self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(log: &RotatingFile, text: &str) -> io::Result<()> {
        log.make_writer().write_all(text.as_bytes())
    }

    fn size(path: &Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    #[test]
    fn the_file_is_set_aside_at_its_size_and_only_so_many_are_kept() -> io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("logs");
        let log = RotatingFile::open(&dir, 100, 3)?;
        // 40-byte lines: two fit in 100 bytes, the third starts a new file.
        let text = |n: usize| format!("{n:039}\n");
        for n in 0..2 {
            line(&log, &text(n))?;
        }
        assert_eq!(size(&dir.join(FILE_NAME)), 80);
        assert!(!numbered(&dir, 1).exists());
        line(&log, &text(2))?;
        assert_eq!(size(&dir.join(FILE_NAME)), 40);
        assert_eq!(size(&numbered(&dir, 1)), 80);
        for n in 3..12 {
            line(&log, &text(n))?;
        }
        // 12 lines in files of two: the current one, .1 and .2; no .3.
        let current = std::fs::read_to_string(dir.join(FILE_NAME))?;
        assert_eq!(current, format!("{}{}", text(10), text(11)));
        assert_eq!(
            std::fs::read_to_string(numbered(&dir, 1))?,
            format!("{}{}", text(8), text(9))
        );
        assert_eq!(
            std::fs::read_to_string(numbered(&dir, 2))?,
            format!("{}{}", text(6), text(7))
        );
        assert!(!numbered(&dir, 3).exists());
        Ok(())
    }

    #[test]
    fn a_line_longer_than_the_cap_still_gets_written_whole() -> io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let log = RotatingFile::open(tmp.path(), 10, 2)?;
        line(&log, "a line of more than ten bytes\n")?;
        line(&log, "another long line here\n")?;
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(FILE_NAME))?,
            "another long line here\n"
        );
        assert_eq!(
            std::fs::read_to_string(numbered(tmp.path(), 1))?,
            "a line of more than ten bytes\n"
        );
        Ok(())
    }

    #[test]
    fn a_restart_continues_the_file_and_counts_what_is_in_it() -> io::Result<()> {
        let tmp = tempfile::tempdir()?;
        line(&RotatingFile::open(tmp.path(), 50, 2)?, &"x".repeat(39))?;
        let log = RotatingFile::open(tmp.path(), 50, 2)?;
        line(&log, "0123456789\n")?;
        assert_eq!(size(&tmp.path().join(FILE_NAME)), 50);
        line(&log, "z\n")?;
        assert_eq!(size(&tmp.path().join(FILE_NAME)), 2);
        assert_eq!(size(&numbered(tmp.path(), 1)), 50);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_and_every_file_are_owner_only() -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("state/appcare-inbox/logs");
        let log = RotatingFile::open(&dir, 20, 3)?;
        line(&log, "first line, 20 bytes")?;
        line(&log, "second line\n")?;
        assert_eq!(mode(&dir)?, 0o700);
        assert_eq!(mode(&dir.join(FILE_NAME))?, 0o600);
        assert_eq!(mode(&numbered(&dir, 1))?, 0o600);
        // A file left readable by others (an older build, a copy) is tightened on open.
        std::fs::set_permissions(dir.join(FILE_NAME), std::fs::Permissions::from_mode(0o644))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        drop(RotatingFile::open(&dir, 20, 3)?);
        assert_eq!(mode(&dir)?, 0o700);
        assert_eq!(mode(&dir.join(FILE_NAME))?, 0o600);
        Ok(())
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn the_folder_follows_xdg_state_home() {
        // Only reads the variables; APPCARE_LOG_DIR is not set in the test environment.
        if std::env::var_os("APPCARE_LOG_DIR").is_some() {
            return;
        }
        let dir = log_dir();
        match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
            Some(state) if Path::new(&state).is_absolute() => {
                assert_eq!(dir, Some(PathBuf::from(state).join("appcare-inbox/logs")));
            }
            _ => {
                let home = std::env::var_os("HOME").map(PathBuf::from);
                assert_eq!(dir, home.map(|h| h.join(".local/state/appcare-inbox/logs")));
            }
        }
    }
}
