//! Small helpers shared by the payload parsers.

use appcare_core::ids::ChannelAccountId;
use serde_json::Value;

/// An account a webhook body may address: its id here and its id at Meta (phone-number
/// id or page id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookAccount {
    pub id: ChannelAccountId,
    pub external_id: String,
}

pub fn account_for(accounts: &[WebhookAccount], external_id: &str) -> Option<ChannelAccountId> {
    accounts
        .iter()
        .find(|a| !external_id.is_empty() && a.external_id == external_id)
        .map(|a| a.id)
}

/// The string at `path`, or `""`. Numbers are not strings here: ids are strings at Meta.
pub fn text_at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    let mut v = value;
    for key in path {
        match v.get(key) {
            Some(next) => v = next,
            None => return "",
        }
    }
    v.as_str().unwrap_or_default()
}

/// An id that Meta sends as a number in some payloads and as a string in others.
pub fn id_at(value: &Value, path: &[&str]) -> String {
    let mut v = value;
    for key in path {
        match v.get(key) {
            Some(next) => v = next,
            None => return String::new(),
        }
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Longest choice id kept from a tapped button (WhatsApp allows 256, Messenger 1000).
pub const CHOICE_MAX_CHARS: usize = 256;

/// The id of a tapped button or list row (`None` when empty), cut to a bounded length.
pub fn choice(id: &str) -> Option<String> {
    (!id.is_empty()).then(|| id.chars().take(CHOICE_MAX_CHARS).collect())
}
