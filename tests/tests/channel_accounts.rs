//! Channel accounts managed after they are connected, through the real runtime and
//! webhook receiver against the fake Graph API: "Test connection" calls Meta's documented
//! endpoints (`/{phone-number-id}`, `/{waba-id}/message_templates`,
//! `/{waba-id}/subscribed_apps`, `/{page-id}/subscribed_apps`) and reports each step; a
//! missing webhook subscription and a revoked token (code 190) say so, the later steps
//! are skipped and no report holds the token; a disabled number still stores what
//! customers write, refuses replies and sends again once enabled; a removed number's
//! webhooks are refused (not acknowledged) while its conversation stays readable.
//!
//! Real parts: the channel runtime, the webhook receiver over loopback HTTP, SQLCipher.
//! Fake: Meta's Graph API. The same test against real mail servers is in
//! `email_servers.rs`.

use appcare_channels::WebhookOptions;
use appcare_core::channel::check::{CheckOutcome, ConnectionCheck};
use appcare_core::ids::ChannelAccountId;
use appcare_core::service::inbox::{InboxQuery, InboxView};
use appcare_core::{CoreError, Timestamp};
use appcare_tests::channel_setup::*;
use appcare_tests::meta::{deliver_signed, samples};
use appcare_tests::TestResult;

/// Starts a test of `account` and waits for its report.
async fn tested(world: &ChannelWorld, account: ChannelAccountId) -> TestResult<ConnectionCheck> {
    let started = world
        .ws
        .test_channel(&world.admin, account, Timestamp::now())?
        .check
        .ok_or("no report started")?;
    let ws = world.ws.clone();
    let admin = world.admin.clone();
    eventually(15, move || {
        ws.list_channels(&admin, Timestamp::now())
            .ok()?
            .into_iter()
            .find(|c| c.id == account)?
            .check
            .filter(|c| c.finished_at.is_some() && c.requested_at >= started.requested_at)
    })
    .await
}

fn outcomes(report: &ConnectionCheck) -> Vec<(String, CheckOutcome)> {
    report
        .steps
        .iter()
        .map(|s| (s.name.clone(), s.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_test_reports_each_step_and_a_revoked_token_says_so() -> TestResult {
    let world = world("US", (false, false)).await?;
    let runtime = start_runtime(world.ws.clone())?;
    world.fake.subscribe_waba(WABA_ID, "Appcare Inbox");

    let report = tested(&world, world.whatsapp).await?;
    assert_eq!(
        outcomes(&report),
        vec![
            ("Access token".to_string(), CheckOutcome::Ok),
            ("Templates".to_string(), CheckOutcome::Ok),
            ("Webhook subscription".to_string(), CheckOutcome::Ok),
        ]
    );
    assert!(report.passed());
    assert!(
        report.steps[0].detail.contains("+1 555-010-0100"),
        "{:?}",
        report.steps[0]
    );
    assert!(report.steps[2].detail.contains("Appcare Inbox"));
    let asked: Vec<String> = world
        .fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path.clone())
        .collect();
    for path in [
        format!("/v23.0/{PHONE_ID}"),
        format!("/v23.0/{WABA_ID}/message_templates"),
        format!("/v23.0/{WABA_ID}/subscribed_apps"),
    ] {
        assert!(asked.contains(&path), "{path} not asked: {asked:?}");
    }
    let number = world
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path == format!("/v23.0/{PHONE_ID}"))
        .ok_or("no number request")?;
    assert!(
        number.query.contains("display_phone_number"),
        "{}",
        number.query
    );

    // A page no app receives messages from: the step fails and says what to do.
    let report = tested(&world, world.messenger).await?;
    assert_eq!(report.steps[0].outcome, CheckOutcome::Ok);
    assert_eq!(report.steps[1].outcome, CheckOutcome::Failed);
    assert!(
        report.steps[1].detail.contains("subscribe"),
        "{:?}",
        report.steps[1]
    );
    world.fake.subscribe_page(
        PAGE_ID,
        "Appcare Inbox",
        &["messages", "messaging_postbacks"],
    );
    assert!(tested(&world, world.messenger).await?.passed());

    // Meta revokes the token: the first step says so, the rest is not tried.
    world.fake.set_token("EAAG-some-other-token-9999");
    let report = tested(&world, world.whatsapp).await?;
    assert_eq!(
        outcomes(&report),
        vec![
            ("Access token".to_string(), CheckOutcome::Failed),
            ("Templates".to_string(), CheckOutcome::Skipped),
            ("Webhook subscription".to_string(), CheckOutcome::Skipped),
        ]
    );
    assert!(
        report.steps[0].detail.contains("190"),
        "{:?}",
        report.steps[0]
    );
    let shown = serde_json::to_string(&world.ws.list_channels(&world.admin, Timestamp::now())?)?;
    assert!(!shown.contains(ACCESS_TOKEN) && !shown.contains(APP_SECRET));
    runtime.stop().await;
    Ok(())
}

fn all() -> InboxQuery {
    InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_number_keeps_receiving_sends_nothing_and_a_removed_one_refuses_webhooks(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/whatsapp");
    let runtime = start_runtime(world.ws.clone())?;
    let http = reqwest::Client::new();
    let write = |id: &str, text: &str| {
        samples::whatsapp_text(
            PHONE_ID,
            "16505551234",
            "Sheena Nelson",
            id,
            Timestamp::now().unix(),
            text,
        )
    };

    world
        .ws
        .set_channel_enabled(&world.admin, world.whatsapp, false, Timestamp::now())?;
    assert_eq!(
        deliver_signed(
            &http,
            &url,
            APP_SECRET,
            &write("wamid.dis.1", "Anyone there?")
        )
        .await,
        200
    );
    let conversation = world
        .ws
        .list_conversations(&world.admin, &all(), Timestamp::now())?
        .rows
        .first()
        .ok_or("the message was not stored")?
        .id;
    let refused = world
        .ws
        .reply(&world.admin, conversation, "Yes!", None, Timestamp::now());
    assert!(
        matches!(refused, Err(CoreError::Conflict(_))),
        "{refused:?}"
    );

    world
        .ws
        .set_channel_enabled(&world.admin, world.whatsapp, true, Timestamp::now())?;
    let reply = world
        .ws
        .reply(&world.admin, conversation, "Yes!", None, Timestamp::now())?;
    let ws = world.ws.clone();
    eventually(10, move || {
        (query_text(
            &ws,
            &format!("SELECT status FROM messages WHERE id = {}", reply.id),
        ) == "sent")
            .then_some(())
    })
    .await?;
    assert_eq!(world.fake.requests_to("/messages").len(), 1);

    // Removed with its history kept: Meta's next delivery is refused, so Meta keeps it
    // (nothing acknowledged and dropped); the conversation stays readable.
    world
        .ws
        .remove_channel_account(&world.admin, world.whatsapp, false, Timestamp::now())?;
    assert_eq!(
        deliver_signed(&http, &url, APP_SECRET, &write("wamid.dis.2", "Hello?")).await,
        401
    );
    let kept = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    assert_eq!(kept.messages.len(), 2);
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE external_id = 'wamid.dis.2'"
        ),
        0
    );
    runtime.stop().await;
    Ok(())
}
