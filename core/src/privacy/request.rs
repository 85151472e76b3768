//! Customers' privacy requests, the rules and the answers' shapes: a contact found for an
//! admin, the files of an export, what an erasure removed. The search, the export and
//! the erasure themselves are `service::privacy` over `store::privacy`.

use crate::ids::ContactId;
use serde::Serialize;

/// A contact an admin may act on, found by name, phone, PSID or address.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactMatch {
    pub id: ContactId,
    pub name: String,
    /// `channel: address`, e.g. `whatsapp: 16505551234`.
    pub identities: Vec<String>,
    pub conversations: i64,
    pub messages: i64,
}

crate::redacted_debug!(ContactMatch);

/// One file of an export.
pub struct ExportFile {
    /// Relative path inside the archive (`files/…`).
    pub path: String,
    pub data: Vec<u8>,
}

crate::redacted_debug!(ExportFile);

/// What an erasure removed (counts only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErasureSummary {
    pub conversations: i64,
    pub messages: i64,
    pub attachments: i64,
}

/// A search typed by an admin, as an address: phone digits are compared without `+`,
/// spaces, dashes and brackets.
pub fn address_digits(query: &str) -> String {
    query
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect()
}

/// An attachment's file name made safe for the export folder: letters, digits, `.`, `-`
/// and `_` kept, anything else `_`, at most 100 characters.
pub fn safe_file_name(file_name: &str) -> String {
    file_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect()
}
