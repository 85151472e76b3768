//! The customer beside the chat (issue 20): a contact's panel lists their conversations on
//! every channel that the caller may see and only counts the rest; a contact the caller
//! sees no conversation of is not found; renaming is audited without the name and refused
//! outside the caller's reach.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::channel::Channel;
use appcare_core::service::handoff::Versioned;
use appcare_core::store::contacts as contact_store;
use appcare_core::ErrorCode;
use common::*;

/// Ana writes to support on WhatsApp, then, known by her e-mail address too, to billing.
fn ana(
    t: &Team,
) -> (
    appcare_core::ids::ContactId,
    [appcare_core::ConversationId; 2],
) {
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let on_whatsapp = customer_writes(
        ws,
        t.support_account,
        "34600000001",
        "wamid.ana.1",
        "hola",
        now,
    );
    let contact = ws
        .open_conversation(&t.admin, on_whatsapp, None, now)
        .expect("open")
        .summary
        .contact_id;
    ws.store()
        .write(|tx| contact_store::link(tx, contact, Channel::Email, "ana@example.com"))
        .expect("linked");
    let by_mail = customer_writes(
        ws,
        t.billing_account,
        "ana@example.com",
        "<ana.1@example.com>",
        "invoice?",
        now.plus_seconds(60),
    );
    (contact, [on_whatsapp, by_mail])
}

#[test]
fn the_panel_shows_what_i_may_see_on_every_channel_and_counts_the_rest() -> TestResult {
    let t = team();
    let now = t.ctx.now.plus_seconds(120);
    let ws = &t.ctx.ws;
    let (contact, [on_whatsapp, by_mail]) = ana(&t);

    let admin = ws.contact_panel(&t.admin, contact, now)?;
    assert_eq!(
        admin.conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![by_mail, on_whatsapp],
        "both, newest activity first"
    );
    assert_eq!(admin.not_shown, 0);
    let mut addresses: Vec<(String, String)> = admin
        .identities
        .iter()
        .map(|i| (i.channel.clone(), i.address.clone()))
        .collect();
    addresses.sort();
    assert_eq!(
        addresses,
        vec![
            ("email".to_string(), "ana@example.com".to_string()),
            ("whatsapp".to_string(), "34600000001".to_string())
        ]
    );

    // Alex (support) sees the WhatsApp one; the billing one is counted, not shown.
    let alex = ws.contact_panel(&t.alex.1, contact, now)?;
    assert_eq!(
        alex.conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![on_whatsapp]
    );
    assert_eq!(alex.not_shown, 1);
    assert!(alex.can_edit);
    // Carl (billing) the other way round.
    let carl = ws.contact_panel(&t.carl.1, contact, now)?;
    assert_eq!(
        carl.conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![by_mail]
    );
    assert_eq!(carl.not_shown, 1);

    // Someone who sees none of Ana's conversations gets no hint she exists.
    let other = customer_writes(
        ws,
        t.billing_account,
        "bo@example.com",
        "<bo.1@example.com>",
        "hi",
        now,
    );
    let bo = ws
        .open_conversation(&t.admin, other, None, now)?
        .summary
        .contact_id;
    let hidden = ws.contact_panel(&t.alex.1, bo, now);
    assert_eq!(hidden.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    let nobody = ws.contact_panel(&t.alex.1, appcare_core::ids::ContactId::new(9_999), now);
    assert_eq!(nobody.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    Ok(())
}

#[test]
fn renaming_a_customer_is_audited_without_the_name_and_only_within_reach() -> TestResult {
    let t = team();
    let now = t.ctx.now.plus_seconds(120);
    let ws = &t.ctx.ws;
    let (contact, [on_whatsapp, _]) = ana(&t);

    for bad in ["   ", &"x".repeat(201), "Ana\u{7}", "Ana\u{202E}zenitraM"] {
        let refused = ws.rename_contact(&t.alex.1, contact, bad, now);
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some(ErrorCode::InvalidInput),
            "{bad:?}"
        );
    }
    ws.rename_contact(&t.alex.1, contact, "  Ana Martínez ", now)?;
    assert_eq!(
        ws.contact_panel(&t.admin, contact, now)?.name,
        "Ana Martínez"
    );
    let row = ws
        .open_conversation(&t.alex.1, on_whatsapp, None, now)?
        .summary;
    assert_eq!(row.contact_name, "Ana Martínez");
    let audited = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT subject, detail FROM audit_events WHERE kind = 'contact_renamed'",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )?)
    })?;
    assert_eq!(audited.0, format!("contact:{contact}"));
    assert!(
        !audited.1.contains("Ana"),
        "the name stays out of the audit log"
    );
    // The contact is found by the new name.
    assert!(ws
        .search(&t.alex.1, "Martínez", now)?
        .iter()
        .any(|h| h.conversation_id == on_whatsapp));

    // Once Alex has taken it, Bea (same team, agent) may see but not rename.
    ws.take(
        &t.alex.1,
        Versioned {
            id: on_whatsapp,
            version: row.version,
        },
        now,
    )?;
    let bea = ws.rename_contact(&t.bea.1, contact, "Someone else", now);
    assert_eq!(bea.err().map(|e| e.code()), Some(ErrorCode::Forbidden));
    assert!(!ws.contact_panel(&t.bea.1, contact, now)?.can_edit);
    Ok(())
}
