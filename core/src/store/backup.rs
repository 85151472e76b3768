//! SQL for backups and moves: an online, consistent copy of the open database into a new
//! file under another key (one read snapshot, so writes may go on), and the counts that
//! tell a copy from its original.

use super::{migrations, Store};
use crate::error::{CoreError, Result};
use crate::fs::write_new_file;
use crate::secret::DbKey;
use rusqlite::Connection;
use std::path::Path;

impl Store {
    /// Copies the open database into `path` (which must not exist), encrypted under
    /// `key`, in one read snapshot.
    pub(crate) fn export_into(&self, path: &Path, key: &DbKey) -> Result<()> {
        let version = self.read(migrations::current_version)?;
        // The connection may not create files (it opened an existing workspace): an empty
        // file is a new database to SQLite.
        write_new_file(path, &[])?;
        self.with_connection(|c| {
            c.execute(
                "ATTACH DATABASE ?1 AS backup KEY ?2",
                rusqlite::params![
                    path.display().to_string(),
                    format!("x'{}'", hex::encode(key.as_bytes()))
                ],
            )?;
            let exported = (|| -> Result<()> {
                c.execute_batch("PRAGMA backup.cipher_page_size = 4096;")?;
                // One transaction: every table is read from the same snapshot while other
                // connections and processes keep writing.
                c.execute_batch("BEGIN;")?;
                let copied = c
                    .query_row("SELECT sqlcipher_export('backup')", [], |_| Ok(()))
                    .map_err(CoreError::from)
                    .and_then(|()| {
                        Ok(c.execute_batch(&format!("PRAGMA backup.user_version = {version};"))?)
                    });
                // Whatever fails (the copy, or the commit on a full disk), the connection is
                // left out of the transaction, so the backup can be detached and the
                // workspace goes on being read.
                let ended = copied.and_then(|()| Ok(c.execute_batch("COMMIT;")?));
                if ended.is_err() && !c.is_autocommit() {
                    let _ = c.execute_batch("ROLLBACK;");
                }
                ended
            })();
            let detached = c.execute_batch("DETACH DATABASE backup;");
            exported?;
            Ok(detached?)
        })
    }
}

/// How many rows `table` holds; `table` is one of the crate's own table names.
pub fn count_rows(conn: &Connection, table: &str) -> Result<i64> {
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
}

/// What a faithful copy shares with its original: the number of messages and of audit
/// events, and the hash of the newest audit event.
pub fn fingerprint(conn: &Connection) -> Result<(i64, i64, Vec<u8>)> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM audit_events),
                coalesce((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), x'')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}
