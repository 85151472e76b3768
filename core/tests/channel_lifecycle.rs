//! A connected account's life: disabled (replies refused in plain words, queued ones
//! wait, nothing claimed for sending, mail sync endpoints gone, webhooks still stored)
//! and enabled again; removed with its history kept (secrets wiped, conversations
//! readable, replies refused, the account back with its history when connected again) or
//! erased (its conversations and the customers who had nothing else gone, a customer
//! with another conversation kept, the privacy search empty); "Test connection" queued
//! and its report stored; all admin-only and audited.
//!
//! Real parts: SQLCipher. The test against Meta's (fake) Graph API and the real mail
//! servers is in `tests/tests/channel_accounts.rs`.

mod common;

use appcare_core::channel::check::{CheckOutcome, CheckStep};
use appcare_core::channel::NewChannelAccount;
use appcare_core::ids::ChannelAccountId;
use appcare_core::service::channel_lifecycle::{DISABLED, REMOVED};
use appcare_core::CoreError;
use common::*;

fn whatsapp_number(t: &Team) -> ChannelAccountId {
    let account: NewChannelAccount = serde_json::from_value(serde_json::json!({
        "kind": "whatsapp", "name": "Sales line", "external_id": "209876543210987",
        "business_account_id": "102290129340398",
        "access_token": "EAAG-sales-token-0123", "app_secret": "app-secret-0123456789",
        "verify_token": "verify-me", "default_team": t.support, "human_agent": false,
        "poll": false, "graph_base_url": null, "api_version": null
    }))
    .expect("account");
    t.ctx
        .ws
        .add_channel_account(&t.admin, &account, t.ctx.now)
        .expect("connected")
        .id
}

fn audit_kinds(t: &Team) -> Vec<String> {
    t.ctx
        .ws
        .store()
        .read(|c| {
            let mut stmt =
                c.prepare("SELECT kind FROM audit_events WHERE kind LIKE 'channel_%' ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("audit")
}

/// Connection tests queued and not yet run.
fn pending_tests(ws: &appcare_core::Workspace) -> i64 {
    ws.store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM channel_tasks WHERE kind = 'check' AND state = 'pending'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("count")
}

fn conflict_text(result: Result<impl Sized, CoreError>) -> String {
    match result {
        Err(CoreError::Conflict(text)) => text,
        Err(other) => panic!("expected a conflict, got {other:?}"),
        Ok(_) => panic!("expected a conflict, got success"),
    }
}

#[test]
fn a_disabled_account_sends_nothing_but_still_receives_and_comes_back() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = whatsapp_number(&t);
    let conversation = customer_writes(ws, account, "15550001111", "wamid.A1", "hello", now);
    let (_, alex) = &t.alex;
    ws.reply(alex, conversation, "First answer", None, now)?;

    let view = ws.set_channel_enabled(&t.admin, account, false, now)?;
    assert!(view.disabled);
    assert!(
        ws.delivery()
            .endpoints()?
            .iter()
            .any(|e| e.id == account && e.disabled),
        "the webhook receiver still knows the account, marked disabled"
    );
    assert!(
        ws.delivery().claim_outbox(now, 10)?.is_empty(),
        "a reply queued before is not claimed while disabled"
    );
    assert_eq!(
        conflict_text(ws.reply(alex, conversation, "Second", None, now)),
        DISABLED
    );
    // The customer writes again: stored, nothing lost.
    let again = customer_writes(ws, account, "15550001111", "wamid.A2", "still there?", now);
    assert_eq!(again, conversation);
    let opened = ws.open_conversation(alex, conversation, None, now)?;
    assert!(opened.messages.iter().any(|m| m.body == "still there?"));

    // Agents and leads may not disable or enable.
    for token in [alex, &t.lena.1] {
        assert!(matches!(
            ws.set_channel_enabled(token, account, true, now),
            Err(CoreError::Forbidden { .. })
        ));
    }
    // Provider calls wait too (a refresh asked now), but a connection test runs.
    ws.refresh_channel(&t.admin, account, now)?;
    ws.test_channel(&t.admin, account, now)?;
    let kinds: Vec<String> = ws
        .delivery()
        .claim_tasks(now, 10)?
        .into_iter()
        .map(|t| t.kind)
        .collect();
    assert_eq!(kinds, ["check"], "only the test is taken while disabled");
    let view = ws.set_channel_enabled(&t.admin, account, true, now)?;
    assert!(!view.disabled);
    let kinds: Vec<String> = ws
        .delivery()
        .claim_tasks(now, 10)?
        .into_iter()
        .map(|t| t.kind)
        .collect();
    assert!(kinds.contains(&"refresh".to_string()), "{kinds:?}");
    let claimed = ws.delivery().claim_outbox(now, 10)?;
    assert_eq!(claimed.len(), 1, "the waiting reply goes out once enabled");
    ws.reply(alex, conversation, "Second", None, now)?;
    // Setting the same state twice audits once.
    ws.set_channel_enabled(&t.admin, account, true, now)?;
    assert_eq!(
        audit_kinds(&t)
            .iter()
            .filter(|k| k.as_str() == "channel_disabled")
            .count(),
        1
    );
    assert_eq!(
        audit_kinds(&t)
            .iter()
            .filter(|k| k.as_str() == "channel_enabled")
            .count(),
        1
    );
    Ok(())
}

#[test]
fn a_disabled_mailbox_leaves_the_sync() -> TestResult {
    let t = common::mail::setup();
    let ws = &t.ctx.ws;
    let mailbox = common::mail::mailbox(&t);
    ws.set_channel_enabled(&t.admin, mailbox, false, t.ctx.now)?;
    assert!(ws.delivery().email_endpoints()?.is_empty());
    assert!(
        ws.delivery().email_endpoint(mailbox)?.is_some(),
        "still testable while disabled"
    );
    ws.set_channel_enabled(&t.admin, mailbox, true, t.ctx.now)?;
    assert_eq!(ws.delivery().email_endpoints()?.len(), 1);
    Ok(())
}

#[test]
fn removing_and_keeping_the_history_wipes_the_secrets_and_reconnecting_brings_it_back() -> TestResult
{
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = whatsapp_number(&t);
    let conversation = customer_writes(ws, account, "15550002222", "wamid.B1", "my order", now);
    let (_, alex) = &t.alex;

    let removal = ws.remove_channel_account(&t.admin, account, false, now)?;
    assert!(!removal.erased);
    assert_eq!((removal.conversations, removal.messages), (1, 1));
    assert!(!ws
        .list_channels(&t.admin, now)?
        .iter()
        .any(|c| c.id == account));
    assert!(!ws.delivery().endpoints()?.iter().any(|e| e.id == account));
    let kept = ws.open_conversation(alex, conversation, None, now)?;
    assert!(kept.messages.iter().any(|m| m.body == "my order"));
    assert_eq!(
        conflict_text(ws.reply(alex, conversation, "Hello", None, now)),
        REMOVED
    );
    assert!(matches!(
        ws.test_channel(&t.admin, account, now),
        Err(CoreError::NotFound { .. })
    ));

    // Connected again: the same account, its history with it, its new token in use.
    let back = whatsapp_number(&t);
    assert_eq!(back, account);
    let endpoint = ws
        .delivery()
        .endpoints()?
        .into_iter()
        .find(|e| e.id == account);
    assert!(endpoint.is_some_and(|e| !e.disabled));
    ws.reply(alex, conversation, "We are back", None, now)?;
    assert!(audit_kinds(&t).contains(&"channel_removed".to_string()));
    Ok(())
}

#[test]
fn removing_and_erasing_takes_the_conversations_and_customers_with_nothing_else() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = whatsapp_number(&t);
    let lonely = customer_writes(ws, account, "15550003333", "wamid.C1", "only here", now);
    let shared = customer_writes(
        ws,
        account,
        "15550004444",
        "wamid.C2",
        "here and there",
        now,
    );
    let elsewhere = customer_writes(
        ws,
        t.support_account,
        "15550004444",
        "wamid.C3",
        "other line",
        now,
    );
    let (_, alex) = &t.alex;
    let shared_contact = ws
        .open_conversation(alex, shared, None, now)?
        .summary
        .contact_id;
    assert_eq!(
        ws.open_conversation(alex, elsewhere, None, now)?
            .summary
            .contact_id,
        shared_contact,
        "one customer, one number, two accounts"
    );
    ws.add_note(alex, lonely, "called them back", now)?;

    // Only admins.
    assert!(matches!(
        ws.remove_channel_account(&t.lena.1, account, true, now),
        Err(CoreError::Forbidden { .. })
    ));
    let removal = ws.remove_channel_account(&t.admin, account, true, now)?;
    assert!(removal.erased);
    assert_eq!(
        (removal.conversations, removal.messages, removal.contacts),
        (2, 2, 1)
    );
    for gone in [lonely, shared] {
        assert!(matches!(
            ws.open_conversation(alex, gone, None, now),
            Err(CoreError::NotFound { .. })
        ));
    }
    assert!(ws.find_contacts(&t.admin, "15550003333", now)?.is_empty());
    assert!(ws.search(&t.admin, "only", now)?.is_empty());
    let still = ws.find_contacts(&t.admin, "15550004444", now)?;
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].conversations, 1);
    assert!(ws.open_conversation(alex, elsewhere, None, now).is_ok());
    assert!(!ws
        .list_channels(&t.admin, now)?
        .iter()
        .any(|c| c.id == account));
    let detail: String = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT detail FROM audit_events WHERE kind = 'channel_removed'",
            [],
            |r| r.get(0),
        )?)
    })?;
    assert!(detail.contains("\"erased\":true"), "{detail}");
    assert!(
        !detail.contains("15550003333"),
        "no customer in the audit: {detail}"
    );
    Ok(())
}

#[test]
fn a_connection_test_is_queued_and_its_report_kept() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = whatsapp_number(&t);
    let view = ws.test_channel(&t.admin, account, now)?;
    let running = view.check.expect("a report is started");
    assert!(running.finished_at.is_none() && running.steps.is_empty());
    assert_eq!(pending_tests(ws), 1);

    let steps = vec![
        CheckStep::ok("Access token", "Meta accepted the token"),
        CheckStep::failed("Webhook subscription", "no app is subscribed"),
    ];
    ws.delivery().record_check(account, &steps, now)?;
    let report = ws
        .list_channels(&t.admin, now)?
        .into_iter()
        .find(|c| c.id == account)
        .and_then(|c| c.check)
        .expect("report");
    assert_eq!(report.steps, steps);
    assert!(report.finished_at.is_some());
    assert!(!report.passed(), "a failed step fails the test");
    assert_eq!(report.steps[1].outcome, CheckOutcome::Failed);
    assert_eq!(
        pending_tests(ws),
        0,
        "the queued test is done with its report"
    );

    // Sample accounts have nothing to test; agents may not test.
    assert!(matches!(
        ws.test_channel(&t.admin, t.support_account, now),
        Err(CoreError::Conflict(_))
    ));
    assert!(matches!(
        ws.test_channel(&t.alex.1, account, now),
        Err(CoreError::Forbidden { .. })
    ));
    assert!(audit_kinds(&t).contains(&"channel_tested".to_string()));
    Ok(())
}
