//! Crashes at the worst moments, with the real `appcare serve` process aborted at a
//! failpoint: aborted before or after the commit, Meta's retry is stored exactly once;
//! aborted between Meta's accept and our commit, the message is not sent again after
//! the restart, shows as `unconfirmed` and is settled by Meta's status; killed while
//! waiting to retry, it is delivered exactly once after the restart.
//!
//! Real parts: the `appcare` binary (`APPCARE_FAILPOINT`), SQLCipher, the fake Graph
//! API.

use appcare_core::service::inbox::{InboxQuery, InboxView};
use appcare_core::Timestamp;
use appcare_tests::channel_setup::*;
use appcare_tests::meta::{deliver_signed, samples, Reply};
use appcare_tests::{target_dir, TestResult};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Serve {
    child: Child,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> TestResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `appcare serve` on the world's workspace, armed with `failpoint`.
fn serve(world: &ChannelWorld, failpoint: Option<&str>, retry_base: u32) -> TestResult<Serve> {
    let port = free_port()?;
    let child = Command::new(target_dir()?.join("appcare"))
        .args(["serve", "--http", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--retry-base-seconds",
            &retry_base.to_string(),
            "--http-timeout-seconds",
            "2",
            "--poll-seconds",
            "3600",
        ])
        .arg("--data-dir")
        .arg(world.dir.path().join("workspace"))
        .env("APPCARE_PASSPHRASE", PASSPHRASE)
        .env("APPCARE_FAILPOINT", failpoint.unwrap_or(""))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start appcare serve (cargo build -p appcare-hub): {e}"))?;
    let serve = Serve {
        child,
        url: format!("http://127.0.0.1:{port}/webhooks/whatsapp"),
    };
    if failpoint == Some("outbox-after-send") {
        // It may stop before it listens: the caller waits for the exit instead.
        return Ok(serve);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("appcare serve did not start listening".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(serve)
}

/// Waits for the process to end (a failpoint aborts it).
fn wait_exit(serve: &mut Serve) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(10);
    while serve.child.try_wait()?.is_none() {
        if Instant::now() > deadline {
            return Err("the process did not stop at the failpoint".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn inbound_count(world: &ChannelWorld, id: &str) -> i64 {
    query_i64(
        &world.ws,
        &format!("SELECT count(*) FROM messages WHERE external_id = '{id}'"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_killed_before_or_after_commit_loses_and_doubles_nothing() -> TestResult {
    let world = world("US", (false, false)).await?;
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    for (failpoint, id, stored_before_retry) in [
        ("webhook-before-commit", "wamid.crash.before", 0),
        ("webhook-after-commit", "wamid.crash.after", 1),
    ] {
        let payload = samples::whatsapp_text(
            PHONE_ID,
            "16505551234",
            "Sheena Nelson",
            id,
            now,
            "Is my order lost?",
        );
        let mut crashing = serve(&world, Some(failpoint), 2)?;
        let status = deliver_signed(&http, &crashing.url, APP_SECRET, &payload).await;
        assert_ne!(status, 200, "{failpoint}: Meta must not be told we have it");
        wait_exit(&mut crashing)?;
        assert_eq!(
            inbound_count(&world, id),
            stored_before_retry,
            "{failpoint}"
        );
        // Meta retries against the restarted receiver, twice for good measure.
        let healthy = serve(&world, None, 2)?;
        assert_eq!(
            deliver_signed(&http, &healthy.url, APP_SECRET, &payload).await,
            200
        );
        assert_eq!(
            deliver_signed(&http, &healthy.url, APP_SECRET, &payload).await,
            200
        );
        assert_eq!(
            inbound_count(&world, id),
            1,
            "{failpoint}: stored exactly once"
        );
        drop(healthy);
    }
    Ok(())
}

/// A customer writes and we queue a reply, in this process; returns the reply's id.
fn queue_reply(world: &ChannelWorld, text: &str) -> TestResult<appcare_core::MessageId> {
    let now = Timestamp::now();
    let event = appcare_core::channel::ChannelEvent::Message(appcare_core::channel::InboundEvent {
        account: world.whatsapp,
        contact_external_id: "16505551234".into(),
        contact_name: "Sheena Nelson".into(),
        external_id: format!("wamid.q.{text}"),
        body: "Hello?".into(),
        sent_at: now,
        media: vec![],
        contact_aliases: vec![],
        reply_to: None,
        choice: None,
        content: None,
    });
    world.ws.delivery().apply(&[event], now)?;
    let query = InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    };
    let conversation = world.ws.list_conversations(&world.admin, &query, now)?.rows[0].id;
    Ok(world
        .ws
        .reply(&world.admin, conversation, text, None, now)?
        .id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_send_and_commit_never_sends_twice() -> TestResult {
    let world = world("US", (false, false)).await?;
    let reply = queue_reply(&world, "Your parcel left today")?;
    let mut crashing = serve(&world, Some("outbox-after-send"), 1)?;
    wait_exit(&mut crashing)?;
    assert_eq!(
        world.fake.requests_to("/messages").len(),
        1,
        "Meta accepted it once"
    );
    let _restarted = serve(&world, None, 1)?;
    let ws = world.ws.clone();
    let status = |ws: &appcare_core::Workspace| {
        query_text(
            ws,
            &format!("SELECT status FROM messages WHERE id = {reply}"),
        )
    };
    eventually(10, || (status(&ws) == "unconfirmed").then_some(())).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        world.fake.requests_to("/messages").len(),
        1,
        "not sent again after the restart"
    );
    assert!(query_text(
        &world.ws,
        &format!("SELECT failure FROM messages WHERE id = {reply}")
    )
    .contains("may or may not have reached"));
    // Meta's status webhook carries our reference: the message is settled without a resend.
    let mut status_body = samples::whatsapp_status(
        PHONE_ID,
        "wamid.FROM-META-1",
        "delivered",
        Timestamp::now().unix(),
        "16505551234",
    );
    status_body["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] =
        json!(format!("appcare:{reply}"));
    assert_eq!(
        deliver_signed(
            &reqwest::Client::new(),
            &_restarted.url,
            APP_SECRET,
            &status_body
        )
        .await,
        200
    );
    eventually(10, || (status(&ws) == "delivered").then_some(())).await?;
    assert_eq!(
        query_text(
            &world.ws,
            &format!("SELECT external_id FROM messages WHERE id = {reply}")
        ),
        "wamid.FROM-META-1"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_restarted_while_waiting_to_retry_still_sends_exactly_once() -> TestResult {
    let world = world("US", (false, false)).await?;
    world.fake.script_sends(vec![Reply::Error(503, json!({"error": {"message": "Service temporarily unavailable", "type": "OAuthException", "code": 2, "fbtrace_id": "Z"}}))]);
    let reply = queue_reply(&world, "We refunded you")?;
    // A long wait before the retry, so the kill surely lands while it waits (with 2 s,
    // a loaded machine's poll once missed the moment between the refusal and the retry).
    let first = serve(&world, None, 8)?;
    let ws = world.ws.clone();
    eventually(10, || {
        (query_i64(
            &ws,
            &format!(
                "SELECT attempts FROM outbox WHERE message_id = {reply} AND state = 'pending'"
            ),
        ) == 1)
            .then_some(())
    })
    .await?;
    drop(first); // killed while the retry waits
    let _second = serve(&world, None, 2)?;
    // The retry is due when the first process chose (up to 10 s after the refusal).
    eventually(30, || {
        (query_text(
            &ws,
            &format!("SELECT status FROM messages WHERE id = {reply}"),
        ) == "sent")
            .then_some(())
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        world.fake.requests_to("/messages").len(),
        2,
        "one refused attempt, one delivery"
    );
    Ok(())
}
