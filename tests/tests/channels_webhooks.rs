//! The webhook receiver against signed bodies shaped like Meta's: a wrong secret, a
//! truncated signature, one changed byte or a missing header gives 401 and stores
//! nothing; the handshake, 413, 400 and unknown fields; a batch of messages and
//! statuses delivered three times in shuffled order (half concurrently) is stored once
//! with statuses at `read`, and a late `delivered` changes nothing; the statuses' pricing
//! summed per account, month and category; every WhatsApp
//! message kind as readable text, a photo downloaded byte for byte, a wrong checksum
//! never stored, an unknown media id explained; Messenger profile names, a
//! HUMAN_AGENT-tagged reply as documented, our own echo not doubled, a Page Inbox echo
//! shown, delivery and read watermarks, a bot handover into the queue with its note
//! (once), and resolving passes the thread back; a page polled through the
//! Conversations API (two pages through `paging.next`), and an erased customer not polled
//! back; a WhatsApp webhook delivered again after erasure stores nothing; in-country
//! storage set for the region and read back; secrets never listed; a bad account refused
//! unchanged; a rotated app secret refuses the old one from the next request on.
//!
//! Real parts: the webhook receiver over loopback HTTP, the channel runtime, SQLCipher,
//! the fake Graph API.

use appcare_channels::WebhookOptions;
use appcare_core::channel::NewChannelAccount;
use appcare_core::service::inbox::{InboxQuery, InboxView};
use appcare_core::Timestamp;
use appcare_tests::channel_setup::*;
use appcare_tests::meta::{ascii_json, deliver, deliver_signed, samples, signature};
use appcare_tests::TestResult;
use serde_json::json;

fn all() -> InboxQuery {
    InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    }
}

fn messages_stored(world: &ChannelWorld) -> i64 {
    query_i64(&world.ws, "SELECT count(*) FROM messages")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signatures_are_401_and_store_nothing() -> TestResult {
    let world = world("US", (false, false)).await?;
    let url = format!(
        "{}/webhooks/whatsapp",
        start_receiver(world.ws.clone(), WebhookOptions::default()).await?
    );
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    let payload = samples::whatsapp_text(
        PHONE_ID,
        "16505551234",
        "Sheena Nelson",
        "wamid.sig.1",
        now,
        "Does it come in another color?",
    );
    let body = ascii_json(&payload);
    let good = signature(APP_SECRET, &body);

    assert_eq!(
        deliver(
            &http,
            &url,
            body.clone(),
            Some(&signature("wrong-secret", &body))
        )
        .await,
        401,
        "wrong secret"
    );
    assert_eq!(
        deliver(&http, &url, body.clone(), Some(&good[..good.len() - 1])).await,
        401,
        "truncated"
    );
    let mut changed = body.clone();
    let at = changed
        .iter()
        .position(|b| *b == b'?')
        .ok_or("no ? in body")?;
    changed[at] = b'!';
    assert_eq!(
        deliver(&http, &url, changed, Some(&good)).await,
        401,
        "one byte changed"
    );
    assert_eq!(
        deliver(&http, &url, body.clone(), None).await,
        401,
        "missing header"
    );
    assert_eq!(
        messages_stored(&world),
        0,
        "nothing stored after refused bodies"
    );

    // The same body, correctly signed, is stored; non-ASCII text survives the escaping.
    let accented = samples::whatsapp_text(
        PHONE_ID,
        "16505551234",
        "Sheena Nelson",
        "wamid.sig.2",
        now,
        "Ça coûte combien? äöå 😮",
    );
    assert_eq!(
        deliver_signed(&http, &url, APP_SECRET, &accented).await,
        200
    );
    assert_eq!(messages_stored(&world), 1);
    assert_eq!(
        query_text(&world.ws, "SELECT body FROM messages"),
        "Ça coûte combien? äöå 😮"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_limits_bad_json_and_unknown_events() -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(
        world.ws.clone(),
        WebhookOptions {
            body_limit: 64 * 1024,
            ..WebhookOptions::default()
        },
    )
    .await?;
    let http = reqwest::Client::new();
    let verify = |token: &str| {
        format!("{base}/webhooks/messenger?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={token}")
    };
    let ok = http.get(verify(VERIFY_TOKEN)).send().await?;
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.text().await?, "1158201444");
    assert_eq!(
        http.get(verify("guess")).send().await?.status().as_u16(),
        403
    );

    let url = format!("{base}/webhooks/whatsapp");
    let junk = b"{not json".to_vec();
    let sig = signature(APP_SECRET, &junk);
    assert_eq!(
        deliver(&http, &url, junk, Some(&sig)).await,
        400,
        "malformed JSON"
    );
    let big = vec![b' '; 100 * 1024];
    let sig = signature(APP_SECRET, &big);
    assert_eq!(
        deliver(&http, &url, big, Some(&sig)).await,
        413,
        "body over the limit"
    );
    let unknown = json!({"object": "whatsapp_business_account", "entry": [{"id": samples::WABA_ID,
        "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]});
    assert_eq!(
        deliver_signed(&http, &url, APP_SECRET, &unknown).await,
        200,
        "unknown field accepted"
    );
    assert_eq!(messages_stored(&world), 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_delivered_three_times_in_shuffled_order_is_stored_once_with_latest_statuses(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/whatsapp");
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    // Ten customers write; we answer each (the runtime sends through the fake).
    let mut bodies = Vec::new();
    for i in 0..10 {
        bodies.push(samples::whatsapp_text(
            PHONE_ID,
            &format!("1650555{i:04}"),
            &format!("Customer {i}"),
            &format!("wamid.in.{i}"),
            now,
            &format!("question {i}"),
        ));
    }
    for b in &bodies {
        assert_eq!(deliver_signed(&http, &url, APP_SECRET, b).await, 200);
    }
    let runtime = start_runtime(world.ws.clone())?;
    let page = world
        .ws
        .list_conversations(&world.admin, &all(), Timestamp::now())?;
    assert_eq!(page.rows.len(), 10);
    for c in &page.rows {
        world.ws.reply(
            &world.admin,
            c.id,
            "Thanks, checking now",
            None,
            Timestamp::now(),
        )?;
    }
    let ws = world.ws.clone();
    eventually(15, || {
        (query_i64(
            &ws,
            "SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'sent'",
        ) == 10)
            .then_some(())
    })
    .await?;
    let sends = world.fake.requests_to("/messages");
    assert_eq!(sends.len(), 10, "one send per reply");
    // Statuses for every reply: sent, delivered, read — with the messages, as one batch.
    let wamids: Vec<(String, String)> = world.ws.store().read(|c| {
        let mut s = c.prepare("SELECT m.external_id, ci.external_id FROM messages m JOIN conversations cv ON cv.id = m.conversation_id JOIN contact_identities ci ON ci.contact_id = cv.contact_id WHERE m.direction = 'out'")?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })?;
    for (wamid, to) in &wamids {
        for status in ["sent", "delivered", "read"] {
            bodies.push(samples::whatsapp_status(
                PHONE_ID,
                wamid,
                status,
                now + 1,
                to,
            ));
        }
    }
    let mut deliveries: Vec<serde_json::Value> = Vec::new();
    for _ in 0..3 {
        deliveries.extend(bodies.iter().cloned());
    }
    // A fixed shuffle (xorshift) so a failure can be replayed.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..deliveries.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        deliveries.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    // Half concurrently, half one by one.
    let (together, alone) = deliveries.split_at(deliveries.len() / 2);
    let mut tasks = Vec::new();
    for body in together {
        let body = body.clone();
        let http = http.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            deliver_signed(&http, &url, APP_SECRET, &body).await
        }));
    }
    for t in tasks {
        assert_eq!(t.await?, 200);
    }
    for body in alone {
        assert_eq!(deliver_signed(&http, &url, APP_SECRET, body).await, 200);
    }
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'in'"
        ),
        10,
        "each customer message once"
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out'"
        ),
        10
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'read'"
        ),
        10,
        "read never goes back to delivered or sent"
    );
    // A late "delivered" after "read" changes nothing.
    let (wamid, to) = wamids.first().ok_or("no reply")?;
    assert_eq!(
        deliver_signed(
            &http,
            &url,
            APP_SECRET,
            &samples::whatsapp_status(PHONE_ID, wamid, "delivered", now + 5, to)
        )
        .await,
        200
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'read'"
        ),
        10
    );
    // Every status carried Meta's `pricing` (billable, per message, service): kept once
    // per message, summed per account, month and category for leads and admins.
    let priced = world.ws.whatsapp_pricing(&world.admin, Timestamp::now())?;
    assert_eq!(priced.len(), 1, "{priced:?}");
    assert_eq!(
        (priced[0].account, priced[0].category.as_str()),
        (world.whatsapp, "service")
    );
    assert_eq!((priced[0].messages, priced[0].billable), (10, 10));
    assert_eq!(
        priced[0].month,
        query_text(&world.ws, "SELECT strftime('%Y-%m', 'now')")
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_message_kinds_become_readable_messages_and_media_is_downloaded_and_checked(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/whatsapp");
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    let photo = include_bytes!("../../icons/32x32.png");
    let sha = world.fake.add_media("media-photo-1", photo, "image/png");
    world
        .fake
        .add_media("media-doc-1", b"%PDF-1.4 invoice", "application/pdf");
    let wa = "16505551234";
    let ts = now.to_string();
    let items = vec![
        json!({"from": wa, "id": "wamid.img", "timestamp": ts, "type": "image",
               "image": {"caption": "the broken part", "mime_type": "image/png", "sha256": sha, "id": "media-photo-1"}}),
        // The announced checksum does not match the bytes: never stored.
        json!({"from": wa, "id": "wamid.doc", "timestamp": ts, "type": "document",
               "document": {"caption": "invoice", "filename": "invoice.pdf", "mime_type": "application/pdf", "sha256": "00".repeat(32), "id": "media-doc-1"}}),
        json!({"from": wa, "id": "wamid.loc", "timestamp": ts, "type": "location",
               "location": {"latitude": 52.52, "longitude": 13.405, "name": "Shop", "address": "Main St 1"}}),
        json!({"from": wa, "id": "wamid.button", "timestamp": ts, "type": "interactive", "context": {"from": "15550783881", "id": "wamid.q"},
               "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes, please"}}}),
        json!({"from": wa, "id": "wamid.list", "timestamp": ts, "type": "interactive",
               "interactive": {"type": "list_reply", "list_reply": {"id": "red", "title": "Red", "description": "the red one"}}}),
        json!({"from": wa, "id": "wamid.audio", "timestamp": ts, "type": "audio", "audio": {"mime_type": "audio/ogg", "sha256": "", "id": "media-missing"}}),
    ];
    for item in items {
        let body = samples::whatsapp_message(PHONE_ID, wa, "Sheena Nelson", item);
        assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
    }
    let body_of = |id: &str| {
        query_text(
            &world.ws,
            &format!("SELECT body FROM messages WHERE external_id = '{id}'"),
        )
    };
    assert_eq!(body_of("wamid.img"), "the broken part");
    assert_eq!(
        body_of("wamid.loc"),
        "Shared a location: Shop, Main St 1 (52.52, 13.405)"
    );
    // Reactions are not messages: tests/tests/channels_reactions.rs.
    assert_eq!(body_of("wamid.button"), "Chose: Yes, please");
    assert_eq!(body_of("wamid.list"), "Chose: Red");
    assert_eq!(body_of("wamid.audio"), "(audio)");
    assert_eq!(
        query_text(&world.ws, "SELECT display_name FROM contacts"),
        "Sheena Nelson"
    );

    let runtime = start_runtime(world.ws.clone())?;
    let ws = world.ws.clone();
    let stored: Vec<u8> = eventually(10, || {
        ws.store()
            .read(|c| Ok(c.query_row("SELECT a.data FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.external_id = 'wamid.img'", [], |r| r.get::<_, Vec<u8>>(0))?))
            .ok()
    })
    .await?;
    assert_eq!(stored, photo.to_vec(), "the photo is stored byte for byte");
    // The document with a wrong checksum is retried, never stored.
    eventually(10, || {
        (query_text(
            &world.ws,
            "SELECT last_error FROM media_downloads WHERE media_id = 'media-doc-1'",
        )
        .contains("checksum"))
        .then_some(())
    })
    .await?;
    assert_eq!(query_i64(&world.ws, "SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.external_id = 'wamid.doc'"), 0);
    // The media id Meta does not know fails with a reason on the message.
    eventually(20, || {
        (!query_text(
            &world.ws,
            "SELECT failure FROM messages WHERE external_id = 'wamid.audio'",
        )
        .is_empty())
        .then_some(())
    })
    .await?;
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messenger_text_echo_watermarks_tagged_replies_and_handover_round_trip() -> TestResult {
    let world = world("US", (true, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/messenger");
    let http = reqwest::Client::new();
    let runtime = start_runtime(world.ws.clone())?;
    let psid = "24681357";
    world.fake.add_profile(psid, "Ada", "Lovelace");
    // The customer wrote two days ago: the reply must go with the HUMAN_AGENT tag.
    let two_days_ago = (Timestamp::now().unix() - 2 * 86_400) * 1000;
    let body = samples::messenger(
        PAGE_ID,
        vec![samples::messenger_text(
            PAGE_ID,
            psid,
            "mid.customer.1",
            two_days_ago,
            "hello, world!",
        )],
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
    let conversation = world
        .ws
        .list_conversations(&world.admin, &all(), Timestamp::now())?
        .rows[0]
        .id;
    // Messenger gives only the PSID; the name comes from the profile API.
    let ws = world.ws.clone();
    eventually(10, || {
        (query_text(&ws, "SELECT display_name FROM contacts") == "Ada Lovelace").then_some(())
    })
    .await?;
    let found = world
        .ws
        .search(&world.admin, "Lovelace", Timestamp::now())?;
    assert_eq!(found.len(), 1, "the name is searchable");
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    let window = view.window.ok_or("messenger has a window")?;
    assert!(window.open && window.tagged, "{window:?}");
    let reply = world.ws.reply(
        &world.admin,
        conversation,
        "Sorry for the wait!",
        None,
        Timestamp::now(),
    )?;
    let fake = &world.fake;
    eventually(10, || {
        (fake.requests_to("/messages").len() == 1).then_some(())
    })
    .await?;
    let sent = &fake.requests_to("/messages")[0];
    assert_eq!(sent.path, format!("/v23.0/{PAGE_ID}/messages"));
    assert_eq!(
        sent.authorization.as_deref(),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        sent.body,
        json!({"recipient": {"id": psid}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
               "message": {"text": "Sorry for the wait!", "metadata": format!("appcare:{}", reply.id)}})
    );
    let ws = world.ws.clone();
    eventually(10, || {
        (query_text(
            &ws,
            &format!("SELECT status FROM messages WHERE id = {}", reply.id),
        ) == "sent")
            .then_some(())
    })
    .await?;
    let mid = query_text(
        &world.ws,
        &format!("SELECT external_id FROM messages WHERE id = {}", reply.id),
    );
    let now_ms = Timestamp::now().unix() * 1000 + 1000;
    // The echo of our own send adds nothing; an echo sent from the Page Inbox is shown.
    let items = vec![
        json!({"sender": {"id": PAGE_ID}, "recipient": {"id": psid}, "timestamp": now_ms,
               "message": {"mid": mid, "is_echo": true, "app_id": 1517776481860111_i64, "metadata": format!("appcare:{}", reply.id), "text": "Sorry for the wait!"}}),
        json!({"sender": {"id": PAGE_ID}, "recipient": {"id": psid}, "timestamp": now_ms,
               "message": {"mid": "mid.page.inbox.1", "is_echo": true, "app_id": 263902037430900_i64, "text": "Sent from the Page Inbox"}}),
        json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms, "delivery": {"mids": [mid], "watermark": now_ms}}),
        json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms, "read": {"watermark": now_ms}}),
    ];
    assert_eq!(
        deliver_signed(&http, &url, APP_SECRET, &samples::messenger(PAGE_ID, items)).await,
        200
    );
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE direction = 'out'"
        ),
        2,
        "own echo not doubled; Page Inbox echo shown"
    );
    assert_eq!(
        query_text(
            &world.ws,
            &format!("SELECT status FROM messages WHERE id = {}", reply.id)
        ),
        "read"
    );

    // A bot passes the thread: into the queue with the bot's note; resolving hands it back.
    let handover = json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms + 10,
        "pass_thread_control": {"previous_owner_app_id": "1517776481860111", "new_owner_app_id": "263902037430900", "metadata": "Customer asked for a human about order 7"}});
    for _ in 0..2 {
        assert_eq!(
            deliver_signed(
                &http,
                &url,
                APP_SECRET,
                &samples::messenger(PAGE_ID, vec![handover.clone()])
            )
            .await,
            200
        );
    }
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    assert!(view.summary.assignee_id.is_none(), "back in the queue");
    let note = view.handoff.ok_or("handover note")?;
    assert!(
        note.body
            .contains("Customer asked for a human about order 7"),
        "{}",
        note.body
    );
    assert_eq!(
        view.notes
            .iter()
            .filter(|n| n.body.contains("order 7"))
            .count(),
        1,
        "a repeated handover is stored once"
    );
    world.ws.set_status(
        &world.admin,
        appcare_core::service::handoff::Versioned {
            id: conversation,
            version: view.summary.version,
        },
        appcare_core::service::inbox::ConversationStatus::Resolved,
        None,
        Timestamp::now(),
    )?;
    eventually(10, || {
        (fake.requests_to("/pass_thread_control").len() == 1).then_some(())
    })
    .await?;
    let pass = &fake.requests_to("/pass_thread_control")[0];
    assert_eq!(pass.body["recipient"]["id"], json!(psid));
    assert_eq!(pass.body["target_app_id"], json!(1517776481860111_u64));

    // Issue 21 item 7: the bot takes the thread back, then asks for it; each is noted in
    // the customer's latest conversation (resolved, not reopened), once.
    for control in [
        json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms + 20,
               "take_thread_control": {"previous_owner_app_id": "263902037430900", "new_owner_app_id": "1517776481860111", "metadata": "bot resumes"}}),
        json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms + 30,
               "request_thread_control": {"requested_owner_app_id": "1517776481860111", "metadata": "bot wants it"}}),
    ] {
        for _ in 0..2 {
            let body = samples::messenger(PAGE_ID, vec![control.clone()]);
            assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
        }
    }
    let notes = |ws: &appcare_core::Workspace| -> TestResult<Vec<String>> {
        Ok(ws
            .open_conversation(&world.admin, conversation, None, Timestamp::now())?
            .notes
            .into_iter()
            .map(|n| n.body)
            .collect())
    };
    let shown = notes(&world.ws)?;
    assert_eq!(
        shown
            .iter()
            .filter(
                |n| n.contains("took this conversation from the team") && n.contains("bot resumes")
            )
            .count(),
        1,
        "{shown:?}"
    );
    assert_eq!(
        shown
            .iter()
            .filter(|n| n.contains("asks for this conversation") && n.contains("bot wants it"))
            .count(),
        1,
        "{shown:?}"
    );
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    assert_eq!(
        view.summary.status,
        appcare_core::service::inbox::ConversationStatus::Resolved,
        "not reopened"
    );

    // The agent takes the thread (Meta agrees: noted), then asks for it when Meta refuses
    // a take (not the primary receiver: noted with Meta's words).
    use appcare_core::service::thread_control::ThreadAction;
    world.ws.thread_control(
        &world.admin,
        conversation,
        ThreadAction::Take,
        Timestamp::now(),
    )?;
    let ws = world.ws.clone();
    eventually(10, || {
        notes(&ws)
            .ok()?
            .iter()
            .any(|n| n == "The team took this conversation from the bot.")
            .then_some(())
    })
    .await?;
    let take = &fake.requests_to("/take_thread_control")[0];
    assert_eq!(take.body["recipient"], json!({"id": psid}));
    fake.fail_thread_control(
        400,
        json!({"error": {"message": "(#10) Only the primary receiver can take thread control", "type": "OAuthException", "code": 10, "fbtrace_id": "A2"}}),
    );
    world.ws.thread_control(
        &world.admin,
        conversation,
        ThreadAction::Take,
        Timestamp::now(),
    )?;
    eventually(10, || {
        notes(&ws)
            .ok()?
            .iter()
            .any(|n| {
                n.starts_with("Meta did not let the team take this conversation")
                    && n.contains("primary receiver")
            })
            .then_some(())
    })
    .await?;
    world.ws.thread_control(
        &world.admin,
        conversation,
        ThreadAction::Request,
        Timestamp::now(),
    )?;
    eventually(10, || {
        (fake.requests_to("/request_thread_control").len() == 1).then_some(())
    })
    .await?;
    // Not on WhatsApp.
    let whatsapp = customer_conversation_on_whatsapp(&world, &http, &base).await?;
    assert!(world
        .ws
        .thread_control(&world.admin, whatsapp, ThreadAction::Take, Timestamp::now())
        .is_err());
    runtime.stop().await;
    Ok(())
}

/// A WhatsApp customer writes; their conversation.
async fn customer_conversation_on_whatsapp(
    world: &ChannelWorld,
    http: &reqwest::Client,
    base: &str,
) -> TestResult<appcare_core::ConversationId> {
    let ts = Timestamp::now().unix();
    let body = samples::whatsapp_text(PHONE_ID, "16505550000", "Wanda", "wamid.tc.1", ts, "Hi");
    let url = format!("{base}/webhooks/whatsapp");
    assert_eq!(deliver_signed(http, &url, APP_SECRET, &body).await, 200);
    Ok(appcare_core::ConversationId::new(query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'wamid.tc.1'",
    )))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_webhooks_is_polled_through_the_conversations_api() -> TestResult {
    let world = world("US", (false, true)).await?;
    world.fake.set_conversation_pages(vec![json!({"data": [{
        "id": "t_100", "updated_time": "2026-11-24T10:00:00+0000",
        "messages": {"data": [
            {"id": "m_poll_2", "created_time": "2026-11-24T10:00:00+0000", "from": {"id": PAGE_ID, "name": "Shop"},
             "to": {"data": [{"id": "999111", "name": "Ada Lovelace"}]}, "message": "We open at 9."},
            {"id": "m_poll_1", "created_time": "2026-11-24T09:59:00+0000", "from": {"id": "999111", "name": "Ada Lovelace"},
             "to": {"data": [{"id": PAGE_ID, "name": "Shop"}]}, "message": "When do you open?"}
        ]}
    }]}),
        // A second page, reached through `paging.next`.
        json!({"data": [{
            "id": "t_101", "updated_time": "2026-11-24T09:00:00+0000",
            "messages": {"data": [
                {"id": "m_poll_3", "created_time": "2026-11-24T09:00:00+0000", "from": {"id": "999222", "name": "Grace Hopper"},
                 "to": {"data": [{"id": PAGE_ID, "name": "Shop"}]}, "message": "Is the shop open on Sunday?"}
            ]}
        }]}),
    ]);
    let runtime = start_runtime(world.ws.clone())?;
    let ws = world.ws.clone();
    eventually(10, || {
        (query_i64(
            &ws,
            "SELECT count(*) FROM messages WHERE external_id = 'm_poll_1'",
        ) == 1)
            .then_some(())
    })
    .await?;
    eventually(10, || {
        (query_i64(
            &ws,
            "SELECT count(*) FROM messages WHERE external_id = 'm_poll_2'",
        ) == 1)
            .then_some(())
    })
    .await?;
    // Later polls see the same conversation again and store nothing twice.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    eventually(10, || {
        (query_i64(
            &ws,
            "SELECT count(*) FROM messages WHERE external_id = 'm_poll_3'",
        ) == 1)
            .then_some(())
    })
    .await?;
    assert_eq!(query_i64(&world.ws, "SELECT count(*) FROM messages"), 3);
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM contacts WHERE display_name IN ('Ada Lovelace', 'Grace Hopper')"
        ),
        2,
        "names come from the Conversations API"
    );
    assert!(
        world.fake.requests_to("/conversations").len() >= 2,
        "polled more than once"
    );
    // Ada asks to be erased; the next polls see her conversation again: nothing of it
    // comes back.
    let ada = world
        .ws
        .find_contacts(&world.admin, "999111", Timestamp::now())?[0]
        .id;
    world
        .ws
        .erase_contact(&world.admin, ada, Timestamp::now())?;
    let polls = world.fake.requests_to("/conversations").len();
    let fake = &world.fake;
    eventually(10, || {
        (fake.requests_to("/conversations").len() >= polls + 2).then_some(())
    })
    .await?;
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM messages WHERE external_id IN ('m_poll_1', 'm_poll_2')"
        ),
        0,
        "an erased conversation is not polled back"
    );
    assert!(world
        .ws
        .find_contacts(&world.admin, "999111", Timestamp::now())?
        .is_empty());
    runtime.stop().await;
    Ok(())
}

/// Meta delivers a WhatsApp webhook again after the customer was erased: it is
/// answered 200 (Meta must stop retrying) and nothing of it is stored again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_customer_does_not_come_back_when_meta_delivers_again() -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/whatsapp");
    let http = reqwest::Client::new();
    let body = samples::whatsapp_text(
        PHONE_ID,
        "16505550199",
        "Erin Erased",
        "wamid.erased.1",
        Timestamp::now().unix(),
        "please forget me",
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
    assert_eq!(messages_stored(&world), 1);
    let erin = world
        .ws
        .find_contacts(&world.admin, "16505550199", Timestamp::now())?[0]
        .id;
    world
        .ws
        .erase_contact(&world.admin, erin, Timestamp::now())?;
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
    assert_eq!(messages_stored(&world), 0, "the re-delivery is not stored");
    assert!(world
        .ws
        .find_contacts(&world.admin, "16505550199", Timestamp::now())?
        .is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_in_country_storage_is_set_for_the_region_and_read_back() -> TestResult {
    let world = world("DE", (false, false)).await?;
    world.fake.add_template(
        "order_update",
        "en_US",
        "Hello {{1}}, your order {{2}} is on its way.",
    );
    let runtime = start_runtime(world.ws.clone())?;
    let ws = world.ws.clone();
    let admin = world.admin.clone();
    let view = eventually(10, || {
        ws.list_channels(&admin, Timestamp::now())
            .ok()?
            .into_iter()
            .find(|c| {
                c.kind == "whatsapp"
                    && c.local_storage
                        .as_ref()
                        .is_some_and(|l| l.status == "IN_COUNTRY_STORAGE_ENABLED")
            })
    })
    .await?;
    assert_eq!(
        view.local_storage.and_then(|l| l.region).as_deref(),
        Some("DE")
    );
    let set = world
        .fake
        .requests_to("/settings")
        .into_iter()
        .find(|r| r.method == "POST")
        .ok_or("no settings call")?;
    assert_eq!(set.path, format!("/v23.0/{PHONE_ID}/settings"));
    assert_eq!(
        set.body,
        json!({"storage_configuration": {"status": "IN_COUNTRY_STORAGE_ENABLED", "data_localization_region": "DE"}})
    );
    eventually(10, || {
        ws.list_channels(&admin, Timestamp::now())
            .ok()?
            .into_iter()
            .find(|c| c.templates == 1)
    })
    .await?;
    // Secrets never come back: only a hint.
    let listed = serde_json::to_string(&world.ws.list_channels(&world.admin, Timestamp::now())?)?;
    assert!(
        !listed.contains(ACCESS_TOKEN)
            && !listed.contains(APP_SECRET)
            && !listed.contains(VERIFY_TOKEN),
        "{listed}"
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_account_is_refused_and_changes_nothing() -> TestResult {
    let world = world("US", (false, false)).await?;
    let before = query_i64(&world.ws, "SELECT count(*) FROM channel_accounts");
    let bad = NewChannelAccount {
        kind: "whatsapp".into(),
        name: "Another".into(),
        external_id: "12ab".into(),
        business_account_id: None,
        access_token: ACCESS_TOKEN.into(),
        app_secret: APP_SECRET.into(),
        verify_token: VERIFY_TOKEN.into(),
        default_team: None,
        human_agent: false,
        poll: false,
        graph_base_url: Some("http://example.com".into()),
        api_version: None,
    };
    let err = world
        .ws
        .add_channel_account(&world.admin, &bad, Timestamp::now())
        .err()
        .ok_or("accepted")?;
    assert!(err.to_string().contains("phone number id"), "{err}");
    assert!(!format!("{err} {err:?} {bad:?}").contains(ACCESS_TOKEN));
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM channel_accounts"),
        before
    );
    Ok(())
}

/// Issue 18, finding 8: the webhook receiver reads only so many large bodies at once
/// (Meta's are small); one more is answered 503 with Retry-After before it is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_webhook_bodies_beyond_the_limit_are_refused_unread() -> TestResult {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let world = world("US", (false, false)).await?;
    let base = start_receiver(
        world.ws.clone(),
        WebhookOptions {
            concurrent_large_bodies: 1,
            ..WebhookOptions::default()
        },
    )
    .await?;
    let address = base.trim_start_matches("http://").to_owned();
    let head = "POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n";
    // The first: a quarter of its body sent, the rest held back.
    let mut first = tokio::net::TcpStream::connect(&address).await?;
    first.write_all(head.as_bytes()).await?;
    first.write_all(&vec![b' '; 256 * 1024]).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // The second is refused at once.
    let mut second = tokio::net::TcpStream::connect(&address).await?;
    second.write_all(head.as_bytes()).await?;
    let mut answer = vec![0u8; 4096];
    let read =
        tokio::time::timeout(std::time::Duration::from_secs(5), second.read(&mut answer)).await??;
    let answer = String::from_utf8_lossy(&answer[..read]).to_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 5"), "{answer}");
    drop(first);
    Ok(())
}

/// Meta's envelope (channels.md §2.1) around a `value` of field `field`.
fn whatsapp_change(field: &str, value: serde_json::Value) -> serde_json::Value {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": samples::DISPLAY_NUMBER, "phone_number_id": PHONE_ID});
    json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID,
        "changes": [{"value": value, "field": field}]}]})
}

fn set_aside_rows(world: &ChannelWorld) -> i64 {
    query_i64(&world.ws, "SELECT count(*) FROM webhook_set_aside")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whatsapp_username_without_a_phone_is_stored_linked_to_one_contact_and_answered_by_user_id(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/whatsapp");
    let http = reqwest::Client::new();
    let ts = Timestamp::now().unix().to_string();
    let bsuid = "US.13491208655302741918";
    // A user with a username: Meta withholds the phone number (no `from`, no `wa_id`).
    let only_id = whatsapp_change(
        "messages",
        json!({"contacts": [{"profile": {"name": "Sheena Nelson", "username": "@sheena"}, "user_id": bsuid}],
               "messages": [{"from_user_id": bsuid, "id": "wamid.bsuid.1", "timestamp": ts,
                             "type": "text", "text": {"body": "Does it come in another color?"}}]}),
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &only_id).await, 200);
    assert_eq!(
        query_text(
            &world.ws,
            "SELECT body FROM messages WHERE external_id = 'wamid.bsuid.1'"
        ),
        "Does it come in another color?",
        "a message without `from` is stored"
    );
    // Later the same person writes with both: one contact, both addresses, one thread.
    let both = whatsapp_change(
        "messages",
        json!({"contacts": [{"profile": {"name": "Sheena Nelson", "username": "@sheena"}, "wa_id": "16505551234", "user_id": bsuid}],
               "messages": [{"from": "16505551234", "from_user_id": bsuid, "id": "wamid.bsuid.2", "timestamp": ts,
                             "type": "text", "text": {"body": "And in blue?"}}]}),
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &both).await, 200);
    assert_eq!(query_i64(&world.ws, "SELECT count(*) FROM contacts"), 1);
    assert_eq!(
        query_text(
            &world.ws,
            "SELECT group_concat(external_id, ' ') FROM (SELECT external_id FROM contact_identities ORDER BY external_id)"
        ),
        format!("16505551234 {bsuid}")
    );
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1
    );

    // Another customer known only by a business-scoped id is answered through
    // `recipient`, not `to` (Meta: `to` is a phone number).
    let other = "BR.1502576394655843";
    let only_other = whatsapp_change(
        "messages",
        json!({"contacts": [{"profile": {"name": "Ana", "username": "@ana"}, "user_id": other}],
               "messages": [{"from_user_id": other, "id": "wamid.bsuid.3", "timestamp": ts,
                             "type": "text", "text": {"body": "Olá"}}]}),
    );
    assert_eq!(
        deliver_signed(&http, &url, APP_SECRET, &only_other).await,
        200
    );
    let conversation: i64 = query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'wamid.bsuid.3'",
    );
    let runtime = start_runtime(world.ws.clone())?;
    world.ws.reply(
        &world.admin,
        appcare_core::ConversationId::new(conversation),
        "Oi Ana",
        None,
        Timestamp::now(),
    )?;
    let fake = &world.fake;
    eventually(10, || {
        (fake.requests_to("/messages").len() == 1).then_some(())
    })
    .await?;
    let sent = &fake.requests_to("/messages")[0].body;
    assert_eq!(sent["recipient"], json!(other), "{sent}");
    assert!(sent.get("to").is_none(), "{sent}");
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_whatsapp_item_is_stored_as_what_it_is_or_set_aside_and_the_counts_add_up(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/whatsapp");
    let http = reqwest::Client::new();
    let ts = Timestamp::now().unix().to_string();
    let wa = "16505551234";
    let text = json!({"from": wa, "id": "wamid.mix.text", "timestamp": ts, "type": "text", "text": {"body": "Hello"}});
    let items = vec![
        text.clone(),
        // Meta re-sends an item inside the same batch: a true duplicate.
        text,
        json!({"context": {"from": samples::DISPLAY_NUMBER, "id": "wamid.flow"}, "from": wa, "id": "wamid.mix.flow",
               "timestamp": ts, "type": "interactive", "interactive": {"type": "nfm_reply", "nfm_reply": {
                   "response_json": "{\"comment_text\":\"Comment Text\",\"delivery_rating\":\"4\",\"flow_token\":\"AQAAAAACS5FpgQ_cAAAAAD0QI3s.\"}",
                   "body": "Sent", "name": "flow"}}}),
        json!({"from": wa, "id": "wamid.mix.order", "timestamp": ts, "type": "order", "order": {
                   "catalog_id": "1537436166965893", "text": "please gift wrap",
                   "product_items": [{"product_retailer_id": "SKU-RED-1", "quantity": 2, "item_price": 12.5, "currency": "USD"}]}}),
        json!({"from": wa, "id": "wamid.mix.edit", "timestamp": ts, "type": "edit", "edit": {
                   "original_message_id": "wamid.mix.text", "message": {"type": "text", "text": {"body": "Hello again"}}}}),
        json!({"from": wa, "id": "wamid.mix.call", "timestamp": ts, "type": "interactive", "interactive": {
                   "type": "call_permission_reply", "call_permission_reply": {"response": "accept", "is_permanent": false,
                   "expiration_timestamp": 1_900_000_000_i64, "response_source": "user_action"}}}),
        json!({"from": wa, "id": "wamid.mix.unsupported", "timestamp": ts, "type": "unsupported", "errors": [{
                   "code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                   "error_data": {"details": "Message type is currently not supported."}}]}),
        // Shown as what they are (issue 21 item 3), Meta's documented shapes.
        json!({"from": wa, "id": "wamid.mix.place", "timestamp": ts, "type": "location", "location": {
                   "latitude": 37.483307, "longitude": -122.148981, "name": "Pablo Morales",
                   "address": "1 Hacker Way, Menlo Park, CA 94025"}}),
        json!({"from": wa, "id": "wamid.mix.card", "timestamp": ts, "type": "contacts", "contacts": [{
                   "name": {"first_name": "Barbara", "formatted_name": "Barbara J. Johnson"},
                   "phones": [{"phone": "+1 (415) 555-0123", "wa_id": "14155550123", "type": "MOBILE"}],
                   "emails": [{"email": "bjohnson@example.com", "type": "HOME"}]}]}),
        json!({"from": wa, "id": "wamid.mix.sticker", "timestamp": ts, "type": "sticker", "sticker": {
                   "mime_type": "image/webp", "sha256": "2ekBjmN6LCx5jRCHJkgGRqkyk6sT2eOeR6HnE4dFqfo=",
                   "id": "1003383421387256", "animated": false}}),
        json!({"context": {"from": samples::DISPLAY_NUMBER, "id": "wamid.offer"}, "from": wa, "id": "wamid.mix.row",
               "timestamp": ts, "type": "interactive", "interactive": {"type": "list_reply", "list_reply": {
                   "id": "slot-2", "title": "Tuesday morning", "description": "9:00–12:00"}}}),
        // A type this app does not know: stored with its type and payload, never dropped.
        json!({"from": wa, "id": "wamid.mix.new", "timestamp": ts, "type": "hologram", "hologram": {"id": "h1"}}),
        // Not understood: kept for an admin with the raw item.
        json!({"from": wa, "id": "wamid.mix.group", "group_id": "120363025246125486@g.us", "timestamp": ts,
               "type": "text", "text": {"body": "hi group"}}),
        json!({"from": wa, "id": "wamid.mix.button", "timestamp": ts, "type": "interactive",
               "errors": [{"code": 131000, "title": "Something went wrong"}],
               "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}}),
    ];
    let offered = items.len() as i64;
    let batch = whatsapp_change(
        "messages",
        json!({"contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": wa}], "messages": items}),
    );
    // Parsed and applied as the receiver does, to read the batch's counts.
    let accounts = [appcare_channels::parse::WebhookAccount {
        id: world.whatsapp,
        external_id: PHONE_ID.into(),
    }];
    let applied = world.ws.delivery().apply(
        &appcare_channels::whatsapp::parse_webhook(&batch, &accounts),
        Timestamp::now(),
    )?;
    assert_eq!(
        (
            applied.messages,
            applied.set_aside,
            applied.duplicates,
            applied.ignored
        ),
        (11, 2, 1, 0),
        "{applied:?}"
    );
    let stored = messages_stored(&world);
    let aside = set_aside_rows(&world);
    assert_eq!((stored, aside), (11, 2), "stored, set aside");
    assert_eq!(
        stored + aside + 1,
        offered,
        "offered = stored + set aside + duplicates"
    );
    // An admin sees what was set aside (only admins: see the entry-point tests).
    let listed = world
        .ws
        .set_aside_webhooks(&world.admin, world.whatsapp, Timestamp::now())?;
    assert_eq!(listed.len(), 2);
    assert!(listed
        .iter()
        .all(|r| r.channel == "whatsapp" && !r.raw.is_empty()));
    let body_of = |id: &str| {
        query_text(
            &world.ws,
            &format!("SELECT body FROM messages WHERE external_id = '{id}'"),
        )
    };
    assert_eq!(
        body_of("wamid.mix.flow"),
        "Answered a form:\nComment text: Comment Text\nDelivery rating: 4"
    );
    assert_eq!(
        body_of("wamid.mix.order"),
        "Placed an order:\n- 2 × SKU-RED-1 at 12.5 USD\nNote: please gift wrap"
    );
    assert_eq!(body_of("wamid.mix.edit"), "(edited a message) Hello again");
    assert_eq!(
        body_of("wamid.mix.call"),
        "Answered the request to call: allowed"
    );
    assert!(body_of("wamid.mix.unsupported").contains("131051 Message type unknown"));
    let reasons = query_text(
        &world.ws,
        "SELECT group_concat(reason, ' | ') FROM (SELECT reason FROM webhook_set_aside ORDER BY id)",
    );
    assert!(reasons.contains("group"), "{reasons}");
    assert!(reasons.contains("131000"), "{reasons}");
    assert!(
        query_text(
            &world.ws,
            "SELECT raw FROM webhook_set_aside WHERE reason LIKE '%group%'"
        )
        .contains("hi group"),
        "the raw item is kept"
    );
    // What the agent's window gets: each message with its structured part.
    let conversation = appcare_core::ConversationId::new(query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'wamid.mix.place'",
    ));
    let view = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    let content_of = |id: &str| {
        let body = body_of(id);
        view.messages
            .iter()
            .find(|m| m.body == body)
            .and_then(|m| m.content.clone())
            .map(|c| serde_json::to_value(c).unwrap_or_default())
    };
    assert_eq!(
        content_of("wamid.mix.place"),
        Some(
            json!({"kind": "location", "latitude": "37.483307", "longitude": "-122.148981",
                    "name": "Pablo Morales", "address": "1 Hacker Way, Menlo Park, CA 94025"})
        )
    );
    let card = content_of("wamid.mix.card").ok_or("no card")?;
    assert_eq!(card["cards"][0]["phones"][0]["wa_id"], "14155550123");
    assert_eq!(
        card["cards"][0]["emails"][0]["email"],
        "bjohnson@example.com"
    );
    assert_eq!(
        content_of("wamid.mix.sticker"),
        Some(json!({"kind": "sticker", "animated": false}))
    );
    assert_eq!(
        content_of("wamid.mix.row"),
        Some(json!({"kind": "choice", "title": "Tuesday morning", "description": "9:00–12:00"}))
    );
    let order = content_of("wamid.mix.order").ok_or("no order")?;
    assert_eq!(order["items"][0]["product"], "SKU-RED-1");
    assert_eq!(order["items"][0]["quantity"], 2);
    let unknown = content_of("wamid.mix.new").ok_or("the unknown type is not kept")?;
    assert_eq!(unknown["message_type"], "hologram");
    assert!(unknown["raw"].as_str().unwrap_or_default().contains("h1"));
    assert!(content_of("wamid.mix.flow").is_none());

    // The same batch again: nothing new anywhere.
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &batch).await, 200);
    assert_eq!(
        (messages_stored(&world), set_aside_rows(&world)),
        (stored, aside)
    );

    // The customer changed number (no `contacts` in a system message): linked.
    let system = whatsapp_change(
        "messages",
        json!({"messages": [{"from": wa, "id": "wamid.mix.system", "timestamp": ts, "type": "system", "system": {
            "body": "User Sheena Nelson changed from 16505551234 to 12195555358",
            "wa_id": "12195555358", "type": "user_changed_number"}}]}),
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &system).await, 200);
    assert_eq!(query_i64(&world.ws, "SELECT count(*) FROM contacts"), 1);
    assert_eq!(
        query_i64(
            &world.ws,
            "SELECT count(*) FROM contact_identities WHERE external_id = '12195555358'"
        ),
        1
    );
    assert!(query_text(&world.ws, "SELECT group_concat(body) FROM notes").contains("12195555358"));
    let from_new = samples::whatsapp_text(
        PHONE_ID,
        "12195555358",
        "Sheena Nelson",
        "wamid.mix.new-number",
        Timestamp::now().unix(),
        "It's me",
    );
    assert_eq!(
        deliver_signed(&http, &url, APP_SECRET, &from_new).await,
        200
    );
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1,
        "same thread"
    );

    // Messages sent from the WhatsApp Business app on this number: outbound.
    let echo = whatsapp_change(
        "smb_message_echoes",
        json!({"message_echoes": [{"from": samples::DISPLAY_NUMBER, "to": "12195555358", "id": "wamid.mix.echo",
            "timestamp": ts, "type": "text", "text": {"body": "Sent from the phone app"}}]}),
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &echo).await, 200);
    assert_eq!(
        query_text(
            &world.ws,
            "SELECT direction || ':' || body FROM messages WHERE external_id = 'wamid.mix.echo'"
        ),
        "out:Sent from the phone app"
    );
    // A field this app does not read, for a connected number: set aside, not dropped.
    let calls = whatsapp_change(
        "calls",
        json!({"calls": [{"id": "wacid.1", "from": wa, "to": samples::DISPLAY_NUMBER, "event": "connect", "timestamp": ts}]}),
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &calls).await, 200);
    assert_eq!(set_aside_rows(&world), aside + 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messenger_taps_in_one_second_stay_distinct_and_unknown_events_are_set_aside() -> TestResult
{
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let url = format!("{base}/webhooks/messenger");
    let http = reqwest::Client::new();
    let psid = "6900112233445566";
    let ms = Timestamp::now().unix() * 1000;
    let tap = |at: i64, payload: &str| {
        json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": at,
               "postback": {"title": "Track my order", "payload": payload}})
    };
    let batch = samples::messenger(
        PAGE_ID,
        vec![
            tap(ms + 100, "TRACK"),
            tap(ms + 400, "TRACK"),
            tap(ms + 400, "CANCEL"),
            json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ms + 500,
                   "optin": {"type": "notification_messages", "payload": "ADDITIONAL-INFORMATION",
                             "notification_messages_token": "d1YtZ2hkMzNvRzZWYUk1OU1fRndZR0E4Z2JGN2hTQ2VlX0RSMnFrN3F5SXcyS2J0T0lYVkJ3", "token_expiry_timestamp": 1_709_000_000_000_i64}}),
        ],
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &batch).await, 200);
    assert_eq!(messages_stored(&world), 3, "three taps, three messages");
    assert_eq!(set_aside_rows(&world), 1, "the opt-in is kept for an admin");
    // Meta delivers the same events again: nothing new.
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &batch).await, 200);
    assert_eq!((messages_stored(&world), set_aside_rows(&world)), (3, 1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_id_in_two_accounts_is_two_messages() -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    let wa = samples::whatsapp_text(
        PHONE_ID,
        "16505551234",
        "Sheena Nelson",
        "m_shared.1",
        now,
        "On WhatsApp",
    );
    let fb = samples::messenger(
        PAGE_ID,
        vec![samples::messenger_text(
            PAGE_ID,
            "6900112233445566",
            "m_shared.1",
            now * 1000,
            "On Messenger",
        )],
    );
    let wa_url = format!("{base}/webhooks/whatsapp");
    let fb_url = format!("{base}/webhooks/messenger");
    assert_eq!(deliver_signed(&http, &wa_url, APP_SECRET, &wa).await, 200);
    assert_eq!(deliver_signed(&http, &fb_url, APP_SECRET, &fb).await, 200);
    assert_eq!(
        query_text(
            &world.ws,
            "SELECT group_concat(body, ' / ') FROM (SELECT body FROM messages ORDER BY id)"
        ),
        "On WhatsApp / On Messenger"
    );
    // Each delivered again is a duplicate in its own account.
    assert_eq!(deliver_signed(&http, &wa_url, APP_SECRET, &wa).await, 200);
    assert_eq!(deliver_signed(&http, &fb_url, APP_SECRET, &fb).await, 200);
    assert_eq!(messages_stored(&world), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_app_secret_stops_the_old_one_at_once_and_secrets_are_never_shown() -> TestResult
{
    let world = world("US", (false, false)).await?;
    let url = format!(
        "{}/webhooks/whatsapp",
        start_receiver(world.ws.clone(), WebhookOptions::default()).await?
    );
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    let event = |id: &str| {
        ascii_json(&samples::whatsapp_text(
            PHONE_ID,
            "16505551234",
            "Sheena Nelson",
            id,
            now,
            "Hello",
        ))
    };
    // The receiver has read the accounts (and cached them) before the rotation.
    let first = event("wamid.rot.1");
    let signed = signature(APP_SECRET, &first);
    assert_eq!(
        deliver(&http, &url, first.clone(), Some(&signed)).await,
        200
    );

    const NEW_SECRET: &str = "rotated-app-secret-9876543210";
    let view = world.ws.rotate_channel_secrets(
        &world.admin,
        world.whatsapp,
        &appcare_core::channel::account::SecretRotation {
            access_token: String::new(),
            app_secret: NEW_SECRET.into(),
            verify_token: String::new(),
        },
        Timestamp::now(),
    )?;
    assert!(!serde_json::to_string(&view)?.contains(NEW_SECRET));
    let second = event("wamid.rot.2");
    let old = signature(APP_SECRET, &second);
    assert_eq!(
        deliver(&http, &url, second.clone(), Some(&old)).await,
        401,
        "the old secret, at once"
    );
    let new = signature(NEW_SECRET, &second);
    assert_eq!(deliver(&http, &url, second.clone(), Some(&new)).await, 200);
    assert_eq!(messages_stored(&world), 2);
    // The access token stayed; an empty rotation and a short secret are refused at a field.
    assert_eq!(
        world
            .ws
            .delivery()
            .endpoints()?
            .iter()
            .find(|e| e.id == world.whatsapp)
            .map(|e| e.secrets.access_token.expose().to_string())
            .unwrap_or_default(),
        ACCESS_TOKEN
    );
    for (rotation, field) in [
        (("", "", ""), "access token"),
        (("", "short", ""), "app secret"),
    ] {
        let refused = world.ws.rotate_channel_secrets(
            &world.admin,
            world.whatsapp,
            &appcare_core::channel::account::SecretRotation {
                access_token: rotation.0.into(),
                app_secret: rotation.1.into(),
                verify_token: rotation.2.into(),
            },
            Timestamp::now(),
        );
        match refused {
            Err(appcare_core::CoreError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected a field error, got {:?}", other.map(|_| ())),
        }
    }
    Ok(())
}
