//! WhatsApp webhook payloads (`whatsapp_business_account`) into channel events: messages
//! from a phone number or a business-scoped user id, statuses, number changes, messages
//! sent from the WhatsApp Business app, and items set aside with their reason.

use crate::parse::{account_for, text_at, WebhookAccount};
use appcare_core::channel::{
    parse_our_reference, AddressChange, ChannelEvent, DeliveryStatus, EchoEvent, InboundEvent,
    MediaRef, Pricing, ProviderError, ReactionEvent, SetAsideEvent, StatusEvent, PRICING_WORD_MAX,
    REACTION_MAX_CHARS,
};
use appcare_core::ids::ChannelAccountId;
use appcare_core::Timestamp;
use serde_json::Value;

const MEDIA_KINDS: &[&str] = &["image", "video", "audio", "document", "sticker"];

/// Parses one verified `whatsapp_business_account` body. Changes for numbers that are not
/// connected here (and account-level notices without a number) are skipped with a log
/// line: they are not this workspace's data. Everything else addressed to a connected
/// number becomes an event: a message, a status, an echo, a number change, or an item
/// set aside for an admin with its reason and raw JSON.
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
            let value = change.get("value").unwrap_or(&Value::Null);
            let phone_number_id = text_at(value, &["metadata", "phone_number_id"]);
            if phone_number_id.is_empty() {
                tracing::info!(field, "WhatsApp account-level notice ignored (no number)");
                continue;
            }
            let Some(account) = account_for(accounts, phone_number_id) else {
                tracing::warn!("WhatsApp webhook for a number that is not connected here ignored");
                continue;
            };
            match field {
                "messages" => parse_messages(value, account, &mut events),
                "smb_message_echoes" => parse_echoes(value, account, &mut events),
                other => events.push(ChannelEvent::SetAside(SetAsideEvent::new(
                    account,
                    format!(
                        "a WhatsApp webhook field this app does not read ({})",
                        short_word(other)
                    ),
                    change,
                ))),
            }
        }
    }
    events
}

/// A `contacts[]` entry: who sent the messages of a change.
struct Sender<'a> {
    wa_id: &'a str,
    user_id: &'a str,
    name: &'a str,
    username: &'a str,
}

fn parse_messages(value: &Value, account: ChannelAccountId, events: &mut Vec<ChannelEvent>) {
    let senders: Vec<Sender<'_>> = value
        .get("contacts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| Sender {
            wa_id: text_at(c, &["wa_id"]),
            user_id: text_at(c, &["user_id"]),
            name: text_at(c, &["profile", "name"]),
            username: text_at(c, &["profile", "username"]),
        })
        .collect();
    for message in value
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        events.push(match parse_message(message, account, &senders) {
            Ok(event) => event,
            Err(reason) => ChannelEvent::SetAside(SetAsideEvent::new(account, reason, message)),
        });
    }
    for status in value
        .get("statuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        events.push(match parse_status(status, account) {
            Some(event) => ChannelEvent::Status(event),
            None => ChannelEvent::SetAside(SetAsideEvent::new(
                account,
                "a WhatsApp status this app cannot read",
                status,
            )),
        });
    }
    // Errors about the number or the change itself (not inside a message).
    if let Some(errors) = value.get("errors").filter(|e| !e.is_null()) {
        events.push(ChannelEvent::SetAside(SetAsideEvent::new(
            account,
            format!("WhatsApp reported an error: {}", errors_text(errors)),
            value,
        )));
    }
}

/// Messages the business sent from the WhatsApp Business app on the same number
/// (`smb_message_echoes`): stored as outbound messages of the conversation.
fn parse_echoes(value: &Value, account: ChannelAccountId, events: &mut Vec<ChannelEvent>) {
    for echo in value
        .get("message_echoes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let to = match text_at(echo, &["to"]) {
            "" => text_at(echo, &["to_user_id"]),
            to => to,
        };
        let id = text_at(echo, &["id"]);
        let sent_at = crate::time::from_seconds_text(text_at(echo, &["timestamp"]));
        let kind = text_at(echo, &["type"]);
        let mut media = Vec::new();
        let body = body_of(echo, kind, &mut media);
        match (to, id, sent_at, body) {
            (to, id, Some(sent_at), Ok(body)) if !to.is_empty() && !id.is_empty() => {
                events.push(ChannelEvent::Echo(EchoEvent {
                    account,
                    contact_external_id: to.to_string(),
                    external_id: id.to_string(),
                    body,
                    sent_at,
                    our_message: parse_our_reference(text_at(echo, &["biz_opaque_callback_data"])),
                }));
            }
            (_, _, _, Err(reason)) => events.push(ChannelEvent::SetAside(SetAsideEvent::new(
                account,
                format!("sent from the WhatsApp Business app: {reason}"),
                echo,
            ))),
            _ => events.push(ChannelEvent::SetAside(SetAsideEvent::new(
                account,
                "a message sent from the WhatsApp Business app without recipient, id or time",
                echo,
            ))),
        }
    }
}

/// At most 60 characters of a provider's word (a type or field name) for a reason.
fn short_word(word: &str) -> String {
    match word {
        "" => "none given".to_string(),
        w => w.chars().take(60).collect(),
    }
}

/// `errors[]` as "code title (details)", without customer text.
fn errors_text(errors: &Value) -> String {
    let list: Vec<String> = errors
        .as_array()
        .into_iter()
        .flatten()
        .take(5)
        .map(|e| {
            let code = e.get("code").map(Value::to_string).unwrap_or_default();
            let title = text_at(e, &["title"]);
            match text_at(e, &["error_data", "details"]) {
                "" => format!("{code} {title}"),
                details => format!("{code} {title} ({details})"),
            }
        })
        .collect();
    match list.join("; ").chars().take(400).collect::<String>() {
        t if t.trim().is_empty() => "no details".to_string(),
        t => t,
    }
}

/// One `messages[]` item: a customer's message, a number change, or the reason it is
/// set aside.
fn parse_message(
    message: &Value,
    account: ChannelAccountId,
    senders: &[Sender<'_>],
) -> Result<ChannelEvent, String> {
    let id = text_at(message, &["id"]);
    let kind = text_at(message, &["type"]);
    if id.is_empty() {
        return Err("a WhatsApp message without an id".into());
    }
    if !text_at(message, &["group_id"]).is_empty() || message.get("group_id").is_some() {
        return Err("a message in a WhatsApp group (group chats are not handled here)".into());
    }
    let sent_at = crate::time::from_seconds_text(text_at(message, &["timestamp"]))
        .ok_or("a WhatsApp message without a readable time")?;
    let from_phone = text_at(message, &["from"]);
    let from_user = text_at(message, &["from_user_id"]);
    let sender = senders.iter().find(|s| {
        (!from_phone.is_empty() && s.wa_id == from_phone)
            || (!from_user.is_empty() && s.user_id == from_user)
    });
    let phone = match from_phone {
        "" => sender.map(|s| s.wa_id).unwrap_or_default(),
        p => p,
    };
    let user = match from_user {
        "" => sender.map(|s| s.user_id).unwrap_or_default(),
        u => u,
    };
    // The phone number when Meta sends it, else the business-scoped user id; the
    // other one is linked to the same contact.
    let (address, aliases) = match (phone, user) {
        ("", "") => return Err("a WhatsApp message without a sender".into()),
        (p, "") => (p, Vec::new()),
        ("", u) => (u, Vec::new()),
        (p, u) => (p, vec![u.to_string()]),
    };
    if kind == "system" {
        return system_change(message, account, id, address, sent_at);
    }
    if kind == "reaction" {
        let reaction = message.get("reaction").unwrap_or(&Value::Null);
        let target = text_at(reaction, &["message_id"]);
        if target.is_empty() {
            return Err("a WhatsApp reaction that names no message".into());
        }
        // An empty emoji removes the customer's reaction.
        return Ok(ChannelEvent::Reaction(ReactionEvent {
            account,
            contact_external_id: address.to_string(),
            external_id: id.to_string(),
            target_external_id: target.to_string(),
            emoji: text_at(reaction, &["emoji"])
                .chars()
                .take(REACTION_MAX_CHARS)
                .collect(),
            at: sent_at,
        }));
    }
    if let Some(errors) = message.get("errors").filter(|e| !e.is_null()) {
        if kind != "unsupported" {
            return Err(format!(
                "a WhatsApp {} message with errors: {}",
                short_word(kind),
                errors_text(errors)
            ));
        }
    }
    let mut media = Vec::new();
    let body = body_of(message, kind, &mut media)?;
    let contact_name = sender
        .map(|s| match (s.name, s.username) {
            ("", "") => address,
            ("", username) => username,
            (name, _) => name,
        })
        .unwrap_or(address);
    Ok(ChannelEvent::Message(InboundEvent {
        account,
        contact_external_id: address.to_string(),
        contact_name: contact_name.to_string(),
        external_id: id.to_string(),
        body,
        sent_at,
        media,
        contact_aliases: aliases,
        reply_to: match text_at(message, &["context", "id"]) {
            "" => None,
            quoted => Some(quoted.to_string()),
        },
        choice: choice_of(message, kind),
        content: crate::whatsapp_content::content_of(message, kind),
    }))
}

/// `type: system`: the customer's number (or business-scoped id) changed.
fn system_change(
    message: &Value,
    account: ChannelAccountId,
    id: &str,
    old: &str,
    at: appcare_core::Timestamp,
) -> Result<ChannelEvent, String> {
    let system = message.get("system").unwrap_or(&Value::Null);
    let new = match text_at(system, &["type"]) {
        "user_changed_number" | "customer_changed_number" => text_at(system, &["wa_id"]),
        "user_changed_user_id" => text_at(system, &["user_id"]),
        other => {
            return Err(format!(
                "a WhatsApp system message of a kind this app does not read ({})",
                short_word(other)
            ))
        }
    };
    if new.is_empty() {
        return Err("a WhatsApp number change without the new address".into());
    }
    Ok(ChannelEvent::AddressChange(AddressChange {
        account,
        external_id: id.to_string(),
        old: old.to_string(),
        new: new.to_string(),
        note: text_at(system, &["body"]).chars().take(500).collect(),
        at,
    }))
}

/// The readable text of a message of type `kind` (media announced into `media`), or
/// why it cannot be shown.
fn body_of(message: &Value, kind: &str, media: &mut Vec<MediaRef>) -> Result<String, String> {
    Ok(match kind {
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
        "interactive" => interactive_body(message.get("interactive").unwrap_or(&Value::Null))?,
        "button" => format!("Chose: {}", text_at(message, &["button", "text"])),
        "contacts" => shared_contacts(message.get("contacts").unwrap_or(&Value::Null)),
        "order" => order_body(message.get("order").unwrap_or(&Value::Null)),
        "edit" => {
            let edit = message.get("edit").unwrap_or(&Value::Null);
            let inner = edit.get("message").unwrap_or(&Value::Null);
            let inner_kind = text_at(inner, &["type"]);
            if inner_kind == "edit" {
                return Err("a WhatsApp edit of an edit".into());
            }
            format!("(edited a message) {}", body_of(inner, inner_kind, media)?)
        }
        "unsupported" => format!(
            "(WhatsApp did not pass this message on: {})",
            errors_text(message.get("errors").unwrap_or(&Value::Null))
        ),
        // Kept with its type and payload (see `whatsapp_content`), shown as such.
        other => format!(
            "(a WhatsApp message of a type this app cannot show yet: {})",
            short_word(other)
        ),
    })
}

/// The id of the button or list row the customer tapped (`interactive` replies, and
/// `button`: a template's quick reply with its payload).
fn choice_of(message: &Value, kind: &str) -> Option<String> {
    let id = match kind {
        "interactive" => {
            let i = message.get("interactive").unwrap_or(&Value::Null);
            match text_at(i, &["type"]) {
                "list_reply" => text_at(i, &["list_reply", "id"]),
                "button_reply" => text_at(i, &["button_reply", "id"]),
                _ => "",
            }
        }
        "button" => text_at(message, &["button", "payload"]),
        _ => "",
    };
    crate::parse::choice(id)
}

fn interactive_body(i: &Value) -> Result<String, String> {
    Ok(match text_at(i, &["type"]) {
        "list_reply" => format!("Chose: {}", text_at(i, &["list_reply", "title"])),
        "button_reply" => format!("Chose: {}", text_at(i, &["button_reply", "title"])),
        "nfm_reply" => {
            let reply = i.get("nfm_reply").unwrap_or(&Value::Null);
            let answers: serde_json::Map<String, Value> =
                serde_json::from_str(text_at(reply, &["response_json"]))
                    .map_err(|_| "a WhatsApp Flow answer whose response_json is not an object")?;
            let mut lines = vec!["Answered a form:".to_string()];
            for (key, value) in answers.iter().filter(|(k, _)| k.as_str() != "flow_token") {
                let value = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                lines.push(format!("{}: {value}", field_label(key)));
            }
            lines.join("\n")
        }
        "call_permission_reply" => {
            let reply = i.get("call_permission_reply").unwrap_or(&Value::Null);
            let answer = match text_at(reply, &["response"]) {
                "accept" => "allowed",
                "reject" => "refused",
                other => other,
            };
            let how_long = match reply.get("is_permanent").and_then(Value::as_bool) {
                Some(true) => " (for good)",
                _ => "",
            };
            format!("Answered the request to call: {answer}{how_long}")
        }
        other => {
            return Err(format!(
                "a WhatsApp interactive reply of a kind this app cannot show ({})",
                short_word(other)
            ))
        }
    })
}

/// Shared contact cards (`type: contacts`): each one's name with every phone number (and
/// its WhatsApp id) and e-mail address, so nothing the customer sent is dropped.
fn shared_contacts(cards: &Value) -> String {
    let mut lines = Vec::new();
    for card in cards.as_array().into_iter().flatten().take(20) {
        let name = match text_at(card, &["name", "formatted_name"]) {
            "" => "(no name)",
            name => name,
        };
        lines.push(format!("Shared a contact: {name}"));
        for phone in card
            .get("phones")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = match text_at(phone, &["type"]) {
                "" => String::new(),
                kind => format!(" ({})", kind.to_lowercase()),
            };
            let on_whatsapp = match text_at(phone, &["wa_id"]) {
                "" => String::new(),
                id => format!(", on WhatsApp as {id}"),
            };
            lines.push(format!(
                "- phone{kind}: {}{on_whatsapp}",
                text_at(phone, &["phone"])
            ));
        }
        for email in card
            .get("emails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            lines.push(format!("- e-mail: {}", text_at(email, &["email"])));
        }
    }
    match lines.is_empty() {
        true => "Shared a contact".to_string(),
        false => lines.join("\n"),
    }
}

/// `delivery_rating` → "Delivery rating".
fn field_label(key: &str) -> String {
    let spaced = key.replace(['_', '-'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => key.to_string(),
    }
}

/// An order from a catalogue: its items, quantities and prices, and the customer's note.
fn order_body(order: &Value) -> String {
    let mut lines = vec!["Placed an order:".to_string()];
    for item in order
        .get("product_items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let number = |key: &str| match item.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        lines.push(format!(
            "- {} × {} at {} {}",
            number("quantity"),
            text_at(item, &["product_retailer_id"]),
            number("item_price"),
            text_at(item, &["currency"])
        ));
    }
    match text_at(order, &["text"]) {
        "" => {}
        note => lines.push(format!("Note: {note}")),
    }
    lines.join("\n")
}

fn parse_status(status: &Value, account: ChannelAccountId) -> Option<StatusEvent> {
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
        pricing: status.get("pricing").and_then(parse_pricing),
    })
}

/// A status's `pricing` block; words are cut to [`PRICING_WORD_MAX`] characters.
fn parse_pricing(pricing: &Value) -> Option<Pricing> {
    let word = |key: &str| -> String {
        text_at(pricing, &[key])
            .chars()
            .take(PRICING_WORD_MAX)
            .collect()
    };
    let billable = pricing.get("billable").and_then(Value::as_bool)?;
    Some(Pricing {
        billable,
        model: word("pricing_model"),
        kind: word("type"),
        category: word("category"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account() -> ChannelAccountId {
        ChannelAccountId::new(7)
    }

    fn accounts() -> Vec<WebhookAccount> {
        vec![WebhookAccount {
            id: account(),
            external_id: "106540352242922".into(),
        }]
    }

    fn change(field: &str, mut value: Value) -> Value {
        value["messaging_product"] = json!("whatsapp");
        value["metadata"] =
            json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"});
        json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
            "changes": [{"value": value, "field": field}]}]})
    }

    #[test]
    fn a_message_with_only_a_business_scoped_id_is_a_message_from_that_id() {
        let body = change(
            "messages",
            json!({"contacts": [{"profile": {"name": "", "username": "@sheena"}, "user_id": "US.13491208655302741918"}],
                   "messages": [{"from_user_id": "US.13491208655302741918", "id": "wamid.1", "timestamp": "1749416383",
                                 "type": "text", "text": {"body": "hi"}}]}),
        );
        let events = parse_webhook(&body, &accounts());
        let [ChannelEvent::Message(m)] = events.as_slice() else {
            panic!("{events:?}");
        };
        assert_eq!(m.contact_external_id, "US.13491208655302741918");
        assert_eq!(m.contact_name, "@sheena");
        assert!(m.contact_aliases.is_empty());
    }

    #[test]
    fn a_tapped_row_button_or_template_reply_names_its_id_as_the_choice() {
        let items = json!([
            {"from": "1", "id": "a", "timestamp": "1", "type": "interactive", "context": {"from": "2", "id": "wamid.Q"},
             "interactive": {"type": "list_reply", "list_reply": {"id": "csat:4:5", "title": "5 – Great", "description": ""}}},
            {"from": "1", "id": "b", "timestamp": "1", "type": "interactive",
             "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}},
            {"from": "1", "id": "c", "timestamp": "1", "type": "button", "button": {"payload": "STOP_PROMOS", "text": "Stop"}},
            {"from": "1", "id": "d", "timestamp": "1", "type": "text", "text": {"body": "5"}}
        ]);
        let events = parse_webhook(&change("messages", json!({"messages": items})), &accounts());
        let seen: Vec<(String, Option<String>)> = events
            .iter()
            .map(|e| match e {
                ChannelEvent::Message(m) => (m.body.clone(), m.choice.clone()),
                _ => panic!("{e:?}"),
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("Chose: 5 – Great".to_string(), Some("csat:4:5".to_string())),
                ("Chose: Yes".to_string(), Some("yes".to_string())),
                ("Chose: Stop".to_string(), Some("STOP_PROMOS".to_string())),
                ("5".to_string(), None),
            ]
        );
    }

    #[test]
    fn a_message_with_phone_and_id_names_the_phone_and_links_the_id() {
        let body = change(
            "messages",
            json!({"contacts": [{"profile": {"name": "Sheena"}, "wa_id": "16505551234", "user_id": "US.1"}],
                   "messages": [{"from": "16505551234", "from_user_id": "US.1", "id": "wamid.2", "timestamp": "1749416383",
                                 "type": "text", "text": {"body": "hi"}}]}),
        );
        let events = parse_webhook(&body, &accounts());
        let [ChannelEvent::Message(m)] = events.as_slice() else {
            panic!("{events:?}");
        };
        assert_eq!(
            (m.contact_external_id.as_str(), m.contact_aliases.clone()),
            ("16505551234", vec!["US.1".to_string()])
        );
    }

    #[test]
    fn nothing_addressed_to_a_connected_number_is_dropped() {
        let items = json!([
            {"from": "1", "id": "a", "timestamp": "1", "type": "sticker_pack"},
            {"from": "1", "id": "b", "timestamp": "1", "type": "text", "group_id": "g1", "text": {"body": "x"}},
            {"id": "c", "timestamp": "1", "type": "text", "text": {"body": "no sender"}},
            {"from": "1", "id": "d", "timestamp": "1", "type": "system", "system": {"type": "user_changed_number", "wa_id": "2", "body": "changed"}},
            {"from": "1", "id": "e", "timestamp": "1", "type": "interactive", "interactive": {"type": "nfm_reply", "nfm_reply": {"response_json": "not json"}}}
        ]);
        let events = parse_webhook(
            &change(
                "messages",
                json!({"messages": items, "statuses": [{"id": "s", "status": "deleted", "timestamp": "1"}]}),
            ),
            &accounts(),
        );
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                ChannelEvent::SetAside(_) => "aside",
                ChannelEvent::AddressChange(_) => "address",
                ChannelEvent::Message(_) => "message",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            ["message", "aside", "aside", "address", "aside", "aside"]
        );
        // A type this app does not know is stored with its type and payload, shown as
        // such, never dropped.
        let ChannelEvent::Message(unknown) = &events[0] else {
            panic!("{events:?}");
        };
        assert!(unknown.body.contains("cannot show yet: sticker_pack"));
        assert!(matches!(
            &unknown.content,
            Some(appcare_core::channel::rich::RichContent::Unsupported { message_type, raw })
                if message_type == "sticker_pack" && raw.contains("\"id\":\"a\"")
        ));
        // A field this app does not read, for a connected number: set aside.
        let unknown = parse_webhook(
            &change("user_preferences", json!({"user_preferences": []})),
            &accounts(),
        );
        assert!(matches!(unknown.as_slice(), [ChannelEvent::SetAside(_)]));
        // A number not connected here, or an account-level notice: not ours.
        let mut other = change("messages", json!({"messages": items}));
        other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("999");
        assert!(parse_webhook(&other, &accounts()).is_empty());
        let notice = json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
            "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]});
        assert!(parse_webhook(&notice, &accounts()).is_empty());
    }

    #[test]
    fn a_shared_contact_keeps_its_phones_and_addresses() {
        // Meta's contacts example, trimmed to the parts shown.
        let body = change(
            "messages",
            json!({"contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": "16315551234"}],
                   "messages": [{"from": "16315551234", "id": "wamid.c", "timestamp": "1683229471", "type": "contacts",
                     "contacts": [{"name": {"first_name": "Barbara", "last_name": "Johnson", "formatted_name": "Barbara J. Johnson"},
                                   "phones": [{"phone": "+1 (415) 555-0123", "wa_id": "14155550123", "type": "MOBILE"}],
                                   "emails": [{"email": "bjohnson@example.com", "type": "HOME"}]}]}]}),
        );
        let events = parse_webhook(&body, &accounts());
        let [ChannelEvent::Message(m)] = events.as_slice() else {
            panic!("{events:?}");
        };
        assert_eq!(
            m.body,
            "Shared a contact: Barbara J. Johnson\n- phone (mobile): +1 (415) 555-0123, on WhatsApp as 14155550123\n- e-mail: bjohnson@example.com"
        );
    }

    #[test]
    fn a_huge_item_is_set_aside_cut_with_a_note() {
        let big = "x".repeat(200_000);
        let body = change(
            "messages",
            json!({"messages": [{"from": "1", "id": "a", "timestamp": "1", "type": "text", "group_id": "g1", "text": {"body": big}}]}),
        );
        let events = parse_webhook(&body, &accounts());
        let [ChannelEvent::SetAside(aside)] = events.as_slice() else {
            panic!("{events:?}");
        };
        assert!(aside.raw.len() < 70_000, "{}", aside.raw.len());
        assert!(aside.raw.contains("[cut here"));
    }
}
