//! The e-mail channel's side of the workspace, fed parsed mail directly: threading by
//! the reply-to token, In-Reply-To and References (newest first), even when headers are
//! gone; a new thread is a new conversation; References stay bounded in a long thread;
//! the same mail twice and a UIDVALIDITY reset store nothing twice (audited); a bounce
//! fails our reply with the server's reason, an automatic reply becomes a note;
//! unmatched and unreadable mail is set aside with its reason (admins only) and the
//! sync moves past it; a reply's headers (In-Reply-To, bounded References, a Message-ID
//! stable across retries); HTML only for those who may see the conversation; bad
//! settings and unlisted hosts refused with nothing changed; erasure removes the
//! person's set-aside mail and the residency report names the servers; a resync brings
//! back nothing already dealt with, erased mail included; a reused Message-ID with other
//! content is stored and the folder's counts add up; an old `Date:` header neither
//! orders nor expires a mail; a stranger cannot write into a customer's conversation by
//! token or Message-ID, nor fail our reply with a forged report.
//!
//! Real parts: SQLCipher. No mail server (that is `tests/tests/email_servers.rs`).

mod common;

use appcare_core::channel::mail::{MailItem, MailKind, MAX_REFERENCES};
use appcare_core::{CoreError, Timestamp};
use common::mail::*;
use common::*;

#[test]
fn replies_join_their_thread_and_new_threads_start_new_conversations() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let first = mail("c1@customer.test", "ana@customer.test", "Order 42", T0);
    let mut reply = mail(
        "c2@customer.test",
        "ana@customer.test",
        "Re: Order 42",
        T0 + 60,
    );
    reply.in_reply_to = vec!["c1@customer.test".into()];
    let mut by_refs = mail(
        "c3@customer.test",
        "ana@customer.test",
        "Re: Order 42",
        T0 + 120,
    );
    by_refs.references = vec!["unknown@x".into(), "c2@customer.test".into()];
    let other_thread = mail(
        "c4@customer.test",
        "ana@customer.test",
        "New question",
        T0 + 180,
    );
    let applied = ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[
            item(1, first),
            item(2, reply),
            item(3, by_refs),
            item(4, other_thread),
        ],
        now,
    )?;
    assert_eq!(applied.messages, 4);
    let c1 = conversation_of(&t, "c1@customer.test").expect("c1");
    assert_eq!(conversation_of(&t, "c2@customer.test"), Some(c1));
    assert_eq!(conversation_of(&t, "c3@customer.test"), Some(c1));
    let c4 = conversation_of(&t, "c4@customer.test").expect("c4");
    assert_ne!(
        c4, c1,
        "a mail without threading headers starts a new conversation"
    );
    let state = ws.delivery().mail_folder(account, FOLDER)?;
    assert_eq!(
        state.uidnext, 5,
        "uidnext moved past the batch in the same commit"
    );
    Ok(())
}

#[test]
fn the_reply_to_token_finds_the_conversation_when_headers_are_gone() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(
            1,
            mail("c1@customer.test", "ana@customer.test", "Order 42", T0),
        )],
        now,
    )?;
    let conversation = conversation_of(&t, "c1@customer.test").expect("c1");
    ws.reply(&t.admin, conversation, "We are on it.", None, now)?;
    let jobs = ws.delivery().claim_outbox(now, 10)?;
    let headers = jobs[0].email.clone().expect("e-mail headers");
    assert_eq!(headers.in_reply_to.as_deref(), Some("c1@customer.test"));
    assert_eq!(headers.references, vec!["c1@customer.test".to_string()]);
    assert_eq!(headers.subject, "Re: Order 42");
    assert_eq!(headers.from_address, "help@example.com");
    assert!(headers.message_id.ends_with("@example.com"));
    let token = headers
        .reply_to
        .strip_prefix("help+")
        .and_then(|r| r.strip_suffix("@example.com"))
        .expect("reply-to carries a token");
    assert!(token.len() >= 16);

    // The customer's client drops In-Reply-To and References but answers the reply-to.
    let mut bare = mail(
        "c9@customer.test",
        "ana@customer.test",
        "Re: Order 42",
        T0 + 600,
    );
    bare.recipients = vec![headers.reply_to.clone()];
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(2, bare)], now)?;
    assert_eq!(conversation_of(&t, "c9@customer.test"), Some(conversation));

    // A retried send keeps its Message-ID.
    ws.delivery()
        .outbox_retry(jobs[0].message, now, "server down")?;
    let again = ws.delivery().claim_outbox(now, 10)?;
    assert_eq!(
        again[0].email.as_ref().map(|h| h.message_id.clone()),
        Some(headers.message_id)
    );
    Ok(())
}

#[test]
fn references_of_a_long_thread_stay_bounded() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let mut long = mail("c30@customer.test", "ana@customer.test", "Thread", T0);
    long.references = (0..30).map(|i| format!("r{i}@x")).collect();
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(1, long)], now)?;
    let conversation = conversation_of(&t, "c30@customer.test").expect("conversation");
    ws.reply(&t.admin, conversation, "ok", None, now)?;
    let headers = ws.delivery().claim_outbox(now, 10)?[0]
        .email
        .clone()
        .expect("headers");
    assert_eq!(headers.references.len(), MAX_REFERENCES);
    assert_eq!(
        headers.references.last().map(String::as_str),
        Some("c30@customer.test")
    );
    Ok(())
}

#[test]
fn the_same_mail_twice_and_a_uidvalidity_reset_store_nothing_twice() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let batch = |base: u32| {
        (0..3)
            .map(|i| {
                item(
                    base + i,
                    mail(&format!("d{i}@customer.test"), "bo@customer.test", "Hi", T0),
                )
            })
            .collect::<Vec<_>>()
    };
    // The first sync meets UIDVALIDITY 7.
    ws.delivery().reset_mail_folder(account, FOLDER, 7, now)?;
    assert_eq!(
        ws.delivery()
            .apply_mail(account, FOLDER, 7, &batch(1), now)?
            .messages,
        3
    );
    ws.delivery().reset_mail_folder(account, FOLDER, 8, now)?;
    let state = ws.delivery().mail_folder(account, FOLDER)?;
    assert_eq!((state.uidvalidity, state.uidnext), (8, 1));
    let again = ws
        .delivery()
        .apply_mail(account, FOLDER, 8, &batch(1), now)?;
    assert_eq!((again.messages, again.duplicates), (0, 3));
    let audit = ws.recent_audit(&t.admin, None, 50, now)?;
    assert!(audit.iter().any(|e| e.kind == "mail_folder_reset"));
    Ok(())
}

#[test]
fn bounces_fail_our_reply_and_auto_replies_become_notes() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(
            1,
            mail("c1@customer.test", "ana@customer.test", "Order", T0),
        )],
        now,
    )?;
    let conversation = conversation_of(&t, "c1@customer.test").expect("c1");
    let reply = ws.reply(&t.admin, conversation, "Shipped.", None, now)?;
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    let ours = job.email.clone().expect("headers").message_id;
    ws.delivery().outbox_sent(
        job.message,
        &appcare_core::store::mail::external_id(account, &ours),
    )?;

    let mut dsn = mail(
        "b1@mx.test",
        "mailer-daemon@mx.test",
        "Undelivered",
        T0 + 60,
    );
    dsn.kind = MailKind::Bounce {
        original_ids: vec![ours.clone()],
        diagnostic: "Status: 5.1.1; Diagnostic-Code: smtp; 550 no such user".into(),
        failed: true,
        recipients: vec!["ana@customer.test".into()], // (new)
    };
    let mut away = mail(
        "a1@customer.test",
        "ana@customer.test",
        "Out of office",
        T0 + 90,
    );
    away.kind = MailKind::AutoReply;
    away.in_reply_to = vec![ours];
    let mut stray_away = mail("a2@customer.test", "zed@customer.test", "Away", T0 + 95);
    stray_away.kind = MailKind::AutoReply;
    let mut stray_bounce = mail(
        "b2@mx.test",
        "mailer-daemon@mx.test",
        "Undelivered",
        T0 + 99,
    );
    stray_bounce.kind = MailKind::Bounce {
        original_ids: vec!["never-sent@example.com".into()],
        diagnostic: String::new(),
        failed: true,
        recipients: vec!["ana@customer.test".into()], // (new)
    };
    let applied = ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[
            item(2, dsn),
            item(3, away),
            item(4, stray_away),
            item(5, stray_bounce),
        ],
        now,
    )?;
    assert_eq!(
        (
            applied.bounces,
            applied.auto_replies,
            applied.set_aside,
            applied.messages
        ),
        (1, 1, 2, 0)
    );
    let view = ws.open_conversation(&t.admin, conversation, None, now)?;
    let sent = view
        .messages
        .iter()
        .find(|m| m.id == reply.id)
        .expect("reply");
    assert_eq!(sent.status, "failed");
    assert!(sent
        .failure
        .as_deref()
        .unwrap_or_default()
        .contains("550 no such user"));
    assert!(view
        .notes
        .iter()
        .any(|n| n.body.contains("Automatic reply")));
    assert_eq!(view.messages.len(), 2, "no customer message made from them");

    let aside = ws.set_aside_mail(&t.admin, account, now)?;
    assert_eq!(aside.len(), 2);
    assert!(aside.iter().any(|a| a
        .reason
        .contains("automatic reply that belongs to no conversation")));
    assert!(aside.iter().any(|a| a.reason.contains("delivery report")));
    let agent = &t.alex.1;
    assert!(matches!(
        ws.set_aside_mail(agent, account, now),
        Err(CoreError::Forbidden { .. })
    ));
    Ok(())
}

#[test]
fn set_aside_mail_keeps_its_reason_and_the_sync_moves_past_it() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let broken = MailItem::SetAside {
        uid: 4,
        size: 120,
        reason: "it is not a readable e-mail message".into(),
        from_address: String::new(),
        subject: String::new(),
        raw: Some(b"garbage".to_vec()),
        key: Some("raw.garbage".into()),
    };
    let mut own = mail("o1@example.com", "help@example.com", "Loop", T0);
    own.recipients = vec!["help@example.com".into()];
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[broken, item(6, own)], now)?;
    assert_eq!(ws.delivery().mail_folder(account, FOLDER)?.uidnext, 7);
    let aside = ws.set_aside_mail(&t.admin, account, now)?;
    let reasons: Vec<&str> = aside.iter().map(|a| a.reason.as_str()).collect();
    assert!(
        reasons.iter().any(|r| r.contains("not a readable")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("support address itself")),
        "{reasons:?}"
    );
    let view = ws.list_channels(&t.admin, now)?;
    let email = view
        .iter()
        .find(|a| a.id == account)
        .and_then(|a| a.email.clone())
        .expect("email view");
    assert_eq!(email.set_aside, 2);
    assert_eq!(email.folders[0].folder, "INBOX");
    Ok(())
}

#[test]
fn html_is_shown_only_to_who_may_see_the_conversation() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let mut html = mail("h1@customer.test", "ana@customer.test", "Formatted", T0);
    html.html = Some("<p>Hello <b>there</b></p>".into());
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(1, html)], now)?;
    let conversation = conversation_of(&t, "h1@customer.test").expect("conversation");
    let view = ws.open_conversation(&t.admin, conversation, None, now)?;
    let message = view.messages[0].id;
    assert!(view.messages[0].has_html);
    assert_eq!(
        ws.email_html(&t.admin, message, now)?.as_deref(),
        Some("<p>Hello <b>there</b></p>")
    );
    // Carl is in Billing; the mailbox's conversations go to Support.
    assert!(matches!(
        ws.email_html(&t.carl.1, message, now),
        Err(CoreError::NotFound { .. })
    ));
    Ok(())
}

#[test]
fn bad_account_settings_change_nothing() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let mut far = new_account(None);
    far.imap_host = "imap.elsewhere.example".into();
    let err = ws
        .add_email_account(&t.admin, &far, now)
        .err()
        .map(|e| e.to_string());
    // The message names the page where the list lives (issue 19: errors that say where
    // to fix things).
    let err = err.unwrap_or_default();
    assert!(err.contains("allowed hosts"), "{err}");
    assert!(err.contains("Residency"), "{err}");
    let mut bad = new_account(None);
    bad.address = "nope".into();
    assert!(ws.add_email_account(&t.admin, &bad, now).is_err());
    assert!(ws.delivery().email_endpoints()?.is_empty());
    ws.add_email_account(&t.admin, &new_account(None), now)?;
    let twice = ws.add_email_account(&t.admin, &new_account(None), now);
    assert!(matches!(twice, Err(CoreError::Conflict(_))));
    let listed = ws.list_channels(&t.admin, now)?;
    let text = format!("{listed:?}");
    assert!(
        !text.contains("-123"),
        "no part of the password comes back: {text}"
    );
    Ok(())
}

#[test]
fn erasing_a_customer_removes_their_mail_set_aside_and_the_report_names_the_servers() -> TestResult
{
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let mut html = mail("e1@customer.test", "erin@customer.test", "Erase me", T0);
    html.html = Some("<p>private</p>".into());
    let mut away = mail("e2@customer.test", "erin@customer.test", "Away", T0 + 5);
    away.kind = MailKind::AutoReply;
    let other = MailItem::SetAside {
        uid: 3,
        size: 10,
        reason: "it is not a readable e-mail message".into(),
        from_address: "someone@else.test".into(),
        subject: String::new(),
        raw: None,
        key: None,
    };
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(1, html), item(2, away), other],
        now,
    )?;
    assert_eq!(ws.set_aside_mail(&t.admin, account, now)?.len(), 2);
    let erin = ws.find_contacts(&t.admin, "erin@customer.test", now)?;
    let summary = ws.erase_contact(&t.admin, erin[0].id, now)?;
    assert_eq!(summary.messages, 1);
    let left = ws.set_aside_mail(&t.admin, account, now)?;
    assert_eq!(left.len(), 1, "only someone else's mail stays aside");
    assert_eq!(left[0].from_address, "someone@else.test");
    assert!(ws
        .search(&t.admin, &word("e1@customer.test"), now)?
        .is_empty());

    let report = ws.residency_report(&t.admin, now)?;
    assert_eq!(report.mail_servers.len(), 1);
    assert!(
        report.mail_servers[0].contains("127.0.0.1:993 (TLS)"),
        "{:?}",
        report.mail_servers
    );
    Ok(())
}

#[test]
fn a_resync_brings_back_nothing_already_dealt_with_not_even_erased_mail() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let batch = || {
        let first = mail("r1@customer.test", "rita@customer.test", "Hello", T0);
        let mut away = mail("r2@customer.test", "rita@customer.test", "Away", T0 + 5);
        away.kind = MailKind::AutoReply;
        away.in_reply_to = vec!["r1@customer.test".into()];
        let mut delayed = mail("r3@mx.test", "mailer-daemon@mx.test", "Delayed", T0 + 9);
        delayed.kind = MailKind::Bounce {
            original_ids: vec![],
            diagnostic: "Status: 4.4.1".into(),
            failed: false,
            recipients: vec![], // (new)
        };
        let unreadable = MailItem::SetAside {
            uid: 4,
            size: 7,
            reason: "it is not a readable e-mail message".into(),
            from_address: "someone@else.test".into(),
            subject: String::new(),
            raw: Some(b"garbage".to_vec()),
            key: Some("raw.garbage".into()),
        };
        vec![item(1, first), item(2, away), item(3, delayed), unreadable]
    };
    ws.delivery().reset_mail_folder(account, FOLDER, 7, now)?;
    let first = ws
        .delivery()
        .apply_mail(account, FOLDER, 7, &batch(), now)?;
    assert_eq!(
        (first.messages, first.auto_replies, first.set_aside),
        (1, 1, 2)
    );
    let aside = ws.set_aside_mail(&t.admin, account, now)?;
    assert!(
        aside.iter().any(|a| a.reason.contains("not a failure")),
        "a delay is not a bounce"
    );

    let rita = ws.find_contacts(&t.admin, "rita@customer.test", now)?;
    ws.erase_contact(&t.admin, rita[0].id, now)?;
    ws.delivery().reset_mail_folder(account, FOLDER, 8, now)?;
    let again = ws
        .delivery()
        .apply_mail(account, FOLDER, 8, &batch(), now)?;
    assert_eq!(
        (
            again.messages,
            again.auto_replies,
            again.set_aside,
            again.duplicates
        ),
        (0, 0, 0, 4),
        "nothing comes back after a new UIDVALIDITY, not even the erased customer's mail"
    );
    assert!(ws
        .find_contacts(&t.admin, "rita@customer.test", now)?
        .is_empty());
    assert_eq!(ws.set_aside_mail(&t.admin, account, now)?.len(), 2);
    Ok(())
}

/// The public corpus case: a second mail reuses a Message-ID with other content (sender,
/// subject, body). It is stored, not skipped; only the very same mail again is a
/// duplicate; and the folder's counts add up: offered = stored + set aside + duplicates.
#[test]
fn a_reused_message_id_with_other_content_is_stored_and_the_counts_add_up() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let first = || mail("reused@customer.test", "ana@customer.test", "Order", T0);
    let mut other = mail(
        "reused@customer.test",
        "ben@customer.test",
        "Refund",
        T0 + 60,
    );
    other.text = "reusedotherbody".into();
    let unreadable = MailItem::SetAside {
        uid: 4,
        size: 7,
        reason: "it is not a readable e-mail message".into(),
        from_address: String::new(),
        subject: String::new(),
        raw: Some(b"garbage".to_vec()),
        key: Some("raw.garbage".into()),
    };
    let applied = ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[
            item(1, first()),
            item(2, other),
            item(3, first()),
            unreadable,
        ],
        now,
    )?;
    assert_eq!(
        (applied.messages, applied.duplicates, applied.set_aside),
        (2, 1, 1),
        "{applied:?}"
    );
    let hits = ws.search(&t.admin, "reusedotherbody", now)?;
    assert_eq!(hits.len(), 1, "the mail with the reused id is stored");
    assert_ne!(
        Some(hits[0].conversation_id),
        conversation_of(&t, "reused@customer.test"),
        "another sender's mail is not threaded into the first one's conversation"
    );
    let view = ws.list_channels(&t.admin, now)?; // (new)
    let folder = view
        .iter()
        .find_map(|a| a.email.clone())
        .expect("email view")
        .folders
        .remove(0); // (new)
    assert_eq!(
        (
            folder.offered,
            folder.stored,
            folder.set_aside,
            folder.duplicates
        ),
        (4, 2, 1, 1)
    ); // (new)
    assert_eq!(
        folder.offered,
        folder.stored + folder.set_aside + folder.duplicates
    ); // (new)
    Ok(())
}

/// A sender whose clock says 2001: the mail is ordered and kept by when the server
/// received it, so the next retention run does not purge it unread.
#[test]
fn an_old_date_header_neither_orders_nor_expires_the_mail() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let mut old_clock = mail("clock@customer.test", "ana@customer.test", "Help", T0);
    old_clock.sent_at = Timestamp::from_unix(978_307_200);
    old_clock.arrived_at = now; // (new)
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(1, old_clock)], now)?;
    ws.set_retention_policy(
        &t.admin,
        appcare_core::service::residency::RetentionPolicy {
            whatsapp_days: 0,
            messenger_days: 0,
            email_days: 30,
        },
        now,
    )?;
    let runs = ws.maintenance().purge_expired(now.plus_seconds(60))?;
    assert!(runs.is_empty(), "nothing expired");
    let conversation = conversation_of(&t, "clock@customer.test").expect("still there");
    let view = ws.open_conversation(&t.admin, conversation, None, now)?;
    assert_eq!(view.messages[0].at, now, "dated by its arrival");
    Ok(())
}

/// A stranger who knows the reply-to token and our Message-ID cannot write into a
/// customer's conversation (their mail starts their own), and a forged delivery report
/// that does not name the address we sent to does not fail our reply; a genuine one does.
#[test]
fn a_stranger_cannot_write_into_a_conversation_nor_fail_our_reply() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(
            1,
            mail("s1@customer.test", "ana@customer.test", "Order", T0),
        )],
        now,
    )?;
    let conversation = conversation_of(&t, "s1@customer.test").expect("s1");
    let reply = ws.reply(&t.admin, conversation, "Shipped.", None, now)?;
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    let headers = job.email.clone().expect("headers");
    let ours = headers.message_id.clone();
    ws.delivery().outbox_sent(
        job.message,
        &appcare_core::store::mail::external_id(account, &ours),
    )?;
    let mut by_token = mail("s2@evil.test", "mallory@evil.test", "Re: Order", T0 + 10);
    by_token.recipients = vec![headers.reply_to.clone()];
    let mut by_header = mail("s3@evil.test", "mallory@evil.test", "Re: Order", T0 + 20);
    by_header.in_reply_to = vec![ours.clone()];
    by_header.references = vec!["s1@customer.test".into()];
    let mut forged = mail(
        "s4@evil.test",
        "mailer-daemon@evil.test",
        "Undelivered",
        T0 + 30,
    );
    forged.kind = MailKind::Bounce {
        original_ids: vec![ours.clone()],
        diagnostic: "Status: 5.1.1".into(),
        failed: true,
        recipients: vec!["mallory@evil.test".into()], // (new)
    };
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(2, by_token), item(3, by_header), item(4, forged)],
        now,
    )?;
    for stranger in ["s2@evil.test", "s3@evil.test"] {
        let landed = conversation_of(&t, stranger).expect("stored");
        assert_ne!(
            landed, conversation,
            "{stranger} stays out of Ana's conversation"
        );
    }
    let status = |ws: &appcare_core::Workspace| -> Result<String, CoreError> {
        let view = ws.open_conversation(&t.admin, conversation, None, now)?;
        Ok(view
            .messages
            .iter()
            .find(|m| m.id == reply.id)
            .map(|m| m.status.clone())
            .unwrap_or_default())
    };
    assert_eq!(status(ws)?, "sent", "a forged report fails nothing");
    assert_eq!(
        ws.open_conversation(&t.admin, conversation, None, now)?
            .messages
            .len(),
        2
    );
    let mut genuine = mail(
        "s5@mx.test",
        "mailer-daemon@mx.test",
        "Undelivered",
        T0 + 40,
    );
    genuine.kind = MailKind::Bounce {
        original_ids: vec![ours],
        diagnostic: "Status: 5.1.1".into(),
        failed: true,
        recipients: vec!["ana@customer.test".into()], // (new)
    };
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(5, genuine)], now)?;
    assert_eq!(status(ws)?, "failed");
    Ok(())
}

/// Found by the window test: saving the Edit dialog of a mailbox wrote a WhatsApp-shaped
/// config over its servers, and the mailbox could no longer sync or send.
#[test]
fn editing_a_mailboxs_name_and_team_keeps_its_servers_and_signature() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = mailbox(&t);
    ws.set_mail_signature(&t.admin, account, "Regards, {agent}", now)?;
    let view = ws.update_channel_account(
        &t.admin,
        account,
        &appcare_core::channel::ChannelAccountChanges {
            name: "Billing mail".into(),
            default_team: Some(t.billing),
            read_receipts: false,
            human_agent: false,
            poll: false,
        },
        now,
    )?;
    assert_eq!(view.name, "Billing mail");
    assert_eq!(view.default_team, Some(t.billing));
    let email = view.email.ok_or("still a mailbox with its servers")?;
    assert_eq!(email.address, "help@example.com");
    assert_eq!(email.imap, "127.0.0.1:993 (TLS)");
    assert_eq!(email.signature, "Regards, {agent}");
    let endpoints = ws.delivery().email_endpoints()?;
    assert_eq!(endpoints.len(), 1, "the sync still finds the mailbox");
    assert_eq!(endpoints[0].config.smtp.port, 465);
    Ok(())
}
