//! Encrypted backups against the real store: a backup taken while another thread keeps
//! ingesting restores to a workspace that passes the page and structure checks, with no
//! dangling reference, a complete search index and the admin's sign-in; a wrong
//! passphrase and a changed byte are refused with nothing restored; scheduled backups
//! run when due and keep the newest copies.
//!
//! Real parts: SQLCipher, backup files in a temporary folder.

mod common;

use appcare_core::service::ingest::InboundMessage;
use appcare_core::workspace::backup::verify_backup;
use appcare_core::{CoreError, KeySource, Password, Timestamp, Workspace, WorkspaceDir};
use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const BACKUP_PASSPHRASE: &str = "backup passphrase for tests";

fn message_count(ws: &Workspace) -> i64 {
    ws.store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))
        .unwrap_or(-1)
}

#[test]
fn a_backup_taken_during_writes_restores_to_a_consistent_workspace() -> TestResult {
    let ctx = workspace();
    let (admin, _, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, ctx.now);
    let account = ctx
        .ws
        .create_channel_account(&admin, "whatsapp", "Line", "1065", None, ctx.now)?
        .id;
    let ws = Arc::new(ctx.ws);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (ws, stop) = (ws.clone(), stop.clone());
        let now = ctx.now;
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let contact = format!("4915{:06}", i % 50);
                let id = format!("wamid.backup.{i}");
                let body = format!("message {i} about order {}", i * 7);
                ws.ingest(
                    InboundMessage {
                        account,
                        contact_external_id: &contact,
                        contact_name: "Customer",
                        external_id: Some(&id),
                        subject: "",
                        body: &body,
                        sent_at: now,
                        choice: None,
                        has_media: false,
                        attachments: vec![],
                    },
                    now,
                )
                .expect("ingest");
                i += 1;
            }
            i
        })
    };
    while message_count(&ws) < 200 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = tempfile::tempdir()?;
    let file = out.path().join("nightly.acbk");
    let report = ws.backup_to(&file, &Password::new(BACKUP_PASSPHRASE), ctx.now)?;
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().map_err(|_| "writer panicked")?;
    assert!(
        report.messages >= 200 && (report.messages as u64) <= written,
        "{report:?} of {written}"
    );
    assert!(report.audit_intact);

    // Wrong passphrase and a changed byte are refused; nothing is restored.
    let target = WorkspaceDir::new(out.path().join("restored"));
    let wrong = Workspace::restore_backup(
        &file,
        &Password::new("not the passphrase!"),
        &target,
        KeySource::Passphrase(Password::new(PASSPHRASE)),
        ctx.now,
    );
    assert!(matches!(wrong, Err(CoreError::WrongKey)), "{wrong:?}");
    assert!(!target.exists());
    let mut bytes = std::fs::read(&file)?;
    let last = bytes.len() - 100;
    bytes[last] ^= 0x01;
    let tampered = out.path().join("tampered.acbk");
    std::fs::write(&tampered, &bytes)?;
    assert!(matches!(
        verify_backup(&tampered, &Password::new(BACKUP_PASSPHRASE)),
        Err(CoreError::Tampered { .. })
    ));

    let restored = Workspace::restore_backup(
        &file,
        &Password::new(BACKUP_PASSPHRASE),
        &target,
        KeySource::Passphrase(Password::new(PASSPHRASE)),
        ctx.now,
    )?;
    restored.store().verify_integrity()?;
    assert_eq!(message_count(&restored), report.messages);
    let dangling: i64 = restored.store().read(|c| {
        Ok(
            c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?,
        )
    })?;
    assert_eq!(dangling, 0);
    let searchable: i64 = restored.store().read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'order'",
            [],
            |r| r.get(0),
        )?)
    })?;
    assert_eq!(searchable, report.messages, "the search index came along");
    drop(restored);
    // It opens with its own passphrase, and the admin signs in as before.
    let reopened = Workspace::open(&target, Some(&Password::new(PASSPHRASE)))?;
    let challenge = reopened.begin_sign_in(
        ADMIN,
        &Password::new(ADMIN_PASSWORD),
        ctx.now.plus_seconds(120),
    );
    assert!(challenge.is_ok());
    Ok(())
}

#[test]
fn scheduled_backups_run_when_due_and_keep_the_newest() -> TestResult {
    let ctx = workspace();
    let (admin, _, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, ctx.now);
    let folder = tempfile::tempdir()?;
    let dir = folder.path().display().to_string();
    assert!(
        ctx.ws
            .set_backup_schedule(&admin, Some(&dir), 6, 2, None, ctx.now)
            .is_err(),
        "a passphrase is needed"
    );
    ctx.ws.set_backup_schedule(
        &admin,
        Some(&dir),
        6,
        2,
        Some(&Password::new(BACKUP_PASSPHRASE)),
        ctx.now,
    )?;
    let m = ctx.ws.maintenance();
    assert!(m.run_scheduled_backup(ctx.now)?.is_some());
    assert!(
        m.run_scheduled_backup(ctx.now.plus_seconds(3600))?
            .is_none(),
        "not due yet"
    );
    assert!(m
        .run_scheduled_backup(ctx.now.plus_seconds(6 * 3600))?
        .is_some());
    assert!(m
        .run_scheduled_backup(ctx.now.plus_seconds(12 * 3600))?
        .is_some());
    let mut files: Vec<String> = std::fs::read_dir(folder.path())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[1].ends_with(&format!(
        "{:012}.acbk",
        ctx.now.plus_seconds(12 * 3600).unix()
    )));
    let schedule = ctx.ws.backup_schedule(&admin, ctx.now)?;
    assert!(schedule.has_passphrase && schedule.last_error.is_none());
    let _ = Timestamp::now();
    Ok(())
}
