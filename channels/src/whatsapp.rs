//! WhatsApp Cloud API: webhook payloads (`whatsapp_business_account`) into channel events,
//! and the Graph calls to send text, media and templates, fetch media, read approved
//! templates and set in-country storage.

use crate::graph::{Graph, GraphError};
use crate::parse::{account_for, text_at, WebhookAccount};
use appcare_core::channel::template::{parameter_count, TemplateView};
use appcare_core::channel::{
    our_reference, parse_our_reference, ChannelEvent, DeliveryStatus, InboundEvent, MediaRef,
    OutboundJob, ProviderError, SendPayload, StatusEvent,
};
use appcare_core::Timestamp;
use serde_json::{json, Value};

const MEDIA_KINDS: &[&str] = &["image", "video", "audio", "document", "sticker"];

/// Parses one verified `whatsapp_business_account` body. Changes for numbers that are not
/// ours, unknown fields and unknown message types are skipped with a log line.
pub fn parse_webhook(body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent> {
    let mut events = Vec::new();
    for entry in body
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for change in entry
            .get("changes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let field = text_at(change, &["field"]);
            if field != "messages" {
                tracing::info!(field, "WhatsApp webhook field ignored");
                continue;
            }
            let value = change.get("value").unwrap_or(&Value::Null);
            let phone_number_id = text_at(value, &["metadata", "phone_number_id"]);
            let Some(account) = account_for(accounts, phone_number_id) else {
                tracing::warn!("WhatsApp webhook for a number that is not connected here ignored");
                continue;
            };
            let names: Vec<(&str, &str)> = value
                .get("contacts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| (text_at(c, &["wa_id"]), text_at(c, &["profile", "name"])))
                .collect();
            for message in value
                .get("messages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(event) = parse_message(message, account, &names) {
                    events.push(ChannelEvent::Message(event));
                }
            }
            for status in value
                .get("statuses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(event) = parse_status(status, account) {
                    events.push(ChannelEvent::Status(event));
                }
            }
        }
    }
    events
}

fn parse_message(
    message: &Value,
    account: appcare_core::ids::ChannelAccountId,
    names: &[(&str, &str)],
) -> Option<InboundEvent> {
    let from = text_at(message, &["from"]);
    let id = text_at(message, &["id"]);
    let kind = text_at(message, &["type"]);
    let sent_at = crate::time::from_seconds_text(text_at(message, &["timestamp"]))?;
    if from.is_empty() || id.is_empty() {
        tracing::warn!("WhatsApp message without sender or id ignored");
        return None;
    }
    let mut media = Vec::new();
    let body = match kind {
        "text" => text_at(message, &["text", "body"]).to_string(),
        k if MEDIA_KINDS.contains(&k) => {
            let m = message.get(k).unwrap_or(&Value::Null);
            let mime_type = text_at(m, &["mime_type"]);
            let media_id = text_at(m, &["id"]);
            if !media_id.is_empty() {
                let file_name = match text_at(m, &["filename"]) {
                    "" => format!("{k}-{}.{}", short(media_id), extension(mime_type)),
                    name => name.to_string(),
                };
                media.push(MediaRef {
                    media_id: media_id.to_string(),
                    file_name,
                    mime_type: mime_type.to_string(),
                    sha256: text_at(m, &["sha256"]).to_string(),
                });
            }
            match text_at(m, &["caption"]) {
                "" => format!("({k})"),
                caption => caption.to_string(),
            }
        }
        "location" => {
            let l = message.get("location").unwrap_or(&Value::Null);
            let place = [text_at(l, &["name"]), text_at(l, &["address"])]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let lat = l.get("latitude").map(Value::to_string).unwrap_or_default();
            let long = l.get("longitude").map(Value::to_string).unwrap_or_default();
            if place.is_empty() {
                format!("Shared a location: {lat}, {long}")
            } else {
                format!("Shared a location: {place} ({lat}, {long})")
            }
        }
        "reaction" => match text_at(message, &["reaction", "emoji"]) {
            "" => "Removed a reaction".to_string(),
            emoji => format!("Reacted {emoji} to a message"),
        },
        "interactive" => {
            let i = message.get("interactive").unwrap_or(&Value::Null);
            let reply = match text_at(i, &["type"]) {
                "list_reply" => i.get("list_reply"),
                _ => i.get("button_reply"),
            }
            .unwrap_or(&Value::Null);
            format!("Chose: {}", text_at(reply, &["title"]))
        }
        "button" => format!("Chose: {}", text_at(message, &["button", "text"])),
        "contacts" => {
            let shared: Vec<&str> = message
                .get("contacts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| text_at(c, &["name", "formatted_name"]))
                .collect();
            format!("Shared a contact: {}", shared.join(", "))
        }
        other => {
            tracing::info!(kind = other, "WhatsApp message type shown as unsupported");
            format!(
                "(a {} message this app cannot show)",
                if other.is_empty() {
                    "new kind of"
                } else {
                    other
                }
            )
        }
    };
    let contact_name = names
        .iter()
        .find(|(wa_id, _)| *wa_id == from)
        .map(|(_, name)| *name)
        .filter(|n| !n.is_empty())
        .unwrap_or(from);
    Some(InboundEvent {
        account,
        contact_external_id: from.to_string(),
        contact_name: contact_name.to_string(),
        external_id: id.to_string(),
        body,
        sent_at,
        media,
    })
}

fn parse_status(
    status: &Value,
    account: appcare_core::ids::ChannelAccountId,
) -> Option<StatusEvent> {
    let delivery = DeliveryStatus::parse(text_at(status, &["status"]))?;
    let id = text_at(status, &["id"]);
    if id.is_empty() {
        return None;
    }
    let error = status
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .map(|e| ProviderError {
            code: e.get("code").and_then(Value::as_i64).unwrap_or_default(),
            title: text_at(e, &["title"]).to_string(),
        });
    Some(StatusEvent {
        account,
        external_id: id.to_string(),
        our_message: parse_our_reference(text_at(status, &["biz_opaque_callback_data"])),
        status: delivery,
        at: crate::time::from_seconds_text(text_at(status, &["timestamp"]))
            .unwrap_or(Timestamp::from_unix(0)),
        error,
    })
}

fn short(id: &str) -> &str {
    let start = id.len().saturating_sub(8);
    id.get(start..).unwrap_or(id)
}

fn extension(mime: &str) -> &str {
    match mime.split(';').next().unwrap_or_default().trim() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// WhatsApp's message type for a file of this type.
fn media_kind(mime: &str) -> &'static str {
    let mime = mime.split(';').next().unwrap_or_default().trim();
    match mime {
        "image/jpeg" | "image/png" => "image",
        "video/mp4" | "video/3gpp" => "video",
        m if m.starts_with("audio/") => "audio",
        _ => "document",
    }
}

/// The documented send body for a job (`POST /{phone-number-id}/messages`); `media_id`
/// is the uploaded file's id for a media job.
pub fn send_body(job: &OutboundJob, media_id: Option<&str>) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": job.to,
        "biz_opaque_callback_data": our_reference(job.message),
    });
    match &job.payload {
        SendPayload::Text { body: text } => {
            body["type"] = json!("text");
            body["text"] = json!({ "preview_url": false, "body": text });
        }
        SendPayload::Template {
            name,
            language,
            parameters,
        } => {
            let mut template = json!({ "name": name, "language": { "code": language } });
            if !parameters.is_empty() {
                let params: Vec<Value> = parameters
                    .iter()
                    .map(|p| json!({ "type": "text", "text": p }))
                    .collect();
                template["components"] = json!([{ "type": "body", "parameters": params }]);
            }
            body["type"] = json!("template");
            body["template"] = template;
        }
        SendPayload::Media { caption, file } => {
            let kind = media_kind(&file.mime_type);
            let mut media = json!({ "id": media_id.unwrap_or_default() });
            if kind != "audio" && !caption.is_empty() {
                media["caption"] = json!(caption);
            }
            if kind == "document" {
                media["filename"] = json!(file.file_name);
            }
            body["type"] = json!(kind);
            body[kind] = media;
        }
    }
    body
}

/// Sends one job; returns Meta's message id (`wamid…`).
pub async fn send(
    graph: &Graph,
    phone_number_id: &str,
    job: &OutboundJob,
) -> Result<String, GraphError> {
    let media_id = match &job.payload {
        SendPayload::Media { file, .. } => Some(
            graph
                .upload_media(
                    phone_number_id,
                    &file.file_name,
                    &file.mime_type,
                    file.data.clone(),
                )
                .await?,
        ),
        _ => None,
    };
    let answer = graph
        .post_json(
            &format!("{phone_number_id}/messages"),
            &send_body(job, media_id.as_deref()),
        )
        .await?;
    answer
        .get("messages")
        .and_then(Value::as_array)
        .and_then(|m| m.first())
        .and_then(|m| m.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| GraphError::BadResponse("no message id in Meta's answer".into()))
}

/// Media id → short-lived URL → bytes, checked against the announced SHA-256.
pub async fn fetch_media(
    graph: &Graph,
    phone_number_id: &str,
    media: &MediaRef,
    limit: usize,
) -> Result<(Vec<u8>, String), MediaError> {
    let info = graph
        .get_json(&media.media_id, &[("phone_number_id", phone_number_id)])
        .await
        .map_err(MediaError::Graph)?;
    let url = text_at(&info, &["url"]);
    if url.is_empty() {
        return Err(MediaError::Graph(GraphError::BadResponse(
            "no media URL".into(),
        )));
    }
    if info
        .get("file_size")
        .and_then(Value::as_u64)
        .is_some_and(|n| n as usize > limit)
    {
        return Err(MediaError::Graph(GraphError::TooLarge(limit)));
    }
    let expected = match media.sha256.as_str() {
        "" => text_at(&info, &["sha256"]).to_string(),
        s => s.to_string(),
    };
    let (data, mime) = graph
        .download(url, true, limit)
        .await
        .map_err(MediaError::Graph)?;
    if !expected.is_empty() {
        use sha2::{Digest, Sha256};
        let got = hex::encode(Sha256::digest(&data));
        // Meta documents hex; some payloads carry base64. Accept either spelling.
        let got_b64 = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&data))
        };
        if !got.eq_ignore_ascii_case(&expected) && got_b64 != expected {
            return Err(MediaError::Checksum);
        }
    }
    let mime = match text_at(&info, &["mime_type"]) {
        "" => mime,
        m => m.to_string(),
    };
    Ok((data, mime))
}

/// Why a media download failed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{}", .0.explanation())]
    Graph(GraphError),
    #[error("the file did not match its checksum")]
    Checksum,
}

/// Approved templates of a WhatsApp business account.
pub async fn approved_templates(
    graph: &Graph,
    business_account_id: &str,
) -> Result<Vec<TemplateView>, GraphError> {
    let mut out = Vec::new();
    let mut page = graph
        .get_json(
            &format!("{business_account_id}/message_templates"),
            &[("status", "APPROVED"), ("limit", "100")],
        )
        .await?;
    for _ in 0..20 {
        for t in page
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if text_at(t, &["status"]) != "APPROVED" {
                continue;
            }
            let body = t
                .get("components")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|c| text_at(c, &["type"]).eq_ignore_ascii_case("body"))
                .map(|c| text_at(c, &["text"]).to_string())
                .unwrap_or_default();
            out.push(TemplateView {
                name: text_at(t, &["name"]).to_string(),
                language: text_at(t, &["language"]).to_string(),
                category: text_at(t, &["category"]).to_string(),
                parameters: parameter_count(&body),
                body,
            });
        }
        let next = text_at(&page, &["paging", "next"]);
        if next.is_empty() {
            break;
        }
        page = graph.get_absolute(next).await?;
    }
    Ok(out)
}

/// `POST /{phone-number-id}/settings` turning in-country storage on for `region` (v21+).
pub async fn enable_local_storage(
    graph: &Graph,
    phone_number_id: &str,
    region: &str,
) -> Result<(), GraphError> {
    graph
        .post_json(
            &format!("{phone_number_id}/settings"),
            &json!({ "storage_configuration": {
                "status": "IN_COUNTRY_STORAGE_ENABLED",
                "data_localization_region": region
            }}),
        )
        .await
        .map(drop)
}

/// `GET /{phone-number-id}/settings`: the storage status and region Meta reports.
pub async fn read_local_storage(
    graph: &Graph,
    phone_number_id: &str,
) -> Result<(String, Option<String>), GraphError> {
    let settings = graph
        .get_json(&format!("{phone_number_id}/settings"), &[])
        .await?;
    let status = match text_at(&settings, &["storage_configuration", "status"]) {
        "" => "IN_COUNTRY_STORAGE_DISABLED".to_string(),
        s => s.to_string(),
    };
    let region = match text_at(
        &settings,
        &["storage_configuration", "data_localization_region"],
    ) {
        "" => None,
        r => Some(r.to_string()),
    };
    Ok((status, region))
}
