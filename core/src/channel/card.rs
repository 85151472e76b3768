//! A place or contact cards an agent sends on WhatsApp: checked before they are queued
//! (real coordinates, a name and a way to reach each contact), and the text that stands
//! for them in the conversation, search and exports.

use crate::channel::rich::{self, CardEmail, CardPhone, ContactCard, RichContent};
use crate::error::{CoreError, Result};

/// The most contact cards in one message.
pub const CARDS_MAX: usize = 10;

/// `card` cleaned and checked, ready to queue: a place or 1–[`CARDS_MAX`] contacts.
pub fn checked(card: &RichContent) -> Result<RichContent> {
    match card {
        RichContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let Some((lat, long)) = rich::coordinates(latitude, longitude) else {
                return Err(CoreError::invalid(
                    "latitude",
                    "give the place as decimal degrees: latitude from -90 to 90, longitude from -180 to 180",
                ));
            };
            Ok(RichContent::Location {
                latitude: lat.to_string(),
                longitude: long.to_string(),
                name: rich::field(name.trim()),
                address: rich::field(address.trim()),
            })
        }
        RichContent::Contacts { cards } => {
            if cards.is_empty() || cards.len() > CARDS_MAX {
                return Err(CoreError::invalid(
                    "contacts",
                    format!("send from 1 to {CARDS_MAX} contact cards at once"),
                ));
            }
            cards
                .iter()
                .map(checked_contact)
                .collect::<Result<Vec<_>>>()
                .map(|cards| RichContent::Contacts { cards })
        }
        _ => Err(CoreError::invalid(
            "card",
            "only a place or contact cards can be sent",
        )),
    }
}

fn checked_contact(card: &ContactCard) -> Result<ContactCard> {
    let name = rich::field(card.name.trim());
    if name.is_empty() {
        return Err(CoreError::invalid("name", "each contact card needs a name"));
    }
    let phones = card
        .phones
        .iter()
        .filter(|p| !p.phone.trim().is_empty())
        .map(|p| {
            let phone = p.phone.trim();
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let shaped = phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !shaped || !(5..=15).contains(&digits) {
                return Err(CoreError::invalid(
                    "phone",
                    "write each phone number with digits, spaces and + - ( )",
                ));
            }
            Ok(CardPhone {
                phone: phone.to_string(),
                wa_id: String::new(),
                label: label(&p.label),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let emails = card
        .emails
        .iter()
        .filter(|e| !e.email.trim().is_empty())
        .map(|e| {
            let email = e.email.trim();
            if crate::channel::email::normalize_address(email).is_none() {
                return Err(CoreError::invalid(
                    "email",
                    "an e-mail address on the card is not one",
                ));
            }
            Ok(CardEmail {
                email: email.to_string(),
                label: label(&e.label),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if phones.is_empty() && emails.is_empty() {
        return Err(CoreError::invalid(
            "phone",
            "give each contact a phone number or an e-mail address",
        ));
    }
    if phones.len() > rich::LIST_MAX || emails.len() > rich::LIST_MAX {
        return Err(CoreError::invalid(
            "phone",
            format!(
                "a card holds at most {} numbers and {} addresses",
                rich::LIST_MAX,
                rich::LIST_MAX
            ),
        ));
    }
    Ok(ContactCard {
        name,
        organization: rich::field(card.organization.trim()),
        phones,
        emails,
    })
}

/// A label WhatsApp knows (`HOME`, `WORK`, `CELL`…, sent upper case), lower case here.
fn label(label: &str) -> String {
    let label = label.trim().to_lowercase();
    match label.as_str() {
        "home" | "work" | "cell" | "main" | "iphone" => label,
        _ => String::new(),
    }
}

/// The text that stands for a sent card in the conversation.
pub fn text(card: &RichContent) -> String {
    match card {
        RichContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let place = [name.as_str(), address.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            if place.is_empty() {
                format!("Sent a location: {latitude}, {longitude}")
            } else {
                format!("Sent a location: {place} ({latitude}, {longitude})")
            }
        }
        RichContent::Contacts { cards } => cards
            .iter()
            .flat_map(|c| {
                let mut lines = vec![format!("Sent a contact: {}", c.name)];
                lines.extend(c.phones.iter().map(|p| format!("- phone: {}", p.phone)));
                lines.extend(c.emails.iter().map(|e| format!("- e-mail: {}", e.email)));
                lines
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, phone: &str, email: &str) -> ContactCard {
        ContactCard {
            name: name.into(),
            organization: String::new(),
            phones: vec![CardPhone {
                phone: phone.into(),
                wa_id: "ignored".into(),
                label: "Work".into(),
            }],
            emails: vec![CardEmail {
                email: email.into(),
                label: "nonsense".into(),
            }],
        }
    }

    fn field_of(result: Result<RichContent>) -> &'static str {
        match result {
            Err(CoreError::InvalidInput { field, .. }) => field,
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_place_needs_real_coordinates() {
        let place = |lat: &str, long: &str| RichContent::Location {
            latitude: lat.into(),
            longitude: long.into(),
            name: " Shop ".into(),
            address: "Main St 1".into(),
        };
        let ok = checked(&place(" 52.52 ", "13.405")).expect("a place");
        assert_eq!(
            text(&ok),
            "Sent a location: Shop, Main St 1 (52.52, 13.405)"
        );
        for (lat, long) in [("91", "0"), ("0", "-181"), ("north", "0"), ("", "")] {
            assert_eq!(field_of(checked(&place(lat, long))), "latitude");
        }
    }

    #[test]
    fn each_contact_needs_a_name_and_a_way_to_reach_it() {
        let ok = checked(&RichContent::Contacts {
            cards: vec![contact("Ana", "+49 151 2345-6789", "ana@example.com")],
        })
        .expect("a card");
        let RichContent::Contacts { cards } = &ok else {
            panic!("contacts")
        };
        assert_eq!(cards[0].phones[0].label, "work");
        assert_eq!(
            cards[0].phones[0].wa_id, "",
            "the agent cannot claim a WhatsApp id"
        );
        assert_eq!(cards[0].emails[0].label, "");
        assert_eq!(
            text(&ok),
            "Sent a contact: Ana\n- phone: +49 151 2345-6789\n- e-mail: ana@example.com"
        );
        let one = |c: ContactCard| checked(&RichContent::Contacts { cards: vec![c] });
        assert_eq!(field_of(one(contact(" ", "+4915123456789", ""))), "name");
        assert_eq!(field_of(one(contact("Ana", "call me", ""))), "phone");
        assert_eq!(field_of(one(contact("Ana", "123", ""))), "phone");
        assert_eq!(field_of(one(contact("Ana", "", "ana at home"))), "email");
        assert_eq!(field_of(one(contact("Ana", "", ""))), "phone");
        assert_eq!(
            field_of(checked(&RichContent::Contacts { cards: vec![] })),
            "contacts"
        );
        let many = vec![contact("Ana", "+4915123456789", ""); CARDS_MAX + 1];
        assert_eq!(
            field_of(checked(&RichContent::Contacts { cards: many })),
            "contacts"
        );
    }

    #[test]
    fn only_places_and_contacts_are_sent() {
        assert_eq!(
            field_of(checked(&RichContent::Sticker { animated: false })),
            "card"
        );
    }
}
