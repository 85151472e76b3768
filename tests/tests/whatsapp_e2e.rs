//! WhatsApp end to end in the real window: the admin connects a Messenger page on the
//! Channels page (the listener's address shown, secrets cleared after use, only a hint
//! listed, the token checked with Meta); agent Alex signs in, a signed WhatsApp text
//! sent to the app's own receiver appears in the inbox with the time left to reply, his
//! reply reaches the fake Graph API as exactly the documented request, and the `sent`
//! tick appears. Then (issue 21) he answers her message with "Reply to this" (sent with
//! `context.message_id`, shown quoted), reacts 👍 to it (a documented reaction request),
//! and her ❤️ on his reply appears on it without a reload.
//!
//! Real parts: the app binary, WebKitWebDriver, Xvfb, the Secret Service, the fake
//! Graph API.

use appcare_core::auth::{totp, Role};
use appcare_core::channel::NewChannelAccount;
use appcare_core::service::users::NewUser;
use appcare_core::workspace::Region;
use appcare_core::{
    CreateOptions, KeySource, Password, SessionToken, Timestamp, Workspace, WorkspaceDir,
};
use appcare_tests::meta::{deliver_signed, samples, FakeGraph, VERSION};
use appcare_tests::ui::{click, fill, fresh_code, text_content, wait_for};
use appcare_tests::{free_port, DesktopApp, TestResult};
use serde_json::json;
use std::time::{Duration, Instant};

const ADMIN_PW: &str = "plum tractor window 42";
const AGENT_PW: &str = "orange bicycle seven 7";
/// The password the admin types for the agent, who chooses `AGENT_PW` at first sign-in.
const AGENT_FIRST_PW: &str = "first pear lantern seven 7";
const TOKEN: &str = "EAAG-e2e-access-token-0001";
const APP_SECRET: &str = "e2e-app-secret-0123456789";
const PHONE_ID: &str = "106540352242922";
const WA_ID: &str = "16505551234";

fn enrol(
    ws: &Workspace,
    name: &str,
    pw: &str,
    now: Timestamp,
) -> TestResult<(SessionToken, Vec<u8>, i64)> {
    // The agent, made by the admin, signs in first with the password the admin typed
    // and chooses her own.
    let first = if pw == AGENT_PW { AGENT_FIRST_PW } else { pw };
    let c = ws.begin_sign_in(name, &Password::new(first), now)?;
    if first != pw {
        ws.set_new_password(&c.token, &Password::new(pw), now)?;
    }
    let e = ws.start_enrolment(&c.token, now)?;
    let secret = totp::secret_from_manual_key(&e.manual_key)
        .ok_or("bad key")?
        .to_vec();
    let step = totp::step_of(now);
    ws.confirm_enrolment(&c.token, &totp::code_at(&secret, step)?, now)?;
    Ok((c.token, secret, step))
}

/// Opens the row of reaction emoji under her message and picks `emoji`. The history can
/// move under the pointer between finding "React" and clicking it (a live update, such
/// as the status of the reply just sent, lays it out again), so the row's own state
/// (`aria-expanded`) decides whether to click "React" again; the pick is clicked only
/// once the row is open.
async fn react_with(c: &fantoccini::Client, emoji: &str) -> TestResult {
    let toggle = "#conversation .msg.in .react-toggle";
    let pick = format!("#conversation .msg.in .react-pick[data-emoji='{emoji}']");
    let mut last = String::new();
    for _ in 0..6 {
        let open = wait_for(c, toggle, 10).await?.attr("aria-expanded").await?;
        if open.as_deref() != Some("true") {
            if let Err(e) = wait_for(c, toggle, 10).await?.click().await {
                last = format!("React: {e}");
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        }
        match wait_for(c, &pick, 10).await?.click().await {
            Ok(()) => return Ok(()),
            Err(e) => last = format!("{emoji}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Err(format!("the reaction row never let {emoji} be picked ({last})").into())
}

/// A keyring workspace with agent Alex and a WhatsApp number whose Graph API is the fake.
#[allow(clippy::type_complexity)]
fn prepare(root: &std::path::Path, graph: &str) -> TestResult<((Vec<u8>, i64), (Vec<u8>, i64))> {
    let now = Timestamp::now();
    let (ws, _) = Workspace::create(
        &WorkspaceDir::new(root.join("workspace")),
        CreateOptions {
            region: Region::parse("US")?,
            admin_username: "maria".into(),
            admin_display_name: "Maria Admin".into(),
            admin_password: Password::new(ADMIN_PW),
            key_source: KeySource::Keyring,
        },
        now,
    )?;
    let (admin, admin_secret, admin_step) = enrol(&ws, "maria", ADMIN_PW, now)?;
    let team = ws.create_team(&admin, "Support", now)?.id;
    ws.create_user(
        &admin,
        NewUser {
            username: "alex".into(),
            display_name: "Alex Agent".into(),
            role: Role::Agent,
            password: Password::new(AGENT_FIRST_PW),
            teams: vec![team],
        },
        now,
    )?;
    let (_, secret, step) = enrol(&ws, "alex", AGENT_PW, now)?;
    let account = ws.add_channel_account(
        &admin,
        &NewChannelAccount {
            kind: "whatsapp".into(),
            name: "Support line".into(),
            external_id: PHONE_ID.into(),
            business_account_id: None,
            access_token: TOKEN.into(),
            app_secret: APP_SECRET.into(),
            verify_token: "verify-e2e".into(),
            default_team: Some(team),
            human_agent: false,
            poll: false,
            graph_base_url: Some(graph.into()),
            api_version: Some(VERSION.into()),
        },
        now,
    )?;
    // An approved template with a title and a link button, as read from Meta.
    ws.delivery().set_templates(
        account.id,
        &[serde_json::from_value(json!({
            "name": "order_shipped", "language": "en_US", "category": "UTILITY",
            "body": "Your order {{1}} has shipped.", "parameters": 1,
            "header": {"format": "text", "text": "Hi {{1}}", "parameters": 1},
            "buttons": [{"kind": "url", "text": "Track", "url": "https://shop.example/t/{{1}}", "parameters": 1}]
        }))?],
    )?;
    Ok(((admin_secret, admin_step), (secret, step)))
}

async fn sign_in(
    c: &fantoccini::Client,
    name: &str,
    password: &str,
    secret: &[u8],
    used: i64,
) -> TestResult {
    wait_for(c, "#sign-in-form", 30).await?;
    fill(c, "#si-username", name).await?;
    fill(c, "#si-password", password).await?;
    click(c, "#si-submit").await?;
    let (code, _) = fresh_code(secret, used).await?;
    fill(c, "#code-input", &code).await?;
    click(c, "#code-submit").await?;
    wait_for(c, "#app-shell", 15).await?;
    Ok(())
}

/// The admin connects a Messenger page in the Channels page; the secrets stay hidden.
async fn admin_adds_a_page(
    app: &DesktopApp,
    fake: &FakeGraph,
    port: u16,
    admin: &(Vec<u8>, i64),
) -> TestResult {
    let c = &app.client;
    sign_in(c, "maria", ADMIN_PW, &admin.0, admin.1).await?;
    click(c, "#nav-channels").await?;
    wait_for(c, "#channel-form", 10).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_content(c, "#webhook-listener")
        .await?
        .contains(&format!("127.0.0.1:{port}"))
    {
        if Instant::now() > deadline {
            return Err(format!(
                "listener shows {:?}",
                text_content(c, "#webhook-listener").await?
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    click(c, "#ch-kind option[value='messenger']").await?;
    fill(c, "#ch-name", "Shop page").await?;
    fill(c, "#ch-external-id", "1122334455").await?;
    fill(c, "#ch-access-token", TOKEN).await?;
    fill(c, "#ch-app-secret", APP_SECRET).await?;
    fill(c, "#ch-verify-token", "verify-page-e2e").await?;
    click(c, "#ch-advanced summary").await?;
    fill(c, "#ch-graph-base", &fake.base_url).await?;
    fill(c, "#ch-api-version", VERSION).await?;
    click(c, "#ch-submit").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = text_content(c, "#channel-list").await?;
        if listed.contains("Shop page") && listed.contains("…0001") {
            if listed.contains(TOKEN) || listed.contains(APP_SECRET) {
                return Err("a secret is shown in full".into());
            }
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("the channel list shows {listed:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The runtime checks the new page's token with Meta.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fake
        .requests()
        .iter()
        .any(|r| r.method == "GET" && r.path == format!("/{VERSION}/1122334455"))
    {
        if Instant::now() > deadline {
            return Err("the new page was never checked with Meta".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.screenshot("channels-added").await?;
    let done = text_content(c, "#channels-done").await?;
    let leftover = c
        .execute(
            "return document.querySelector('#ch-access-token').value;",
            vec![],
        )
        .await?;
    if !done.contains("Added Shop page") || leftover.as_str() != Some("") {
        return Err(format!("after adding: status {done:?}, token field {leftover:?}").into());
    }
    click(c, "#sign-out-button").await?;
    Ok(())
}

async fn scenario(
    app: &DesktopApp,
    fake: &FakeGraph,
    port: u16,
    admin: &(Vec<u8>, i64),
    secret: &[u8],
    used: i64,
) -> TestResult {
    let c = &app.client;
    admin_adds_a_page(app, fake, port, admin).await?;
    let webhook = format!("http://127.0.0.1:{port}/webhooks/whatsapp");
    let webhook = webhook.as_str();
    sign_in(c, "alex", AGENT_PW, secret, used).await?;
    click(c, "#nav-inbox").await?;
    click(c, "#view-unassigned").await?;

    // Meta delivers a signed text to the app's own receiver.
    let http = reqwest::Client::new();
    let payload = samples::whatsapp_text(
        PHONE_ID,
        WA_ID,
        "Sheena Nelson",
        "wamid.e2e.text.1",
        Timestamp::now().unix(),
        "Does it come in another color?",
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match deliver_signed(&http, webhook, APP_SECRET, &payload).await {
            200 => break,
            status if Instant::now() > deadline => {
                return Err(format!("receiver answered {status}").into())
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    wait_for(c, "#conversation-list [data-conversation-id]", 15).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = text_content(c, "#conversation-list").await?;
        if shown.contains("Sheena Nelson") && shown.contains("Does it come in another color?") {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("the list shows {shown:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(c, "#conversation-list [data-conversation-id]").await?;
    let conversation = wait_for(c, "#conversation", 10).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !conversation
        .text()
        .await?
        .contains("Does it come in another color?")
    {
        if Instant::now() > deadline {
            return Err("the customer's message is not shown".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for(c, "#reply-window", 5).await?;
    let window = text_content(c, "#reply-window").await?;
    if !window.starts_with("Free-form replies for 2") {
        return Err(format!("the reply window shows {window:?}").into());
    }

    fill(c, "#composer-text", "Yes: it comes in blue and green.").await?;
    click(c, "#composer-send").await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while fake.requests_to("/messages").is_empty() {
        if Instant::now() > deadline {
            return Err("the reply never reached the Graph API".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = fake.requests_to("/messages");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, format!("/{VERSION}/{PHONE_ID}/messages"));
    assert_eq!(
        sent[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let reference = sent[0].body["biz_opaque_callback_data"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reference.starts_with("appcare:"), "{reference}");
    assert_eq!(
        sent[0].body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, "type": "text",
               "text": {"preview_url": false, "body": "Yes: it comes in blue and green."},
               "biz_opaque_callback_data": reference})
    );
    // The status reaches the window without a reload.
    let status = wait_for(c, "#conversation .msg-status[data-status='sent']", 15).await?;
    assert!(!status.text().await?.is_empty());

    // Answer her message itself: the customer sees it quoted.
    click(c, "#conversation .msg.in .answer-this").await?;
    let quoting = text_content(c, "#quoting").await?;
    assert!(
        quoting.contains("Does it come in another color?"),
        "{quoting}"
    );
    fill(c, "#composer-text", "And in red, from Monday.").await?;
    click(c, "#composer-send").await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while fake.requests_to("/messages").len() < 2 {
        if Instant::now() > deadline {
            return Err("the quoted reply never reached the Graph API".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let quoted = fake.requests_to("/messages")[1].body.clone();
    assert_eq!(
        quoted["context"],
        json!({"message_id": "wamid.e2e.text.1"}),
        "{quoted}"
    );
    assert_eq!(quoted["text"]["body"], json!("And in red, from Monday."));
    wait_for(c, "#conversation .msg.out .quote", 10).await?;

    // React to her message: shown at once, sent as Meta documents it.
    react_with(c, "👍").await?;
    wait_for(c, "#conversation .msg.in .reactions", 10).await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while fake.requests_to("/messages").len() < 3 {
        if Instant::now() > deadline {
            return Err("the reaction never reached the Graph API".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        fake.requests_to("/messages")[2].body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
               "type": "reaction", "reaction": {"message_id": "wamid.e2e.text.1", "emoji": "👍"}})
    );

    // She reacts ❤️ to our first reply (Meta's id for it came back in the send's answer).
    let our_id = fake
        .issued_message_ids()
        .first()
        .cloned()
        .ok_or("no message id issued")?;
    let heart = samples::whatsapp_message(
        PHONE_ID,
        WA_ID,
        "Sheena Nelson",
        json!({
        "from": WA_ID, "id": "wamid.e2e.react.1", "timestamp": Timestamp::now().unix().to_string(),
        "type": "reaction", "reaction": {"message_id": our_id, "emoji": "❤️"}}),
    );
    assert_eq!(
        deliver_signed(&http, webhook, APP_SECRET, &heart).await,
        200
    );
    let shown = wait_for(c, "#conversation .msg.out .reactions", 10).await?;
    assert_eq!(shown.text().await?, "❤️");

    // Send the shop's place, pasted from a map: it goes as a location and shows as a card.
    click(c, "#card-button-open").await?;
    fill(c, "#card-latitude", "52.5200, 13.4050").await?;
    fill(c, "#card-place-name", "Appcare Shop").await?;
    click(c, "#card-send").await?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while fake.requests_to("/messages").len() < 4 {
        if Instant::now() > deadline {
            return Err("the place never reached the Graph API".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let place = fake.requests_to("/messages")[3].body.clone();
    assert_eq!(
        place["location"],
        json!({"latitude": 52.52, "longitude": 13.405, "name": "Appcare Shop"}),
        "{place}"
    );
    let card = wait_for(c, "#conversation .msg.out .rich-location", 10).await?;
    assert!(card.text().await?.contains("Appcare Shop"));

    // Ask which colour, with four answers: a list message.
    fill(c, "#composer-text", "Which colour would you like?").await?;
    click(c, "#choices-button-open").await?;
    fill(c, "#choices-option-1", "Blue").await?;
    fill(c, "#choices-option-2", "Green").await?;
    click(c, "#choices-add").await?;
    fill(c, "#choices-option-3", "Red").await?;
    click(c, "#choices-add").await?;
    fill(c, "#choices-option-4", "Black").await?;
    click(c, "#choices-send").await?;
    let list = wait_for_send(fake, 5, "the list message").await?;
    assert_eq!(list["interactive"]["type"], json!("list"), "{list}");
    let rows: Vec<&str> = list
        .pointer("/interactive/action/sections/0/rows")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r["title"].as_str())
        .collect();
    assert_eq!(rows, ["Blue", "Green", "Red", "Black"]);

    // Write first to a new number with the template, its title and its link's ending.
    click(c, "#start-conversation").await?;
    wait_for(c, "#start-form", 10).await?;
    fill(c, "#start-phone", "+49 151 23456789").await?;
    fill(c, "#start-name", "Ana Lima").await?;
    fill(c, "#start-value-1", "A-42").await?;
    fill(c, "#start-header-value", "Ana").await?;
    fill(c, "#start-button-1", "A42").await?;
    let preview = text_content(c, "#start-preview").await?;
    assert_eq!(
        preview,
        "Hi Ana\n\nYour order A-42 has shipped.\n\n[Track: https://shop.example/t/A42]"
    );
    click(c, "#start-send").await?;
    let template = wait_for_send(fake, 6, "the template").await?;
    assert_eq!(template["to"], json!("4915123456789"), "{template}");
    assert_eq!(
        template["template"]["components"],
        json!([
            {"type": "header", "parameters": [{"type": "text", "text": "Ana"}]},
            {"type": "body", "parameters": [{"type": "text", "text": "A-42"}]},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A42"}]}
        ])
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_content(c, "#conversation")
        .await?
        .contains("Your order A-42 has shipped.")
    {
        if Instant::now() > deadline {
            return Err("the new conversation does not show the template".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// The body of the `count`-th send to the Graph API, once it arrived.
async fn wait_for_send(
    fake: &FakeGraph,
    count: usize,
    what: &str,
) -> TestResult<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let sent = fake.requests_to("/messages");
        if sent.len() >= count {
            return Ok(sent[count - 1].body.clone());
        }
        if Instant::now() > deadline {
            return Err(format!("{what} never reached the Graph API").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whatsapp_message_arrives_in_the_window_and_the_reply_reaches_the_graph_api() -> TestResult
{
    let fake = FakeGraph::start(TOKEN).await;
    // The same template at Meta, which refuses a send that does not match it.
    fake.add_template_listing(json!({
        "name": "order_shipped", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}"},
            {"type": "BODY", "text": "Your order {{1}} has shipped."},
            {"type": "BUTTONS", "buttons": [
                {"type": "URL", "text": "Track", "url": "https://shop.example/t/{{1}}"}
            ]}
        ]
    }));
    let data = tempfile::tempdir()?;
    let (admin, (secret, used)) = prepare(data.path(), &fake.base_url)?;
    let port = free_port()?;
    let app = DesktopApp::start_with_env(
        data,
        &[("APPCARE_WEBHOOK_LISTEN", format!("127.0.0.1:{port}"))],
    )
    .await?;
    let result = scenario(&app, &fake, port, &admin, &secret, used).await;
    if result.is_err() {
        let _ = app.screenshot("whatsapp-e2e-failure").await;
    }
    app.stop().await;
    result
}
