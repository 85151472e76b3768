//! An agent's question with answers to tap: queued with its text and options (the
//! conversation shows both; the channel gets the text alone and ids it sends back),
//! checked against the channel (refused on e-mail, at the field that is wrong), and
//! refused outside WhatsApp's 24-hour window like any free-form reply.
//!
//! Real parts: SQLCipher. The documented request bodies are checked in
//! `tests/tests/channels_outbox.rs`.

mod common;

use appcare_core::channel::choices::ChoicesReply;
use appcare_core::channel::SendPayload;
use appcare_core::CoreError;
use common::*;

fn ask(options: &[&str]) -> ChoicesReply {
    ChoicesReply {
        body: "Which size do you need?".into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        button: String::new(),
    }
}

#[test]
fn a_question_with_answers_is_queued_with_its_options_and_checked_per_channel() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let (_, alex) = &t.alex;
    let conversation = customer_writes(ws, t.support_account, "15550001111", "wamid.Q1", "hi", now);
    let sent = ws.reply_choices(alex, conversation, &ask(&["Small", "Large"]), None, now)?;
    assert_eq!(sent.body, "Which size do you need?\n\n▸ Small\n▸ Large");
    assert_eq!(sent.status, "queued");
    let payload: String = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT payload FROM outbox WHERE message_id = ?1",
            [sent.id],
            |r| r.get(0),
        )?)
    })?;
    let payload: serde_json::Value = serde_json::from_str(&payload)?;
    assert_eq!(payload["kind"], "choices");
    assert_eq!(payload["text"], "Which size do you need?");
    assert_eq!(
        payload["choices"][1],
        serde_json::json!({"id": "choice:2", "title": "Large"})
    );

    // Wrong answers are refused at their field; nothing more is queued.
    let long = ws.reply_choices(alex, conversation, &ask(&["Small", ""]), None, now);
    assert!(matches!(
        long,
        Err(CoreError::InvalidInput {
            field: "option 2",
            ..
        })
    ));
    let queued: i64 = ws
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?))?;
    assert_eq!(queued, 1);

    // E-mail has no answers to tap.
    let mail = customer_writes(
        ws,
        t.billing_account,
        "ana@customer.test",
        "mail:1",
        "hello",
        now,
    );
    let (_, carl) = &t.carl;
    assert!(matches!(
        ws.reply_choices(carl, mail, &ask(&["Yes"]), None, now),
        Err(CoreError::InvalidInput {
            field: "options",
            ..
        })
    ));

    // Outside WhatsApp's 24-hour window: only a template may go.
    let old = customer_writes(
        ws,
        t.support_account,
        "15550003333",
        "wamid.Q3",
        "hi",
        now.plus_seconds(-25 * 3600),
    );
    assert!(matches!(
        ws.reply_choices(alex, old, &ask(&["Small"]), None, now),
        Err(CoreError::Conflict(_))
    ));
    Ok(())
}

#[test]
fn the_channel_gets_the_question_alone_with_the_ids_it_sends_back() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account: appcare_core::channel::NewChannelAccount =
        serde_json::from_value(serde_json::json!({
            "kind": "whatsapp", "name": "Sales line", "external_id": "209876543210987",
            "business_account_id": null, "access_token": "EAAG-sales-token-0123",
            "app_secret": "app-secret-0123456789", "verify_token": "verify-me",
            "default_team": t.support, "human_agent": false, "poll": false,
            "graph_base_url": null, "api_version": null
        }))?;
    let account = ws.add_channel_account(&t.admin, &account, now)?.id;
    let conversation = customer_writes(ws, account, "15550002222", "wamid.Q2", "hi", now);
    let (_, alex) = &t.alex;
    ws.reply_choices(alex, conversation, &ask(&["XS", "S", "M", "L"]), None, now)?;
    let jobs = ws.delivery().claim_outbox(now, 5)?;
    assert_eq!(jobs.len(), 1);
    match &jobs[0].payload {
        SendPayload::Choices {
            body,
            button,
            choices,
        } => {
            assert_eq!(body, "Which size do you need?");
            assert_eq!(
                button, "Choose",
                "four answers are a list with the default button"
            );
            let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(ids, ["choice:1", "choice:2", "choice:3", "choice:4"]);
        }
        _ => panic!("expected answers to tap"),
    }
    Ok(())
}
