//! The encrypted store on disk: no customer text, contact name, attachment bytes or key
//! in any file of the data folder (open and closed, WAL included); a wrong passphrase,
//! a wrong key and a missing passphrase refused with no byte changed; a flipped byte in
//! a data page reported as tampering (on the integrity check and on read), and a
//! damaged first page not mistaken for a wrong key; migrations from empty, reopening,
//! and a schema-3 workspace whose handoff notes are referenced by assignments migrating
//! intact; a newer schema refused unchanged; an empty folder named as such with nothing
//! written; creating over an existing workspace refused; a weak admin password leaves
//! no half-made workspace; the keyring round trip, then `KeyMissing` once the entry is
//! deleted; the inbox preview follows the newest message through migration, late
//! arrivals, same-second ties, purges and rewrites; storing a message costs as many
//! SQLite steps in a long conversation as in a short one; a read sees one snapshot
//! while another connection writes, and a read that fails or panics leaves the
//! connection ready.
//!
//! Real parts: SQLCipher; the Secret Service (gnome-keyring) for the keyring test;
//! plain SQLite without a key for the two read tests.

mod common;

use appcare_core::channel::{Channel, Direction};
use appcare_core::keys::os_keyring;
use appcare_core::secret::DbKey;
use appcare_core::store::messages::{self, NewMessage};
use appcare_core::store::migrations;
use appcare_core::{CoreError, KeySource, Password, Timestamp, Workspace, WorkspaceDir};
use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const MSG_MARKER: &str = "ZQXMARKER-MESSAGE-7731";
const CONTACT_MARKER: &str = "ZQXMARKER-CONTACT-4410";
const ATTACH_MARKER: &[u8] = b"ZQXMARKER-ATTACHMENT-9902";

fn plant_customer_data(ws: &Workspace, now: Timestamp) -> Result<i64, CoreError> {
    ws.store().write(|tx| {
        let account = messages::insert_channel_account(
            tx,
            Channel::WhatsApp,
            "Support",
            "106540352242922",
            now,
        )?;
        let contact =
            messages::insert_contact(tx, CONTACT_MARKER, Channel::WhatsApp, "16505551234", now)?;
        let conversation = messages::insert_conversation(tx, account, contact, now)?;
        let message = messages::insert_message(
            tx,
            &NewMessage {
                conversation,
                external_id: Some("wamid.test.1"),
                direction: Direction::In,
                body: &format!("Hello, my order {MSG_MARKER} has not arrived"),
                created_at: now,
            },
        )?;
        let mut bytes = b"%PDF-1.4 invoice ".to_vec();
        bytes.extend_from_slice(ATTACH_MARKER);
        messages::insert_attachment(tx, message, "invoice.pdf", "application/pdf", &bytes, now)
    })
}

fn hits(dir: &Path, needles: &[&[u8]]) -> Vec<String> {
    let mut found = Vec::new();
    for file in all_files(dir) {
        let bytes = std::fs::read(&file).expect("readable");
        for needle in needles {
            if bytes.windows(needle.len()).any(|w| w == *needle) {
                found.push(format!(
                    "{} in {}",
                    String::from_utf8_lossy(needle),
                    file.display()
                ));
            }
        }
    }
    found
}

fn fingerprint(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    all_files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).expect("readable");
            (f.display().to_string(), Sha256::digest(bytes).to_vec())
        })
        .collect()
}

#[test]
fn no_customer_text_or_key_in_any_file_of_the_data_folder() -> TestResult {
    let ctx = workspace();
    let attachment = plant_customer_data(&ctx.ws, ctx.now)?;
    // The data is really there, readable through the key...
    let found = ctx
        .ws
        .store()
        .read(|c| messages::search_ids(c, "ZQXMARKER", 10))?;
    assert_eq!(found.len(), 1);
    let data = ctx
        .ws
        .store()
        .read(|c| messages::attachment_data(c, attachment))?;
    assert!(data.ends_with(ATTACH_MARKER));
    let root = ctx.dir.path().join("ws");
    let needles: [&[u8]; 4] = [
        MSG_MARKER.as_bytes(),
        CONTACT_MARKER.as_bytes(),
        ATTACH_MARKER,
        b"Maria Admin",
    ];
    // ...and in no file while open (WAL and SHM included)...
    assert!(
        std::fs::metadata(root.join("appcare.db-wal")).is_ok(),
        "WAL in use"
    );
    assert_eq!(hits(&root, &needles), Vec::<String>::new());
    // ...nor after closing.
    drop(ctx.ws);
    assert_eq!(hits(&root, &needles), Vec::<String>::new());
    Ok(())
}

#[test]
fn wrong_passphrase_or_key_is_refused_and_changes_no_byte() -> TestResult {
    let ctx = workspace();
    plant_customer_data(&ctx.ws, ctx.now)?;
    drop(ctx.ws);
    let dir = WorkspaceDir::new(ctx.dir.path().join("ws"));
    let before = fingerprint(dir.root());

    let wrong = Workspace::open(&dir, Some(&Password::new("not the passphrase at all")));
    assert!(matches!(wrong, Err(CoreError::WrongKey)), "{wrong:?}");
    let wrong_key = Workspace::open_with_key(&dir, &DbKey::generate());
    assert!(
        matches!(wrong_key, Err(CoreError::WrongKey)),
        "{wrong_key:?}"
    );
    let missing = Workspace::open(&dir, None);
    assert!(matches!(missing, Err(CoreError::PassphraseRequired)));

    assert_eq!(
        fingerprint(dir.root()),
        before,
        "a refused open changed the files"
    );
    // The right passphrase still opens it.
    Workspace::open(&dir, Some(&Password::new(PASSPHRASE)))?;
    Ok(())
}

#[test]
fn a_flipped_byte_is_reported_as_tampering_not_returned_as_data() -> TestResult {
    let ctx = workspace();
    ctx.ws.store().write(|tx| {
        let account = messages::insert_channel_account(
            tx,
            Channel::Email,
            "Mail",
            "support@example.com",
            ctx.now,
        )?;
        let contact =
            messages::insert_contact(tx, "Customer", Channel::Email, "c@example.com", ctx.now)?;
        let conversation = messages::insert_conversation(tx, account, contact, ctx.now)?;
        for i in 0..2000 {
            messages::insert_message(
                tx,
                &NewMessage {
                    conversation,
                    external_id: None,
                    direction: Direction::In,
                    body: &format!("message number {i} with some padding text to fill pages"),
                    created_at: ctx.now,
                },
            )?;
        }
        Ok(())
    })?;
    // A leaf page of the messages table, so the read below must pass through it.
    let page_no: i64 = ctx.ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf'
             ORDER BY pageno LIMIT 1 OFFSET 5",
            [],
            |r| r.get(0),
        )?)
    })?;
    drop(ctx.ws);
    let dir = WorkspaceDir::new(ctx.dir.path().join("ws"));
    let db = dir.database();
    let mut bytes = std::fs::read(&db)?;
    let page = u64::from(appcare_core::store::PAGE_SIZE) as usize;
    let offset = page * (page_no as usize - 1) + 200;
    bytes[offset] ^= 0x01;
    std::fs::write(&db, &bytes)?;

    let opened = Workspace::open(&dir, Some(&Password::new(PASSPHRASE)));
    let outcome = opened.and_then(|ws| {
        let integrity = ws.store().verify_integrity();
        assert!(
            matches!(integrity, Err(CoreError::Tampered { .. })),
            "{integrity:?}"
        );
        ws.store().read(|c| {
            let mut stmt = c.prepare("SELECT body FROM messages")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    });
    assert!(
        matches!(outcome, Err(CoreError::Tampered { .. })),
        "{outcome:?}"
    );
    Ok(())
}

#[test]
fn a_tampered_first_page_is_not_mistaken_for_a_wrong_key() -> TestResult {
    let ctx = workspace();
    plant_customer_data(&ctx.ws, ctx.now)?;
    drop(ctx.ws);
    let dir = WorkspaceDir::new(ctx.dir.path().join("ws"));
    let mut bytes = std::fs::read(dir.database())?;
    bytes[100] ^= 0x80;
    std::fs::write(dir.database(), &bytes)?;
    let opened = Workspace::open(&dir, Some(&Password::new(PASSPHRASE)));
    assert!(
        matches!(opened, Err(CoreError::Tampered { .. })),
        "{opened:?}"
    );
    Ok(())
}

#[test]
fn migrations_run_from_empty_and_reopen_keeps_data() -> TestResult {
    let ctx = workspace();
    let version = ctx.ws.store().read(migrations::current_version)?;
    assert_eq!(version, migrations::LATEST);
    plant_customer_data(&ctx.ws, ctx.now)?;
    drop(ctx.ws);
    let dir = WorkspaceDir::new(ctx.dir.path().join("ws"));
    let ws = Workspace::open(&dir, Some(&Password::new(PASSPHRASE)))?;
    assert_eq!(
        ws.store().read(migrations::current_version)?,
        migrations::LATEST
    );
    assert_eq!(
        ws.store()
            .read(|c| messages::search_ids(c, "arrived", 10))?
            .len(),
        1
    );
    Ok(())
}

#[test]
fn a_workspace_from_a_newer_version_is_refused_unchanged() -> TestResult {
    let ctx = workspace();
    ctx.ws
        .store()
        .write(|tx| Ok(tx.pragma_update(None, "user_version", migrations::LATEST + 1)?))?;
    drop(ctx.ws);
    let dir = WorkspaceDir::new(ctx.dir.path().join("ws"));
    let before = fingerprint(dir.root());
    let opened = Workspace::open(&dir, Some(&Password::new(PASSPHRASE)));
    assert!(
        matches!(opened, Err(CoreError::NewerVersion { found, .. }) if found == migrations::LATEST + 1),
        "{opened:?}"
    );
    assert_eq!(fingerprint(dir.root()), before);
    Ok(())
}

#[test]
fn a_folder_without_a_workspace_is_named_as_such() -> TestResult {
    let empty = tempfile::tempdir()?;
    let opened = Workspace::open(&WorkspaceDir::new(empty.path()), None);
    assert!(
        matches!(opened, Err(CoreError::NoWorkspace { .. })),
        "{opened:?}"
    );
    assert_eq!(
        std::fs::read_dir(empty.path())?.count(),
        0,
        "nothing written"
    );
    let message = opened.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("appcare init"), "{message}");
    Ok(())
}

#[test]
fn creating_over_an_existing_workspace_is_refused() -> TestResult {
    let ctx = workspace();
    let again = Workspace::create(
        &WorkspaceDir::new(ctx.dir.path().join("ws")),
        create_options(),
        ctx.now,
    );
    assert!(matches!(again, Err(CoreError::WorkspaceExists { .. })));
    Ok(())
}

#[test]
fn a_weak_admin_password_leaves_no_half_made_workspace() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut options = create_options();
    options.admin_password = Password::new("password1234");
    let made = Workspace::create(
        &WorkspaceDir::new(dir.path().join("ws")),
        options,
        Timestamp::from_unix(T0),
    );
    assert!(matches!(made, Err(CoreError::WeakPassword { .. })));
    assert!(!dir.path().join("ws").join("workspace.json").exists());
    assert!(!dir.path().join("ws").join("appcare.db").exists());
    Ok(())
}

/// Needs a real Secret Service: the test command runs the suite under
/// `dbus-run-session` with an unlocked gnome-keyring-daemon.
#[test]
fn keyring_mode_round_trip_against_the_real_secret_service() -> TestResult {
    let dir = tempfile::tempdir()?;
    let wsdir = WorkspaceDir::new(dir.path().join("ws"));
    let mut options = create_options();
    options.key_source = KeySource::Keyring;
    let (ws, _) = Workspace::create(&wsdir, options, Timestamp::from_unix(T0))?;
    let id = ws.info().workspace_id.clone();
    plant_customer_data(&ws, Timestamp::from_unix(T0))?;
    drop(ws);
    assert!(
        !wsdir.key_file().exists(),
        "keyring mode writes no key file"
    );

    let ws = Workspace::open(&wsdir, None)?;
    assert_eq!(
        ws.store()
            .read(|c| messages::search_ids(c, "arrived", 10))?
            .len(),
        1
    );
    drop(ws);

    let key = os_keyring::load(&id)?;
    let hex_key = hex::encode(key.as_bytes());
    assert!(hits(wsdir.root(), &[hex_key.as_bytes(), key.as_bytes()]).is_empty());

    os_keyring::delete(&id)?;
    let opened = Workspace::open(&wsdir, None);
    assert!(matches!(opened, Err(CoreError::KeyMissing)), "{opened:?}");
    Ok(())
}

/// A workspace made before the channel work (schema 3) with a handoff note that an
/// assignment points at migrates to the latest schema with every reference intact.
#[test]
fn a_schema_3_workspace_with_handoff_notes_migrates_intact() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("old.db"))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    migrations::run_up_to(&mut conn, 3)?;
    conn.execute_batch(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (1, 'alex', 'Alex', 'agent', 'x', 1);
         INSERT INTO contacts (id, display_name, created_at) VALUES (1, 'Sheena', 1);
         INSERT INTO channel_accounts (id, kind, name, external_id, created_at) VALUES (1, 'whatsapp', 'Line', '1065', 1);
         INSERT INTO conversations (id, channel_account_id, contact_id, last_activity_at, created_at) VALUES (1, 1, 1, 1, 1);
         INSERT INTO messages (id, conversation_id, direction, body, created_at) VALUES (1, 1, 'out', 'hello', 1);
         INSERT INTO outbox (message_id, next_attempt_at) VALUES (1, 1);
         INSERT INTO notes (id, conversation_id, author_user_id, body, is_handoff, created_at) VALUES (1, 1, 1, 'please call back', 1, 2);
         INSERT INTO assignments (conversation_id, to_user_id, changed_by, note_id, created_at) VALUES (1, 1, 1, 1, 2);",
    )?;
    migrations::run(&mut conn)?;
    assert_eq!(migrations::current_version(&conn)?, migrations::LATEST);
    let note: String = conn.query_row(
        "SELECT n.body FROM assignments a JOIN notes n ON n.id = a.note_id",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(note, "please call back");
    let outbox: (String, String) = conn.query_row(
        "SELECT state, payload FROM outbox WHERE message_id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(outbox, ("pending".to_string(), "{}".to_string()));
    let dangling: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?;
    assert_eq!(dangling, 0);
    let fk_on: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    assert_eq!(fk_on, 1, "foreign keys are back on after migrating");
    Ok(())
}

/// Issue 18 review (R2): migration 0008 gave every session it copied the source 'local',
/// a hub client's too, and which live 'local' session predates it cannot be told. The
/// migration after it ends them and marks them 'legacy' (which no sign-in treats as the
/// local desktop); sessions with an address and ended ones stay as they were. Finding
/// 11: users an admin created still have the password the admin typed and must choose
/// their own at their next sign-in; the admin who created the workspace typed her own.
#[test]
fn sessions_from_before_sign_in_sources_end_and_admin_made_passwords_must_change() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("old.db"))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    // Schema 8 (shipped) introduced sign-in sources.
    migrations::run_up_to(&mut conn, 8)?;
    conn.execute_batch(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES
             (1, 'maria', 'Maria', 'admin', 'x', 1), (2, 'alex', 'Alex', 'agent', 'x', 2);
         INSERT INTO audit_events (at, actor_id, kind, subject, prev_hash, hash) VALUES
             (1, 1, 'user_created', 'user:1', x'00', x'01'),
             (2, 1, 'user_created', 'user:2', x'01', x'02');
         INSERT INTO sessions (id, token_hash, user_id, stage, password_ok, created_at, last_active_at, ended_at, source) VALUES
             (1, x'01', 1, 'active', 1, 100, 150, NULL, 'local'),
             (2, x'02', 2, 'locked', 1, 100, 160, NULL, 'local'),
             (3, x'03', 2, 'active', 1, 100, 170, NULL, 'ip:192.0.2.7'),
             (4, x'04', 1, 'ended', 1, 10, 20, 30, 'local');",
    )?;
    migrations::run(&mut conn)?;
    let mut stmt = conn.prepare("SELECT id, stage, ended_at, source FROM sessions ORDER BY id")?;
    let sessions: Vec<(i64, String, Option<i64>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let row = |id: i64, stage: &str, ended: Option<i64>, source: &str| {
        (id, stage.to_string(), ended, source.to_string())
    };
    assert_eq!(
        sessions,
        [
            row(1, "ended", Some(150), "legacy"),
            row(2, "ended", Some(160), "legacy"),
            row(3, "active", None, "ip:192.0.2.7"),
            row(4, "ended", Some(30), "local"),
        ]
    );
    let mut stmt = conn.prepare("SELECT must_change_password FROM users ORDER BY id")?;
    let flags: Vec<bool> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    assert_eq!(flags, [false, true]);
    Ok(())
}

fn previews(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT preview FROM conversations ORDER BY id")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The inbox preview is kept on the conversation (schemas 6 and 7): a workspace from before
/// gets it filled from each conversation's newest message, and from then on it follows
/// the newest message whichever order messages arrive or leave in.
#[test]
fn the_inbox_preview_is_the_newest_message_after_migration_arrivals_and_deletions() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("old.db"))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    migrations::run_up_to(&mut conn, 5)?;
    conn.execute_batch(
        "INSERT INTO contacts (id, display_name, created_at) VALUES (1, 'Sheena', 1);
         INSERT INTO channel_accounts (id, kind, name, external_id, created_at) VALUES (1, 'whatsapp', 'Line', '1065', 1);
         INSERT INTO conversations (id, channel_account_id, contact_id, last_activity_at, created_at) VALUES (1, 1, 1, 1, 1), (2, 1, 1, 1, 1), (3, 1, 1, 1, 1);
         INSERT INTO messages (id, conversation_id, direction, body, created_at) VALUES
             (1, 1, 'in', 'first', 10), (2, 1, 'out', 'newest', 20), (3, 1, 'in', 'older', 15),
             (4, 2, 'in', 'only one', 5);",
    )?;
    migrations::run(&mut conn)?;
    assert_eq!(previews(&conn)?, ["newest", "only one", ""]);

    // An older message arriving late leaves the preview; a newer one replaces it; a
    // newer one in the same second wins by id.
    conn.execute_batch(
        "INSERT INTO messages (id, conversation_id, direction, body, created_at) VALUES (5, 1, 'in', 'late', 12);",
    )?;
    assert_eq!(previews(&conn)?[0], "newest");
    let long = "é".repeat(300);
    conn.execute(
        "INSERT INTO messages (id, conversation_id, direction, body, created_at) VALUES (6, 3, 'in', ?1, 30), (7, 3, 'in', 'same second', 30)",
        [&long],
    )?;
    assert_eq!(previews(&conn)?[2], "same second");
    conn.execute("DELETE FROM messages WHERE id = 7", [])?;
    assert_eq!(previews(&conn)?[2], "é".repeat(140), "140 characters");

    // A purge of the newest message falls back to the one before; of all, to nothing.
    conn.execute("DELETE FROM messages WHERE id = 2", [])?;
    assert_eq!(previews(&conn)?[0], "older");
    conn.execute("DELETE FROM messages WHERE conversation_id = 2", [])?;
    assert_eq!(previews(&conn)?[1], "");
    // A body rewritten in place (masking, erasure) is what the preview shows.
    conn.execute("UPDATE messages SET body = '[removed]' WHERE id = 3", [])?;
    assert_eq!(previews(&conn)?[0], "[removed]");
    Ok(())
}

/// Storing a message costs the same in a long conversation as in a short one: the
/// preview trigger finds "is there a newer message?" through the index, even when every
/// message shares one timestamp (schema 6 walked the conversation on every insert).
#[test]
fn storing_a_message_does_not_read_the_rest_of_its_conversation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("steps.db"))?;
    migrations::run(&mut conn)?;
    conn.execute_batch(
        "INSERT INTO contacts (id, display_name, created_at) VALUES (1, 'Sheena', 1);
         INSERT INTO channel_accounts (id, kind, name, external_id, created_at) VALUES (1, 'whatsapp', 'Line', '1065', 1);
         INSERT INTO conversations (id, channel_account_id, contact_id, last_activity_at, created_at) VALUES (1, 1, 1, 1, 1);",
    )?;
    // The steps SQLite's machine takes for one insert (its triggers included).
    let steps_to_store = |conn: &rusqlite::Connection, body: &str| -> rusqlite::Result<i32> {
        let mut insert = conn.prepare(
            "INSERT INTO messages (conversation_id, direction, body, created_at) VALUES (1, 'in', ?1, 50)",
        )?;
        insert.execute([body])?;
        Ok(insert.get_status(rusqlite::StatementStatus::VmStep))
    };
    let fill = |conn: &mut rusqlite::Connection, count: usize| -> rusqlite::Result<()> {
        let tx = conn.transaction()?;
        for i in 0..count {
            steps_to_store(&tx, &format!("message {i}"))?;
        }
        tx.commit()
    };
    fill(&mut conn, 100)?;
    let short = steps_to_store(&conn, "at 101")?;
    fill(&mut conn, 3_000)?;
    let long = steps_to_store(&conn, "at 3102")?;
    assert!(
        long < short + 100,
        "an insert took {short} steps after 100 messages and {long} after 3,100"
    );
    assert_eq!(
        previews(&conn)?,
        ["at 3102"],
        "the newest is still the preview"
    );
    // One in the same second with a lower id (an import) does not take its place.
    conn.execute(
        "INSERT INTO messages (id, conversation_id, direction, body, created_at) VALUES (0, 1, 'in', 'imported', 50)",
        [],
    )?;
    assert_eq!(previews(&conn)?, ["at 3102"]);
    Ok(())
}

/// A read is one snapshot: a write by another connection in the middle of it is not
/// seen until the next read (each statement used to be a transaction of its own).
#[test]
fn a_read_sees_one_snapshot_while_another_connection_writes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("plain.db");
    let store = appcare_core::store::Store::open_plain_for_benchmarks(&path)?;
    let other = rusqlite::Connection::open(&path)?;
    other.execute_batch("CREATE TABLE scratch (body TEXT); INSERT INTO scratch VALUES ('a');")?;
    let count = |c: &rusqlite::Connection| -> rusqlite::Result<i64> {
        c.query_row("SELECT count(*) FROM scratch", [], |r| r.get(0))
    };
    let (before, after) = store.read(|c| {
        let before = count(c)?;
        other.execute("INSERT INTO scratch VALUES ('b')", [])?;
        Ok((before, count(c)?))
    })?;
    assert_eq!(
        (before, after),
        (1, 1),
        "the read saw a write made during it"
    );
    assert_eq!(store.read(|c| Ok(count(c)?))?, 2, "the next read sees it");
    Ok(())
}

/// A read that fails or panics leaves no transaction open behind it, and a transaction
/// left open by other work does not make reads fail.
#[test]
fn a_read_that_fails_or_panics_leaves_the_connection_ready() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = appcare_core::store::Store::open_plain_for_benchmarks(&dir.path().join("p.db"))?;
    let failed: Result<(), CoreError> = store.read(|c| {
        c.query_row("SELECT * FROM no_such_table", [], |_| Ok(()))?;
        Ok(())
    });
    assert!(failed.is_err());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: Result<(), CoreError> = store.read(|_| panic!("a bug in a read"));
    }));
    assert!(panicked.is_err());
    assert!(
        store.with_connection(|c| Ok(c.is_autocommit()))?,
        "a transaction was left open"
    );
    // Work outside the read path that fails half-way can leave one open: the next read
    // ends it rather than failing for good.
    store.with_connection(|c| Ok(c.execute_batch("BEGIN;")?))?;
    assert_eq!(
        store.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))?,
        1
    );
    assert!(
        store.with_connection(|c| Ok(c.is_autocommit()))?,
        "the stray transaction is still open"
    );
    store.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('after', 'panic')",
            [],
        )?;
        Ok(())
    })?;
    let value: String = store.read(|c| {
        Ok(
            c.query_row("SELECT value FROM settings WHERE key = 'after'", [], |r| {
                r.get(0)
            })?,
        )
    })?;
    assert_eq!(value, "panic");
    Ok(())
}

/// Migration 21 takes the history reports need from what was there: each conversation's
/// first agent reply (not a customer's message, not an unsigned automatic one) and the
/// status changes the audit chain recorded (only for conversations that still exist).
#[test]
fn reports_history_is_taken_from_the_messages_and_the_audit_chain() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("old.db"))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    migrations::run_up_to(&mut conn, 20)?;
    conn.execute_batch(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES
             (1, 'maria', 'Maria', 'admin', 'x', 1), (2, 'alex', 'Alex', 'agent', 'x', 2);
         INSERT INTO channel_accounts (id, kind, name, external_id, created_at) VALUES (1, 'email', 'Help', 'help@x.test', 1);
         INSERT INTO contacts (id, display_name, created_at) VALUES (1, 'Ana', 1);
         INSERT INTO conversations (id, channel_account_id, contact_id, last_activity_at, created_at) VALUES
             (1, 1, 1, 100, 10), (2, 1, 1, 100, 20);
         INSERT INTO messages (conversation_id, direction, author_user_id, body, created_at) VALUES
             (1, 'in', NULL, 'hi', 10), (1, 'out', NULL, 'automatic', 11),
             (1, 'out', 2, 'first', 30), (1, 'out', 1, 'second', 40), (2, 'in', NULL, 'hello', 20);
         INSERT INTO audit_events (at, actor_id, kind, subject, detail, prev_hash, hash) VALUES
             (50, 2, 'conversation_status_changed', 'conversation:1', '{\"from\":\"open\",\"to\":\"resolved\"}', x'00', x'01'),
             (60, NULL, 'conversation_status_changed', 'conversation:9', '{\"from\":\"open\",\"to\":\"resolved\"}', x'01', x'02'),
             (70, 1, 'conversation_status_changed', 'conversation:1', 'not json', x'02', x'03');",
    )?;
    migrations::run(&mut conn)?;
    let first: Vec<(i64, Option<i64>, Option<i64>)> = conn
        .prepare("SELECT id, first_reply_at, first_reply_by FROM conversations ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    assert_eq!(first, [(1, Some(30), Some(2)), (2, None, None)]);
    let changes: Vec<(i64, String, String, i64, Option<i64>)> = conn
        .prepare("SELECT conversation_id, from_status, to_status, at, by_user FROM status_changes")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    assert_eq!(
        changes,
        [(1, "open".into(), "resolved".into(), 50, Some(2))]
    );
    Ok(())
}

/// Migration 22: a conversation that is not resolved waits since the customer's first
/// message after the last agent reply (an automatic message is no reply); a resolved one
/// and one answered last wait for nothing.
#[test]
fn the_sla_migration_finds_since_when_each_customer_waits() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut conn = rusqlite::Connection::open(dir.path().join("old.db"))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    migrations::run_up_to(&mut conn, 21)?;
    conn.execute_batch(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES
             (2, 'alex', 'Alex', 'agent', 'x', 2);
         INSERT INTO channel_accounts (id, kind, name, external_id, created_at) VALUES (1, 'email', 'Help', 'help@x.test', 1);
         INSERT INTO contacts (id, display_name, created_at) VALUES (1, 'Ana', 1);
         INSERT INTO conversations (id, channel_account_id, contact_id, status, last_activity_at, created_at) VALUES
             (1, 1, 1, 'open', 100, 10), (2, 1, 1, 'open', 100, 20), (3, 1, 1, 'resolved', 100, 30),
             (4, 1, 1, 'pending', 100, 40);
         INSERT INTO messages (conversation_id, direction, author_user_id, body, created_at) VALUES
             (1, 'in', NULL, 'hi', 10), (1, 'out', 2, 'answer', 30), (1, 'in', NULL, 'again', 50),
             (1, 'out', NULL, 'automatic', 55), (1, 'in', NULL, 'and again', 60),
             (2, 'in', NULL, 'hello', 20),
             (3, 'in', NULL, 'hello', 30),
             (4, 'in', NULL, 'hello', 40), (4, 'out', 2, 'answered', 45);",
    )?;
    migrations::run(&mut conn)?;
    let waiting: Vec<(i64, Option<i64>)> = conn
        .prepare("SELECT id, awaiting_since FROM conversations ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    assert_eq!(
        waiting,
        [(1, Some(50)), (2, Some(20)), (3, None), (4, None)]
    );
    Ok(())
}
