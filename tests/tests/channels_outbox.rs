//! Sending through the outbox: a WhatsApp reply goes out as the documented request;
//! 500, 500, 200 gives one delivery after three attempts, and 130429 and timeouts are
//! retried; 131047 and 131026 are final, shown with Meta's code, a plain explanation
//! and "Send again"; outside the 24-hour window free text is refused and an approved
//! template is sent with its parameters as documented; a file is uploaded, then sent by
//! its media id, and bad files are refused; an account never connected fails with a
//! reason; a status that arrives while a retry waits settles the message without a
//! resend; a Graph host removed from the allowlist cannot be added again and the send
//! fails with the residency error before connecting, audited as `egress_refused`,
//! nothing sent; a satisfaction survey goes out as a documented list message and the
//! customer's tapped row is stored once with the resolved conversation.
//!
//! Real parts: the channel runtime, SQLCipher, the fake Graph API on loopback.

use appcare_channels::WebhookOptions;
use appcare_core::api::types::{RichContent, TemplateExtras, TemplateMessage};
use appcare_core::service::inbox::{InboxQuery, InboxView};
use appcare_core::{ConversationId, Timestamp};
use appcare_tests::channel_setup::*;
use appcare_tests::meta::{deliver_signed, meta_error, samples, Reply};
use appcare_tests::TestResult;
use serde_json::json;
use std::time::Duration;

const WA_ID: &str = "16505551234";

/// A customer message `age_seconds` old, delivered through the receiver.
/// Delivers a signed webhook `body` to the receiver at `base` for `channel`; Meta is
/// told 200.
async fn delivered(base: &str, channel: &str, body: &serde_json::Value) {
    let url = format!("{base}/webhooks/{channel}");
    let status = deliver_signed(&reqwest::Client::new(), &url, APP_SECRET, body).await;
    assert_eq!(status, 200);
}

async fn customer_writes(world: &ChannelWorld, age_seconds: i64) -> TestResult<ConversationId> {
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let sent = Timestamp::now().unix() - age_seconds;
    let body = samples::whatsapp_text(
        PHONE_ID,
        WA_ID,
        "Sheena Nelson",
        &format!("wamid.c.{sent}"),
        sent,
        "Does it come in another color?",
    );
    delivered(&base, "whatsapp", &body).await;
    let query = InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    };
    Ok(world
        .ws
        .list_conversations(&world.admin, &query, Timestamp::now())?
        .rows[0]
        .id)
}

fn status_of(world: &ChannelWorld, message: appcare_core::MessageId) -> String {
    query_text(
        &world.ws,
        &format!("SELECT status FROM messages WHERE id = {message}"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_goes_out_as_the_documented_request() -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    let runtime = start_runtime(world.ws.clone())?;
    let reply = world.ws.reply(
        &world.admin,
        conversation,
        "Yes: blue and green.",
        None,
        Timestamp::now(),
    )?;
    eventually(10, || (status_of(&world, reply.id) == "sent").then_some(())).await?;
    let sends = world.fake.requests_to("/messages");
    assert_eq!(sends.len(), 1);
    assert_eq!(sends[0].method, "POST");
    assert_eq!(sends[0].path, format!("/v23.0/{PHONE_ID}/messages"));
    assert_eq!(
        sends[0].authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        sends[0].body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
               "type": "text", "text": {"preview_url": false, "body": "Yes: blue and green."},
               "biz_opaque_callback_data": format!("appcare:{}", reply.id)})
    );
    assert!(query_text(
        &world.ws,
        &format!("SELECT external_id FROM messages WHERE id = {}", reply.id)
    )
    .starts_with("wamid.FAKE"));
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_timeouts_are_retried_and_the_message_arrives_once() -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    world.fake.script_sends(vec![
        Reply::Error(500, json!({"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2, "fbtrace_id": "X"}})),
        Reply::Error(500, json!({"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2, "fbtrace_id": "Y"}})),
        Reply::Ok,
    ]);
    let runtime = start_runtime(world.ws.clone())?;
    let reply = world.ws.reply(
        &world.admin,
        conversation,
        "Checking now",
        None,
        Timestamp::now(),
    )?;
    eventually(20, || (status_of(&world, reply.id) == "sent").then_some(())).await?;
    assert_eq!(
        world.fake.requests_to("/messages").len(),
        3,
        "500, 500, then accepted"
    );
    assert_eq!(
        query_i64(
            &world.ws,
            &format!(
                "SELECT attempts FROM outbox WHERE message_id = {}",
                reply.id
            )
        ),
        3
    );

    // A rate limit (130429) then a slow answer past the client timeout: retried, once delivered.
    world.fake.script_sends(vec![
        Reply::Error(400, meta_error(130429, "Rate limit hit")),
        Reply::Slow(Duration::from_secs(3)),
        Reply::Ok,
    ]);
    let second = world.ws.reply(
        &world.admin,
        conversation,
        "One more thing",
        None,
        Timestamp::now(),
    )?;
    eventually(20, || {
        (status_of(&world, second.id) == "sent").then_some(())
    })
    .await?;
    assert_eq!(world.fake.requests_to("/messages").len(), 6);
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_failure_is_shown_with_metas_code_and_a_plain_explanation() -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    // Inside the window by our clock, but Meta knows better (channels.md §2.5).
    world.fake.script_sends(vec![Reply::Error(
        400,
        meta_error(131047, "Re-engagement message"),
    )]);
    let runtime = start_runtime(world.ws.clone())?;
    let reply = world.ws.reply(
        &world.admin,
        conversation,
        "Hello again",
        None,
        Timestamp::now(),
    )?;
    eventually(10, || {
        (status_of(&world, reply.id) == "failed").then_some(())
    })
    .await?;
    assert_eq!(
        world.fake.requests_to("/messages").len(),
        1,
        "a final error is not retried"
    );
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    let shown = view
        .messages
        .iter()
        .find(|m| m.id == reply.id)
        .ok_or("reply shown")?;
    assert_eq!(
        shown.failure.as_deref(),
        Some("Meta error 131047: outside the 24-hour window: send a template")
    );
    // The agent sends it again once the customer wrote: it goes out.
    let again = world
        .ws
        .retry_message(&world.admin, reply.id, Timestamp::now())?;
    assert_eq!(again.status, "queued");
    eventually(10, || (status_of(&world, reply.id) == "sent").then_some(())).await?;
    assert_eq!(world.fake.requests_to("/messages").len(), 2);

    // 131026: undeliverable, also final and explained.
    world.fake.script_sends(vec![Reply::Error(
        400,
        meta_error(131026, "Message Undeliverable"),
    )]);
    let second = world.ws.reply(
        &world.admin,
        conversation,
        "Are you there?",
        None,
        Timestamp::now(),
    )?;
    eventually(10, || {
        (status_of(&world, second.id) == "failed").then_some(())
    })
    .await?;
    assert!(query_text(
        &world.ws,
        &format!("SELECT failure FROM messages WHERE id = {}", second.id)
    )
    .starts_with("Meta error 131026: the number cannot receive WhatsApp messages"));
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_the_window_only_an_approved_template_can_be_sent() -> TestResult {
    let world = world("US", (false, false)).await?;
    world.fake.add_template(
        "order_update",
        "en_US",
        "Hello {{1}}, your order {{2}} is on its way.",
    );
    let conversation = customer_writes(&world, 25 * 3600).await?;
    let runtime = start_runtime(world.ws.clone())?;
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    let window = view.window.ok_or("whatsapp window")?;
    assert!(!window.open && window.needs_template, "{window:?}");
    let refused = world
        .ws
        .reply(&world.admin, conversation, "Hi!", None, Timestamp::now())
        .err()
        .ok_or("free text accepted")?;
    assert!(
        refused
            .to_string()
            .contains("only accepts an approved template"),
        "{refused}"
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out'"
        ),
        0,
        "nothing queued"
    );

    let ws = world.ws.clone();
    let admin = world.admin.clone();
    let templates = eventually(10, || {
        ws.list_templates(&admin, conversation, Timestamp::now())
            .ok()
            .filter(|t| !t.is_empty())
    })
    .await?;
    assert_eq!(templates[0].parameters, 2);
    assert!(
        world
            .ws
            .send_template(
                &world.admin,
                conversation,
                "order_update",
                "en_US",
                &["Sheena".into()],
                Timestamp::now()
            )
            .is_err(),
        "wrong parameter count"
    );
    let sent = world.ws.send_template(
        &world.admin,
        conversation,
        "order_update",
        "en_US",
        &["Sheena".into(), "A-17".into()],
        Timestamp::now(),
    )?;
    assert_eq!(sent.body, "Hello Sheena, your order A-17 is on its way.");
    eventually(10, || (status_of(&world, sent.id) == "sent").then_some(())).await?;
    let request = &world.fake.requests_to("/messages")[0];
    assert_eq!(
        request.body,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, "type": "template",
               "template": {"name": "order_update", "language": {"code": "en_US"},
                            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Sheena"}, {"type": "text", "text": "A-17"}]}]},
               "biz_opaque_callback_data": format!("appcare:{}", sent.id)})
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_with_a_picture_a_link_and_a_code_goes_as_meta_documents_it() -> TestResult {
    let world = world("US", (false, false)).await?;
    // As Meta lists it (GET /{waba-id}/message_templates), footer and all.
    world.fake.add_template_listing(json!({
        "name": "order_shipped", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
        "id": "tpl-order-shipped",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1hZ2U="]}},
            {"type": "BODY", "text": "Hi {{1}}, order {{2}} ships today.",
             "example": {"body_text": [["Ana", "A-17"]]}},
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
            {"type": "BUTTONS", "buttons": [
                {"type": "URL", "text": "Track", "url": "https://shop.example/track/{{1}}",
                 "example": ["https://shop.example/track/A17"]},
                {"type": "QUICK_REPLY", "text": "Stop promotions"},
                {"type": "COPY_CODE", "example": "SAVE10"}
            ]}
        ]
    }));
    let conversation = customer_writes(&world, 25 * 3600).await?;
    let runtime = start_runtime(world.ws.clone())?;
    let ws = world.ws.clone();
    let admin = world.admin.clone();
    let templates = eventually(10, || {
        ws.list_templates(&admin, conversation, Timestamp::now())
            .ok()
            .filter(|t| !t.is_empty())
    })
    .await?;
    let template = &templates[0];
    assert_eq!(
        template.header.as_ref().map(|h| h.format.as_str()),
        Some("image")
    );
    let kinds: Vec<(&str, i64)> = template
        .buttons
        .iter()
        .map(|b| (b.kind.as_str(), b.parameters))
        .collect();
    assert_eq!(kinds, [("url", 1), ("quick_reply", 0), ("copy_code", 1)]);

    let picture: TemplateExtras = serde_json::from_value(json!({
        "header_file": {"file_name": "parcel.png", "mime_type": "image/png", "data_base64": "iVBORw0KGgo="},
        "buttons": ["A17", "SAVE10"]
    }))?;
    let send = |extras: &TemplateExtras| {
        let message = TemplateMessage {
            name: "order_shipped".into(),
            language: "en_US".into(),
            parameters: vec!["Ana".into(), "A-17".into()],
            extras: extras.clone(),
        };
        world
            .ws
            .send_template_message(&world.admin, conversation, &message, Timestamp::now())
    };
    let no_file = TemplateExtras {
        header_file: None,
        ..picture.clone()
    };
    let refused = send(&no_file).err().ok_or("sent without its picture")?;
    assert!(refused.to_string().contains("choose the file"), "{refused}");
    let one_button = TemplateExtras {
        buttons: vec!["A17".into()],
        ..picture.clone()
    };
    assert!(send(&one_button).is_err(), "a button value missing");

    let sent = send(&picture)?;
    assert_eq!(
        sent.body,
        "Hi Ana, order A-17 ships today.\n\n[Track: https://shop.example/track/A17] [Stop promotions] [Copy code: SAVE10]"
    );
    assert_eq!(
        sent.attachments.len(),
        1,
        "the picture stays with the message"
    );
    eventually(10, || (status_of(&world, sent.id) == "sent").then_some(())).await?;
    let upload = &world.fake.requests_to("/media")[0];
    assert_eq!(upload.body["has_file"], json!(true));
    let request = &world.fake.requests_to("/messages")[0];
    assert_eq!(
        request.body["template"],
        json!({"name": "order_shipped", "language": {"code": "en_US"}, "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"id": "upload-%ID%"}}]},
            {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "A-17"}]},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A17"}]},
            {"type": "button", "sub_type": "copy_code", "index": "2",
             "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]}
        ]})
        .to_string()
        .replace("upload-%ID%", request.body.pointer("/template/components/0/parameters/0/image/id")
            .and_then(serde_json::Value::as_str)
            .filter(|id| id.starts_with("upload-"))
            .ok_or("the uploaded picture's id")?)
        .parse::<serde_json::Value>()?
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_and_a_contact_card_go_as_whatsapp_messages_and_show_as_cards() -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    let runtime = start_runtime(world.ws.clone())?;
    let place = world.ws.send_card(
        &world.admin,
        conversation,
        &RichContent::Location {
            latitude: "52.5200".into(),
            longitude: "13.405".into(),
            name: "Appcare Shop".into(),
            address: "Main St 1, Berlin".into(),
        },
        None,
        Timestamp::now(),
    )?;
    assert_eq!(
        place.body,
        "Sent a location: Appcare Shop, Main St 1, Berlin (52.52, 13.405)"
    );
    let card: RichContent = serde_json::from_value(json!({"kind": "contacts", "cards": [{
        "name": "Omar Haddad", "organization": "Appcare",
        "phones": [{"phone": "+49 30 1234567", "wa_id": "", "label": "work"}],
        "emails": [{"email": "omar@example.com", "label": ""}]
    }]}))?;
    let contact = world
        .ws
        .send_card(&world.admin, conversation, &card, None, Timestamp::now())?;
    assert!(contact.content.is_some(), "shown as a card");
    eventually(10, || {
        (status_of(&world, place.id) == "sent" && status_of(&world, contact.id) == "sent")
            .then_some(())
    })
    .await?;
    // The outbox may send the two in either order.
    let sends = world.fake.requests_to("/messages");
    let sent = |kind: &str| {
        sends
            .iter()
            .find(|r| r.body["type"] == json!(kind))
            .map(|r| r.body.clone())
            .ok_or(format!("no {kind} sent"))
    };
    assert_eq!(
        sent("location")?["location"],
        json!({"latitude": 52.52, "longitude": 13.405, "name": "Appcare Shop", "address": "Main St 1, Berlin"})
    );
    assert_eq!(
        sent("contacts")?["contacts"],
        json!([{"name": {"formatted_name": "Omar Haddad", "first_name": "Omar"},
                "phones": [{"phone": "+49 30 1234567", "type": "WORK"}],
                "emails": [{"email": "omar@example.com"}],
                "org": {"company": "Appcare"}}])
    );
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    let shown = view
        .messages
        .iter()
        .find(|m| m.id == place.id)
        .ok_or("the place")?;
    assert!(
        matches!(&shown.content, Some(RichContent::Location { name, .. }) if name == "Appcare Shop"),
        "the conversation shows the place as a card"
    );
    let bad = RichContent::Location {
        latitude: "95".into(),
        longitude: "0".into(),
        name: String::new(),
        address: String::new(),
    };
    assert!(world
        .ws
        .send_card(&world.admin, conversation, &bad, None, Timestamp::now())
        .is_err());
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_is_uploaded_then_sent_by_its_media_id() -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    let runtime = start_runtime(world.ws.clone())?;
    let attachment = serde_json::from_value(json!({
        "file_name": "manual.pdf", "mime_type": "application/pdf", "data_base64": "JVBERi0xLjQgbWFudWFs"
    }))?;
    let reply = world.ws.reply_with_attachment(
        &world.admin,
        conversation,
        "Here is the manual",
        &attachment,
        None,
        Timestamp::now(),
    )?;
    assert_eq!(reply.attachments.len(), 1);
    eventually(10, || (status_of(&world, reply.id) == "sent").then_some(())).await?;
    let upload = &world.fake.requests_to("/media")[0];
    assert_eq!(upload.path, format!("/v23.0/{PHONE_ID}/media"));
    assert_eq!(upload.body["has_file"], json!(true));
    let send = &world.fake.requests_to("/messages")[0];
    assert_eq!(send.body["type"], json!("document"));
    assert_eq!(
        send.body["document"]["caption"],
        json!("Here is the manual")
    );
    assert_eq!(send.body["document"]["filename"], json!("manual.pdf"));
    assert!(send.body["document"]["id"]
        .as_str()
        .is_some_and(|id| id.starts_with("upload-")));
    // Bad files are refused before anything is queued.
    let empty = serde_json::from_value(
        json!({"file_name": "x.txt", "mime_type": "text/plain", "data_base64": ""}),
    )?;
    assert!(world
        .ws
        .reply_with_attachment(
            &world.admin,
            conversation,
            "",
            &empty,
            None,
            Timestamp::now()
        )
        .is_err());
    let garbage = serde_json::from_value(
        json!({"file_name": "x.txt", "mime_type": "text/plain", "data_base64": "@@@"}),
    )?;
    assert!(world
        .ws
        .reply_with_attachment(
            &world.admin,
            conversation,
            "",
            &garbage,
            None,
            Timestamp::now()
        )
        .is_err());
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out'"
        ),
        1
    );
    runtime.stop().await;
    Ok(())
}

/// Issue 21 item 7: a file on Messenger goes as the Send API's documented form data
/// (`recipient`, `messaging_type`, `message.attachment` with the type Messenger knows, the
/// bytes in `filedata`); words with it are refused before anything is queued (the Send
/// API carries a file or text, not both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_on_messenger_is_sent_as_form_data() -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let psid = "2950001234567890";
    let ms = Timestamp::now().unix() * 1000;
    let body = samples::messenger(
        PAGE_ID,
        vec![samples::messenger_text(
            PAGE_ID,
            psid,
            "m_file_1",
            ms,
            "Can you send the voice note again?",
        )],
    );
    delivered(&base, "messenger", &body).await;
    let conversation = appcare_core::ConversationId::new(query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'm_file_1'",
    ));
    let runtime = start_runtime(world.ws.clone())?;
    let voice = serde_json::from_value(json!({
        "file_name": "note.mp3", "mime_type": "audio/mpeg", "data_base64": "SUQzBAAAAAAAI1RTU0U="
    }))?;
    match world.ws.reply_with_attachment(
        &world.admin,
        conversation,
        "Here it is",
        &voice,
        None,
        Timestamp::now(),
    ) {
        Err(appcare_core::CoreError::InvalidInput { field, .. }) => assert_eq!(field, "caption"),
        other => {
            return Err(format!(
                "words with a file were not refused: {:?}",
                other.map(|m| m.id)
            )
            .into())
        }
    }
    let reply = world.ws.reply_with_attachment(
        &world.admin,
        conversation,
        "",
        &voice,
        None,
        Timestamp::now(),
    )?;
    eventually(10, || (status_of(&world, reply.id) == "sent").then_some(())).await?;
    let send = &world.fake.requests_to("/messages")[0];
    assert_eq!(send.path, format!("/v23.0/{PAGE_ID}/messages"));
    assert_eq!(send.body["recipient"], json!({"id": psid}));
    assert_eq!(send.body["messaging_type"], json!("RESPONSE"));
    assert_eq!(
        send.body["message"]["attachment"],
        json!({"type": "audio", "payload": {"is_reusable": false}})
    );
    assert_eq!(
        send.body["message"]["metadata"],
        json!(format!("appcare:{}", reply.id))
    );
    assert_eq!(
        send.body["filedata"],
        json!({"filename": "note.mp3", "content_type": "audio/mpeg", "size": 14})
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out'"
        ),
        1
    );
    // Answers to tap go as quick replies, through the fake that checks Meta's limits.
    let question = world.ws.reply_choices(
        &world.admin,
        conversation,
        &appcare_core::channel::choices::ChoicesReply {
            body: "Which size?".into(),
            options: vec!["Small".into(), "Large".into()],
            button: String::new(),
        },
        None,
        Timestamp::now(),
    )?;
    eventually(10, || {
        (status_of(&world, question.id) == "sent").then_some(())
    })
    .await?;
    let asked = &world.fake.requests_to("/messages")[1];
    assert_eq!(asked.body["message"]["text"], json!("Which size?"));
    let titles: Vec<&str> = asked.body["message"]["quick_replies"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|q| {
            assert_eq!(q["content_type"], json!("text"));
            q["title"].as_str().unwrap_or_default()
        })
        .collect();
    assert_eq!(titles, ["Small", "Large"]);
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_in_an_account_never_connected_fails_with_a_reason() -> TestResult {
    let world = world("US", (false, false)).await?;
    let now = Timestamp::now();
    let sample = world.ws.create_channel_account(
        &world.admin,
        "whatsapp",
        "Sample line",
        "999",
        None,
        now,
    )?;
    world.ws.ingest(
        appcare_core::service::ingest::InboundMessage {
            account: sample.id,
            contact_external_id: "15550001111",
            contact_name: "Sample customer",
            external_id: Some("wamid.sample.1"),
            subject: "",
            body: "Hi",
            sent_at: now,
            choice: None,
            has_media: false,
            attachments: vec![],
        },
        now,
    )?;
    let query = InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    };
    let conversation = world.ws.list_conversations(&world.admin, &query, now)?.rows[0].id;
    let runtime = start_runtime(world.ws.clone())?;
    let reply = world
        .ws
        .reply(&world.admin, conversation, "Hello", None, now)?;
    eventually(10, || {
        (status_of(&world, reply.id) == "failed").then_some(())
    })
    .await?;
    assert_eq!(
        query_text(
            &world.ws,
            &format!("SELECT failure FROM messages WHERE id = {}", reply.id)
        ),
        appcare_core::service::delivery::NOT_CONNECTED
    );
    assert!(world.fake.requests_to("/messages").is_empty());
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_that_arrives_while_a_retry_waits_settles_the_message_without_a_resend(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    // The first answer is lost as a 500, but Meta did take the message and says so.
    world.fake.script_sends(vec![Reply::Error(500, json!({"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2, "fbtrace_id": "X"}}))]);
    let options = appcare_channels::RuntimeOptions {
        retry_base_seconds: 5,
        retry_max_seconds: 5,
        ..fast_options()
    };
    let runtime = appcare_channels::ChannelRuntime::start(world.ws.clone(), options)?;
    let reply = world.ws.reply(
        &world.admin,
        conversation,
        "Your parcel is on its way",
        None,
        Timestamp::now(),
    )?;
    let ws = world.ws.clone();
    eventually(10, || {
        (query_i64(
            &ws,
            &format!(
                "SELECT attempts FROM outbox WHERE message_id = {} AND state = 'pending'",
                reply.id
            ),
        ) == 1)
            .then_some(())
    })
    .await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let mut status = samples::whatsapp_status(
        PHONE_ID,
        "wamid.ACCEPTED-1",
        "sent",
        Timestamp::now().unix(),
        WA_ID,
    );
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] =
        json!(format!("appcare:{}", reply.id));
    assert_eq!(
        deliver_signed(
            &reqwest::Client::new(),
            &format!("{base}/webhooks/whatsapp"),
            APP_SECRET,
            &status
        )
        .await,
        200
    );
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(
        world.fake.requests_to("/messages").len(),
        1,
        "not sent a second time"
    );
    assert_eq!(status_of(&world, reply.id), "sent");
    assert_eq!(
        query_text(
            &world.ws,
            &format!("SELECT state FROM outbox WHERE message_id = {}", reply.id)
        ),
        "sent"
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_missing_from_the_allowlist_is_refused_before_connecting_and_audited() -> TestResult
{
    let world = world("US", (false, false)).await?;
    let now = Timestamp::now();
    // A channel pointed at another Graph host, allowed when it was connected…
    world.ws.set_egress_allowlist(
        &world.admin,
        &["graph.facebook.com".into(), "graph.example.net".into()],
        now,
    )?;
    let mut account = appcare_core::channel::NewChannelAccount {
        kind: "whatsapp".into(),
        name: "Relay line".into(),
        external_id: "777000111".into(),
        business_account_id: None,
        access_token: ACCESS_TOKEN.into(),
        app_secret: APP_SECRET.into(),
        verify_token: VERIFY_TOKEN.into(),
        default_team: None,
        human_agent: false,
        poll: false,
        graph_base_url: Some("https://graph.example.net".into()),
        api_version: None,
    };
    let relay = world
        .ws
        .add_channel_account(&world.admin, &account, now)?
        .id;
    // …then removed from the allowlist by the admin.
    world
        .ws
        .set_egress_allowlist(&world.admin, &["graph.facebook.com".into()], now)?;
    account.external_id = "777000222".into();
    let refused = world
        .ws
        .add_channel_account(&world.admin, &account, now)
        .err()
        .ok_or("accepted")?;
    assert!(
        refused
            .to_string()
            .contains("graph.example.net is not on this workspace's allowed hosts"),
        "{refused}"
    );
    world.ws.delivery().apply(
        &[appcare_core::channel::ChannelEvent::Message(
            appcare_core::channel::InboundEvent {
                account: relay,
                contact_external_id: WA_ID.into(),
                contact_name: "Sheena Nelson".into(),
                external_id: "wamid.relay.1".into(),
                body: "Hello".into(),
                sent_at: now,
                media: vec![],
                contact_aliases: vec![],
                reply_to: None,
                choice: None,
                content: None,
            },
        )],
        now,
    )?;
    let query = InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    };
    let conversation = world.ws.list_conversations(&world.admin, &query, now)?.rows[0].id;
    let runtime = start_runtime(world.ws.clone())?;
    let reply = world
        .ws
        .reply(&world.admin, conversation, "Hi", None, now)?;
    eventually(10, || {
        (status_of(&world, reply.id) == "failed").then_some(())
    })
    .await?;
    let failure = query_text(
        &world.ws,
        &format!("SELECT failure FROM messages WHERE id = {}", reply.id),
    );
    assert!(
        failure.contains("graph.example.net is not on this workspace's allowed hosts"),
        "{failure}"
    );
    let audit = world
        .ws
        .recent_audit(&world.admin, Some("egress_refused"), 5, Timestamp::now())?;
    // The send and the account check after connecting were both refused and audited.
    assert!(!audit.is_empty());
    assert!(audit.iter().all(|a| a.detail.contains("graph.example.net")));
    assert!(world.fake.requests_to("/messages").is_empty());
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_satisfaction_survey_goes_out_as_a_documented_list_and_the_tapped_row_is_stored_once(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 300).await?;
    // Resolved a little over two minutes ago: the survey is due now.
    let now = Timestamp::now().plus_seconds(-125);
    world
        .ws
        .set_satisfaction_survey(&world.admin, world.whatsapp, "How did we do?", now)?;
    let version = world
        .ws
        .open_conversation(&world.admin, conversation, None, now)?
        .summary
        .version;
    world.ws.set_status(
        &world.admin,
        appcare_core::service::handoff::Versioned {
            id: conversation,
            version,
        },
        appcare_core::service::inbox::ConversationStatus::Resolved,
        None,
        now,
    )?;
    let runtime = start_runtime(world.ws.clone())?;
    // The runtime's pass at start or this one queues it (whichever comes first): once.
    world.ws.maintenance().send_surveys(Timestamp::now())?;
    let sent = eventually(10, || {
        world
            .fake
            .requests_to("/messages")
            .into_iter()
            .find(|r| r.body["type"] == json!("interactive"))
    })
    .await?;
    assert_eq!(world.ws.maintenance().send_surveys(Timestamp::now())?, 0);
    let list = &sent.body["interactive"];
    assert_eq!(list["type"], json!("list"), "{}", sent.body);
    assert!(list["body"]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("How did we do?")));
    let rows = list["action"]["sections"][0]["rows"]
        .as_array()
        .expect("rows");
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1]["title"], json!("4 – Good"));
    let four = rows[1]["id"].as_str().expect("an id").to_string();

    // The customer taps "4 – Good": Meta's list_reply, quoting our message (by the id
    // Meta gave it when it was sent), twice.
    let offered = eventually(10, || {
        let survey = query_i64(
            &world.ws,
            "SELECT id FROM messages WHERE direction = 'out' AND external_id IS NOT NULL",
        );
        (survey > 0).then_some(survey)
    })
    .await?;
    let offer_id = world
        .fake
        .issued_message_ids()
        .first()
        .cloned()
        .ok_or("no message id issued")?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let tapped = samples::whatsapp_message(
        PHONE_ID,
        WA_ID,
        "Sheena Nelson",
        json!({"from": WA_ID, "id": "wamid.tap.1", "timestamp": Timestamp::now().unix().to_string(),
               "type": "interactive", "context": {"from": "15550783881", "id": offer_id},
               "interactive": {"type": "list_reply", "list_reply": {"id": four, "title": "4 – Good"}}}),
    );
    for _ in 0..2 {
        let status = deliver_signed(
            &reqwest::Client::new(),
            &format!("{base}/webhooks/whatsapp"),
            APP_SECRET,
            &tapped,
        )
        .await;
        assert_eq!(status, 200);
    }
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    let tap = view
        .messages
        .iter()
        .find(|m| m.direction == "in" && m.content.is_some())
        .ok_or("the tap is not shown")?;
    assert_eq!(
        tap.quote.as_ref().and_then(|q| q.message).map(|m| m.get()),
        Some(offered),
        "the tap links the message that offered the rows"
    );
    assert_eq!(view.satisfaction.and_then(|s| s.rating), Some(4));
    assert_eq!(
        view.summary.status,
        appcare_core::service::inbox::ConversationStatus::Resolved
    );
    assert_eq!(
        query_text(
            &world.ws,
            "SELECT CAST(count(*) AS TEXT) FROM messages WHERE external_id = 'wamid.tap.1'"
        ),
        "1"
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_buttons_and_list_go_out_as_the_documented_interactive_messages() -> TestResult {
    use appcare_core::channel::choices::ChoicesReply;
    let world = world("US", (false, false)).await?;
    let conversation = customer_writes(&world, 60).await?;
    let runtime = start_runtime(world.ws.clone())?;
    let ask = |options: &[&str], button: &str| ChoicesReply {
        body: "Which size do you need?".into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        button: button.into(),
    };
    let buttons = world.ws.reply_choices(
        &world.admin,
        conversation,
        &ask(&["Small", "Large"], ""),
        None,
        Timestamp::now(),
    )?;
    assert_eq!(buttons.body, "Which size do you need?\n\n▸ Small\n▸ Large");
    let list = world.ws.reply_choices(
        &world.admin,
        conversation,
        &ask(&["XS", "S", "M", "L", "XL"], "Pick a size"),
        None,
        Timestamp::now(),
    )?;
    for id in [buttons.id, list.id] {
        eventually(10, || (status_of(&world, id) == "sent").then_some(())).await?;
    }
    let sent: Vec<serde_json::Value> = world
        .fake
        .requests_to("/messages")
        .into_iter()
        .map(|r| r.body)
        .filter(|b| b["type"] == json!("interactive"))
        .collect();
    assert_eq!(sent.len(), 2);
    let by_kind = |kind: &str| {
        sent.iter()
            .find(|b| b["interactive"]["type"] == json!(kind))
            .cloned()
            .ok_or(format!("no {kind} message"))
    };
    let b = by_kind("button")?;
    assert_eq!(
        b["interactive"],
        json!({"type": "button", "body": {"text": "Which size do you need?"},
               "action": {"buttons": [
                   {"type": "reply", "reply": {"id": "choice:1", "title": "Small"}},
                   {"type": "reply", "reply": {"id": "choice:2", "title": "Large"}}]}})
    );
    let l = by_kind("list")?;
    assert_eq!(l["interactive"]["action"]["button"], json!("Pick a size"));
    let rows = l["interactive"]["action"]["sections"][0]["rows"]
        .as_array()
        .ok_or("rows")?;
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[4], json!({"id": "choice:5", "title": "XL"}));

    // A row too long for Meta is refused at its field, before anything is queued.
    let refused = world.ws.reply_choices(
        &world.admin,
        conversation,
        &ask(
            &["Small", "A very long answer, longer than Meta allows"],
            "",
        ),
        None,
        Timestamp::now(),
    );
    assert!(
        matches!(
            refused,
            Err(appcare_core::CoreError::InvalidInput {
                field: "option 2",
                ..
            })
        ),
        "{refused:?}"
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_started_with_a_template_sends_it_to_the_new_number() -> TestResult {
    use appcare_core::channel::start::NewConversation;
    use appcare_core::channel::template::TemplateView;
    let world = world("US", (false, false)).await?;
    // Approved at Meta too, so the runtime's template refresh keeps it.
    world.fake.add_template(
        "order_update",
        "en_US",
        "Hello {{1}}, your order {{2}} has shipped.",
    );
    world.ws.delivery().set_templates(
        world.whatsapp,
        &[TemplateView {
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            body: "Hello {{1}}, your order {{2}} has shipped.".into(),
            parameters: 2,
            header: None,
            buttons: vec![],
        }],
    )?;
    let runtime = start_runtime(world.ws.clone())?;
    let conversation = world.ws.start_conversation(
        &world.admin,
        &NewConversation {
            account: world.whatsapp,
            phone: "+55 11 98765-4321".into(),
            name: "Ana Lima".into(),
            template: "order_update".into(),
            language: "en_US".into(),
            parameters: vec!["Ana".into(), "A-42".into()],
            extras: Default::default(),
        },
        Timestamp::now(),
    )?;
    let sent = eventually(10, || {
        world
            .fake
            .requests_to("/messages")
            .into_iter()
            .find(|r| r.body["type"] == json!("template"))
    })
    .await?;
    assert_eq!(sent.body["to"], json!("5511987654321"));
    assert_eq!(sent.body["template"]["name"], json!("order_update"));
    assert_eq!(
        sent.body["template"]["components"][0]["parameters"][1],
        json!({"type": "text", "text": "A-42"})
    );
    let message = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?
        .messages[0]
        .id;
    eventually(10, || (status_of(&world, message) == "sent").then_some(())).await?;
    runtime.stop().await;
    Ok(())
}
