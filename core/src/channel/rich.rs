//! What a customer's message holds besides its text, kept as what it is so the window
//! can show it as such: a shared location, contact cards, a sticker, an order, the
//! button or list row tapped, or a message of a type this app does not know (kept with
//! its raw kind and payload, never dropped). The text of the message stays readable on
//! its own (search, previews, exports); this is shown beside it.

use serde::{Deserialize, Serialize};

/// The longest text of any one field kept, in characters.
pub const FIELD_MAX_CHARS: usize = 500;
/// At most this many contact cards, phones or e-mail addresses per card, order items.
pub const LIST_MAX: usize = 20;
/// The most order lines kept (WhatsApp allows up to 99 per cart).
pub const ORDER_ITEMS_MAX: usize = 100;
/// The most of an unknown message's payload kept, in bytes.
pub const RAW_MAX_BYTES: usize = 16 * 1024;

/// The structured part of a customer's message.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RichContent {
    /// A shared place. Coordinates are kept as the decimal text the channel sent.
    Location {
        latitude: String,
        longitude: String,
        name: String,
        address: String,
    },
    /// Shared contact cards.
    Contacts { cards: Vec<ContactCard> },
    /// The attached image is a sticker (shown small, without a caption).
    Sticker { animated: bool },
    /// A cart sent from the business's catalogue.
    Order {
        catalog_id: String,
        note: String,
        items: Vec<OrderItem>,
    },
    /// The button or list row the customer tapped; the message that offered it is the
    /// one this message quotes.
    Choice { title: String, description: String },
    /// A message of a type this app cannot show: its kind and payload as they came.
    Unsupported { message_type: String, raw: String },
}

/// One shared contact.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactCard {
    pub name: String,
    pub organization: String,
    pub phones: Vec<CardPhone>,
    pub emails: Vec<CardEmail>,
}

/// A phone number on a shared contact; `wa_id` when it is on WhatsApp.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CardPhone {
    pub phone: String,
    pub wa_id: String,
    /// `home`, `work`, `cell`… as sent, lower case.
    pub label: String,
}

/// An e-mail address on a shared contact.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CardEmail {
    pub email: String,
    pub label: String,
}

/// One line of an order.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderItem {
    /// The catalogue's product id (`product_retailer_id`).
    pub product: String,
    pub quantity: i64,
    /// The unit price as the decimal text sent.
    pub price: String,
    pub currency: String,
}

crate::redacted_debug!(RichContent, ContactCard, CardPhone, CardEmail, OrderItem);

impl RichContent {
    /// The same content with every text a customer wrote passed through `f` (payment
    /// data masked before it is stored, like the message's text). Kinds, coordinates,
    /// quantities and ids are left as they are.
    pub fn map_text(&self, f: &dyn Fn(&str) -> String) -> RichContent {
        match self {
            Self::Location {
                latitude,
                longitude,
                name,
                address,
            } => Self::Location {
                latitude: latitude.clone(),
                longitude: longitude.clone(),
                name: f(name),
                address: f(address),
            },
            Self::Contacts { cards } => Self::Contacts {
                cards: cards
                    .iter()
                    .map(|c| ContactCard {
                        name: f(&c.name),
                        organization: f(&c.organization),
                        phones: c.phones.clone(),
                        emails: c.emails.clone(),
                    })
                    .collect(),
            },
            Self::Sticker { animated } => Self::Sticker {
                animated: *animated,
            },
            Self::Order {
                catalog_id,
                note,
                items,
            } => Self::Order {
                catalog_id: catalog_id.clone(),
                note: f(note),
                items: items.clone(),
            },
            Self::Choice { title, description } => Self::Choice {
                title: f(title),
                description: f(description),
            },
            Self::Unsupported { message_type, raw } => Self::Unsupported {
                message_type: message_type.clone(),
                raw: f(raw),
            },
        }
    }
}

/// `text` cut to [`FIELD_MAX_CHARS`] characters, without control characters.
pub fn field(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(FIELD_MAX_CHARS)
        .collect()
}

/// A JSON payload cut to [`RAW_MAX_BYTES`] (on a character boundary).
pub fn raw(text: &str) -> String {
    if text.len() <= RAW_MAX_BYTES {
        return text.to_string();
    }
    let mut end = RAW_MAX_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Decimal degrees as the channel sent them, when they are a real place:
/// latitude -90..=90, longitude -180..=180.
pub fn coordinates(latitude: &str, longitude: &str) -> Option<(f64, f64)> {
    let lat: f64 = latitude.trim().parse().ok()?;
    let long: f64 = longitude.trim().parse().ok()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&long)).then_some((lat, long))
}

/// The link that opens a shared place in a map, built only from checked coordinates
/// (never from text the customer sent): the `geo:` URI (RFC 5870), which the system's
/// map application opens, and a web map page for systems without one.
pub fn map_links(latitude: &str, longitude: &str) -> Option<(String, String)> {
    let (lat, long) = coordinates(latitude, longitude)?;
    Some((
        format!("geo:{lat},{long}"),
        format!("https://www.openstreetmap.org/?mlat={lat}&mlon={long}#map=16/{lat}/{long}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_links_are_made_only_from_real_coordinates() {
        let (geo, web) = map_links("37.4848", "-122.1484").expect("a place");
        assert_eq!(geo, "geo:37.4848,-122.1484");
        assert_eq!(
            web,
            "https://www.openstreetmap.org/?mlat=37.4848&mlon=-122.1484#map=16/37.4848/-122.1484"
        );
        for (lat, long) in [
            ("91", "0"),
            ("0", "181"),
            ("x", "0"),
            ("1;rm -rf", "0"),
            ("NaN", "0"),
        ] {
            assert!(map_links(lat, long).is_none(), "{lat},{long}");
        }
    }

    #[test]
    fn fields_and_payloads_are_bounded() {
        assert_eq!(field(&"é".repeat(900)).chars().count(), FIELD_MAX_CHARS);
        assert_eq!(field("a\u{7}b\nc"), "abc");
        let long = "€".repeat(RAW_MAX_BYTES);
        let kept = raw(&long);
        assert!(kept.len() <= RAW_MAX_BYTES && kept.chars().all(|c| c == '€'));
        assert_eq!(raw("{}"), "{}");
    }

    #[test]
    fn the_wire_format_names_the_kind() {
        let content = RichContent::Sticker { animated: true };
        assert_eq!(
            serde_json::to_value(&content).expect("serialised"),
            serde_json::json!({"kind": "sticker", "animated": true})
        );
    }
}
