//! The folders of a support mailbox an admin picks to sync: the server's list with each
//! folder's special use (RFC 6154), its name as people read it, and which are left out
//! unless picked (junk and trash: customers' mail is not kept from there by default).

use crate::channel::utf7;
use serde::{Deserialize, Serialize};

/// The most folders synced for one mailbox.
pub const FOLDERS_MAX: usize = 20;

/// One folder the server offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailFolderChoice {
    /// The name as the server knows it (modified UTF-7): what is picked.
    pub name: String,
    /// The name as people read it.
    pub shown: String,
    /// `sent`, `junk`, `trash`, `drafts`, `archive`, `all`, `flagged`, or empty.
    pub special_use: String,
    /// Synced now.
    pub synced: bool,
    /// The folder every reply is kept in and new mail is watched in (always synced).
    pub main: bool,
    /// Junk or trash: not synced unless an admin picks it.
    pub left_out_by_default: bool,
    /// Mail stored from it so far.
    pub stored: i64,
}

/// The special use of a folder from its LIST attributes (`\Sent`, `\Junk` …), lower case
/// without the backslash; empty when it has none known.
pub fn special_use(attributes: &[&str]) -> String {
    const KNOWN: [&str; 7] = [
        "sent", "junk", "trash", "drafts", "archive", "all", "flagged",
    ];
    attributes
        .iter()
        .map(|a| a.trim_start_matches('\\').to_ascii_lowercase())
        .find(|a| KNOWN.contains(&a.as_str()))
        .unwrap_or_default()
}

/// Whether a folder of this special use is left out unless picked.
pub fn left_out_by_default(special_use: &str) -> bool {
    matches!(special_use, "junk" | "trash")
}

/// The name as people read it (the server's name itself when it is not valid UTF-7).
pub fn shown(name: &str) -> String {
    utf7::decode(name).unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_use_comes_from_the_flags_and_junk_and_trash_stay_out() {
        assert_eq!(special_use(&["\\HasNoChildren", "\\Junk"]), "junk");
        assert_eq!(special_use(&["\\Sent"]), "sent");
        assert_eq!(special_use(&["\\HasChildren"]), "");
        assert!(left_out_by_default("junk") && left_out_by_default("trash"));
        assert!(!left_out_by_default("sent") && !left_out_by_default(""));
        assert_eq!(shown("&ANw-berweisungen"), "Überweisungen");
        assert_eq!(shown("Ü-raw"), "Ü-raw");
    }
}
