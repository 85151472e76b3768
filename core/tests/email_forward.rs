//! Forwarding e-mail, fed parsed mail directly: the whole conversation or one message
//! goes to the address given as a new thread (`Fwd:` subject, no In-Reply-To or
//! References, answers to the plain mailbox address) with the forwarded messages' files
//! and the note above them; the conversation shows who it went to, and the forward is no
//! reply (no first response, reply-all never learns the address); the note is signed; a bad address, the
//! mailbox itself, a chat conversation and someone else's conversation are refused.
//!
//! Real parts: SQLCipher. No mail server (that is `tests/tests/email_servers.rs`).

mod common;

use appcare_core::channel::{InboundAttachment, SendPayload};
use appcare_core::reports::{ReportBucket, ReportQuery};
use appcare_core::service::handoff::Versioned;
use appcare_core::service::mail_forward::MailForward;
use appcare_core::{CoreError, Timestamp};
use common::mail::*;
use common::*;

/// The text of the next forward the outbox hands the runtime.
fn next_forward_text(
    ws: &appcare_core::Workspace,
    now: Timestamp,
) -> Result<String, Box<dyn std::error::Error>> {
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    match job.payload {
        SendPayload::Mail { body, .. } => Ok(body),
        _ => Err("a forward is a mail of its own".into()),
    }
}

fn forward(to: &str, note: &str, message: Option<appcare_core::MessageId>) -> MailForward {
    MailForward {
        to: to.into(),
        note: note.into(),
        message,
    }
}

#[test]
fn a_forward_is_a_new_thread_with_the_files_and_no_reply() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let mut first = mail("f1@customer.test", "ana@customer.test", "Refund", T0);
    first.attachments = vec![InboundAttachment {
        file_name: "invoice.pdf".into(),
        mime_type: "application/pdf".into(),
        data: b"%PDF-1.4 invoice".to_vec(),
    }];
    let mut second = mail(
        "f2@customer.test",
        "ana@customer.test",
        "Re: Refund",
        T0 + 60,
    );
    second.in_reply_to = vec!["f1@customer.test".into()];
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(1, first), item(2, second)], now)?;
    let id = conversation_of(&t, "f1@customer.test").ok_or("the thread")?;

    let shown = ws.forward_mail(
        &t.admin,
        id,
        &forward(" Billing@Partner.test ", "Please refund.", None),
        now,
    )?;
    assert_eq!(
        shown.body,
        "Forwarded the whole conversation to billing@partner.test:\n\nPlease refund."
    );
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    assert_eq!(job.to, "billing@partner.test");
    let headers = job.email.ok_or("mail headers")?;
    assert_eq!(headers.subject, "Fwd: Refund");
    assert_eq!((headers.in_reply_to, headers.references.len()), (None, 0));
    assert_eq!(
        headers.reply_to, "help@example.com",
        "not the conversation's token"
    );
    let SendPayload::Mail { body, files, .. } = &job.payload else {
        panic!("a mail of its own");
    };
    assert!(body.starts_with("Please refund.\n\n---------- Forwarded message ----------"));
    assert!(body.contains(&word("f1@customer.test")) && body.contains(&word("f2@customer.test")));
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].data, b"%PDF-1.4 invoice");

    // One message alone carries only its own text and files.
    let view = ws.open_conversation(&t.admin, id, None, now)?;
    let second_id = view
        .messages
        .iter()
        .find(|m| m.body == word("f2@customer.test"))
        .ok_or("the second mail")?
        .id;
    ws.forward_mail(
        &t.admin,
        id,
        &forward("ops@partner.test", "", Some(second_id)),
        now,
    )?;
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    let SendPayload::Mail { body, files, .. } = &job.payload else {
        panic!("a mail of its own");
    };
    assert!(!body.contains(&word("f1@customer.test")) && body.contains(&word("f2@customer.test")));
    assert!(files.is_empty());
    // A later forward of everything never carries the earlier forwards (or their addresses).
    ws.forward_mail(&t.admin, id, &forward("legal@partner.test", "", None), now)?;
    let body = next_forward_text(ws, now)?;
    assert!(
        !body.contains("billing@partner.test") && !body.contains("ops@partner.test"),
        "{body}"
    );
    assert!(
        body.contains("From: ana@customer.test"),
        "the mail's own sender: {body}"
    );

    // No reply was made: no first response, and reply-all does not offer the addresses.
    let context = ws.mail_reply_context(&t.admin, id, now)?;
    assert!(
        !context.reply_all.iter().any(|a| a.contains("partner.test")),
        "{:?}",
        context.reply_all
    );
    let report = ws.team_report(
        &t.admin,
        &ReportQuery {
            from: Timestamp::from_unix(T0 - 3600),
            to: Timestamp::from_unix(T0 + 3600),
            team: None,
            bucket: ReportBucket::Day,
        },
        now,
    )?;
    assert_eq!(report.totals.first_response.count, 0);

    // With a signature, the note is signed as a reply is, above what is forwarded.
    ws.set_mail_signature(&t.admin, account, "Regards,\n{agent}", now)?;
    ws.forward_mail(
        &t.admin,
        id,
        &forward("ops@partner.test", "FYI", Some(second_id)),
        now,
    )?;
    let body = next_forward_text(ws, now)?;
    assert!(
        body.starts_with("FYI\n\n-- \nRegards,\n")
            && body.contains("\n\n---------- Forwarded message"),
        "{body}"
    );

    // Without a note: the signature alone above what is forwarded.
    ws.forward_mail(
        &t.admin,
        id,
        &forward("ops@partner.test", "", Some(second_id)),
        now,
    )?;
    let body = next_forward_text(ws, now)?;
    assert!(body.starts_with("-- \nRegards,\n"), "{body}");
    Ok(())
}

#[test]
fn bad_addresses_chat_conversations_and_other_peoples_are_refused() -> TestResult {
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
            mail("g1@customer.test", "ana@customer.test", "Hi", T0),
        )],
        now,
    )?;
    let id = conversation_of(&t, "g1@customer.test").ok_or("the thread")?;
    for (to, why) in [
        ("not an address", "is not an e-mail address"),
        ("help@example.com", "this mailbox itself"),
        ("", "write the address"),
    ] {
        match ws.forward_mail(&t.admin, id, &forward(to, "", None), now) {
            Err(CoreError::InvalidInput { field, reason }) => {
                assert_eq!(field, "to");
                assert!(reason.contains(why), "{reason}");
            }
            other => panic!("{to}: expected a field error, got {other:?}"),
        }
    }
    let chat = customer_writes(ws, t.support_account, "4915", "w1", "Hello", now);
    match ws.forward_mail(&t.admin, chat, &forward("x@partner.test", "", None), now) {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "to"),
        other => panic!("expected a field error, got {other:?}"),
    }
    // Bea has it; Alex may not forward it.
    let version = ws
        .open_conversation(&t.bea.1, id, None, now)?
        .summary
        .version;
    ws.take(&t.bea.1, Versioned { id, version }, now)?;
    let refused = ws.forward_mail(&t.alex.1, id, &forward("x@partner.test", "", None), now);
    assert!(
        matches!(refused, Err(CoreError::Forbidden { .. })),
        "{refused:?}"
    );
    assert!(
        ws.delivery().claim_outbox(now, 10)?.is_empty(),
        "nothing was queued"
    );
    Ok(())
}
