//! WhatsApp Cloud API: the Graph calls to send text, media, templates and choices (to a phone
//! number or a business-scoped user id), fetch media, read approved templates and set
//! in-country storage. Webhook payloads are read in [`crate::whatsapp_inbound`].

use crate::graph::{Graph, GraphError};
use crate::parse::text_at;
pub use crate::whatsapp_inbound::parse_webhook;
use appcare_core::channel::rich::RichContent;
use appcare_core::channel::template::{
    parameter_count, ButtonValue, TemplateButton, TemplateHeader, TemplateView,
};
use appcare_core::channel::{
    our_reference, Choice, MediaRef, OutboundFile, OutboundJob, SendPayload,
};
use serde_json::{json, Value};

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

/// Whether `address` is a business-scoped user id (`CC.digits`, `CC.ENT.digits`) rather
/// than a phone number.
pub fn is_user_id(address: &str) -> bool {
    address.contains('.')
}

/// The documented send body for a job (`POST /{phone-number-id}/messages`); `media_id`
/// is the uploaded file's id for a media job.
pub fn send_body(job: &OutboundJob, media_id: Option<&str>) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "biz_opaque_callback_data": our_reference(job.message),
    });
    // A customer known only by a business-scoped user id (`US.1349…`: a phone number
    // never has a dot) is addressed with `recipient`; a phone number with `to`.
    if is_user_id(&job.to) {
        body["recipient"] = json!(job.to);
    } else {
        body["to"] = json!(job.to);
    }
    // An answer to one of the customer's messages, shown quoted in WhatsApp.
    if let Some(quoted) = &job.reply_to {
        body["context"] = json!({ "message_id": quoted });
    }
    match &job.payload {
        // A forward is e-mail only; the core never queues one here.
        SendPayload::Text { body: text } | SendPayload::Mail { body: text, .. } => {
            body["type"] = json!("text");
            body["text"] = json!({ "preview_url": false, "body": text });
        }
        SendPayload::Template {
            name,
            language,
            parameters,
            header,
            header_file,
            buttons,
        } => {
            let mut template = json!({ "name": name, "language": { "code": language } });
            let components =
                template_components(parameters, header, header_file.as_ref(), buttons, media_id);
            if !components.is_empty() {
                template["components"] = json!(components);
            }
            body["type"] = json!("template");
            body["template"] = template;
        }
        SendPayload::Card(card) => {
            let (kind, value) = card_body(card);
            body["type"] = json!(kind);
            body[kind] = value;
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
        SendPayload::Choices {
            body: text,
            button,
            choices,
        } => {
            body["type"] = json!("interactive");
            body["interactive"] = choices_body(text, button, choices);
        }
    }
    body
}

/// A template's components (Cloud API, "Template messages"): the header's text value or
/// uploaded file, the body's values, and one component per button that takes a value,
/// named by its position (`index`) and kind (`sub_type`).
fn template_components(
    parameters: &[String],
    header: &[String],
    header_file: Option<&(String, OutboundFile)>,
    buttons: &[ButtonValue],
    media_id: Option<&str>,
) -> Vec<Value> {
    let texts = |values: &[String]| -> Vec<Value> {
        values
            .iter()
            .map(|p| json!({ "type": "text", "text": p }))
            .collect()
    };
    let mut components = Vec::new();
    if let Some((format, file)) = header_file {
        let mut media = json!({ "id": media_id.unwrap_or_default() });
        if format == "document" {
            media["filename"] = json!(file.file_name);
        }
        let mut parameter = json!({ "type": format });
        parameter[format.as_str()] = media;
        components.push(json!({ "type": "header", "parameters": [parameter] }));
    } else if !header.is_empty() {
        components.push(json!({ "type": "header", "parameters": texts(header) }));
    }
    if !parameters.is_empty() {
        components.push(json!({ "type": "body", "parameters": texts(parameters) }));
    }
    for button in buttons {
        let parameter = match button.kind.as_str() {
            "copy_code" => json!({ "type": "coupon_code", "coupon_code": button.value }),
            _ => json!({ "type": "text", "text": button.value }),
        };
        components.push(json!({
            "type": "button",
            "sub_type": button.kind,
            "index": button.index.to_string(),
            "parameters": [parameter],
        }));
    }
    components
}

/// A place (Cloud API "Location messages") or contact cards ("Contacts messages").
fn card_body(card: &RichContent) -> (&'static str, Value) {
    match card {
        RichContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let number = |text: &str| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            };
            let mut place = json!({ "latitude": number(latitude), "longitude": number(longitude) });
            if !name.is_empty() {
                place["name"] = json!(name);
            }
            if !address.is_empty() {
                place["address"] = json!(address);
            }
            ("location", place)
        }
        RichContent::Contacts { cards } => {
            let upper = |label: &str| match label {
                "" => Value::Null,
                l => json!(l.to_uppercase()),
            };
            let cards: Vec<Value> = cards
                .iter()
                .map(|c| {
                    let first = c.name.split_whitespace().next().unwrap_or(&c.name);
                    let mut card = json!({
                        "name": { "formatted_name": c.name, "first_name": first },
                        "phones": c.phones.iter().map(|p| {
                            let mut phone = json!({ "phone": p.phone });
                            if !p.label.is_empty() { phone["type"] = upper(&p.label); }
                            phone
                        }).collect::<Vec<_>>(),
                        "emails": c.emails.iter().map(|e| {
                            let mut email = json!({ "email": e.email });
                            if !e.label.is_empty() { email["type"] = upper(&e.label); }
                            email
                        }).collect::<Vec<_>>(),
                    });
                    if !c.organization.is_empty() {
                        card["org"] = json!({ "company": c.organization });
                    }
                    card
                })
                .collect();
            ("contacts", json!(cards))
        }
        // The core queues nothing else as a card.
        _ => ("text", json!({ "body": "" })),
    }
}

/// An interactive message offering `choices`: reply buttons for up to three, else a
/// list (Cloud API "Interactive reply buttons" / "Interactive list messages"), each
/// text cut to Meta's documented lengths (body 1,024; button 20; row title 24, id 200;
/// at most 10 rows).
fn choices_body(text: &str, button: &str, choices: &[Choice]) -> Value {
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let body = json!({ "text": cut(text, 1024) });
    if choices.len() <= 3 {
        let buttons: Vec<Value> = choices
            .iter()
            .map(|c| json!({ "type": "reply", "reply": { "id": cut(&c.id, 256), "title": cut(&c.title, 20) } }))
            .collect();
        return json!({ "type": "button", "body": body, "action": { "buttons": buttons } });
    }
    let rows: Vec<Value> = choices
        .iter()
        .take(10)
        .map(|c| json!({ "id": cut(&c.id, 200), "title": cut(&c.title, 24) }))
        .collect();
    let button = match button.trim() {
        "" => "Choose",
        b => b,
    };
    json!({
        "type": "list",
        "body": body,
        "action": { "button": cut(button, 20), "sections": [{ "title": "Choose one", "rows": rows }] },
    })
}

/// The documented body of a reaction to the customer's message `message_id` (an empty
/// emoji removes ours).
pub fn reaction_body(to: &str, message_id: &str, emoji: &str) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "reaction",
        "reaction": { "message_id": message_id, "emoji": emoji },
    });
    if is_user_id(to) {
        body["recipient"] = json!(to);
    } else {
        body["to"] = json!(to);
    }
    body
}

/// The documented body that marks the customer's message read, with the typing
/// indicator when `typing` (Cloud API, "Mark messages as read" and "Typing indicators").
pub fn read_body(message_id: &str, typing: bool) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": message_id,
    });
    if typing {
        body["typing_indicator"] = json!({ "type": "text" });
    }
    body
}

/// Marks the customer's message (and those before it) read; with `typing`, the
/// customer also sees that we are typing, for up to 25 seconds or until we answer.
pub async fn mark_read(
    graph: &Graph,
    phone_number_id: &str,
    message_id: &str,
    typing: bool,
) -> Result<(), GraphError> {
    graph
        .post_json(
            &format!("{phone_number_id}/messages"),
            &read_body(message_id, typing),
        )
        .await
        .map(drop)
}

/// Reacts to the customer's message (`POST /{phone-number-id}/messages`, `type: reaction`).
pub async fn send_reaction(
    graph: &Graph,
    phone_number_id: &str,
    to: &str,
    message_id: &str,
    emoji: &str,
) -> Result<(), GraphError> {
    graph
        .post_json(
            &format!("{phone_number_id}/messages"),
            &reaction_body(to, message_id, emoji),
        )
        .await
        .map(drop)
}

/// Sends one job; returns Meta's message id (`wamid…`).
pub async fn send(
    graph: &Graph,
    phone_number_id: &str,
    job: &OutboundJob,
) -> Result<String, GraphError> {
    let file = match &job.payload {
        SendPayload::Media { file, .. } => Some(file),
        SendPayload::Template {
            header_file: Some((_, file)),
            ..
        } => Some(file),
        _ => None,
    };
    let media_id = match file {
        Some(file) => Some(
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

/// An approved template as Meta lists it (`GET /{waba-id}/message_templates`): its body,
/// its header (text with a placeholder, or the kind of file it shows) and its buttons.
pub fn template_of(t: &Value) -> Option<TemplateView> {
    if text_at(t, &["status"]) != "APPROVED" {
        return None;
    }
    let components: Vec<&Value> = t
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let component = |kind: &str| {
        components
            .iter()
            .find(|c| text_at(c, &["type"]).eq_ignore_ascii_case(kind))
    };
    let body = component("body")
        .map(|c| text_at(c, &["text"]).to_string())
        .unwrap_or_default();
    let header = component("header").map(|c| {
        let text = text_at(c, &["text"]).to_string();
        TemplateHeader {
            format: match text_at(c, &["format"]) {
                "" => "text".to_string(),
                f => f.to_lowercase(),
            },
            parameters: parameter_count(&text),
            text,
        }
    });
    let buttons = component("buttons")
        .and_then(|c| c.get("buttons"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|b| {
            let kind = text_at(b, &["type"]).to_lowercase();
            let url = text_at(b, &["url"]).to_string();
            let text = match text_at(b, &["text"]) {
                "" if kind == "copy_code" => "Copy code".to_string(),
                t => t.to_string(),
            };
            let parameters = match kind.as_str() {
                "url" => parameter_count(&url).min(1),
                "copy_code" => 1,
                _ => 0,
            };
            TemplateButton {
                kind,
                text,
                url,
                parameters,
            }
        })
        .collect();
    Some(TemplateView {
        name: text_at(t, &["name"]).to_string(),
        language: text_at(t, &["language"]).to_string(),
        category: text_at(t, &["category"]).to_string(),
        parameters: parameter_count(&body),
        body,
        header,
        buttons,
    })
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
            if let Some(template) = template_of(t) {
                out.push(template);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use appcare_core::ids::ChannelAccountId;

    #[test]
    fn a_user_id_is_sent_as_recipient_and_a_phone_as_to() {
        let job = |to: &str| OutboundJob {
            message: appcare_core::MessageId::new(1),
            conversation: appcare_core::ConversationId::new(1),
            account: ChannelAccountId::new(7),
            channel: appcare_core::channel::Channel::WhatsApp,
            to: to.into(),
            payload: SendPayload::Text { body: "hi".into() },
            tag: None,
            attempt: 1,
            email: None,
            reply_to: None,
        };
        let by_id = send_body(&job("US.13491208655302741918"), None);
        assert_eq!(by_id["recipient"], json!("US.13491208655302741918"));
        assert!(by_id.get("to").is_none());
        let by_phone = send_body(&job("16505551234"), None);
        assert_eq!(by_phone["to"], json!("16505551234"));
        assert!(by_phone.get("recipient").is_none());
    }

    #[test]
    fn a_video_or_document_title_goes_by_its_uploaded_id_a_document_with_its_name() {
        let job = |format: &str| OutboundJob {
            message: appcare_core::MessageId::new(1),
            conversation: appcare_core::ConversationId::new(1),
            account: ChannelAccountId::new(7),
            channel: appcare_core::channel::Channel::WhatsApp,
            to: "16505551234".into(),
            payload: SendPayload::Template {
                name: "invoice".into(),
                language: "en".into(),
                parameters: vec![],
                header: vec![],
                header_file: Some((
                    format.into(),
                    OutboundFile {
                        file_name: "invoice-17.pdf".into(),
                        mime_type: "application/pdf".into(),
                        data: vec![1, 2, 3],
                    },
                )),
                buttons: vec![],
            },
            tag: None,
            attempt: 1,
            email: None,
            reply_to: None,
        };
        let document = send_body(&job("document"), Some("upload-9"));
        assert_eq!(
            document["template"]["components"],
            json!([{"type": "header", "parameters": [{"type": "document",
                "document": {"id": "upload-9", "filename": "invoice-17.pdf"}}]}])
        );
        let video = send_body(&job("video"), Some("upload-10"));
        assert_eq!(
            video["template"]["components"],
            json!([{"type": "header", "parameters": [{"type": "video", "video": {"id": "upload-10"}}]}])
        );
    }

    fn choices(n: usize) -> Vec<Choice> {
        (1..=n)
            .map(|i| Choice {
                id: format!("csat:9:{i}"),
                title: format!("{i} – a title far longer than Meta allows"),
            })
            .collect()
    }

    #[test]
    fn choices_go_as_a_list_within_meta_limits_or_as_buttons_when_few() {
        let job = |n| OutboundJob {
            message: appcare_core::MessageId::new(1),
            conversation: appcare_core::ConversationId::new(1),
            account: ChannelAccountId::new(7),
            channel: appcare_core::channel::Channel::WhatsApp,
            to: "16505551234".into(),
            payload: SendPayload::Choices {
                body: "How did we do?".into(),
                button: "Rate".into(),
                choices: choices(n),
            },
            tag: None,
            attempt: 1,
            email: None,
            reply_to: None,
        };
        let list = send_body(&job(12), None);
        assert_eq!(list["type"], json!("interactive"));
        let i = &list["interactive"];
        assert_eq!(i["type"], json!("list"));
        assert_eq!(i["body"]["text"], json!("How did we do?"));
        assert_eq!(i["action"]["button"], json!("Rate"));
        let rows = i["action"]["sections"][0]["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 10, "at most ten rows");
        assert_eq!(rows[0]["id"], json!("csat:9:1"));
        assert!(rows
            .iter()
            .all(|r| r["title"].as_str().is_some_and(|t| t.chars().count() <= 24)));
        let buttons = send_body(&job(3), None);
        let b = &buttons["interactive"];
        assert_eq!(b["type"], json!("button"));
        assert_eq!(b["action"]["buttons"].as_array().map(Vec::len), Some(3));
        assert_eq!(b["action"]["buttons"][2]["reply"]["id"], json!("csat:9:3"));
        assert!(b["action"]["buttons"][0]["reply"]["title"]
            .as_str()
            .is_some_and(|t| t.chars().count() <= 20));
    }
}
