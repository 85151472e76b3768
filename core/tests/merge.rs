//! Merging two contacts that are one person (issue 20 item 2): suggested by name, phone
//! number or e-mail address among the contacts the caller may see (one named with a
//! number or address another is known by); every address and conversation moves, an
//! opt-out carries
//! over, audited without names; the privacy search finds the person once, export and
//! erasure cover both halves; a later message to a merged address lands with the kept
//! contact; the merge's author may undo it, once.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::ids::{ChannelAccountId, ContactId, ConversationId};
use appcare_core::service::ingest::InboundMessage;
use appcare_core::{ErrorCode, Timestamp};
use common::*;

/// `name` writes from `address` on `account`: the conversation and its contact.
fn writes(
    t: &Team,
    account: ChannelAccountId,
    address: &str,
    name: &str,
    at: Timestamp,
) -> (ConversationId, ContactId) {
    let ws = &t.ctx.ws;
    let done = ws
        .ingest(
            InboundMessage {
                account,
                contact_external_id: address,
                contact_name: name,
                external_id: Some(&format!("ext-{address}-{}", at.unix())),
                subject: "Order 1234",
                body: "Where is my parcel?",
                sent_at: at,
                choice: None,
                has_media: false,
                attachments: vec![],
            },
            at,
        )
        .expect("ingested");
    let contact = ws
        .open_conversation(&t.admin, done.conversation, None, at)
        .expect("open")
        .summary
        .contact_id;
    (done.conversation, contact)
}

fn contact_rows_named(t: &Team, name: &str) -> i64 {
    t.ctx
        .ws
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM contacts WHERE display_name = ?1",
                [name],
                |r| r.get(0),
            )?)
        })
        .expect("count")
}

fn audit_details(t: &Team, kind: &str) -> Vec<String> {
    t.ctx
        .ws
        .store()
        .read(|c| {
            let mut stmt =
                c.prepare("SELECT coalesce(detail, '') FROM audit_events WHERE kind = ?1")?;
            let rows = stmt.query_map([kind], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("audit")
}

/// Ana on WhatsApp (support) and Ana by e-mail (billing), and someone else.
struct Anas {
    t: Team,
    whatsapp: (ConversationId, ContactId),
    email: (ConversationId, ContactId),
    now: Timestamp,
}

fn anas() -> Anas {
    let t = team();
    let now = t.ctx.now;
    let whatsapp = writes(&t, t.support_account, "5511987654321", "Ana Souza", now);
    let email = writes(&t, t.billing_account, "ana@example.com", "ana souza ", now);
    writes(&t, t.support_account, "5511900000000", "Bruno Lima", now);
    Anas {
        t,
        whatsapp,
        email,
        now,
    }
}

#[test]
fn the_same_name_is_suggested_only_among_contacts_the_caller_sees() {
    let a = anas();
    let ws = &a.t.ctx.ws;
    let for_admin = ws
        .merge_suggestions(&a.t.admin, a.whatsapp.1, a.now)
        .expect("suggestions");
    assert_eq!(
        for_admin.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![a.email.1]
    );
    assert_eq!(for_admin[0].reason, "Same name");
    assert_eq!(for_admin[0].identities[0].address, "ana@example.com");
    // Alex (support) does not see the billing mailbox's Ana: not suggested, not mergeable.
    let for_alex = ws
        .merge_suggestions(&a.t.alex.1, a.whatsapp.1, a.now)
        .expect("suggestions");
    assert!(for_alex.is_empty());
    let refused = ws.merge_contacts(&a.t.alex.1, a.whatsapp.1, a.email.1, a.now);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    let itself = ws.merge_contacts(&a.t.admin, a.whatsapp.1, a.whatsapp.1, a.now);
    assert_eq!(
        itself.err().map(|e| e.code()),
        Some(ErrorCode::InvalidInput)
    );
}

#[test]
fn a_phone_number_or_e_mail_address_another_contact_is_known_by_is_suggested() {
    let a = anas();
    let ws = &a.t.ctx.ws;
    let suggested = |contact| -> Vec<(ContactId, String)> {
        ws.merge_suggestions(&a.t.admin, contact, a.now)
            .expect("suggestions")
            .into_iter()
            .map(|c| (c.id, c.reason))
            .collect()
    };
    // Someone mailing from another address, named with Ana's WhatsApp number as people
    // write it: Ana on WhatsApp is suggested.
    let by_number = writes(
        &a.t,
        a.t.billing_account,
        "carla@example.com",
        "+55 11 98765-4321",
        a.now,
    );
    assert_eq!(
        suggested(by_number.1),
        vec![(a.whatsapp.1, "Same phone number".to_string())]
    );
    // A Messenger contact named with Ana's e-mail address, both ways.
    let page = ws
        .create_channel_account(
            &a.t.admin,
            "messenger",
            "Page",
            "4242",
            Some(a.t.billing),
            a.now,
        )
        .expect("page")
        .id;
    let named = writes(&a.t, page, "7001", "ana@example.com", a.now);
    assert_eq!(
        suggested(named.1),
        vec![(a.email.1, "Same e-mail address".to_string())]
    );
    assert!(suggested(a.email.1).contains(&(named.1, "Same e-mail address".to_string())));
    // One reason per contact: Ana's name match is not listed twice.
    let for_whatsapp = suggested(a.whatsapp.1);
    assert_eq!(
        for_whatsapp
            .iter()
            .filter(|(id, _)| *id == a.email.1)
            .count(),
        1
    );
}

#[test]
fn a_merge_moves_everything_is_audited_and_privacy_requests_reach_both_halves() {
    let a = anas();
    let ws = &a.t.ctx.ws;
    ws.set_do_not_contact(&a.t.admin, a.email.0, true, a.now)
        .expect("opted out by e-mail");
    let merge = ws
        .merge_contacts(&a.t.admin, a.whatsapp.1, a.email.1, a.now)
        .expect("merged");
    assert_eq!((merge.identities, merge.conversations), (1, 1));

    let panel = ws
        .contact_panel(&a.t.admin, a.whatsapp.1, a.now)
        .expect("panel");
    let mut addresses: Vec<_> = panel.identities.iter().map(|i| i.address.clone()).collect();
    addresses.sort();
    assert_eq!(addresses, ["5511987654321", "ana@example.com"]);
    let mut ids: Vec<_> = panel.conversations.iter().map(|c| c.id).collect();
    ids.sort();
    let mut both = vec![a.whatsapp.0, a.email.0];
    both.sort();
    assert_eq!(ids, both);
    assert!(panel.do_not_contact, "the opt-out carries over");
    let gone = ws.contact_panel(&a.t.admin, a.email.1, a.now);
    assert_eq!(gone.err().map(|e| e.code()), Some(ErrorCode::NotFound));

    let audited = audit_details(&a.t, "contacts_merged");
    assert_eq!(audited.len(), 1);
    assert!(!audited[0].to_lowercase().contains("ana"), "{}", audited[0]);

    // The privacy search finds the person once, by name or by either address.
    for query in ["Ana Souza", "ana@example.com", "+55 11 98765-4321"] {
        let found = ws.find_contacts(&a.t.admin, query, a.now).expect("found");
        assert_eq!(
            found.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![a.whatsapp.1],
            "{query}"
        );
    }
    // A new message to the merged address lands with the kept contact.
    let later = a.now.plus_seconds(60);
    let (_, contact) = writes(&a.t, a.t.billing_account, "ana@example.com", "Ana", later);
    assert_eq!(contact, a.whatsapp.1);

    let folder = tempfile::tempdir().expect("dir");
    let export = ws
        .export_contact(&a.t.admin, a.whatsapp.1, true, folder.path(), later)
        .expect("export");
    assert_eq!(export.conversations, 2);
    let erased = ws
        .erase_contact(&a.t.admin, a.whatsapp.1, later)
        .expect("erased");
    assert_eq!(erased.conversations, 2);
    assert_eq!(contact_rows_named(&a.t, "Ana Souza"), 0);
    assert_eq!(
        contact_rows_named(&a.t, "ana souza"),
        0,
        "the merged half too"
    );
    assert!(ws
        .find_contacts(&a.t.admin, "ana@example.com", later)
        .expect("search")
        .is_empty());
}

#[test]
fn the_author_may_undo_a_merge_once_and_everything_goes_back() {
    let a = anas();
    let ws = &a.t.ctx.ws;
    ws.set_do_not_contact(&a.t.admin, a.email.0, true, a.now)
        .expect("opted out");
    let merge = ws
        .merge_contacts(&a.t.admin, a.whatsapp.1, a.email.1, a.now)
        .expect("merged");
    let lena = ws.undo_contact_merge(&a.t.lena.1, merge.id, a.now);
    assert_eq!(lena.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    ws.undo_contact_merge(&a.t.admin, merge.id, a.now)
        .expect("undone");
    let again = ws.undo_contact_merge(&a.t.admin, merge.id, a.now);
    assert_eq!(again.err().map(|e| e.code()), Some(ErrorCode::Conflict));

    let kept = ws
        .contact_panel(&a.t.admin, a.whatsapp.1, a.now)
        .expect("kept");
    assert_eq!(kept.conversations.len(), 1);
    assert_eq!(kept.identities.len(), 1);
    assert!(
        !kept.do_not_contact,
        "the opt-out that came with the merge goes back"
    );
    let back = ws
        .contact_panel(&a.t.admin, a.email.1, a.now)
        .expect("the merged contact is back");
    assert_eq!(back.conversations[0].id, a.email.0);
    assert!(back.do_not_contact);
    let found = ws
        .find_contacts(&a.t.admin, "Ana Souza", a.now)
        .expect("found");
    assert_eq!(found.len(), 2, "both are searchable again");
    assert_eq!(audit_details(&a.t, "contact_merge_undone").len(), 1);
    // Too late: a merge a day old can no longer be undone, even by its author signed in
    // again.
    let nina = ws
        .create_user(
            &a.t.admin,
            new_user("nina", appcare_core::auth::Role::Admin),
            a.now,
        )
        .expect("nina");
    assert_eq!(nina.username, "nina");
    let (token, app, _) = enrol(ws, "nina", &password_of("nina"), a.now);
    let merge = ws
        .merge_contacts(&token, a.whatsapp.1, a.email.1, a.now)
        .expect("merged again");
    let late = a.now.plus_seconds(24 * 3600);
    let token = sign_in(ws, "nina", &password_of("nina"), &app, late);
    let refused = ws.undo_contact_merge(&token, merge.id, late);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::Conflict));
}
