//! Customers' privacy requests and retention against the real encrypted store. Erasure:
//! identifiers planted in messages, a file, a note, the name and the phone; afterwards
//! no file of the data folder (WAL included) holds any of them as raw bytes, nor does
//! the decrypted database (a plaintext `sqlcipher_export`, compared case-insensitively)
//! or the FTS vocabularies; the other contact's data remains; the audit row holds
//! counts only; erasing a Messenger contact also drops queued provider calls about
//! them. Export: every message and file, notes only when asked. Retention with a
//! controlled clock: exactly the expired messages go, the index agrees, emptied old
//! conversations go, audited with counts; a purged customer leaves nothing in any table.
//! Erased messages stay erased when Meta delivers them again or the poll refetches them.
//! A card number in an e-mail subject is masked before it is stored.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::channel::InboundAttachment;
use appcare_core::service::ingest::InboundMessage;
use appcare_core::service::residency::RetentionPolicy;
use appcare_core::{SessionToken, Timestamp, Workspace};
use common::*;
use std::path::Path;

const NAME: &str = "Zyxwvut Quokka";
const PHONE: &str = "4917011122233";
const TEXT: &str = "ERASECANARY7f3a";
const FILE_BYTES: &[u8] = b"ATTACHCANARY91bd";
const NOTE: &str = "NOTECANARY55c2";
const OTHER: &str = "KEEPCANARYb2e0";

fn write(
    ws: &Workspace,
    account: appcare_core::ids::ChannelAccountId,
    who: (&str, &str),
    id: &str,
    body: &str,
    at: Timestamp,
    file: Option<&[u8]>,
) -> appcare_core::ConversationId {
    ws.ingest(
        InboundMessage {
            account,
            contact_external_id: who.1,
            contact_name: who.0,
            external_id: Some(id),
            subject: "",
            body,
            sent_at: at,
            choice: None,
            has_media: false,
            attachments: file
                .map(|data| {
                    vec![InboundAttachment {
                        file_name: "receipt.png".into(),
                        mime_type: "image/png".into(),
                        data: data.to_vec(),
                    }]
                })
                .unwrap_or_default(),
        },
        at,
    )
    .expect("ingested")
    .conversation
}

fn setup() -> (Ctx, SessionToken, appcare_core::ids::ChannelAccountId) {
    let ctx = workspace();
    let (admin, _, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, ctx.now);
    let account = ctx
        .ws
        .create_channel_account(&admin, "whatsapp", "Line", "1065", None, ctx.now)
        .expect("account")
        .id;
    (ctx, admin, account)
}

/// Files under `dir` that contain any needle, by raw bytes.
fn raw_hits(dir: &Path, needles: &[&[u8]]) -> Vec<String> {
    all_files(dir)
        .into_iter()
        .filter(|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == *n))
        })
        .map(|f| f.display().to_string())
        .collect()
}

/// The decrypted database, copied to a plain file outside the data folder.
fn decrypted(ws: &Workspace, into: &Path) -> Vec<u8> {
    let path = into.join("plain.db");
    ws.store()
        .with_connection(|c| {
            c.execute(
                "ATTACH DATABASE ?1 AS plain KEY ''",
                [path.display().to_string()],
            )?;
            c.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))?;
            c.execute_batch("DETACH DATABASE plain;")?;
            Ok(())
        })
        .expect("export to plain");
    std::fs::read(&path).expect("plain copy")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn an_erased_contact_leaves_no_identifier_in_any_file_or_in_the_decrypted_store() -> TestResult {
    let (ctx, admin, account) = setup();
    let t = ctx.now;
    let conversation = write(
        &ctx.ws,
        account,
        (NAME, PHONE),
        "wamid.p1",
        &format!("My order {TEXT} is late"),
        t,
        Some(FILE_BYTES),
    );
    write(
        &ctx.ws,
        account,
        (NAME, PHONE),
        "wamid.p2",
        "STOP",
        t.plus_seconds(5),
        None,
    );
    ctx.ws.add_note(
        &admin,
        conversation,
        &format!("Called back {NOTE}"),
        t.plus_seconds(9),
    )?;
    write(
        &ctx.ws,
        account,
        ("Other Person", "4915550000"),
        "wamid.o1",
        &format!("Hello {OTHER}"),
        t,
        None,
    );
    let found = ctx.ws.find_contacts(&admin, PHONE, t)?;
    assert_eq!(found.len(), 1);
    assert_eq!(
        ctx.ws.find_contacts(&admin, "quokka", t)?.len(),
        1,
        "found by name too"
    );
    let scratch = tempfile::tempdir()?;
    let before = decrypted(&ctx.ws, scratch.path());
    assert!(
        contains(&before, TEXT.as_bytes()) && contains(&before, NAME.as_bytes()),
        "the scan sees planted data"
    );

    let summary = ctx
        .ws
        .erase_contact(&admin, found[0].id, t.plus_seconds(60))?;
    assert_eq!(
        (summary.conversations, summary.messages, summary.attachments),
        (1, 2, 1)
    );

    let needles: [&[u8]; 5] = [
        NAME.as_bytes(),
        PHONE.as_bytes(),
        TEXT.as_bytes(),
        FILE_BYTES,
        NOTE.as_bytes(),
    ];
    let data_dir = ctx.dir.path().join("ws");
    assert_eq!(
        raw_hits(&data_dir, &needles),
        Vec::<String>::new(),
        "no identifier in any file, WAL included"
    );
    let scratch = tempfile::tempdir()?;
    let after = decrypted(&ctx.ws, scratch.path());
    let after_lower = after.to_ascii_lowercase();
    for needle in needles {
        assert!(
            !contains(&after_lower, &needle.to_ascii_lowercase()),
            "{} survives in the decrypted store",
            String::from_utf8_lossy(needle)
        );
    }
    // The search indexes hold no term of the contact (FTS stores lowercase terms).
    let terms: Vec<String> = ctx.ws.store().read(|c| {
        c.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.mv USING fts5vocab(main, messages_fts, 'row');
             CREATE VIRTUAL TABLE IF NOT EXISTS temp.cv USING fts5vocab(main, contacts_fts, 'row');",
        )?;
        let mut s = c.prepare("SELECT term FROM temp.mv UNION SELECT term FROM temp.cv")?;
        let rows = s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    })?;
    for gone in [TEXT, "quokka", "zyxwvut", PHONE] {
        assert!(
            !terms.contains(&gone.to_ascii_lowercase()),
            "{gone} still indexed"
        );
    }
    assert!(
        terms.contains(&OTHER.to_ascii_lowercase()),
        "the vocabulary is read"
    );
    assert!(
        contains(&after, OTHER.as_bytes()),
        "the other contact's data is untouched"
    );
    assert!(ctx.ws.search(&admin, TEXT, t)?.is_empty());
    assert_eq!(ctx.ws.search(&admin, OTHER, t)?.len(), 1);
    assert!(ctx.ws.find_contacts(&admin, PHONE, t)?.is_empty());
    let audit = ctx.ws.recent_audit(&admin, Some("contact_erased"), 5, t)?;
    assert_eq!(audit.len(), 1);
    assert!(!audit[0].detail.contains(NAME) && !audit[0].detail.contains(PHONE));
    Ok(())
}

#[test]
fn an_export_holds_every_message_note_and_file() -> TestResult {
    let (ctx, admin, account) = setup();
    let t = ctx.now;
    let conversation = write(
        &ctx.ws,
        account,
        (NAME, PHONE),
        "wamid.e1",
        &format!("My order {TEXT}"),
        t,
        Some(FILE_BYTES),
    );
    ctx.ws
        .add_note(&admin, conversation, NOTE, t.plus_seconds(3))?;
    ctx.ws.reply(
        &admin,
        conversation,
        "We are on it",
        None,
        t.plus_seconds(4),
    )?;
    // A shared place: exported with what it held besides text.
    let place = appcare_core::channel::ChannelEvent::Message(appcare_core::channel::InboundEvent {
        account,
        contact_external_id: PHONE.into(),
        contact_name: NAME.into(),
        external_id: "wamid.e2".into(),
        body: "Shared a location".into(),
        sent_at: t.plus_seconds(5),
        media: vec![],
        contact_aliases: vec![],
        reply_to: None,
        choice: None,
        content: Some(appcare_core::channel::rich::RichContent::Location {
            latitude: "52.52".into(),
            longitude: "13.405".into(),
            name: "Pickup point".into(),
            address: String::new(),
        }),
    });
    assert_eq!(
        ctx.ws
            .delivery()
            .apply(&[place], t.plus_seconds(5))?
            .messages,
        1
    );
    let contact = ctx.ws.find_contacts(&admin, NAME, t)?[0].id;
    let out = tempfile::tempdir()?;
    let without_notes =
        ctx.ws
            .export_contact(&admin, contact, false, out.path(), t.plus_seconds(10))?;
    assert_eq!(
        (
            without_notes.conversations,
            without_notes.messages,
            without_notes.files
        ),
        (1, 3, 1)
    );
    let json = std::fs::read_to_string(Path::new(&without_notes.folder).join("contact.json"))?;
    assert!(
        json.contains(TEXT) && json.contains("We are on it") && json.contains(PHONE),
        "{json}"
    );
    assert!(!json.contains(NOTE), "internal notes only when asked");
    let doc: serde_json::Value = serde_json::from_str(&json)?;
    let file = doc["conversations"][0]["messages"][0]["attachments"][0]["path"]
        .as_str()
        .ok_or("file path")?;
    assert_eq!(
        std::fs::read(Path::new(&without_notes.folder).join(file))?,
        FILE_BYTES
    );
    let shared = doc["conversations"][0]["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["text"] == "Shared a location"))
        .ok_or("the place")?;
    assert_eq!(shared["content"]["kind"], "location");
    assert_eq!(shared["content"]["name"], "Pickup point");
    let with_notes =
        ctx.ws
            .export_contact(&admin, contact, true, out.path(), t.plus_seconds(11))?;
    assert!(
        std::fs::read_to_string(Path::new(&with_notes.folder).join("contact.json"))?.contains(NOTE)
    );
    Ok(())
}

#[test]
fn retention_removes_exactly_the_expired_messages_and_the_index_agrees() -> TestResult {
    let (ctx, admin, account) = setup();
    let now = ctx.now;
    let day = 86_400;
    let old_conv = write(
        &ctx.ws,
        account,
        ("Old Customer", "4911"),
        "wamid.r1",
        "ancientword question",
        now.plus_seconds(-40 * day),
        Some(FILE_BYTES),
    );
    let mixed = write(
        &ctx.ws,
        account,
        ("Mixed Customer", "4922"),
        "wamid.r2",
        "oldmixed first",
        now.plus_seconds(-35 * day),
        None,
    );
    write(
        &ctx.ws,
        account,
        ("Mixed Customer", "4922"),
        "wamid.r3",
        "freshword second",
        now.plus_seconds(-10 * day),
        None,
    );
    assert!(ctx
        .ws
        .set_retention_policy(
            &admin,
            RetentionPolicy {
                whatsapp_days: 4000,
                messenger_days: 0,
                email_days: 0
            },
            now
        )
        .is_err());
    ctx.ws.set_retention_policy(
        &admin,
        RetentionPolicy {
            whatsapp_days: 30,
            messenger_days: 0,
            email_days: 0,
        },
        now,
    )?;
    let runs = ctx.ws.maintenance().purge_expired(now)?;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].messages, runs[0].attachments, runs[0].conversations),
        (2, 1, 1)
    );
    assert!(ctx.ws.search(&admin, "ancientword", now)?.is_empty());
    assert!(ctx.ws.search(&admin, "oldmixed", now)?.is_empty());
    assert_eq!(ctx.ws.search(&admin, "freshword", now)?.len(), 1);
    assert!(
        ctx.ws
            .open_conversation(&admin, old_conv, None, now)
            .is_err(),
        "an emptied old conversation is gone"
    );
    assert_eq!(
        ctx.ws
            .open_conversation(&admin, mixed, None, now)?
            .messages
            .len(),
        1
    );
    let audit = ctx
        .ws
        .recent_audit(&admin, Some("retention_purged"), 5, now)?;
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].detail.contains("\"messages\":2"),
        "{}",
        audit[0].detail
    );
    // Nothing more to do the next time.
    assert!(ctx
        .ws
        .maintenance()
        .purge_expired(now.plus_seconds(60))?
        .is_empty());
    Ok(())
}

#[test]
fn erasing_a_messenger_contact_removes_the_provider_calls_about_them() -> TestResult {
    let (ctx, admin, _) = setup();
    let t = ctx.now;
    let page = ctx
        .ws
        .create_channel_account(&admin, "messenger", "Page", "5550001", None, t)?
        .id;
    let psid = "7700770077001234";
    // Only the PSID is known: a profile lookup is queued for this person.
    ctx.ws.delivery().apply(
        &[appcare_core::channel::ChannelEvent::Message(
            appcare_core::channel::InboundEvent {
                account: page,
                contact_external_id: psid.into(),
                contact_name: psid.into(),
                external_id: "mid.erase.1".into(),
                body: "hi".into(),
                sent_at: t,
                media: vec![],
                contact_aliases: vec![],
                reply_to: None,
                choice: None,
                content: None,
            },
        )],
        t,
    )?;
    let queued = |ws: &Workspace| -> i64 {
        ws.store()
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM channel_tasks WHERE payload LIKE '%' || ?1 || '%'",
                    [psid],
                    |r| r.get(0),
                )?)
            })
            .unwrap_or(-1)
    };
    assert_eq!(queued(&ctx.ws), 1);
    let contact = ctx.ws.find_contacts(&admin, psid, t)?[0].id;
    ctx.ws.erase_contact(&admin, contact, t.plus_seconds(5))?;
    assert_eq!(queued(&ctx.ws), 0);
    assert_eq!(
        raw_hits(&ctx.dir.path().join("ws"), &[psid.as_bytes()]),
        Vec::<String>::new()
    );
    Ok(())
}

#[test]
fn a_card_number_in_a_subject_is_masked_before_it_is_stored() -> TestResult {
    let (ctx, admin, _) = setup();
    let t = ctx.now;
    let mailbox = ctx
        .ws
        .create_channel_account(&admin, "email", "Support", "support@example.com", None, t)?
        .id;
    ctx.ws.ingest(
        InboundMessage {
            account: mailbox,
            contact_external_id: "ana@example.org",
            contact_name: "Ana",
            external_id: Some("<m1@example.org>"),
            subject: "Refund to card 4111 1111 1111 1111 please",
            body: "See subject",
            sent_at: t,
            choice: None,
            has_media: false,
            attachments: vec![],
        },
        t,
    )?;
    let subject: String = ctx
        .ws
        .store()
        .read(|c| Ok(c.query_row("SELECT subject FROM conversations", [], |r| r.get(0))?))?;
    assert!(
        !subject.contains("4111 1111 1111 1111") && subject.contains("1111"),
        "{subject}"
    );
    Ok(())
}

/// Erasure leaves keyed tombstones: Meta delivering the same WhatsApp webhook again, or
/// the Messenger poll refetching the newest messages (message and echo), brings nothing
/// back; the tombstones hold no id in the clear; a new message of the same person is
/// stored as usual.
#[test]
fn an_erased_contact_stays_erased_when_meta_delivers_again_or_the_poll_refetches() -> TestResult {
    use appcare_core::channel::{ChannelEvent, EchoEvent, InboundEvent};
    let (ctx, admin, whatsapp) = setup();
    let t = ctx.now;
    let page = ctx
        .ws
        .create_channel_account(&admin, "messenger", "Page", "5550001", None, t)?
        .id;
    let inbound = |account, who: &str, id: &str, body: &str| {
        ChannelEvent::Message(InboundEvent {
            account,
            contact_external_id: who.into(),
            contact_aliases: vec![],
            reply_to: None,
            choice: None,
            contact_name: "Tomb Stone".into(),
            external_id: id.into(),
            body: body.into(),
            sent_at: t,
            media: vec![],
            content: None,
        })
    };
    let psid = "7700770077009999";
    let echo = ChannelEvent::Echo(EchoEvent {
        account: page,
        contact_external_id: psid.into(),
        external_id: "mid.tomb.echo".into(),
        our_message: None,
        body: "sent from the Page inbox".into(),
        sent_at: t,
    });
    let batch = vec![
        inbound(whatsapp, PHONE, "wamid.tomb.1", "tombwordwa"),
        inbound(page, psid, "mid.tomb.1", "tombwordms"),
        echo,
    ];
    let first = ctx.ws.delivery().apply(&batch, t)?;
    assert_eq!(first.messages, 3, "{first:?}");
    for who in [PHONE, psid] {
        let contact = ctx.ws.find_contacts(&admin, who, t)?[0].id;
        ctx.ws.erase_contact(&admin, contact, t.plus_seconds(5))?;
    }
    // Meta retries the webhook; the poll refetches the same messages.
    let again = ctx.ws.delivery().apply(&batch, t.plus_seconds(60))?;
    assert_eq!((again.messages, again.duplicates), (0, 3), "{again:?}");
    assert!(ctx.ws.find_contacts(&admin, PHONE, t)?.is_empty());
    assert!(ctx.ws.find_contacts(&admin, psid, t)?.is_empty());
    for word in ["tombwordwa", "tombwordms"] {
        assert!(ctx.ws.search(&admin, word, t)?.is_empty(), "{word}");
    }
    let plain = ctx.ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM messages WHERE external_id LIKE '%tomb%'",
            [],
            |r| r.get::<_, i64>(0),
        )?)
    })?;
    assert_eq!(plain, 0);
    assert_eq!(
        raw_hits(
            &ctx.dir.path().join("ws"),
            &[b"wamid.tomb.1", b"mid.tomb.1"]
        ),
        Vec::<String>::new(),
        "tombstones keep no id in the clear"
    );
    // A new message of the same person is a new message.
    let fresh = ctx.ws.delivery().apply(
        &[inbound(whatsapp, PHONE, "wamid.tomb.2", "tombwordnew")],
        t.plus_seconds(120),
    )?;
    assert_eq!(fresh.messages, 1);
    Ok(())
}

/// Every value of every table (search shadow tables included) that holds `needle`, as
/// `table: value`.
fn rows_holding(ws: &Workspace, needle: &str) -> Vec<String> {
    ws.store()
        .read(|c| {
            let tables: Vec<String> = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut hits = Vec::new();
            for table in tables {
                let mut stmt = c.prepare(&format!("SELECT * FROM \"{table}\""))?;
                let columns = stmt.column_count();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    for i in 0..columns {
                        let held = match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => contains(t, needle.as_bytes()),
                            _ => false,
                        };
                        if held {
                            hits.push(format!("{table}: column {i}"));
                        }
                    }
                }
            }
            Ok(hits)
        })
        .expect("tables read")
}

/// A customer whose every message is past retention leaves nothing behind: no contact,
/// identity, search row, note, draft, message content, provider call or webhook receipt
/// that names them, in any table; a customer with a recent message keeps everything.
#[test]
fn retention_leaves_nothing_of_a_purged_customer_in_any_table() -> TestResult {
    use appcare_core::channel::{ChannelEvent, HandoverEvent, InboundEvent};
    let (ctx, admin, _) = setup();
    let now = ctx.now;
    let long_ago = now.plus_seconds(-40 * 86_400);
    let page = ctx
        .ws
        .create_channel_account(&admin, "messenger", "Page", "5550002", None, now)?
        .id;
    let gone = "7700770077005555";
    let kept = "7700770077006666";
    let message = |psid: &str, id: &str, at: Timestamp| {
        ChannelEvent::Message(InboundEvent {
            account: page,
            contact_external_id: psid.into(),
            contact_aliases: vec![],
            reply_to: None,
            choice: None,
            contact_name: psid.into(),
            external_id: id.into(),
            body: format!("retainword {id}"),
            sent_at: at,
            media: vec![],
            // What the message holds besides text (here an unknown type's payload
            // naming the customer) goes with it.
            content: Some(appcare_core::channel::rich::RichContent::Unsupported {
                message_type: "poll".into(),
                raw: format!("{{\"from\":\"{psid}\"}}"),
            }),
        })
    };
    let handover = ChannelEvent::Handover(HandoverEvent {
        account: page,
        contact_external_id: gone.into(),
        previous_app_id: Some("263902037430900".into()),
        metadata: String::new(),
        at: long_ago,
        kind: appcare_core::channel::HandoverKind::Passed,
    });
    ctx.ws.delivery().apply(
        &[message(gone, "mid.retain.old", long_ago), handover],
        long_ago,
    )?;
    ctx.ws
        .delivery()
        .apply(&[message(kept, "mid.retain.new", now)], now)?;
    // An agent's draft in the purged conversation goes with it.
    let all = appcare_core::service::inbox::InboxQuery {
        view: Some(appcare_core::service::inbox::InboxView::All),
        ..Default::default()
    };
    let old = ctx.ws.list_conversations(&admin, &all, now)?.rows;
    let old = old.iter().find(|r| r.contact_name == gone).expect("old").id;
    let draft = format!("call {gone} back");
    let note = appcare_core::service::drafts::DraftMode::Note;
    ctx.ws.save_draft(&admin, old, note, &draft, now)?;
    assert!(!rows_holding(&ctx.ws, gone).is_empty(), "planted");
    ctx.ws.set_retention_policy(
        &admin,
        RetentionPolicy {
            whatsapp_days: 0,
            messenger_days: 30,
            email_days: 0,
        },
        now,
    )?;
    ctx.ws.maintenance().purge_expired(now)?;
    assert_eq!(rows_holding(&ctx.ws, gone), Vec::<String>::new());
    assert!(ctx.ws.find_contacts(&admin, gone, now)?.is_empty());
    assert_eq!(ctx.ws.find_contacts(&admin, kept, now)?.len(), 1);
    assert!(!rows_holding(&ctx.ws, kept).is_empty());
    Ok(())
}

/// Retention is not undone by re-delivery: a Messenger poll refetches a conversation's
/// newest messages, old ones included, and a message the purge removed must not be
/// stored again (it counts as a duplicate), while a new message still is.
#[test]
fn a_message_purged_by_retention_is_not_brought_back_by_a_poll() -> TestResult {
    use appcare_core::channel::{ChannelEvent, InboundEvent};
    let (ctx, admin, _) = setup();
    let now = ctx.now;
    let long_ago = now.plus_seconds(-40 * 86_400);
    let page = ctx
        .ws
        .create_channel_account(&admin, "messenger", "Page", "5550003", None, now)?
        .id;
    let psid = "7700770077007777";
    let message = |id: &str, at: Timestamp| {
        ChannelEvent::Message(InboundEvent {
            account: page,
            contact_external_id: psid.into(),
            contact_aliases: vec![],
            reply_to: None,
            choice: None,
            contact_name: psid.into(),
            external_id: id.into(),
            body: format!("pollword {id}"),
            sent_at: at,
            media: vec![],
            content: None,
        })
    };
    ctx.ws
        .delivery()
        .apply(&[message("mid.poll.old", long_ago)], long_ago)?;
    ctx.ws.set_retention_policy(
        &admin,
        RetentionPolicy {
            whatsapp_days: 0,
            messenger_days: 30,
            email_days: 0,
        },
        now,
    )?;
    ctx.ws.maintenance().purge_expired(now)?;
    let stored = |id: &str| {
        ctx.ws
            .store()
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM messages WHERE external_id = ?1",
                    [id],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .expect("messages read")
    };
    assert_eq!(stored("mid.poll.old"), 0, "purged");
    // The customer writes again; the poll brings the newest messages, the purged one too.
    let applied = ctx.ws.delivery().apply(
        &[
            message("mid.poll.old", long_ago),
            message("mid.poll.new", now),
        ],
        now,
    )?;
    assert_eq!(stored("mid.poll.old"), 0, "a purged message came back");
    assert_eq!(stored("mid.poll.new"), 1);
    assert_eq!((applied.messages, applied.duplicates), (1, 1));
    Ok(())
}
