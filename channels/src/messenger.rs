//! Messenger Platform: webhook payloads (`page`) into channel events, the Send API, the
//! Conversations API poller's mapping, and handing a thread back to a bot.

use crate::graph::{Graph, GraphError};
use crate::parse::{account_for, id_at, text_at, WebhookAccount};
use appcare_core::channel::rich::{self, RichContent};
use appcare_core::channel::{
    our_reference, parse_our_reference, ChannelEvent, DeliveryStatus, EchoEvent, HandoverEvent,
    HandoverKind, InboundEvent, MediaRef, OutboundJob, ReactionEvent, SendPayload, SetAsideEvent,
    WatermarkEvent, REACTION_MAX_CHARS,
};
use appcare_core::ids::ChannelAccountId;
use serde_json::{json, Value};

/// Parses one verified `page` body.
pub fn parse_webhook(body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent> {
    let mut events = Vec::new();
    for entry in body
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let page_id = id_at(entry, &["id"]);
        let Some(account) = account_for(accounts, &page_id) else {
            tracing::warn!("Messenger webhook for a page that is not connected here ignored");
            continue;
        };
        let items = entry
            .get("messaging")
            .or_else(|| entry.get("standby"))
            .and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            match parse_item(item, account) {
                Some(event) => events.push(event),
                // Never answered 200 and forgotten: kept for an admin.
                None => events.push(ChannelEvent::SetAside(SetAsideEvent::new(
                    account,
                    format!(
                        "a Messenger event this app cannot read ({})",
                        item_kind(item)
                    ),
                    item,
                ))),
            }
        }
    }
    events
}

fn attachments_of(message: &Value, mid: &str) -> (Vec<MediaRef>, Vec<String>) {
    let mut media = Vec::new();
    let mut kinds = Vec::new();
    for (i, a) in message
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let kind = text_at(a, &["type"]);
        kinds.push(kind.to_string());
        let url = text_at(a, &["payload", "url"]);
        // Only files the customer sent are fetched; shared links (`fallback`) are not.
        if url.is_empty() || !matches!(kind, "image" | "audio" | "video" | "file") {
            continue;
        }
        let tail: String = mid
            .chars()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        media.push(MediaRef {
            media_id: url.to_string(),
            file_name: format!("{kind}-{tail}-{}", i + 1),
            mime_type: String::new(),
            sha256: String::new(),
        });
    }
    (media, kinds)
}

fn body_of(message: &Value, kinds: &[String]) -> String {
    match text_at(message, &["text"]) {
        "" if kinds.is_empty() => "(an empty message)".to_string(),
        "" => format!("({})", kinds.join(", ")),
        text => text.to_string(),
    }
}

/// The name of the part of a `messaging[]` item that says what it is (`optin`,
/// `referral` …), for the reason an item is set aside.
fn item_kind(item: &Value) -> String {
    item.as_object()
        .and_then(|o| {
            o.keys()
                .find(|k| !matches!(k.as_str(), "sender" | "recipient" | "timestamp"))
        })
        .map(|k| k.chars().take(60).collect())
        .unwrap_or_else(|| "no kind given".to_string())
}

/// Messenger's named reactions as the emoji the app shows ("other" and unknown names: a
/// neutral mark, never dropped).
fn named_reaction(name: &str) -> &'static str {
    match name {
        "like" => "👍",
        "love" => "😍",
        "smile" => "😆",
        "wow" => "😮",
        "sad" => "😢",
        "angry" => "😠",
        "dislike" => "👎",
        _ => "❔",
    }
}

/// A quick reply tapped (its words are the message's text) or a sticker (Messenger
/// marks it with `sticker_id`), shown as what it is.
fn content_of(message: &Value) -> Option<RichContent> {
    if !text_at(message, &["quick_reply", "payload"]).is_empty() {
        return Some(RichContent::Choice {
            title: rich::field(text_at(message, &["text"])),
            description: String::new(),
        });
    }
    let sticker = message.get("sticker_id").is_some()
        || message
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|a| a.get("payload").and_then(|p| p.get("sticker_id")).is_some());
    sticker.then_some(RichContent::Sticker { animated: false })
}

fn parse_item(item: &Value, account: ChannelAccountId) -> Option<ChannelEvent> {
    let sender = id_at(item, &["sender", "id"]);
    let recipient = id_at(item, &["recipient", "id"]);
    let millis = item.get("timestamp").and_then(Value::as_i64)?;
    let at = crate::time::from_millis(millis)?;
    if let Some(message) = item.get("message") {
        let mid = text_at(message, &["mid"]);
        if mid.is_empty() {
            return None;
        }
        let (media, kinds) = attachments_of(message, mid);
        let body = body_of(message, &kinds);
        if message.get("is_echo").and_then(Value::as_bool) == Some(true) {
            return Some(ChannelEvent::Echo(EchoEvent {
                account,
                contact_external_id: recipient,
                external_id: mid.to_string(),
                body,
                sent_at: at,
                our_message: parse_our_reference(text_at(message, &["metadata"])),
            }));
        }
        let reply_to = text_at(message, &["reply_to", "mid"]);
        return Some(ChannelEvent::Message(InboundEvent {
            account,
            contact_name: sender.clone(),
            contact_external_id: sender,
            external_id: mid.to_string(),
            body,
            sent_at: at,
            media,
            contact_aliases: Vec::new(),
            reply_to: (!reply_to.is_empty()).then(|| reply_to.to_string()),
            choice: crate::parse::choice(text_at(message, &["quick_reply", "payload"])),
            content: content_of(message),
        }));
    }
    if let Some(delivery) = item.get("delivery") {
        let watermark = delivery
            .get("watermark")
            .and_then(Value::as_i64)
            .and_then(crate::time::from_millis)?;
        return Some(ChannelEvent::Watermark(WatermarkEvent {
            account,
            contact_external_id: sender,
            status: DeliveryStatus::Delivered,
            up_to: watermark,
        }));
    }
    if let Some(read) = item.get("read") {
        let watermark = read
            .get("watermark")
            .and_then(Value::as_i64)
            .and_then(crate::time::from_millis)?;
        return Some(ChannelEvent::Watermark(WatermarkEvent {
            account,
            contact_external_id: sender,
            status: DeliveryStatus::Read,
            up_to: watermark,
        }));
    }
    if let Some(reaction) = item.get("reaction") {
        // Attached to the message it names; "unreact" (or no emoji at all) removes it.
        let emoji = match (
            text_at(reaction, &["action"]),
            text_at(reaction, &["emoji"]),
        ) {
            ("unreact", _) => String::new(),
            (_, "") => named_reaction(text_at(reaction, &["reaction"])).to_string(),
            (_, emoji) => emoji.chars().take(REACTION_MAX_CHARS).collect(),
        };
        return Some(ChannelEvent::Reaction(ReactionEvent {
            account,
            external_id: format!(
                "reaction:{}:{sender}:{millis}:{}:{}",
                text_at(reaction, &["mid"]),
                text_at(reaction, &["action"]),
                digest(text_at(reaction, &["emoji"]))
            ),
            target_external_id: text_at(reaction, &["mid"]).to_string(),
            contact_external_id: sender,
            emoji,
            at,
        }));
    }
    if let Some(postback) = item.get("postback") {
        let title = match text_at(postback, &["title"]) {
            "" => text_at(postback, &["payload"]),
            t => t,
        };
        // Without a mid, a tap is its sender, its millisecond and its payload: distinct
        // taps stay distinct, Meta's re-delivery of the same one is a duplicate.
        let external_id = match text_at(postback, &["mid"]) {
            "" => format!(
                "postback:{sender}:{millis}:{}",
                digest(text_at(postback, &["payload"]))
            ),
            mid => mid.to_string(),
        };
        return Some(ChannelEvent::Message(InboundEvent {
            account,
            contact_name: sender.clone(),
            contact_external_id: sender,
            external_id,
            body: format!("Chose: {title}"),
            sent_at: at,
            media: Vec::new(),
            contact_aliases: Vec::new(),
            reply_to: None,
            choice: crate::parse::choice(text_at(postback, &["payload"])),
            content: Some(RichContent::Choice {
                title: rich::field(title),
                description: String::new(),
            }),
        }));
    }
    // The handover protocol: which app passed, took or asks for the thread.
    for (field, app_field, kind) in [
        (
            "pass_thread_control",
            "previous_owner_app_id",
            HandoverKind::Passed,
        ),
        (
            "take_thread_control",
            "new_owner_app_id",
            HandoverKind::Taken,
        ),
        (
            "request_thread_control",
            "requested_owner_app_id",
            HandoverKind::Requested,
        ),
    ] {
        if let Some(control) = item.get(field) {
            let app = id_at(control, &[app_field]);
            return Some(ChannelEvent::Handover(HandoverEvent {
                account,
                contact_external_id: sender,
                previous_app_id: (!app.is_empty()).then_some(app),
                metadata: text_at(control, &["metadata"]).chars().take(1000).collect(),
                at,
                kind,
            }));
        }
    }
    None
}

/// A short, fixed-length stand-in for a payload of any length in a key.
fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// The documented Send API body for a text job, or text with quick replies (at most 13,
/// titles of at most 20 characters, payloads of at most 1,000).
pub fn send_body(job: &OutboundJob) -> Result<Value, GraphError> {
    let (body, choices) = match &job.payload {
        SendPayload::Text { body } => (body, None),
        SendPayload::Choices { body, choices, .. } => (body, Some(choices)),
        _ => {
            return Err(GraphError::NotSendable(
                "Messenger sends text only from this app".into(),
            ))
        }
    };
    let mut request = json!({
        "recipient": { "id": job.to },
        "messaging_type": "RESPONSE",
        "message": { "text": body, "metadata": our_reference(job.message) },
    });
    if let Some(choices) = choices {
        let quick: Vec<Value> = choices
            .iter()
            .take(13)
            .map(|c| {
                json!({
                    "content_type": "text",
                    "title": c.title.chars().take(20).collect::<String>(),
                    "payload": c.id.chars().take(1000).collect::<String>(),
                })
            })
            .collect();
        request["message"]["quick_replies"] = json!(quick);
    }
    if let Some(tag) = &job.tag {
        request["messaging_type"] = json!("MESSAGE_TAG");
        request["tag"] = json!(tag);
    }
    // An answer to one of the customer's messages, shown quoted in Messenger.
    if let Some(mid) = &job.reply_to {
        request["message"]["reply_to"] = json!({ "mid": mid });
    }
    Ok(request)
}

/// Messenger's attachment type for a file: `image`, `video`, `audio` or `file`.
pub fn attachment_type(mime_type: &str) -> &'static str {
    match mime_type.split('/').next().unwrap_or_default() {
        "image" => "image",
        "video" => "video",
        "audio" => "audio",
        _ => "file",
    }
}

/// The documented Send API form for a file ("Save from your local file system"):
/// `recipient`, `messaging_type` (and `tag`), `message` with the attachment's type, and
/// the file itself in `filedata` with its content type. Messenger sends a file without
/// words (the core refuses a caption).
pub fn send_form(job: &OutboundJob) -> Result<reqwest::multipart::Form, GraphError> {
    let SendPayload::Media { file, .. } = &job.payload else {
        return Err(GraphError::NotSendable("not a file".into()));
    };
    let mut message = json!({
        "attachment": { "type": attachment_type(&file.mime_type), "payload": { "is_reusable": false } },
        "metadata": our_reference(job.message),
    });
    if let Some(mid) = &job.reply_to {
        message["reply_to"] = json!({ "mid": mid });
    }
    let part = reqwest::multipart::Part::bytes(file.data.clone())
        .file_name(file.file_name.clone())
        .mime_str(&file.mime_type)
        .map_err(|_| GraphError::NotSendable("the file type is not valid".into()))?;
    let mut form = reqwest::multipart::Form::new()
        .text("recipient", json!({ "id": job.to }).to_string())
        .text("message", message.to_string());
    form = match &job.tag {
        Some(tag) => form
            .text("messaging_type", "MESSAGE_TAG")
            .text("tag", tag.clone()),
        None => form.text("messaging_type", "RESPONSE"),
    };
    Ok(form.part("filedata", part))
}

/// Sends one job through the Send API; returns Meta's `message_id`.
pub async fn send(graph: &Graph, page_id: &str, job: &OutboundJob) -> Result<String, GraphError> {
    let path = format!("{page_id}/messages");
    let answer = match &job.payload {
        SendPayload::Media { .. } => graph.post_form(&path, send_form(job)?).await?,
        _ => graph.post_json(&path, &send_body(job)?).await?,
    };
    answer
        .get("message_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| GraphError::BadResponse("no message id in Meta's answer".into()))
}

/// The customer's name from the user profile API (`GET /{psid}?fields=first_name,last_name`).
pub async fn profile_name(graph: &Graph, psid: &str) -> Result<String, GraphError> {
    let profile = graph
        .get_json(psid, &[("fields", "first_name,last_name")])
        .await?;
    let name = [
        text_at(&profile, &["first_name"]),
        text_at(&profile, &["last_name"]),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    Ok(name)
}

/// Reacts to the customer's message `mid` with `emoji` (`sender_action: react`), or takes
/// our reaction back when `emoji` is empty (`unreact`, the payload naming only the message).
pub async fn send_reaction(
    graph: &Graph,
    page_id: &str,
    psid: &str,
    mid: &str,
    emoji: &str,
) -> Result<(), GraphError> {
    graph
        .post_json(
            &format!("{page_id}/messages"),
            &reaction_body(psid, mid, emoji),
        )
        .await
        .map(drop)
}

/// The documented body of a reaction (Messenger Platform, Sender Actions).
pub fn reaction_body(psid: &str, mid: &str, emoji: &str) -> Value {
    match emoji {
        "" => json!({ "recipient": { "id": psid }, "sender_action": "unreact",
                      "payload": { "message_id": mid } }),
        emoji => json!({ "recipient": { "id": psid }, "sender_action": "react",
                         "payload": { "message_id": mid, "reaction": emoji } }),
    }
}

/// Shows the customer that we saw their messages (`mark_seen`) or are typing
/// (`typing_on`): a sender action with no message (Messenger Platform, Sender Actions).
pub async fn sender_action(
    graph: &Graph,
    page_id: &str,
    psid: &str,
    action: &'static str,
) -> Result<(), GraphError> {
    graph
        .post_json(
            &format!("{page_id}/messages"),
            &json!({ "recipient": { "id": psid }, "sender_action": action }),
        )
        .await
        .map(drop)
}

/// Hands the thread back to the bot app that passed it to us.
pub async fn pass_thread_control(
    graph: &Graph,
    psid: &str,
    target_app_id: &str,
) -> Result<(), GraphError> {
    let target: Value = target_app_id
        .parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(target_app_id));
    graph
        .post_json(
            "me/pass_thread_control",
            &json!({ "recipient": { "id": psid }, "target_app_id": target, "metadata": "Resolved by the support team" }),
        )
        .await
        .map(drop)
}

/// Takes the thread from the app that has it (`take_thread_control`, for the page's
/// primary receiver) or asks that app for it (`request_thread_control`).
pub async fn claim_thread(graph: &Graph, kind: &str, psid: &str) -> Result<(), GraphError> {
    let metadata = match kind {
        "take_thread_control" => "Taken by the support team",
        _ => "The support team asks for this conversation",
    };
    graph
        .post_json(
            &format!("me/{kind}"),
            &json!({ "recipient": { "id": psid }, "metadata": metadata }),
        )
        .await
        .map(drop)
}

/// One poll of the Conversations API: conversations updated after `cursor`, their latest
/// messages as events, and the new cursor (the newest `updated_time` seen).
pub async fn poll(
    graph: &Graph,
    account: ChannelAccountId,
    page_id: &str,
    cursor: Option<&str>,
) -> Result<(Vec<ChannelEvent>, Option<String>), GraphError> {
    let since = cursor.and_then(crate::time::from_iso8601);
    let answer = graph
        .get_json(
            &format!("{page_id}/conversations"),
            &[
                ("platform", "messenger"),
                (
                    "fields",
                    "id,updated_time,messages.limit(20){id,created_time,from,to,message}",
                ),
            ],
        )
        .await?;
    let mut events = Vec::new();
    let mut newest: Option<(appcare_core::Timestamp, String)> = None;
    // Conversations come newest first: follow `paging.next` until one is older than the
    // cursor, at most 10 pages (Meta's default page is 25 conversations) per poll.
    let mut page = answer;
    for _ in 0..10 {
        let mut reached_cursor = false;
        for conversation in page
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let updated_text = text_at(conversation, &["updated_time"]);
            let Some(updated) = crate::time::from_iso8601(updated_text) else {
                continue;
            };
            // Same second as the cursor: read again (duplicates are dropped by message id).
            if since.is_some_and(|s| updated < s) {
                reached_cursor = true;
                continue;
            }
            if newest.as_ref().is_none_or(|(t, _)| updated > *t) {
                newest = Some((updated, updated_text.to_string()));
            }
            let messages = conversation
                .get("messages")
                .and_then(|m| m.get("data"))
                .and_then(Value::as_array);
            for m in messages.into_iter().flatten() {
                let Some(at) = crate::time::from_iso8601(text_at(m, &["created_time"])) else {
                    continue;
                };
                let mid = text_at(m, &["id"]);
                let from = id_at(m, &["from", "id"]);
                let text = text_at(m, &["message"]);
                if mid.is_empty() || from.is_empty() {
                    continue;
                }
                if from == page_id {
                    let to = m
                        .get("to")
                        .and_then(|t| t.get("data"))
                        .and_then(Value::as_array)
                        .and_then(|d| d.first())
                        .map(|t| id_at(t, &["id"]))
                        .unwrap_or_default();
                    events.push(ChannelEvent::Echo(EchoEvent {
                        account,
                        contact_external_id: to,
                        external_id: mid.to_string(),
                        body: text.to_string(),
                        sent_at: at,
                        our_message: None,
                    }));
                } else {
                    let name = match text_at(m, &["from", "name"]) {
                        "" => from.clone(),
                        n => n.to_string(),
                    };
                    events.push(ChannelEvent::Message(InboundEvent {
                        account,
                        contact_external_id: from,
                        contact_name: name,
                        external_id: mid.to_string(),
                        body: if text.is_empty() {
                            "(an empty message)".into()
                        } else {
                            text.to_string()
                        },
                        sent_at: at,
                        media: Vec::new(),
                        contact_aliases: Vec::new(),
                        reply_to: None,
                        choice: None,
                        content: None,
                    }));
                }
            }
        }
        let next = text_at(&page, &["paging", "next"]).to_string();
        if reached_cursor || next.is_empty() {
            break;
        }
        page = graph.get_absolute(&next).await?;
    }
    // Oldest first, so a conversation reads in order as it is stored.
    events.sort_by_key(|e| match e {
        ChannelEvent::Message(m) => m.sent_at,
        ChannelEvent::Echo(e) => e.sent_at,
        ChannelEvent::Reaction(r) => r.at,
        _ => appcare_core::Timestamp::from_unix(0),
    });
    Ok((events, newest.map(|(_, text)| text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(items: Vec<Value>) -> Vec<ChannelEvent> {
        let body = json!({"object": "page", "entry": [{"id": "1122", "time": 1_458_692_752_478_i64, "messaging": items}]});
        parse_webhook(
            &body,
            &[WebhookAccount {
                id: ChannelAccountId::new(3),
                external_id: "1122".into(),
            }],
        )
    }

    fn tap(at: i64, payload: &str) -> Value {
        json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": at,
               "postback": {"title": "Go", "payload": payload}})
    }

    fn ids(events: &[ChannelEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| match e {
                ChannelEvent::Message(m) => m.external_id.clone(),
                ChannelEvent::SetAside(_) => "aside".into(),
                _ => "other".into(),
            })
            .collect()
    }

    #[test]
    fn taps_without_a_mid_are_keyed_by_millisecond_and_payload() {
        let ids = ids(&parse(vec![
            tap(1_458_692_752_100, "A"),
            tap(1_458_692_752_900, "A"),
            tap(1_458_692_752_900, "B"),
            tap(1_458_692_752_900, "B"),
        ]));
        assert_eq!(ids[1..3].iter().filter(|i| *i == &ids[0]).count(), 0);
        assert_ne!(ids[1], ids[2], "another payload in the same millisecond");
        assert_eq!(ids[2], ids[3], "the same event delivered again");
    }

    #[test]
    fn a_quick_reply_or_a_postback_carries_its_payload_as_the_choice() {
        let events = parse(vec![
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_478_i64,
                   "message": {"mid": "m_1", "text": "4 – Good", "quick_reply": {"payload": "csat:7:4"}}}),
            tap(1_458_692_752_500, "MENU"),
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_600_i64,
                   "message": {"mid": "m_2", "text": "plain"}}),
        ]);
        let choices: Vec<Option<String>> = events
            .iter()
            .map(|e| match e {
                ChannelEvent::Message(m) => m.choice.clone(),
                _ => panic!("{e:?}"),
            })
            .collect();
        assert_eq!(
            choices,
            [Some("csat:7:4".to_string()), Some("MENU".to_string()), None]
        );
    }

    #[test]
    fn a_file_is_sent_as_the_attachment_type_messenger_knows() {
        assert_eq!(attachment_type("image/png"), "image");
        assert_eq!(attachment_type("video/mp4"), "video");
        assert_eq!(attachment_type("audio/mpeg"), "audio");
        assert_eq!(attachment_type("application/pdf"), "file");
        assert_eq!(attachment_type("text/plain"), "file");
    }

    #[test]
    fn taps_and_stickers_are_shown_as_what_they_are() {
        let events = parse(vec![
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_478_i64,
                   "message": {"mid": "m_1", "text": "Red", "quick_reply": {"payload": "colour:red"}}}),
            tap(1_458_692_752_500, "MENU"),
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_600_i64,
                   "message": {"mid": "m_2", "sticker_id": 369_239_263_222_822_i64, "attachments": [
                       {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/s.png", "sticker_id": 369_239_263_222_822_i64}}]}}),
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_700_i64,
                   "message": {"mid": "m_3", "text": "plain"}}),
        ]);
        let contents: Vec<Option<serde_json::Value>> = events
            .iter()
            .map(|e| match e {
                ChannelEvent::Message(m) => m
                    .content
                    .as_ref()
                    .map(|c| serde_json::to_value(c).unwrap_or_default()),
                _ => panic!("{e:?}"),
            })
            .collect();
        assert_eq!(
            contents,
            [
                Some(json!({"kind": "choice", "title": "Red", "description": ""})),
                Some(json!({"kind": "choice", "title": "Go", "description": ""})),
                Some(json!({"kind": "sticker", "animated": false})),
                None
            ]
        );
    }

    #[test]
    fn choices_are_sent_as_quick_replies_within_meta_limits() {
        let job = OutboundJob {
            message: appcare_core::MessageId::new(1),
            conversation: appcare_core::ConversationId::new(1),
            account: ChannelAccountId::new(3),
            channel: appcare_core::channel::Channel::Messenger,
            to: "55".into(),
            payload: SendPayload::Choices {
                body: "How did we do?".into(),
                button: "Rate".into(),
                choices: (1..=15)
                    .map(|i| appcare_core::channel::Choice {
                        id: format!("csat:7:{i}"),
                        title: format!("{i} – longer than twenty characters"),
                    })
                    .collect(),
            },
            tag: None,
            attempt: 1,
            email: None,
            reply_to: None,
        };
        let body = send_body(&job).expect("sendable");
        assert_eq!(body["message"]["text"], json!("How did we do?"));
        let quick = body["message"]["quick_replies"]
            .as_array()
            .expect("quick replies");
        assert_eq!(quick.len(), 13, "Messenger takes at most 13");
        assert_eq!(
            quick[0],
            json!({"content_type": "text", "title": "1 – longer than twen", "payload": "csat:7:1"})
        );
    }

    #[test]
    fn items_it_cannot_read_are_set_aside() {
        let events = parse(vec![
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_478_i64,
                   "referral": {"ref": "ad", "source": "ADS", "type": "OPEN_THREAD"}}),
            json!({"sender": {"id": "55"}, "recipient": {"id": "1122"}, "timestamp": 1_458_692_752_478_i64,
                   "message": {"text": "no mid"}}),
        ]);
        assert_eq!(ids(&events), ["aside", "aside"]);
        let ChannelEvent::SetAside(aside) = &events[0] else {
            panic!()
        };
        assert!(aside.reason.contains("(referral)"), "{}", aside.reason);
    }
}
