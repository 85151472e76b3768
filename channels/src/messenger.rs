//! Messenger Platform: webhook payloads (`page`) into channel events, the Send API, the
//! Conversations API poller's mapping, and handing a thread back to a bot.

use crate::graph::{Graph, GraphError};
use crate::parse::{account_for, id_at, text_at, WebhookAccount};
use appcare_core::channel::{
    our_reference, parse_our_reference, ChannelEvent, DeliveryStatus, EchoEvent, HandoverEvent,
    InboundEvent, MediaRef, OutboundJob, SendPayload, WatermarkEvent,
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
                None => tracing::info!("Messenger webhook event of an unhandled kind ignored"),
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

fn parse_item(item: &Value, account: ChannelAccountId) -> Option<ChannelEvent> {
    let sender = id_at(item, &["sender", "id"]);
    let recipient = id_at(item, &["recipient", "id"]);
    let at = item
        .get("timestamp")
        .and_then(Value::as_i64)
        .and_then(crate::time::from_millis)?;
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
        return Some(ChannelEvent::Message(InboundEvent {
            account,
            contact_name: sender.clone(),
            contact_external_id: sender,
            external_id: mid.to_string(),
            body,
            sent_at: at,
            media,
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
        let body = match (
            text_at(reaction, &["action"]),
            text_at(reaction, &["emoji"]),
        ) {
            ("unreact", _) => "Removed a reaction".to_string(),
            (_, "") => format!(
                "Reacted ({}) to a message",
                text_at(reaction, &["reaction"])
            ),
            (_, emoji) => format!("Reacted {emoji} to a message"),
        };
        return Some(ChannelEvent::Message(InboundEvent {
            account,
            contact_name: sender.clone(),
            external_id: format!(
                "reaction:{}:{sender}:{}",
                text_at(reaction, &["mid"]),
                at.unix()
            ),
            contact_external_id: sender,
            body,
            sent_at: at,
            media: Vec::new(),
        }));
    }
    if let Some(postback) = item.get("postback") {
        let title = match text_at(postback, &["title"]) {
            "" => text_at(postback, &["payload"]),
            t => t,
        };
        let external_id = match text_at(postback, &["mid"]) {
            "" => format!("postback:{sender}:{}", at.unix()),
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
        }));
    }
    if let Some(pass) = item.get("pass_thread_control") {
        let previous = id_at(pass, &["previous_owner_app_id"]);
        return Some(ChannelEvent::Handover(HandoverEvent {
            account,
            contact_external_id: sender,
            previous_app_id: (!previous.is_empty()).then_some(previous),
            metadata: text_at(pass, &["metadata"]).chars().take(1000).collect(),
            at,
        }));
    }
    None
}

/// The documented Send API body for a text job.
pub fn send_body(job: &OutboundJob) -> Result<Value, GraphError> {
    let SendPayload::Text { body } = &job.payload else {
        return Err(GraphError::NotSendable(
            "Messenger sends text only from this app".into(),
        ));
    };
    let mut request = json!({
        "recipient": { "id": job.to },
        "messaging_type": "RESPONSE",
        "message": { "text": body, "metadata": our_reference(job.message) },
    });
    if let Some(tag) = &job.tag {
        request["messaging_type"] = json!("MESSAGE_TAG");
        request["tag"] = json!(tag);
    }
    Ok(request)
}

/// Sends one job through the Send API; returns Meta's `message_id`.
pub async fn send(graph: &Graph, page_id: &str, job: &OutboundJob) -> Result<String, GraphError> {
    let answer = graph
        .post_json(&format!("{page_id}/messages"), &send_body(job)?)
        .await?;
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
        _ => appcare_core::Timestamp::from_unix(0),
    });
    Ok((events, newest.map(|(_, text)| text)))
}
