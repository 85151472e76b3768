//! Formatted e-mail replies, fed parsed mail directly: the composer's marks become HTML
//! and a faithful plain-text part (the plain part is what the conversation shows), the
//! HTML is kept with the reply and goes to the runtime with it, the customer's newest
//! mail is quoted below when asked (in both parts; the customer's, never a copied-in
//! person's), payment data is masked in every piece of both parts (a reply whose
//! rendering would reveal one goes plain), and a plain reply stays one plain part.
//!
//! Real parts: SQLCipher. The delivered mail is checked in `tests/tests/email_servers.rs`.

mod common;

use appcare_core::channel::SendPayload;
use appcare_core::service::mail_recipients::MailReply;
use common::mail::*;
use common::*;

fn reply(body: &str, formatted: bool, quote_history: bool) -> MailReply {
    MailReply {
        body: body.into(),
        cc: vec![],
        bcc: vec![],
        attachments: vec![],
        formatted,
        quote_history,
    }
}

#[test]
fn a_formatted_reply_goes_as_html_and_plain_text_with_the_newest_mail_quoted() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let first = mail("m1@customer.test", "ana@customer.test", "Parcel", T0);
    let mut second = mail(
        "m2@customer.test",
        "ana@customer.test",
        "Re: Parcel",
        T0 + 60,
    );
    second.in_reply_to = vec!["m1@customer.test".into()];
    second.cc = vec![appcare_core::channel::mail::MailAddress {
        address: "bob@customer.test".into(),
        name: "Bob".into(),
    }];
    // Bob, copied in, answers last: his words are never quoted as the customer's.
    let mut third = mail(
        "m3@customer.test",
        "bob@customer.test",
        "Re: Parcel",
        T0 + 120,
    );
    third.in_reply_to = vec!["m2@customer.test".into()];
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(1, first), item(2, second), item(3, third)],
        now,
    )?;
    let id = conversation_of(&t, "m1@customer.test").ok_or("the thread")?;
    assert_eq!(
        conversation_of(&t, "m3@customer.test"),
        Some(id),
        "Bob is on the thread"
    );
    // The signature carries the company's IBAN: masked in both parts too.
    ws.set_mail_signature(
        &t.admin,
        account,
        "Example GmbH\nIBAN DE89 3704 0044 0532 0130 00",
        now,
    )?;

    let shown = ws.reply_mail(
        &t.admin,
        id,
        &reply(
            "**Sorry**, paid with 4111 1111 1111 1111?\n\n1. open\n2. *check*",
            true,
            true,
        ),
        None,
        now,
    )?;
    assert!(shown.has_html && shown.masked);
    assert!(
        shown.body.starts_with("*Sorry*, paid with "),
        "{}",
        shown.body
    );
    assert!(!shown.body.contains("4111 1111 1111 1111"));
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    let SendPayload::Mail { body, files, html } = &job.payload else {
        panic!("a formatted reply goes as a mail of several parts");
    };
    assert!(files.is_empty());
    assert_eq!(
        *body, shown.body,
        "what the conversation shows is the plain part"
    );
    let html = html.as_deref().ok_or("the HTML goes with it")?;
    assert!(
        html.starts_with("<p><strong>Sorry</strong>, paid with "),
        "{html}"
    );
    assert!(
        html.contains("<ol><li>open</li><li><em>check</em></li></ol>"),
        "{html}"
    );
    assert!(
        !html.contains("4111 1111 1111 1111"),
        "masked in the HTML too"
    );
    // The newest customer mail is the one quoted, in both parts.
    let newest = word("m2@customer.test");
    assert!(body.contains(&format!("wrote:\n> {newest}")), "{body}");
    assert!(
        html.contains(&format!("<blockquote><p>{newest}</p></blockquote>")),
        "{html}"
    );
    for other in ["m1@customer.test", "m3@customer.test"] {
        assert!(
            !body.contains(&word(other)) && !html.contains(&word(other)),
            "{other}"
        );
    }
    for part in [body.as_str(), html] {
        assert!(
            part.contains("Example GmbH") && !part.contains("3704 0044"),
            "{part}"
        );
    }
    assert_eq!(
        ws.email_html(&t.admin, shown.id, now)?.as_deref(),
        Some(html)
    );

    // Plain, with the quote: one plain part.
    let plain = ws.reply_mail(&t.admin, id, &reply("On its way.", false, true), None, now)?;
    assert!(!plain.has_html);
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    let SendPayload::Text { body } = &job.payload else {
        panic!("a plain reply without files is text");
    };
    assert!(
        body.starts_with("On its way.\n\n-- \nExample GmbH")
            && body.ends_with(&format!("> {newest}")),
        "{body}"
    );

    // Neither: as before.
    ws.reply_mail(&t.admin, id, &reply("Thanks.", false, false), None, now)?;
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    assert!(
        matches!(&job.payload, SendPayload::Text { body } if body.starts_with("Thanks.\n\n-- \n"))
    );

    // A card number only the rendering reveals (`\-` unescaped): the reply goes plain.
    let sneaky = ws.reply_mail(
        &t.admin,
        id,
        &reply("4111\\-1111\\-1111\\-1111", true, false),
        None,
        now,
    )?;
    assert!(sneaky.masked && !sneaky.has_html);
    let job = ws.delivery().claim_outbox(now, 10)?.remove(0);
    let SendPayload::Text { body } = &job.payload else {
        panic!("sent plain");
    };
    assert!(!body.contains("4111-1111-1111-1111"), "{body}");
    Ok(())
}
