//! Starting a WhatsApp conversation with a customer who has not written: the number as
//! an agent types it, checked as an international (E.164) number, and the approved
//! template that opens the conversation (WhatsApp accepts nothing else from a business
//! first).

use crate::channel::template::{TemplateExtras, TemplateView};
use crate::error::{CoreError, Result};
use crate::ids::ChannelAccountId;
use serde::{Deserialize, Serialize};

/// What an agent fills in to write first.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewConversation {
    /// The WhatsApp number it is sent from.
    pub account: ChannelAccountId,
    /// The customer's number with its country code, e.g. `+49 151 23456789`.
    pub phone: String,
    /// The customer's name as the agent knows it (empty: the number).
    pub name: String,
    pub template: String,
    pub language: String,
    pub parameters: Vec<String>,
    /// The template's header and button values (a newer window sends them).
    #[serde(default)]
    pub extras: TemplateExtras,
}

crate::redacted_debug!(NewConversation);

/// A WhatsApp number an agent may write first from, with its approved templates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StartAccount {
    pub id: ChannelAccountId,
    pub name: String,
    pub templates: Vec<TemplateView>,
}

/// The number as WhatsApp addresses it (`wa_id`: digits, no `+`), from what an agent
/// typed: `+`, the country code and the number, spaces, dashes, dots and brackets allowed.
pub fn whatsapp_number(typed: &str) -> Result<String> {
    let typed = typed.trim();
    let refuse = || {
        CoreError::invalid(
            "phone",
            "write the number with + and its country code, e.g. +49 151 23456789",
        )
    };
    let rest = typed.strip_prefix('+').ok_or_else(refuse)?;
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(refuse()),
        }
    }
    // E.164: at most 15 digits, a country code never starts with 0.
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(refuse());
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_taken_in_international_form_only() {
        assert_eq!(
            whatsapp_number(" +49 (151) 234-567.89 ").ok().as_deref(),
            Some("4915123456789")
        );
        assert_eq!(
            whatsapp_number("+16505551234").ok().as_deref(),
            Some("16505551234")
        );
        for wrong in [
            "0151 23456789",
            "+0151234567",
            "+1 555",
            "+49 151 2345678901234",
            "+49 151 abc",
            "",
        ] {
            assert!(
                matches!(
                    whatsapp_number(wrong),
                    Err(CoreError::InvalidInput { field: "phone", .. })
                ),
                "{wrong} must be refused"
            );
        }
    }
}
