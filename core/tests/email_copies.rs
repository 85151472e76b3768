//! Cc, Bcc, reply-all and signatures, fed parsed mail directly: everyone on a thread is
//! kept per mail and a copied-in person's reply-all joins the thread; reply-all offers
//! everyone but our own addresses and the customer; a reply's copies reach the outbox
//! job (Bcc apart) and show on the message; bad, own and opted-out addresses are refused
//! at their field; the mailbox's signature (admins set it) signs every e-mail reply with
//! the agent's name and team; a person only copied in is found, exported (only the mails
//! that name them) and erased from the thread while the thread stays.
//!
//! Real parts: SQLCipher. The SMTP side is `tests/tests/email_servers.rs`.

mod common;

use appcare_core::channel::mail::MailAddress;
use appcare_core::service::inbox::MessageView;
use appcare_core::service::mail_recipients::MailReply;
use appcare_core::{CoreError, Timestamp};
use common::mail::*;
use common::*;

fn address(address: &str, name: &str) -> MailAddress {
    MailAddress {
        address: address.into(),
        name: name.into(),
    }
}

fn copies(cc: &[&str], bcc: &[&str]) -> MailReply {
    MailReply {
        body: "It ships today.".into(),
        cc: cc.iter().map(|a| a.to_string()).collect(),
        bcc: bcc.iter().map(|a| a.to_string()).collect(),
        attachments: vec![],
        formatted: false,
        quote_history: false,
    }
}

fn field_of(error: CoreError) -> String {
    match error {
        CoreError::InvalidInput { field, .. } => field.to_string(),
        other => panic!("expected a field error, got {other}"),
    }
}

/// Ana writes to the mailbox and Dave, copying Bob and Carol in; Bob answers all.
fn thread(t: &Team) -> Result<appcare_core::ConversationId, Box<dyn std::error::Error>> {
    let ws = &t.ctx.ws;
    let mut first = mail("t1@customer.test", "ana@customer.test", "Order 42", T0);
    first.from_name = "Ana Lima".into();
    first.to = vec![
        address("help@example.com", "Help"),
        address("dave@customer.test", ""),
    ];
    first.cc = vec![
        address("bob@customer.test", "Bob Stone"),
        address("carol@customer.test", ""),
    ];
    let mut answer = mail(
        "t2@customer.test",
        "bob@customer.test",
        "Re: Order 42",
        T0 + 60,
    );
    answer.in_reply_to = vec!["t1@customer.test".into()];
    answer.to = vec![
        address("help@example.com", ""),
        address("ana@customer.test", ""),
    ];
    answer.cc = vec![
        address("carol@customer.test", ""),
        address("dave@customer.test", ""),
    ];
    let applied = ws.delivery().apply_mail(
        mailbox(t),
        FOLDER,
        7,
        &[item(1, first), item(2, answer)],
        t.ctx.now,
    )?;
    assert_eq!(applied.messages, 2);
    Ok(conversation_of(t, "t1@customer.test").ok_or("t1 stored")?)
}

#[test]
fn a_copied_in_persons_reply_all_joins_the_thread_and_reply_all_reaches_everyone() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let conversation = thread(&t)?;
    assert_eq!(
        conversation_of(&t, "t2@customer.test"),
        Some(conversation),
        "Bob was copied in: his reply-all stays in Ana's conversation"
    );

    let view = ws.open_conversation(&t.admin, conversation, None, now)?;
    let first = view.messages[0].mail.clone().ok_or("addresses kept")?;
    assert_eq!(first.from.as_deref(), Some("Ana Lima <ana@customer.test>"));
    assert_eq!(
        first.cc,
        ["Bob Stone <bob@customer.test>", "carol@customer.test"]
    );
    assert!(first.bcc.is_empty());

    let context = ws.mail_reply_context(&t.admin, conversation, now)?;
    assert_eq!(context.to.as_deref(), Some("ana@customer.test"));
    let mut everyone = context.reply_all.clone();
    everyone.sort();
    assert_eq!(
        everyone,
        [
            "bob@customer.test",
            "carol@customer.test",
            "dave@customer.test"
        ],
        "reply-all: everyone on the thread but the mailbox and the customer"
    );
    assert_eq!(context.signature, None);

    let sent = ws.reply_mail(
        &t.admin,
        conversation,
        &copies(
            &context
                .reply_all
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &["erin@customer.test", "Bob@Customer.test"],
        ),
        None,
        now,
    )?;
    let shown = sent.mail.clone().ok_or("our reply shows its addresses")?;
    assert_eq!(shown.to, ["ana@customer.test"]);
    assert_eq!(shown.cc.len(), 3);
    assert_eq!(
        shown.bcc,
        ["erin@customer.test"],
        "an address already in Cc is not copied twice"
    );
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    assert_eq!(job.to, "ana@customer.test");
    let headers = job.email.ok_or("e-mail headers")?;
    let mut cc = headers.cc.clone();
    cc.sort();
    assert_eq!(
        cc,
        [
            "bob@customer.test",
            "carol@customer.test",
            "dave@customer.test"
        ]
    );
    assert_eq!(headers.bcc, ["erin@customer.test"]);
    assert_eq!(
        ws.mail_reply_context(&t.admin, conversation, now)?
            .reply_all
            .len(),
        3,
        "a blind copy is not added to reply-all"
    );
    // Nobody on the thread knows Erin got it: her answer starts a thread of its own; and
    // mail from the mailbox's own reply address is not taken as a customer's.
    let mut from_blind = mail(
        "t3@customer.test",
        "erin@customer.test",
        "Re: Order 42",
        T0 + 120,
    );
    from_blind.in_reply_to = vec![headers.message_id.clone()];
    let mut from_us = mail(
        "t4@customer.test",
        &headers.reply_to,
        "Re: Order 42",
        T0 + 180,
    );
    from_us.in_reply_to = vec![headers.message_id.clone()];
    let applied = ws.delivery().apply_mail(
        mailbox(&t),
        FOLDER,
        7,
        &[item(3, from_blind), item(4, from_us)],
        now,
    )?;
    assert_eq!(
        (applied.messages, applied.set_aside),
        (1, 1),
        "our own address is refused"
    );
    assert_ne!(conversation_of(&t, "t3@customer.test"), Some(conversation));
    Ok(())
}

#[test]
fn copies_are_checked_at_their_field() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let conversation = thread(&t)?;
    let refused = |reply: MailReply| -> Result<String, Box<dyn std::error::Error>> {
        match ws.reply_mail(&t.admin, conversation, &reply, None, now) {
            Ok(_) => Err("the reply should have been refused".into()),
            Err(e) => Ok(field_of(e)),
        }
    };
    assert_eq!(refused(copies(&["not an address"], &[]))?, "cc");
    assert_eq!(refused(copies(&[], &["help@example.com"]))?, "bcc");
    assert_eq!(
        refused(copies(&["help+abc123@example.com"], &[]))?,
        "cc",
        "the mailbox's own reply address is not a copy"
    );
    let many: Vec<String> = (0..21).map(|i| format!("p{i}@customer.test")).collect();
    assert_eq!(
        refused(MailReply {
            body: "Hi".into(),
            cc: many,
            bcc: vec![],
            attachments: vec![],
            formatted: false,
            quote_history: false,
        })?,
        "cc"
    );

    // Carol writes on her own and asks not to be contacted: she can no longer be copied.
    let mut stop = mail(
        "t9@customer.test",
        "carol@customer.test",
        "Unsubscribe",
        T0 + 90,
    );
    stop.text = "STOP".into();
    ws.delivery()
        .apply_mail(mailbox(&t), FOLDER, 7, &[item(9, stop)], now)?;
    assert_eq!(refused(copies(&["carol@customer.test"], &[]))?, "cc");
    assert_eq!(refused(copies(&[], &["carol@customer.test"]))?, "bcc");

    assert_eq!(
        ws.open_conversation(&t.admin, conversation, None, now)?
            .messages
            .len(),
        2,
        "nothing refused was queued"
    );
    let whatsapp = customer_writes(
        ws,
        t.support_account,
        "16505551234",
        "wamid.copies",
        "Hello",
        Timestamp::from_unix(now.unix() - 60),
    );
    assert_eq!(
        field_of(
            ws.reply_mail(
                &t.admin,
                whatsapp,
                &copies(&["bob@customer.test"], &[]),
                None,
                now
            )
            .expect_err("copies are for e-mail")
        ),
        "cc"
    );
    Ok(())
}

fn body_of(view: &MessageView) -> &str {
    &view.body
}

#[test]
fn the_mailbox_signature_signs_every_reply_with_the_agent_and_team() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let conversation = thread(&t)?;
    let account = mailbox(&t);
    let signature = "Kind regards,\n{agent}\n{team} · Example Ltd, Berlin HRB 12345";
    assert!(
        matches!(
            ws.set_mail_signature(&t.alex.1, account, signature, now),
            Err(CoreError::Forbidden { .. })
        ),
        "only admins set a mailbox's signature"
    );
    assert_eq!(
        field_of(
            ws.set_mail_signature(&t.admin, account, &"x".repeat(2001), now)
                .expect_err("too long")
        ),
        "signature"
    );
    let view = ws.set_mail_signature(&t.admin, account, signature, now)?;
    assert_eq!(
        view.email.as_ref().map(|e| e.signature.as_str()),
        Some(signature)
    );

    let context = ws.mail_reply_context(&t.alex.1, conversation, now)?;
    let alex = ws
        .list_colleagues(&t.alex.1, now)?
        .into_iter()
        .find(|c| c.id == t.alex.0)
        .ok_or("alex listed")?
        .display_name;
    let expected = format!("Kind regards,\n{alex}\nSupport · Example Ltd, Berlin HRB 12345");
    assert_eq!(context.signature.as_deref(), Some(expected.as_str()));

    let plain = ws.reply(&t.alex.1, conversation, "Shipped.", None, now)?;
    assert_eq!(body_of(&plain), format!("Shipped.\n\n-- \n{expected}"));
    let copied = ws.reply_mail(
        &t.alex.1,
        conversation,
        &copies(&["bob@customer.test"], &[]),
        None,
        now,
    )?;
    assert!(body_of(&copied).ends_with(&format!("\n\n-- \n{expected}")));

    ws.set_mail_signature(&t.admin, account, "", now)?;
    let unsigned = ws.reply(&t.alex.1, conversation, "One more thing.", None, now)?;
    assert_eq!(body_of(&unsigned), "One more thing.");
    Ok(())
}

#[test]
fn a_person_only_copied_in_is_found_exported_and_erased_from_the_thread() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = mailbox(&t);
    // Ana writes first alone, then copies Bob in; Bob answers all.
    let alone = mail("e1@customer.test", "ana@customer.test", "Refund", T0);
    let mut copied = mail(
        "e2@customer.test",
        "ana@customer.test",
        "Re: Refund",
        T0 + 60,
    );
    copied.in_reply_to = vec!["e1@customer.test".into()];
    copied.cc = vec![address("bob@customer.test", "Bob Stone")];
    let mut answer = mail(
        "e3@customer.test",
        "bob@customer.test",
        "Re: Refund",
        T0 + 120,
    );
    answer.in_reply_to = vec!["e2@customer.test".into()];
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(1, alone), item(2, copied), item(3, answer)],
        now,
    )?;
    let conversation = conversation_of(&t, "e1@customer.test").ok_or("stored")?;
    assert_eq!(conversation_of(&t, "e3@customer.test"), Some(conversation));

    let found = ws.find_contacts(&t.admin, "bob@customer.test", now)?;
    assert_eq!(found.len(), 1, "a person only copied in is a contact");
    let bob = found[0].id;

    let dir = tempfile::tempdir()?;
    let summary = ws.export_contact(&t.admin, bob, true, dir.path(), now)?;
    assert_eq!(summary.conversations, 1);
    assert_eq!(summary.messages, 2, "the mails naming Bob, not Ana's first");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(
        std::path::Path::new(&summary.folder).join("contact.json"),
    )?)?;
    let thread = &json["conversations"][0];
    assert_eq!(thread["copied_in_as"], "bob@customer.test");
    assert!(thread.get("internal_notes").is_none());
    let texts: Vec<&str> = thread["messages"]
        .as_array()
        .ok_or("messages")?
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, [word("e2@customer.test"), word("e3@customer.test")]);

    let erased = ws.erase_contact(&t.admin, bob, now)?;
    assert_eq!(erased.messages, 1, "Bob's own mail goes");
    let view = ws.open_conversation(&t.admin, conversation, None, now)?;
    assert_eq!(
        view.messages.len(),
        2,
        "Ana's thread stays with her two mails"
    );
    assert!(view
        .messages
        .iter()
        .all(|m| m.mail.as_ref().is_none_or(|a| a.cc.is_empty())));
    assert!(ws
        .mail_reply_context(&t.admin, conversation, now)?
        .reply_all
        .is_empty());
    assert!(ws
        .find_contacts(&t.admin, "bob@customer.test", now)?
        .is_empty());
    Ok(())
}

/// The out-of-hours reply is for the conversation's own customer: when someone copied in
/// writes outside business hours, nothing automatic goes to the customer.
#[test]
fn someone_copied_in_writing_out_of_hours_sends_the_customer_nothing() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = mailbox(&t);
    // T0 is a Tuesday, 20:55 in Berlin: closed. Ana wrote at 10:55, while the team worked.
    ws.set_business_hours(
        &t.admin,
        t.support,
        Some(appcare_core::reports::BusinessHours::office(
            "Europe/Berlin",
        )),
        now,
    )?;
    ws.set_out_of_hours_reply(&t.admin, account, "We answer tomorrow from 09:00.", now)?;
    let morning = T0 - 10 * 3600;
    let mut first = mail("h1@customer.test", "ana@customer.test", "Refund", morning);
    first.cc = vec![address("bob@customer.test", "Bob")];
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(1, first)],
        appcare_core::Timestamp::from_unix(morning),
    )?;
    let mut bob = mail("h2@customer.test", "bob@customer.test", "Re: Refund", T0);
    bob.in_reply_to = vec!["h1@customer.test".into()];
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(2, bob)], now)?;
    let conversation = conversation_of(&t, "h1@customer.test").ok_or("stored")?;
    assert_eq!(conversation_of(&t, "h2@customer.test"), Some(conversation));
    let view = ws.open_conversation(&t.admin, conversation, None, now)?;
    assert!(
        view.messages.iter().all(|m| m.direction == "in"),
        "no automatic reply"
    );
    assert_eq!(view.out_of_hours, Some(true), "the team is closed now");

    // Ana herself writing now gets it.
    let mut ana = mail(
        "h3@customer.test",
        "ana@customer.test",
        "Re: Refund",
        T0 + 60,
    );
    ana.in_reply_to = vec!["h2@customer.test".into()];
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(3, ana)], now.plus_seconds(60))?;
    let view = ws.open_conversation(&t.admin, conversation, None, now.plus_seconds(60))?;
    let out: Vec<&str> = view
        .messages
        .iter()
        .filter(|m| m.direction == "out")
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(out, ["We answer tomorrow from 09:00."]);
    Ok(())
}
