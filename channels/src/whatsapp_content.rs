//! What a WhatsApp message holds besides its text, as [`RichContent`]: a shared place,
//! contact cards, a sticker, an order, the button or list row tapped, or (for a type this
//! app does not know) the type's name and its payload, so nothing is dropped.

use crate::parse::text_at;
use appcare_core::channel::rich::{
    self, CardEmail, CardPhone, ContactCard, OrderItem, RichContent, LIST_MAX, ORDER_ITEMS_MAX,
};
use serde_json::Value;

/// The message types this app reads (Meta's Cloud API webhook reference).
pub const KNOWN_KINDS: &[&str] = &[
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "order",
    "interactive",
    "button",
    "reaction",
    "edit",
    "system",
    "unsupported",
];

/// A number or decimal text as sent (`37.48`, `"37.48"`), or empty.
fn decimal(value: Option<&Value>) -> String {
    match value {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => rich::field(s),
        _ => String::new(),
    }
}

fn list<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> + use<'a> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The structured part of a message of type `kind`, when it has one.
pub fn content_of(message: &Value, kind: &str) -> Option<RichContent> {
    let part = message.get(kind).unwrap_or(&Value::Null);
    Some(match kind {
        "location" => RichContent::Location {
            latitude: decimal(part.get("latitude")),
            longitude: decimal(part.get("longitude")),
            name: rich::field(text_at(part, &["name"])),
            address: rich::field(text_at(part, &["address"])),
        },
        "contacts" => RichContent::Contacts {
            cards: part
                .as_array()
                .into_iter()
                .flatten()
                .take(LIST_MAX)
                .map(card)
                .collect(),
        },
        "sticker" => RichContent::Sticker {
            animated: part.get("animated").and_then(Value::as_bool) == Some(true),
        },
        "order" => RichContent::Order {
            catalog_id: rich::field(text_at(part, &["catalog_id"])),
            note: rich::field(text_at(part, &["text"])),
            items: list(part, "product_items")
                .take(ORDER_ITEMS_MAX)
                .map(|item| OrderItem {
                    product: rich::field(text_at(item, &["product_retailer_id"])),
                    quantity: match item.get("quantity") {
                        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
                        _ => 0,
                    },
                    price: decimal(item.get("item_price")),
                    currency: rich::field(text_at(item, &["currency"])),
                })
                .collect(),
        },
        "interactive" => {
            let reply_kind = text_at(part, &["type"]);
            if reply_kind != "list_reply" && reply_kind != "button_reply" {
                return None;
            }
            let reply = part.get(reply_kind).unwrap_or(&Value::Null);
            RichContent::Choice {
                title: rich::field(text_at(reply, &["title"])),
                description: rich::field(text_at(reply, &["description"])),
            }
        }
        "button" => RichContent::Choice {
            title: rich::field(text_at(part, &["text"])),
            description: String::new(),
        },
        "edit" => {
            let inner = part.get("message").unwrap_or(&Value::Null);
            let inner_kind = text_at(inner, &["type"]);
            return (inner_kind != "edit")
                .then(|| content_of(inner, inner_kind))
                .flatten();
        }
        known if KNOWN_KINDS.contains(&known) => return None,
        other => RichContent::Unsupported {
            message_type: rich::field(other),
            raw: rich::raw(&message.to_string()),
        },
    })
}

fn card(card: &Value) -> ContactCard {
    let name = match text_at(card, &["name", "formatted_name"]) {
        "" => [
            text_at(card, &["name", "first_name"]),
            text_at(card, &["name", "last_name"]),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" "),
        name => name.to_string(),
    };
    ContactCard {
        name: rich::field(&name),
        organization: rich::field(text_at(card, &["org", "company"])),
        phones: list(card, "phones")
            .take(LIST_MAX)
            .map(|p| CardPhone {
                phone: rich::field(text_at(p, &["phone"])),
                wa_id: rich::field(text_at(p, &["wa_id"])),
                label: rich::field(&text_at(p, &["type"]).to_lowercase()),
            })
            .collect(),
        emails: list(card, "emails")
            .take(LIST_MAX)
            .map(|e| CardEmail {
                email: rich::field(text_at(e, &["email"])),
                label: rich::field(&text_at(e, &["type"]).to_lowercase()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Messages shaped like the examples of Meta's Cloud API webhook reference.

    #[test]
    fn a_location_keeps_its_place_and_coordinates_as_sent() {
        let message = json!({"from": "16505551234", "id": "wamid.l", "timestamp": "1", "type": "location",
            "location": {"latitude": 37.483307, "longitude": -122.148981,
                         "name": "Pablo Morales", "address": "1 Hacker Way, Menlo Park, CA 94025"}});
        assert!(matches!(
            content_of(&message, "location"),
            Some(RichContent::Location { latitude, longitude, name, address })
                if latitude == "37.483307" && longitude == "-122.148981"
                    && name == "Pablo Morales" && address.starts_with("1 Hacker Way")
        ));
    }

    #[test]
    fn shared_contacts_keep_every_phone_and_address() {
        let message = json!({"type": "contacts", "contacts": [
            {"name": {"formatted_name": "Barbara J. Johnson", "first_name": "Barbara"},
             "org": {"company": "Contoso"},
             "phones": [{"phone": "+1 (415) 555-0123", "wa_id": "14155550123", "type": "MOBILE"},
                        {"phone": "+1 (415) 555-0000", "type": "WORK"}],
             "emails": [{"email": "bjohnson@example.com", "type": "HOME"}]},
            {"name": {"first_name": "Ana", "last_name": "Silva"}}]});
        let Some(RichContent::Contacts { cards }) = content_of(&message, "contacts") else {
            panic!("no cards");
        };
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].name, "Barbara J. Johnson");
        assert_eq!(cards[0].organization, "Contoso");
        assert_eq!(cards[0].phones.len(), 2);
        assert_eq!(cards[0].phones[0].wa_id, "14155550123");
        assert_eq!(cards[0].phones[0].label, "mobile");
        assert_eq!(cards[0].phones[1].wa_id, "");
        assert_eq!(cards[0].emails[0].email, "bjohnson@example.com");
        assert_eq!(cards[1].name, "Ana Silva");
    }

    #[test]
    fn stickers_orders_and_taps_are_shown_as_what_they_are() {
        let sticker = json!({"type": "sticker", "sticker": {"mime_type": "image/webp", "sha256": "x", "id": "1", "animated": true}});
        assert!(matches!(
            content_of(&sticker, "sticker"),
            Some(RichContent::Sticker { animated: true })
        ));
        let order = json!({"type": "order", "order": {"catalog_id": "cat-1", "text": "Gift wrap please",
            "product_items": [{"product_retailer_id": "SKU-1", "quantity": "2", "item_price": "10.5", "currency": "EUR"},
                              {"product_retailer_id": "SKU-2", "quantity": 1, "item_price": 3, "currency": "EUR"}]}});
        let Some(RichContent::Order {
            catalog_id,
            note,
            items,
        }) = content_of(&order, "order")
        else {
            panic!("no order");
        };
        assert_eq!(
            (catalog_id.as_str(), note.as_str()),
            ("cat-1", "Gift wrap please")
        );
        assert_eq!(
            items
                .iter()
                .map(|i| (i.product.as_str(), i.quantity, i.price.as_str()))
                .collect::<Vec<_>>(),
            [("SKU-1", 2, "10.5"), ("SKU-2", 1, "3")]
        );
        let list = json!({"type": "interactive", "context": {"from": "1", "id": "wamid.offer"},
            "interactive": {"type": "list_reply", "list_reply": {"id": "row-2", "title": "Tuesday", "description": "9–12"}}});
        assert!(matches!(
            content_of(&list, "interactive"),
            Some(RichContent::Choice { title, description }) if title == "Tuesday" && description == "9–12"
        ));
        let button =
            json!({"type": "button", "button": {"payload": "STOP", "text": "Stop promotions"}});
        assert!(matches!(
            content_of(&button, "button"),
            Some(RichContent::Choice { title, .. }) if title == "Stop promotions"
        ));
        // Plain text and media have no structured part.
        assert!(content_of(&json!({"type": "text", "text": {"body": "hi"}}), "text").is_none());
        assert!(content_of(&json!({"type": "image", "image": {"id": "1"}}), "image").is_none());
    }

    #[test]
    fn an_unknown_type_keeps_its_name_and_payload_bounded() {
        let message = json!({"from": "1", "id": "wamid.u", "type": "poll", "poll": {"question": "Which?", "tail": "y".repeat(40_000)}});
        let Some(RichContent::Unsupported { message_type, raw }) = content_of(&message, "poll")
        else {
            panic!("not kept");
        };
        assert_eq!(message_type, "poll");
        assert!(raw.contains("Which?"));
        assert!(raw.len() <= rich::RAW_MAX_BYTES);
    }
}
