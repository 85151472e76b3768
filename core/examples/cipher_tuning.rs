//! Tries SQLCipher settings on the bulk-insert workload (20k messages with FTS, 1k-row
//! transactions) and prints messages/second for each, plain SQLite alongside. Used to
//! choose the store's pragmas; results are in BENCHMARKS.md.
//! Run: cargo run --release -p appcare-core --example cipher_tuning

use rusqlite::{params, Connection};
use std::time::Instant;

const N: usize = 20_000;

fn body(i: usize) -> String {
    const WORDS: &[&str] = &[
        "order", "delivery", "refund", "parcel", "tracking", "invoice", "account", "thanks",
        "please", "help", "today", "address", "payment", "late", "missing", "broken", "replace",
        "return", "label", "courier", "urgent", "question", "cancel", "voucher",
    ];
    let mut state = (i as u64)
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1);
    let mut s = String::new();
    while s.len() < 200 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s.push_str(WORDS[(state >> 33) as usize % WORDS.len()]);
        s.push(' ');
    }
    s
}

fn run(
    label: &str,
    key: bool,
    memsec: bool,
    secure_delete: bool,
    page: u32,
    cache_kib: i64,
    bodies: &[String],
) -> rusqlite::Result<()> {
    let dir = tempfile::tempdir().map_err(|_| rusqlite::Error::InvalidQuery)?;
    let conn = Connection::open(dir.path().join("t.db"))?;
    if key {
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA cipher_page_size = {page}; PRAGMA cipher_memory_security = {};",
            "ab".repeat(32),
            if memsec { "ON" } else { "OFF" }
        ))?;
    } else {
        conn.execute_batch(&format!("PRAGMA page_size = {page};"))?;
    }
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = {};
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};
         CREATE TABLE m (id INTEGER PRIMARY KEY, c INTEGER NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL) STRICT;
         CREATE INDEX m_c ON m (c, at);
         CREATE VIRTUAL TABLE f USING fts5 (body, content = 'm', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
         CREATE TRIGGER m_ai AFTER INSERT ON m BEGIN INSERT INTO f (rowid, body) VALUES (new.id, new.body); END;",
        if secure_delete { "ON" } else { "OFF" }
    ))?;
    let start = Instant::now();
    for chunk in bodies.chunks(1000) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        {
            let mut stmt = conn.prepare_cached("INSERT INTO m (c, body, at) VALUES (1, ?1, ?2)")?;
            for (i, b) in chunk.iter().enumerate() {
                stmt.execute(params![b, i as i64])?;
            }
        }
        conn.execute_batch("COMMIT")?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label:<58} {:>8.0} msg/s  ({secs:.2} s)",
        bodies.len() as f64 / secs
    );
    Ok(())
}

fn main() -> rusqlite::Result<()> {
    let bodies: Vec<String> = (0..N).map(body).collect();
    // cipher_memory_security is process-wide in SQLCipher and stays on once enabled, so
    // the runs with it on come last.
    run("plain, page 4096", false, false, true, 4096, 32768, &bodies)?;
    run(
        "plain, page 16384",
        false,
        false,
        true,
        16384,
        32768,
        &bodies,
    )?;
    run(
        "encrypted, memsec OFF, secure_delete ON, page 4096",
        true,
        false,
        true,
        4096,
        32768,
        &bodies,
    )?;
    run(
        "encrypted, memsec OFF, secure_delete OFF, page 4096",
        true,
        false,
        false,
        4096,
        32768,
        &bodies,
    )?;
    run(
        "encrypted, memsec OFF, secure_delete ON, page 16384",
        true,
        false,
        true,
        16384,
        32768,
        &bodies,
    )?;
    run(
        "encrypted, memsec OFF, secure_delete ON, page 4096, cache 128 MiB",
        true,
        false,
        true,
        4096,
        131072,
        &bodies,
    )?;
    run(
        "encrypted, memsec ON, secure_delete ON, page 4096",
        true,
        true,
        true,
        4096,
        32768,
        &bodies,
    )?;
    run(
        "encrypted, memsec ON, secure_delete ON, page 16384",
        true,
        true,
        true,
        16384,
        32768,
        &bodies,
    )?;
    run(
        "plain, page 4096, after memsec was enabled",
        false,
        false,
        true,
        4096,
        32768,
        &bodies,
    )?;
    Ok(())
}
