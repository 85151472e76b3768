//! Reactions and quoted replies from Meta's webhooks (issue 21, items 1 and 2): a
//! customer's 👍 on a resolved conversation attaches to the message it names and creates,
//! reopens and marks unread nothing; changed, then taken back; a re-delivery is a
//! duplicate; a reaction to a message not stored here is set aside, and the counts add
//! up; it is in the customer's export and goes with their erasure. A reply that quotes
//! one of our own messages (sent from the WhatsApp Business app) or the customer's shows
//! the quote; a quote of a message not here says so. Messenger's `reaction` (named,
//! without emoji) and `reply_to.mid` alike. Agents react (both channels, as Meta
//! documents the calls) and answer one message, which Meta is asked to quote. Read
//! receipts and the typing indicator (issue 21 item 6): off until an admin turns them on
//! for the account (audited), then one call per new customer message however often the
//! conversation is opened, one typing call per burst, nothing to do-not-contact, and
//! Messenger's `mark_seen` / `typing_on`.
//!
//! Real parts: the webhook receiver over loopback HTTP, SQLCipher. Payloads shaped like
//! Meta's documented examples (Cloud API `reaction` and `context`; Messenger
//! `message_reactions` and `reply_to`).

use appcare_channels::WebhookOptions;
use appcare_core::service::handoff::Versioned;
use appcare_core::service::inbox::{ConversationStatus, MessageView};
use appcare_core::{ConversationId, Timestamp};
use appcare_tests::channel_setup::*;
use appcare_tests::meta::{deliver_signed, samples};
use appcare_tests::TestResult;
use serde_json::json;

const WA: &str = "16505551234";

fn reaction(id: &str, target: &str, emoji: &str, ts: &str) -> serde_json::Value {
    let mut r = json!({"message_id": target});
    if !emoji.is_empty() {
        r["emoji"] = json!(emoji);
    }
    json!({"from": WA, "id": id, "timestamp": ts, "type": "reaction", "reaction": r})
}

fn message_of(world: &ChannelWorld, conversation: ConversationId, external: &str) -> MessageView {
    let id = query_i64(
        &world.ws,
        &format!("SELECT id FROM messages WHERE external_id = '{external}'"),
    );
    world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())
        .expect("open")
        .messages
        .into_iter()
        .find(|m| m.id.get() == id)
        .expect("the message is on the page")
}

fn emojis(m: &MessageView) -> Vec<(String, bool)> {
    m.reactions
        .iter()
        .map(|r| (r.emoji.clone(), r.by_customer))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_attaches_to_its_message_and_opens_nothing_even_on_a_resolved_conversation(
) -> TestResult {
    let world = world("US", (false, false)).await?;
    let url = format!(
        "{}/webhooks/whatsapp",
        start_receiver(world.ws.clone(), WebhookOptions::default()).await?
    );
    let http = reqwest::Client::new();
    let ts = Timestamp::now().unix().to_string();
    let hello = samples::whatsapp_text(
        PHONE_ID,
        WA,
        "Sheena Nelson",
        "wamid.r.1",
        Timestamp::now().unix(),
        "Thanks, all good!",
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &hello).await, 200);
    let conversation = ConversationId::new(query_i64(&world.ws, "SELECT id FROM conversations"));
    let opened = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?;
    world.ws.set_status(
        &world.admin,
        Versioned {
            id: conversation,
            version: opened.summary.version,
        },
        ConversationStatus::Resolved,
        None,
        Timestamp::now(),
    )?;
    let before = (
        query_i64(&world.ws, "SELECT count(*) FROM messages"),
        query_text(&world.ws, "SELECT status FROM conversations"),
    );

    let send =
        |item: serde_json::Value| samples::whatsapp_message(PHONE_ID, WA, "Sheena Nelson", item);
    assert_eq!(
        deliver_signed(
            &http,
            &url,
            APP_SECRET,
            &send(reaction("wamid.react.1", "wamid.r.1", "👍", &ts))
        )
        .await,
        200
    );
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1,
        "no new conversation"
    );
    assert_eq!(
        (
            query_i64(&world.ws, "SELECT count(*) FROM messages"),
            query_text(&world.ws, "SELECT status FROM conversations"),
        ),
        before,
        "no message stored, the conversation stays resolved"
    );
    assert_eq!(
        query_i64(&world.ws, "SELECT unread_count FROM conversations"),
        0,
        "not unread"
    );
    assert_eq!(
        emojis(&message_of(&world, conversation, "wamid.r.1")),
        [("👍".to_string(), true)]
    );

    // Changed, then the first one delivered again (a duplicate: still the new one), then
    // taken back (no emoji).
    let later = (Timestamp::now().unix() + 1).to_string();
    let changed = send(reaction("wamid.react.2", "wamid.r.1", "❤️", &later));
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &changed).await, 200);
    assert_eq!(
        deliver_signed(
            &http,
            &url,
            APP_SECRET,
            &send(reaction("wamid.react.1", "wamid.r.1", "👍", &ts))
        )
        .await,
        200
    );
    assert_eq!(
        emojis(&message_of(&world, conversation, "wamid.r.1")),
        [("❤️".to_string(), true)]
    );
    let removed = send(reaction("wamid.react.3", "wamid.r.1", "", &later));
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &removed).await, 200);
    assert!(message_of(&world, conversation, "wamid.r.1")
        .reactions
        .is_empty());
    // The ❤️ delivered again (same id, same time as the removal): a duplicate, not back.
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &changed).await, 200);
    // A 👍 Meta delivers late (sent before the removal): the removal stands.
    let late = send(reaction("wamid.react.late", "wamid.r.1", "👍", &ts));
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &late).await, 200);
    assert!(message_of(&world, conversation, "wamid.r.1")
        .reactions
        .is_empty());
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1
    );

    // Counts of one batch: a reaction stored, one to a message not here set aside, one
    // delivered twice.
    let items = vec![
        reaction("wamid.react.4", "wamid.r.1", "😮", &later),
        reaction("wamid.react.4", "wamid.r.1", "😮", &later),
        reaction("wamid.react.5", "wamid.nowhere", "😮", &later),
    ];
    let offered = items.len();
    let batch = samples::whatsapp_message(PHONE_ID, WA, "Sheena Nelson", items[0].clone());
    let mut batch = batch;
    batch["entry"][0]["changes"][0]["value"]["messages"] = json!(items);
    let accounts = [appcare_channels::parse::WebhookAccount {
        id: world.whatsapp,
        external_id: PHONE_ID.into(),
    }];
    let applied = world.ws.delivery().apply(
        &appcare_channels::whatsapp::parse_webhook(&batch, &accounts),
        Timestamp::now(),
    )?;
    assert_eq!(
        (applied.messages, applied.set_aside, applied.duplicates),
        (1, 1, 1),
        "{applied:?}"
    );
    assert_eq!(
        applied.messages + applied.set_aside + applied.duplicates,
        offered
    );
    let aside = world
        .ws
        .set_aside_webhooks(&world.admin, world.whatsapp, Timestamp::now())?;
    assert!(
        aside
            .iter()
            .any(|a| a.reason.contains("reaction to a message not stored here")),
        "the admin sees why"
    );
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM conversations"),
        1
    );

    // The customer's reaction is theirs: in their export, and gone with their erasure.
    let contact = world
        .ws
        .find_contacts(&world.admin, "Sheena", Timestamp::now())?[0]
        .id;
    let out = tempfile::tempdir()?;
    let export =
        world
            .ws
            .export_contact(&world.admin, contact, false, out.path(), Timestamp::now())?;
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        std::path::Path::new(&export.folder).join("contact.json"),
    )?)?;
    assert_eq!(
        doc["conversations"][0]["messages"][0]["reactions"],
        json!([{"emoji": "😮", "by": "customer"}])
    );
    world
        .ws
        .erase_contact(&world.admin, contact, Timestamp::now())?;
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM message_reactions"),
        0
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quoted_reply_shows_what_it_answers_ours_theirs_or_gone() -> TestResult {
    let world = world("US", (false, false)).await?;
    let url = format!(
        "{}/webhooks/whatsapp",
        start_receiver(world.ws.clone(), WebhookOptions::default()).await?
    );
    let http = reqwest::Client::new();
    let now = Timestamp::now().unix();
    let ts = now.to_string();
    let first = samples::whatsapp_text(
        PHONE_ID,
        WA,
        "Sheena Nelson",
        "wamid.q.1",
        now,
        "Is the blue one in stock?",
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &first).await, 200);
    // Our answer, sent from the WhatsApp Business app on the same number.
    let mut echo = samples::whatsapp_message(PHONE_ID, WA, "Sheena Nelson", json!({}));
    let value = &mut echo["entry"][0]["changes"][0];
    value["field"] = json!("smb_message_echoes");
    value["value"] = json!({"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": samples::DISPLAY_NUMBER, "phone_number_id": PHONE_ID},
        "message_echoes": [{"from": samples::DISPLAY_NUMBER, "to": WA, "id": "wamid.ours.1", "timestamp": ts,
                            "type": "text", "text": {"body": "Yes, two left in blue."}}]});
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &echo).await, 200);
    let quoting = |id: &str, quoted: &str, text: &str| {
        samples::whatsapp_message(
            PHONE_ID,
            WA,
            "Sheena Nelson",
            json!({
            "context": {"from": samples::DISPLAY_NUMBER, "id": quoted},
            "from": WA, "id": id, "timestamp": ts, "type": "text", "text": {"body": text}}),
        )
    };
    for body in [
        quoting("wamid.q.2", "wamid.ours.1", "Great, I'll take one"),
        quoting("wamid.q.3", "wamid.q.1", "(my question again)"),
        quoting("wamid.q.4", "wamid.long.gone", "and this?"),
    ] {
        assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
    }
    let conversation = ConversationId::new(query_i64(&world.ws, "SELECT id FROM conversations"));
    let ours = message_of(&world, conversation, "wamid.ours.1");
    let q = message_of(&world, conversation, "wamid.q.2")
        .quote
        .ok_or("no quote")?;
    assert_eq!(q.message, Some(ours.id));
    assert_eq!(q.direction.as_deref(), Some("out"));
    assert_eq!(q.excerpt.as_deref(), Some("Yes, two left in blue."));
    let theirs = message_of(&world, conversation, "wamid.q.3")
        .quote
        .ok_or("no quote")?;
    assert_eq!(theirs.direction.as_deref(), Some("in"));
    let gone = message_of(&world, conversation, "wamid.q.4")
        .quote
        .ok_or("no quote")?;
    assert_eq!(
        (gone.message, gone.excerpt),
        (None, None),
        "a quote of a message not here says so"
    );
    assert!(message_of(&world, conversation, "wamid.q.1")
        .quote
        .is_none());

    // Resolved; her next message opens a new conversation (which may go to another team):
    // a quote of the old conversation's message is not shown there.
    let version = world
        .ws
        .open_conversation(&world.admin, conversation, None, Timestamp::now())?
        .summary
        .version;
    world.ws.set_status(
        &world.admin,
        Versioned {
            id: conversation,
            version,
        },
        ConversationStatus::Resolved,
        None,
        Timestamp::now(),
    )?;
    let later = (now + 5).to_string();
    let across = samples::whatsapp_message(
        PHONE_ID,
        WA,
        "Sheena Nelson",
        json!({
        "context": {"from": samples::DISPLAY_NUMBER, "id": "wamid.q.1"},
        "from": WA, "id": "wamid.q.5", "timestamp": later, "type": "text", "text": {"body": "about that"}}),
    );
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &across).await, 200);
    let second = ConversationId::new(query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'wamid.q.5'",
    ));
    assert_ne!(second, conversation);
    let q = message_of(&world, second, "wamid.q.5")
        .quote
        .ok_or("no quote")?;
    assert_eq!(
        (q.message, q.excerpt),
        (None, None),
        "not shown across conversations"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messenger_reactions_and_replies_attach_to_their_messages() -> TestResult {
    let world = world("US", (false, false)).await?;
    let url = format!(
        "{}/webhooks/messenger",
        start_receiver(world.ws.clone(), WebhookOptions::default()).await?
    );
    let http = reqwest::Client::new();
    let ms = Timestamp::now().unix() * 1000;
    let psid = "6789012345";
    let text = samples::messenger_text(PAGE_ID, psid, "m_first", ms, "Where is my parcel?");
    let answer = json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ms + 10,
        "message": {"mid": "m_reply", "text": "This one, I mean", "reply_to": {"mid": "m_first"}}});
    // Documented shape: `reaction` names the kind; the emoji may be absent.
    let react = json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ms + 20,
        "reaction": {"mid": "m_first", "action": "react", "reaction": "love"}});
    let unreact = json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ms + 30,
        "reaction": {"mid": "m_first", "action": "unreact"}});
    let dislike = json!({"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": ms + 40,
        "reaction": {"mid": "m_reply", "action": "react", "reaction": "dislike"}});
    let first = samples::messenger(PAGE_ID, vec![text, answer, react]);
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &first).await, 200);
    assert_eq!(
        query_i64(&world.ws, "SELECT count(*) FROM messages"),
        2,
        "reactions are not messages"
    );
    let conversation = ConversationId::new(query_i64(&world.ws, "SELECT id FROM conversations"));
    assert_eq!(
        emojis(&message_of(&world, conversation, "m_first")),
        [("😍".to_string(), true)]
    );
    let body = samples::messenger(PAGE_ID, vec![unreact, dislike]);
    assert_eq!(deliver_signed(&http, &url, APP_SECRET, &body).await, 200);
    assert!(
        message_of(&world, conversation, "m_first")
            .reactions
            .is_empty(),
        "unreact takes it back"
    );
    let reply = message_of(&world, conversation, "m_reply");
    assert_eq!(emojis(&reply), [("👎".to_string(), true)]);
    let quote = reply.quote.ok_or("no quote")?;
    assert_eq!(quote.excerpt.as_deref(), Some("Where is my parcel?"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_reaction_shows_at_once_and_reaches_meta_as_documented() -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let http = reqwest::Client::new();
    let now = Timestamp::now();
    let hello = samples::whatsapp_text(
        PHONE_ID,
        WA,
        "Sheena Nelson",
        "wamid.a.1",
        now.unix(),
        "It arrived, thank you!",
    );
    let wa_url = format!("{base}/webhooks/whatsapp");
    assert_eq!(
        deliver_signed(&http, &wa_url, APP_SECRET, &hello).await,
        200
    );
    let ms = now.unix() * 1000;
    let fb = samples::messenger(
        PAGE_ID,
        vec![samples::messenger_text(
            PAGE_ID, "6789", "m_a_1", ms, "Thanks!",
        )],
    );
    let fb_url = format!("{base}/webhooks/messenger");
    assert_eq!(deliver_signed(&http, &fb_url, APP_SECRET, &fb).await, 200);
    let id_of = |external: &str| {
        appcare_core::MessageId::new(query_i64(
            &world.ws,
            &format!("SELECT id FROM messages WHERE external_id = '{external}'"),
        ))
    };

    let shown = world
        .ws
        .react(&world.admin, id_of("wamid.a.1"), "👍", Timestamp::now())?;
    assert_eq!(shown.reactions.len(), 1);
    assert!(!shown.reactions[0].by_customer);
    assert!(
        shown.reactions[0].by.is_some(),
        "ours carry the agent's name"
    );
    world
        .ws
        .react(&world.admin, id_of("m_a_1"), "❤️", Timestamp::now())?;
    // Words and marks that are not one emoji are refused in plain words.
    let refused = world
        .ws
        .react(&world.admin, id_of("wamid.a.1"), "ok", Timestamp::now());
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("one emoji")),
        "{refused:?}"
    );

    let runtime = start_runtime(world.ws.clone())?;
    let fake = &world.fake;
    eventually(10, || {
        (fake.requests_to("/messages").len() == 2).then_some(())
    })
    .await?;
    let bodies: Vec<serde_json::Value> = fake
        .requests_to("/messages")
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert!(
        bodies.contains(
            &json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA,
            "type": "reaction", "reaction": {"message_id": "wamid.a.1", "emoji": "👍"}})
        ),
        "{bodies:?}"
    );
    assert!(
        bodies.contains(
            &json!({"recipient": {"id": "6789"}, "sender_action": "react",
            "payload": {"message_id": "m_a_1", "reaction": "❤️"}})
        ),
        "{bodies:?}"
    );

    // Taken back: Meta is told (an empty emoji on WhatsApp, `unreact` on Messenger).
    let back = world
        .ws
        .react(&world.admin, id_of("wamid.a.1"), "", Timestamp::now())?;
    assert!(back.reactions.is_empty());
    world
        .ws
        .react(&world.admin, id_of("m_a_1"), "", Timestamp::now())?;
    eventually(10, || {
        (fake.requests_to("/messages").len() == 4).then_some(())
    })
    .await?;
    let bodies: Vec<serde_json::Value> = fake
        .requests_to("/messages")
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert_eq!(
        bodies[2..]
            .iter()
            .filter(|b| b.pointer("/reaction/emoji") == Some(&json!("")))
            .count()
            + bodies[2..]
                .iter()
                .filter(|b| b["sender_action"] == json!("unreact")
                    && b.pointer("/payload/reaction").is_none())
                .count(),
        2,
        "{bodies:?}"
    );
    // Nothing failed at Meta: every task done.
    eventually(10, || {
        (query_i64(
            &world.ws,
            "SELECT count(*) FROM channel_tasks WHERE kind = 'react' AND state != 'done'",
        ) == 0)
            .then_some(())
    })
    .await?;
    // Not to a customer who asked not to be contacted.
    let conv = ConversationId::new(query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'wamid.a.1'",
    ));
    world
        .ws
        .set_do_not_contact(&world.admin, conv, true, Timestamp::now())?;
    let refused = world
        .ws
        .react(&world.admin, id_of("wamid.a.1"), "👍", Timestamp::now());
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("not to be contacted")),
        "{refused:?}"
    );
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_answers_one_message_and_meta_is_asked_to_quote_it() -> TestResult {
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let http = reqwest::Client::new();
    let now = Timestamp::now();
    let two = samples::whatsapp_message(
        PHONE_ID,
        WA,
        "Sheena Nelson",
        json!({
        "from": WA, "id": "wamid.ask.1", "timestamp": now.unix().to_string(), "type": "text",
        "text": {"body": "Do you ship to Lisbon?"}}),
    );
    assert_eq!(
        deliver_signed(
            &http,
            &format!("{base}/webhooks/whatsapp"),
            APP_SECRET,
            &two
        )
        .await,
        200
    );
    let ms = now.unix() * 1000;
    let fb = samples::messenger(
        PAGE_ID,
        vec![samples::messenger_text(
            PAGE_ID,
            "6789",
            "m_ask_1",
            ms,
            "And to Porto?",
        )],
    );
    assert_eq!(
        deliver_signed(
            &http,
            &format!("{base}/webhooks/messenger"),
            APP_SECRET,
            &fb
        )
        .await,
        200
    );
    let ids = |external: &str| {
        (
            ConversationId::new(query_i64(
                &world.ws,
                &format!("SELECT conversation_id FROM messages WHERE external_id = '{external}'"),
            )),
            appcare_core::MessageId::new(query_i64(
                &world.ws,
                &format!("SELECT id FROM messages WHERE external_id = '{external}'"),
            )),
        )
    };
    let (wa_conv, wa_msg) = ids("wamid.ask.1");
    let (fb_conv, fb_msg) = ids("m_ask_1");
    let sent = world.ws.reply_quoting(
        &world.admin,
        wa_conv,
        wa_msg,
        "Yes, in 2 days.",
        None,
        Timestamp::now(),
    )?;
    let quote = sent.quote.ok_or("our reply shows what it answers")?;
    assert_eq!(quote.message, Some(wa_msg));
    world.ws.reply_quoting(
        &world.admin,
        fb_conv,
        fb_msg,
        "Porto too.",
        None,
        Timestamp::now(),
    )?;
    // A message of another conversation cannot be quoted.
    assert!(world
        .ws
        .reply_quoting(&world.admin, wa_conv, fb_msg, "x", None, Timestamp::now())
        .is_err());

    let runtime = start_runtime(world.ws.clone())?;
    let fake = &world.fake;
    eventually(10, || {
        (fake.requests_to("/messages").len() == 2).then_some(())
    })
    .await?;
    let bodies: Vec<serde_json::Value> = fake
        .requests_to("/messages")
        .into_iter()
        .map(|r| r.body)
        .collect();
    let wa = bodies
        .iter()
        .find(|b| b["messaging_product"] == json!("whatsapp"))
        .ok_or("no WhatsApp send")?;
    assert_eq!(wa["context"], json!({"message_id": "wamid.ask.1"}), "{wa}");
    assert_eq!(wa["text"]["body"], json!("Yes, in 2 days."));
    let fb = bodies
        .iter()
        .find(|b| b.get("recipient").is_some() && b.get("message").is_some())
        .ok_or("no Messenger send")?;
    assert_eq!(fb["message"]["reply_to"], json!({"mid": "m_ask_1"}), "{fb}");
    runtime.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_and_typing_reach_meta_once_per_new_message_where_the_admin_turned_them_on(
) -> TestResult {
    use appcare_core::channel::ChannelAccountChanges;
    use appcare_core::service::presence::Activity;
    let world = world("US", (false, false)).await?;
    let base = start_receiver(world.ws.clone(), WebhookOptions::default()).await?;
    let http = reqwest::Client::new();
    let wa_url = format!("{base}/webhooks/whatsapp");
    let customer_writes = |id: &str| {
        samples::whatsapp_text(
            PHONE_ID,
            WA,
            "Sheena Nelson",
            id,
            Timestamp::now().unix(),
            "Is my order on its way?",
        )
    };
    let deliver = |id: &'static str| {
        let payload = customer_writes(id);
        let http = http.clone();
        let url = wa_url.clone();
        async move { deliver_signed(&http, &url, APP_SECRET, &payload).await }
    };
    assert_eq!(deliver("wamid.t.1").await, 200);
    let conversation = ConversationId::new(query_i64(&world.ws, "SELECT id FROM conversations"));
    let open = || {
        world
            .ws
            .open_conversation(&world.admin, conversation, None, Timestamp::now())
    };
    let typing = |c: ConversationId| {
        world
            .ws
            .set_presence(&world.admin, c, Activity::TypingReply, Timestamp::now())
    };
    let queued = || {
        query_i64(
            &world.ws,
            "SELECT count(*) FROM channel_tasks WHERE kind IN ('read', 'typing')",
        )
    };
    let runtime = start_runtime(world.ws.clone())?;
    let fake = &world.fake;
    let calls = || -> Vec<serde_json::Value> {
        fake.requests_to("/messages")
            .into_iter()
            .map(|r| r.body)
            .collect()
    };

    // Off until an admin turns it on: opening and typing queue nothing.
    open()?;
    typing(conversation)?;
    assert_eq!(queued(), 0);

    let mut changes = ChannelAccountChanges {
        name: "Support line".into(),
        default_team: Some(world.team),
        read_receipts: true,
        human_agent: false,
        poll: false,
    };
    let view = world.ws.update_channel_account(
        &world.admin,
        world.whatsapp,
        &changes,
        Timestamp::now(),
    )?;
    assert!(view.read_receipts);
    assert_eq!(view.name, "Support line");
    assert_eq!(
        query_text(
            &world.ws,
            "SELECT detail FROM audit_events WHERE kind = 'channel_account_updated'"
        ),
        r#"{"changed":["name","read_receipts"]}"#
    );

    // Opened twice: one call, naming the newest message the customer sent.
    assert_eq!(deliver("wamid.t.2").await, 200);
    open()?;
    open()?;
    eventually(10, || (calls().len() == 1).then_some(())).await?;
    assert_eq!(
        calls()[0],
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.t.2"})
    );
    // Typing twice within seconds: one call, with WhatsApp's typing indicator.
    typing(conversation)?;
    typing(conversation)?;
    eventually(10, || (calls().len() == 2).then_some(())).await?;
    assert_eq!(
        calls()[1],
        json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.t.2",
               "typing_indicator": {"type": "text"}})
    );
    // Opened again with nothing new: nothing; a new message: marked read once.
    open()?;
    assert_eq!(queued(), 2);
    assert_eq!(deliver("wamid.t.3").await, 200);
    open()?;
    eventually(10, || (calls().len() == 3).then_some(())).await?;
    assert_eq!(calls()[2]["message_id"], "wamid.t.3");

    // Nothing goes to a customer who asked not to be contacted.
    world
        .ws
        .set_do_not_contact(&world.admin, conversation, true, Timestamp::now())?;
    assert_eq!(deliver("wamid.t.4").await, 200);
    open()?;
    assert_eq!(queued(), 3);

    // Messenger: `mark_seen` on opening, `typing_on` while typing.
    changes.name = "messenger line".into();
    world
        .ws
        .update_channel_account(&world.admin, world.messenger, &changes, Timestamp::now())?;
    let fb = samples::messenger(
        PAGE_ID,
        vec![samples::messenger_text(
            PAGE_ID,
            "6789",
            "m_t_1",
            Timestamp::now().unix() * 1000,
            "Hello?",
        )],
    );
    assert_eq!(
        deliver_signed(
            &http,
            &format!("{base}/webhooks/messenger"),
            APP_SECRET,
            &fb
        )
        .await,
        200
    );
    let page_conversation = ConversationId::new(query_i64(
        &world.ws,
        "SELECT conversation_id FROM messages WHERE external_id = 'm_t_1'",
    ));
    world
        .ws
        .open_conversation(&world.admin, page_conversation, None, Timestamp::now())?;
    typing(page_conversation)?;
    eventually(10, || (calls().len() == 5).then_some(())).await?;
    assert_eq!(
        calls()[3..],
        [
            json!({"recipient": {"id": "6789"}, "sender_action": "mark_seen"}),
            json!({"recipient": {"id": "6789"}, "sender_action": "typing_on"}),
        ]
    );
    // Settings that do not fit the channel are refused in words.
    changes.human_agent = true;
    let refused =
        world
            .ws
            .update_channel_account(&world.admin, world.whatsapp, &changes, Timestamp::now());
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("Messenger settings")),
        "{refused:?}"
    );
    runtime.stop().await;
    Ok(())
}
