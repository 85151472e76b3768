//! Customer satisfaction with a controlled clock: a resolved conversation gets one
//! survey two minutes later (WhatsApp: a list; Messenger: quick replies; e-mail: a
//! numbered question in the thread), the customer's tap or typed number is stored with
//! the conversation once (a repeated webhook does not count twice) without reopening it
//! or making it unread, the report counts it for the agent and per label; an Undo inside the delay, a
//! customer who asked not to be contacted and a closed reply window get no survey; only
//! admins set the question, and a question too long is refused at its field; erasure
//! takes the answer with the person.
//!
//! Real parts: SQLCipher. The channel adapters' parsing and sending of the same payloads
//! are tested in `channels`.

mod common;

use appcare_core::channel::{ChannelEvent, InboundEvent, SendPayload};
use appcare_core::ids::{ChannelAccountId, ConversationId};
use appcare_core::reports::{ReportBucket, ReportQuery};
use appcare_core::service::handoff::Versioned;
use appcare_core::service::inbox::ConversationStatus;
use appcare_core::{CoreError, SessionToken, Timestamp};
use common::mail::*;
use common::*;

const QUESTION: &str = "How did we do today?";

fn at(offset: i64) -> Timestamp {
    Timestamp::from_unix(T0 + offset)
}

fn resolve(t: &Team, token: &SessionToken, id: ConversationId, when: Timestamp) {
    let version = t
        .ctx
        .ws
        .open_conversation(token, id, None, when)
        .expect("opened")
        .summary
        .version;
    t.ctx
        .ws
        .set_status(
            token,
            Versioned { id, version },
            ConversationStatus::Resolved,
            None,
            when,
        )
        .expect("resolved");
}

/// A connected account of `kind` in the support team (its sends can be claimed).
fn connected(t: &Team, kind: &str, id: &str) -> Result<ChannelAccountId, CoreError> {
    let account = serde_json::from_value(serde_json::json!({
        "kind": kind, "name": kind, "external_id": id,
        "business_account_id": (kind == "whatsapp").then_some("102290129340398"),
        "access_token": "EAAG-access-token-0123456", "app_secret": "app-secret-0123456789",
        "verify_token": "verify-me", "default_team": t.support, "human_agent": false,
        "poll": false, "graph_base_url": null, "api_version": null
    }))
    .expect("an account");
    Ok(t.ctx.ws.add_channel_account(&t.admin, &account, at(0))?.id)
}

fn tap(
    account: ChannelAccountId,
    who: &str,
    id: &str,
    choice: &str,
    when: Timestamp,
) -> ChannelEvent {
    ChannelEvent::Message(InboundEvent {
        account,
        contact_external_id: who.into(),
        contact_name: who.into(),
        external_id: id.into(),
        body: "Chose: 4 – Good".into(),
        sent_at: when,
        media: vec![],
        contact_aliases: vec![],
        reply_to: None,
        choice: Some(choice.into()),
        content: None,
    })
}

#[test]
fn a_tapped_answer_on_whatsapp_and_messenger_is_stored_once_without_reopening() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let whatsapp = connected(&t, "whatsapp", "1065403522")?;
    let messenger = connected(&t, "messenger", "4242")?;
    for (account, who) in [(whatsapp, "4915111111"), (messenger, "7001")] {
        ws.set_satisfaction_survey(&t.admin, account, QUESTION, at(0))?;
        let id = customer_writes(ws, account, who, &format!("in-{who}"), "Hello", at(1));
        let version = ws
            .open_conversation(&t.alex.1, id, None, at(5))?
            .summary
            .version;
        ws.take(&t.alex.1, Versioned { id, version }, at(5))?;
        ws.reply(&t.alex.1, id, "Fixed, have a good day.", None, at(10))?;
        ws.set_labels(
            &t.alex.1,
            id,
            &["refund".to_string(), who.to_string()],
            at(11),
        )?;
        ws.delivery().claim_outbox(at(10), 10)?;
        resolve(&t, &t.alex.1, id, at(20));

        assert_eq!(
            ws.maintenance().send_surveys(at(100))?,
            0,
            "not before two minutes"
        );
        assert_eq!(ws.maintenance().send_surveys(at(141))?, 1);
        assert_eq!(
            ws.maintenance().send_surveys(at(200))?,
            0,
            "once per conversation"
        );
        let job = ws.delivery().claim_outbox(at(141), 10)?.remove(0);
        let SendPayload::Choices { body, choices, .. } = &job.payload else {
            panic!("the survey offers choices on a chat channel");
        };
        assert!(body.starts_with(QUESTION));
        assert_eq!(choices.len(), 5);
        let four = choices
            .iter()
            .find(|c| c.title.starts_with('4'))
            .expect("a 4");

        let answer = [tap(
            account,
            who,
            &format!("answer-{who}"),
            &four.id,
            at(300),
        )];
        let first = ws.delivery().apply(&answer, at(300))?;
        let again = ws.delivery().apply(&answer, at(360))?;
        assert_eq!((first.messages, again.duplicates), (1, 1));
        let view = ws.open_conversation(&t.alex.1, id, None, at(400))?;
        let rated = view.satisfaction.expect("a survey was sent");
        assert_eq!((rated.rating, rated.answered_at), (Some(4), Some(at(300))));
        assert_eq!(
            view.summary.status,
            ConversationStatus::Resolved,
            "not reopened"
        );
        assert_eq!(view.summary.unread, 0);
        assert!(view.messages.iter().any(|m| m.body == "Chose: 4 – Good"));
    }
    // Both answers count for Alex, who had the conversations.
    let report = ws.team_report(
        &t.admin,
        &ReportQuery {
            from: at(-3600),
            to: at(3600),
            team: Some(t.support),
            bucket: ReportBucket::Day,
        },
        at(400),
    )?;
    let totals = &report.totals;
    assert_eq!(
        (
            totals.csat_answers,
            totals.csat_points,
            totals.csat_satisfied
        ),
        (2, 8, 2)
    );
    let alex = report
        .by_agent
        .iter()
        .find(|r| r.name == "alex display")
        .expect("alex's row");
    assert_eq!(alex.figures.csat_answers, 2);
    // Per label: both conversations carry "refund", each also its own label.
    let label = |name: &str| {
        report
            .by_label
            .iter()
            .find(|r| r.name == name)
            .map(|r| (r.figures.opened, r.figures.resolved, r.figures.csat_answers))
    };
    assert_eq!(label("refund"), Some((2, 2, 2)));
    assert_eq!(label("7001"), Some((1, 1, 1)));
    Ok(())
}

#[test]
fn undo_opt_out_and_a_closed_window_send_no_survey() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let account = t.support_account;
    ws.set_satisfaction_survey(&t.admin, account, QUESTION, at(0))?;
    // Resolved, then reopened by Undo a few seconds later.
    let undone = customer_writes(ws, account, "491", "u1", "Hello", at(1));
    resolve(&t, &t.admin, undone, at(10));
    let version = ws
        .open_conversation(&t.admin, undone, None, at(15))?
        .summary
        .version;
    ws.set_status(
        &t.admin,
        Versioned {
            id: undone,
            version,
        },
        ConversationStatus::Open,
        None,
        at(15),
    )?;
    // The customer asked not to be contacted.
    let opted_out = customer_writes(ws, account, "492", "u2", "Hello", at(1));
    ws.set_do_not_contact(&t.admin, opted_out, true, at(5))?;
    resolve(&t, &t.admin, opted_out, at(10));
    // The customer last wrote 25 hours ago: WhatsApp's window is shut.
    let late = customer_writes(ws, account, "493", "u3", "Hello", at(-25 * 3600));
    resolve(&t, &t.admin, late, at(10));
    assert_eq!(ws.maintenance().send_surveys(at(600))?, 0);
    // A number typed later is an ordinary message: nothing was asked.
    let next = customer_writes(ws, account, "493", "u4", "5", at(700));
    assert_ne!(next, late, "a new conversation");
    for id in [undone, opted_out, late] {
        assert_eq!(
            ws.open_conversation(&t.admin, id, None, at(700))?
                .satisfaction,
            None
        );
    }
    // Turning the survey off stops the ones already due.
    let off = customer_writes(ws, account, "494", "u5", "Hello", at(701));
    resolve(&t, &t.admin, off, at(702));
    ws.set_satisfaction_survey(&t.admin, account, "  ", at(703))?;
    assert_eq!(ws.maintenance().send_surveys(at(900))?, 0);
    Ok(())
}

#[test]
fn a_typed_number_answers_by_email_with_a_comment_and_erasure_takes_it() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let set = ws.set_satisfaction_survey(&t.admin, account, QUESTION, at(0))?;
    assert_eq!(set.satisfaction_question.as_deref(), Some(QUESTION));
    // Ana writes with Eve copied in (so Eve is on the thread), and on a second thread alone.
    let mut copied = mail("m1@customer.test", "ana@customer.test", "Refund", T0);
    copied.cc = vec![appcare_core::channel::mail::MailAddress {
        address: "eve@elsewhere.test".into(),
        name: String::new(),
    }];
    let alone = mail("n1@customer.test", "ana@customer.test", "Invoice", T0 + 10);
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(1, copied), item(2, alone)],
        at(20),
    )?;
    let shared = conversation_of(&t, "m1@customer.test").expect("the shared thread");
    let id = conversation_of(&t, "n1@customer.test").expect("Ana's own thread");
    resolve(&t, &t.admin, shared, at(30));
    resolve(&t, &t.admin, id, at(31));
    assert_eq!(ws.maintenance().send_surveys(at(200))?, 2);
    let jobs = ws.delivery().claim_outbox(at(200), 10)?;
    let survey_of = |conversation| {
        jobs.iter()
            .find(|j| j.conversation == conversation)
            .expect("a survey")
    };
    let SendPayload::Text { body } = &survey_of(id).payload else {
        panic!("e-mail asks in words");
    };
    assert!(body.contains("Please reply with a number") && body.contains("1 – Very poor"));
    let header = |conversation| {
        survey_of(conversation)
            .email
            .as_ref()
            .expect("threaded like a reply")
            .message_id
            .clone()
    };

    // Eve, on the thread but not the customer, answers "1": no rating for Ana.
    let mut stranger = mail(
        "m2@customer.test",
        "eve@elsewhere.test",
        "Re: Refund",
        T0 + 300,
    );
    stranger.in_reply_to = vec![header(shared)];
    stranger.text = "1".into();
    // Ana answers her own survey with a number and a comment above the quoted mail.
    let mut answer = mail(
        "n2@customer.test",
        "ana@customer.test",
        "Re: Invoice",
        T0 + 400,
    );
    answer.in_reply_to = vec![header(id)];
    answer.text =
        format!("4\nquick and kind\n\nOn Mon, 7 Dec 2026, Help wrote:\n> {QUESTION}\n> 5 – Great");
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(3, stranger), item(4, answer)],
        at(400),
    )?;
    let eve_joined = ws.open_conversation(&t.admin, shared, None, at(450))?;
    assert_eq!(
        eve_joined.satisfaction.as_ref().map(|s| s.rating),
        Some(None),
        "Eve's 1 rates nothing"
    );
    assert!(
        eve_joined.messages.iter().any(|m| m.body == "1"),
        "kept as her message"
    );
    let view = ws.open_conversation(&t.admin, id, None, at(500))?;
    let rated = view.satisfaction.expect("sent");
    assert_eq!(rated.rating, Some(4));
    assert_eq!(rated.comment.as_deref(), Some("quick and kind"));
    assert_eq!(view.summary.status, ConversationStatus::Resolved);

    // Erasing the customer takes the conversation and the answer with it.
    ws.erase_contact(&t.admin, view.summary.contact_id, at(600))?;
    let report = ws.team_report(
        &t.admin,
        &ReportQuery {
            from: at(-3600),
            to: at(3600),
            team: None,
            bucket: ReportBucket::Day,
        },
        at(600),
    )?;
    assert_eq!(report.totals.csat_answers, 0);
    Ok(())
}

#[test]
fn a_number_followed_by_words_or_a_photo_is_a_message_an_agent_reads() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let whatsapp = connected(&t, "whatsapp", "1065403522")?;
    ws.set_satisfaction_survey(&t.admin, whatsapp, QUESTION, at(0))?;
    let id = customer_writes(ws, whatsapp, "4917", "c1", "Hello", at(1));
    resolve(&t, &t.admin, id, at(10));
    assert_eq!(ws.maintenance().send_surveys(at(200))?, 1);
    // "2 items were damaged" is a new problem, not a rating of 2.
    let next = customer_writes(ws, whatsapp, "4917", "c2", "2 items were damaged", at(300));
    assert_ne!(next, id, "a conversation of its own, in the queue");
    // A photo captioned "3" is something to look at, not a rating.
    let photo = ChannelEvent::Message(InboundEvent {
        account: whatsapp,
        contact_external_id: "4917".into(),
        contact_name: "4917".into(),
        external_id: "c3".into(),
        body: "3".into(),
        sent_at: at(320),
        media: vec![appcare_core::channel::MediaRef {
            media_id: "m1".into(),
            file_name: "photo.jpg".into(),
            mime_type: "image/jpeg".into(),
            sha256: String::new(),
        }],
        contact_aliases: vec![],
        reply_to: None,
        choice: None,
        content: None,
    });
    ws.delivery().apply(&[photo], at(320))?;
    let view = ws.open_conversation(&t.admin, id, None, at(330))?;
    assert_eq!(view.satisfaction.map(|s| s.rating), Some(None));
    assert!(!view.messages.iter().any(|m| m.body == "3"));
    Ok(())
}

#[test]
fn only_admins_set_the_question_and_a_long_one_is_refused_at_its_field() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let refused = ws.set_satisfaction_survey(&t.lena.1, t.support_account, QUESTION, at(0));
    assert!(
        matches!(refused, Err(CoreError::Forbidden { .. })),
        "{refused:?}"
    );
    let long = "?".repeat(501);
    match ws.set_satisfaction_survey(&t.admin, t.support_account, &long, at(0)) {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "satisfaction question"),
        other => panic!("expected a field error, got {other:?}"),
    }
    let view = ws.set_satisfaction_survey(&t.admin, t.support_account, "", at(0))?;
    assert_eq!(view.satisfaction_question, None);
    Ok(())
}

#[test]
fn retention_takes_a_purged_answers_comment_and_keeps_the_rating() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    ws.set_satisfaction_survey(&t.admin, account, QUESTION, at(0))?;
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(
            1,
            mail("r1@customer.test", "ana@customer.test", "Help", T0),
        )],
        at(0),
    )?;
    let id = conversation_of(&t, "r1@customer.test").expect("the thread");
    resolve(&t, &t.admin, id, at(30));
    ws.maintenance().send_surveys(at(200))?;
    let header = ws.delivery().claim_outbox(at(200), 10)?[0]
        .email
        .as_ref()
        .expect("headers")
        .message_id
        .clone();
    let mut answer = mail(
        "r2@customer.test",
        "ana@customer.test",
        "Re: Help",
        T0 + 300,
    );
    answer.in_reply_to = vec![header];
    answer.text = "5\nthe agent called me back".into();
    // Forty days on, Ana writes in the thread again: the conversation stays.
    let mut later = mail(
        "r3@customer.test",
        "ana@customer.test",
        "Re: Help",
        T0 + 40 * 86_400,
    );
    later.in_reply_to = vec!["r1@customer.test".into()];
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(2, answer)], at(300))?;
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[item(3, later)], at(40 * 86_400))?;
    ws.set_retention_policy(
        &t.admin,
        appcare_core::service::residency::RetentionPolicy {
            whatsapp_days: 0,
            messenger_days: 0,
            email_days: 30,
        },
        at(400),
    )?;
    let survey = || -> Result<(Option<i64>, Option<String>), Box<dyn std::error::Error>> {
        Ok(ws.store().read(|c| {
            Ok(c.query_row(
                "SELECT rating, comment FROM satisfaction_surveys WHERE conversation_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })?)
    };
    assert_eq!(
        survey()?,
        (Some(5), Some("the agent called me back".into()))
    );
    ws.maintenance().purge_expired(at(45 * 86_400))?;
    assert_eq!(
        survey()?,
        (Some(5), None),
        "the comment went with its message"
    );
    Ok(())
}
