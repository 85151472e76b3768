//! Opening a SQLCipher database: key it, prove the key, tell a wrong key from a damaged
//! file, then set the connection's pragmas. Nothing is written before the key is proven.

use crate::error::{CoreError, Result};
use crate::secret::DbKey;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// SQLCipher page size. Larger pages spread the per-page HMAC and IV over more data
/// (see BENCHMARKS.md). Fixed for the life of a database: changing it needs a migration
/// with `sqlcipher_export`.
pub const PAGE_SIZE: u32 = 4096;

pub(super) fn open_keyed(path: &Path, key: Option<&DbKey>, create: bool) -> Result<Connection> {
    // SQLCipher's crypto is the system OpenSSL, which by default frees its global state
    // in an exit handler; a worker thread still hashing a page then crashes the process
    // as it exits (seen in test binaries after every test had passed). Initialised once
    // here, before SQLCipher first uses it, without that handler.
    openssl_sys::init();
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher otherwise prints HMAC failures to stderr.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    if let Some(key) = key {
        conn.pragma_update(None, "key", &*key.pragma_value())?;
        conn.pragma_update(None, "cipher_page_size", PAGE_SIZE)?;
        // Off on purpose: SQLCipher's memory security wipes every allocation SQLite frees,
        // process-wide, and measured 12x slower bulk inserts here (BENCHMARKS.md). Keys,
        // passwords and tokens are wiped by our own types (`secret.rs`) instead.
        conn.execute_batch("PRAGMA cipher_memory_security = OFF;")?;
    }
    prove_key(&conn, path)?;
    // The service uses many statements; rusqlite's default cache of 16 would keep
    // re-parsing the ones every call needs.
    conn.set_prepared_statement_cache_capacity(128);
    // Plans never depend on bound values (the query planner stability guarantee).
    // Otherwise SQLite re-plans a cached statement before every run whenever a bound
    // value might change its plan, as `c.assignee_id = ?` beside a join or a partial
    // index does: a full parse on every inbox read. Limits are written into the SQL
    // (`store::limit`), so the planner still knows them.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // synchronous = FULL: a commit is on disk before it returns, so what we acknowledge
    // (a webhook's 200, an agent's "sent") survives a power cut, not only a crash.
    // Measured at 8 % of webhook throughput with group commit (BENCHMARKS.md).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32768;
         PRAGMA busy_timeout = 5000;",
    )?;
    Ok(conn)
}

/// The first read after keying shows whether the key fits. When it does not, count the
/// pages whose HMAC fails: all of them means a wrong key, some of them a damaged file.
fn prove_key(conn: &Connection, path: &Path) -> Result<()> {
    let first_read =
        crate::store::cached::query_row(conn, "SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        });
    match first_read {
        Ok(_) => Ok(()),
        Err(err)
            if matches!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            ) =>
        {
            Err(diagnose_unreadable(conn, path))
        }
        Err(err) => Err(err.into()),
    }
}

fn diagnose_unreadable(conn: &Connection, path: &Path) -> CoreError {
    let mut header = [0u8; 16];
    if let Ok(mut file) = std::fs::File::open(path) {
        use std::io::Read;
        let _ = file.read_exact(&mut header);
    }
    if &header == b"SQLite format 3\0" {
        return CoreError::Tampered {
            detail: "the database file is not encrypted".into(),
        };
    }
    let pages = std::fs::metadata(path)
        .map(|m| m.len() / u64::from(PAGE_SIZE))
        .unwrap_or(0);
    match cipher_integrity_failures(conn) {
        Ok(failures) if pages > 1 && failures < pages => CoreError::Tampered {
            detail: format!("{failures} of {pages} pages failed the cipher integrity check"),
        },
        _ => CoreError::WrongKey,
    }
}

/// Number of pages whose HMAC check fails.
pub(super) fn cipher_integrity_failures(conn: &Connection) -> Result<u64> {
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
    let mut rows = stmt.query([])?;
    let mut failures = 0u64;
    while rows.next()?.is_some() {
        failures += 1;
    }
    Ok(failures)
}
