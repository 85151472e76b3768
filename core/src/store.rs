//! The encrypted store: one SQLCipher database per workspace. This module owns the
//! connection; all SQL lives in `store/*`, one file per aggregate.

pub mod account_lifecycle;
pub mod agent_status;
pub mod attachments;
pub mod audit_log;
pub mod backup;
pub mod cached;
pub mod canned_replies;
pub mod channel_accounts;
pub mod consent;
pub mod contacts;
pub mod conversations;
pub mod drafts;
pub mod forwards;
pub mod health;
pub mod mail;
pub mod mail_addresses;
pub mod mail_folders;
pub mod mail_retry;
pub mod mail_uids;
pub mod media;
pub mod mentions;
pub mod merges;
pub mod message_content;
pub mod message_status;
pub mod messages;
pub mod migrations;
mod open;
pub mod outbox;
pub mod pricing;
pub mod privacy;
mod queue;
pub mod reactions;
pub mod read_receipts;
pub mod receipts;
pub mod reports;
pub mod retention;
pub mod satisfaction;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod sla;
pub mod tasks;
pub mod tombstones;
pub mod users;
pub mod webhook_set_aside;

pub use open::PAGE_SIZE;

use crate::error::{CoreError, Result};
use crate::secret::DbKey;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// `LIMIT n`, written into the SQL text rather than bound: SQLite re-plans a statement
/// before every run when its LIMIT is a parameter (the value may change the plan), which
/// would parse the whole query again on every read.
pub(crate) fn limit(n: i64) -> String {
    format!("LIMIT {}", n.max(0))
}

/// A savepoint inside a write transaction, so one item of a batch can be undone without
/// the rest. Dropped without `release` or `undo`, it stays until the transaction ends
/// (the caller is returning an error that rolls the whole transaction back).
pub struct Savepoint<'c> {
    conn: &'c Connection,
    name: &'static str,
}

impl<'c> Savepoint<'c> {
    pub fn begin(conn: &'c Connection, name: &'static str) -> Result<Self> {
        conn.execute_batch(&format!("SAVEPOINT {name}"))?;
        Ok(Self { conn, name })
    }

    /// Keeps what was done since the savepoint.
    pub fn release(self) -> Result<()> {
        self.conn.execute_batch(&format!("RELEASE {}", self.name))?;
        Ok(())
    }

    /// Undoes what was done since the savepoint.
    pub fn undo(self) -> Result<()> {
        let name = self.name;
        self.conn
            .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?;
        Ok(())
    }
}

/// A deferred read transaction on the store's connection. Ended by `end`, or rolled
/// back when dropped still open (a panic in the read, a failed commit), so the
/// connection is never left in it.
struct ReadSnapshot<'c> {
    conn: &'c Connection,
}

impl<'c> ReadSnapshot<'c> {
    fn begin(conn: &'c Connection) -> Result<Self> {
        // The store's lock is held, so a transaction still open here was left behind by
        // work that failed half-way: it is nobody's, and would make every read fail.
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
        Ok(Self { conn })
    }

    /// Commits after a read that succeeded, rolls back after one that failed; SQLite
    /// may already have ended the transaction after an error inside it.
    fn end(self, succeeded: bool) -> Result<()> {
        if !self.conn.is_autocommit() {
            let sql = if succeeded { "COMMIT" } else { "ROLLBACK" };
            self.conn.prepare_cached(sql)?.execute([])?;
        }
        Ok(())
    }
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// An open, keyed and migrated workspace database.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Creates a new encrypted database at `path` (which must not exist) and migrates it.
    pub fn create(path: &Path, key: &DbKey) -> Result<Self> {
        if path.exists() {
            return Err(CoreError::WorkspaceExists {
                path: path.to_path_buf(),
            });
        }
        let conn = open::open_keyed(path, Some(key), true)?;
        Self::finish(conn, path)
    }

    /// Opens an existing encrypted database; refuses, without writing, a wrong key, a
    /// damaged file or a newer schema.
    pub fn open(path: &Path, key: &DbKey) -> Result<Self> {
        if !path.is_file() {
            return Err(CoreError::NoWorkspace {
                path: path.parent().unwrap_or(path).to_path_buf(),
            });
        }
        let conn = open::open_keyed(path, Some(key), false)?;
        Self::finish(conn, path)
    }

    /// Opens or creates a database with no key at all. Only the benchmarks use this, to
    /// compare encrypted with plain in one run.
    #[doc(hidden)]
    pub fn open_plain_for_benchmarks(path: &Path) -> Result<Self> {
        let conn = open::open_keyed(path, None, true)?;
        Self::finish(conn, path)
    }

    fn finish(mut conn: Connection, path: &Path) -> Result<Self> {
        migrations::run(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls
        // back on drop), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs read-only work in one read transaction: every statement in `f` sees the same
    /// snapshot, and SQLite takes and lets go of its file locks once, not around each
    /// statement (four `fcntl` calls a statement, 5 % of the hub's time under 200 readers).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        let snapshot = ReadSnapshot::begin(&conn)?;
        let value = f(&conn);
        let ended = snapshot.end(value.is_ok());
        // The read's own error says more than a failure to end the transaction after it.
        let value = value?;
        ended?;
        Ok(value)
    }

    /// Runs work on the connection with no transaction around it, for the few steps
    /// SQLite refuses inside one (attaching a database, changing the safety level) or
    /// that manage their own.
    pub fn with_connection<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` in one immediate transaction: committed on `Ok`, rolled back on `Err`.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Checks every page's HMAC with `PRAGMA cipher_integrity_check` and SQLite's own
    /// `quick_check`. Reads the whole file: meant for `appcare doctor`, not every open.
    pub fn verify_integrity(&self) -> Result<()> {
        let conn = self.lock();
        let failures = open::cipher_integrity_failures(&conn)?;
        if failures > 0 {
            return Err(CoreError::Tampered {
                detail: format!("{failures} page(s) failed the cipher integrity check"),
            });
        }
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if quick != "ok" {
            return Err(CoreError::Tampered {
                detail: "SQLite's structure check failed".into(),
            });
        }
        Ok(())
    }

    /// Writes the WAL back into the main file and truncates it.
    /// Takes this workspace for this connection alone: leaves WAL mode (which needs every
    /// other connection closed, and moves the log into the file) and holds an exclusive
    /// lock until the store is dropped. For moving a workspace.
    pub fn take_exclusively(&self) -> Result<()> {
        let conn = self.lock();
        let in_use = || {
            CoreError::Conflict(
                "The workspace is in use (the app or `appcare serve` has it open). Close it and try again."
                    .into(),
            )
        };
        conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .map_err(|_| in_use())?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(in_use());
        }
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(|_| in_use())?;
        Ok(())
    }

    /// Rebuilds the file so pages freed by deletions are returned (after a purge).
    pub fn vacuum(&self) -> Result<()> {
        let conn = self.lock();
        conn.execute_batch("VACUUM;")?;
        drop(conn);
        self.checkpoint()
    }

    /// Moves everything in the write-ahead log into the database and empties the log.
    /// Fails (after a few tries) while another connection's read keeps the log in use,
    /// so a caller that must not leave old pages in the log knows.
    pub fn checkpoint(&self) -> Result<()> {
        for attempt in 0..20 {
            // The lock is let go between tries, so other work goes on meanwhile.
            let (busy, log, done): (i64, i64, i64) =
                self.lock()
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?;
            if busy == 0 && log <= done {
                return Ok(());
            }
            if attempt < 19 {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        Err(CoreError::Conflict(
            "Another program is reading this workspace (the app or `appcare serve`), so the \
             write-ahead log could not be emptied. Close it and try again."
                .into(),
        ))
    }
}
