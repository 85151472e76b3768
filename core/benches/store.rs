//! Store benchmarks, encrypted and plain side by side in one run (BENCHMARKS.md):
//! bulk insert of 100k ~200-byte messages with the FTS index in 1k-row transactions,
//! opening an existing workspace with the raw key, and one Argon2id password check.
//!
//! Real parts: SQLCipher and plain SQLite, Argon2id.

use appcare_core::channel::{Channel, Direction};
use appcare_core::secret::DbKey;
use appcare_core::store::messages::{self, NewMessage};
use appcare_core::store::Store;
use appcare_core::Timestamp;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::Path;
use std::time::Duration;

const MESSAGES: usize = 100_000;
const BATCH: usize = 1_000;

/// ~200 bytes of text from the fixtures' support vocabulary, deterministic per index.
fn body(i: usize) -> String {
    appcare_core::fixtures::sample_text(i as u64, 200)
}

fn open(path: &Path, key: Option<&DbKey>) -> Store {
    match key {
        Some(k) => Store::create(path, k).expect("create encrypted"),
        None => Store::open_plain_for_benchmarks(path).expect("create plain"),
    }
}

fn fill(store: &Store, bodies: &[String]) {
    let now = Timestamp::from_unix(1_795_550_105);
    let conversation = store
        .write(|tx| {
            let account =
                messages::insert_channel_account(tx, Channel::WhatsApp, "Bench", "1", now)?;
            let contact = messages::insert_contact(tx, "Customer", Channel::WhatsApp, "2", now)?;
            messages::insert_conversation(tx, account, contact, now)
        })
        .expect("setup");
    for chunk in bodies.chunks(BATCH) {
        store
            .write(|tx| {
                for b in chunk {
                    messages::insert_message(
                        tx,
                        &NewMessage {
                            conversation,
                            external_id: None,
                            direction: Direction::In,
                            body: b,
                            created_at: now,
                        },
                    )?;
                }
                Ok(())
            })
            .expect("batch");
    }
}

fn bulk_insert(c: &mut Criterion) {
    let bodies: Vec<String> = (0..MESSAGES).map(body).collect();
    let key = DbKey::generate();
    let mut group = c.benchmark_group("bulk_insert_100k_with_fts");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.throughput(Throughput::Elements(MESSAGES as u64));
    for (name, key) in [("encrypted", Some(&key)), ("plain", None)] {
        group.bench_function(name, |b| {
            b.iter_with_setup(
                || tempfile::tempdir().expect("tmp"),
                |dir| {
                    let store = open(&dir.path().join("bench.db"), key);
                    fill(&store, &bodies);
                    drop(store);
                    dir
                },
            )
        });
    }
    group.finish();
}

fn open_existing(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let key = DbKey::generate();
    let path = dir.path().join("ws.db");
    let bodies: Vec<String> = (0..20_000).map(body).collect();
    fill(&open(&path, Some(&key)), &bodies);
    let plain_path = dir.path().join("plain.db");
    fill(&open(&plain_path, None), &bodies);
    let mut group = c.benchmark_group("open_existing_workspace");
    group.bench_function("encrypted_raw_key", |b| {
        b.iter(|| Store::open(&path, &key).expect("open"))
    });
    group.bench_function("plain", |b| {
        b.iter(|| Store::open_plain_for_benchmarks(&plain_path).expect("open"))
    });
    group.finish();
}

/// One Argon2id password check at the production cost (the sign-in's main cost).
fn password_check(c: &mut Criterion) {
    use appcare_core::auth::password;
    use appcare_core::Password;
    let pw = Password::new("plum tractor window 42");
    let hash = password::hash(&pw).expect("hash");
    let mut group = c.benchmark_group("password");
    group.sample_size(10);
    group.bench_function("argon2id_verify_64MiB_t3", |b| {
        b.iter(|| password::verify(&pw, &hash))
    });
    group.finish();
}

criterion_group!(benches, bulk_insert, open_existing, password_check);
criterion_main!(benches);
