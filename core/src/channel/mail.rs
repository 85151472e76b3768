//! One e-mail as the IMAP sync hands it to the store: parsed (with its threading
//! headers and what kind of mail it is) or set aside with a reason. Also the headers of
//! an outgoing reply, built so the customer's mail client threads it.

use crate::channel::InboundAttachment;
use crate::time::Timestamp;

/// How many ids an outgoing `References` header carries at most.
pub const MAX_REFERENCES: usize = 10;

/// The most files one e-mail reply carries.
pub const MAX_REPLY_FILES: usize = 10;
/// The most bytes of files in one mail when the server does not say what it takes
/// (`SIZE`, RFC 1870): most mail servers take 20 MB or more.
pub const DEFAULT_FILES_LIMIT: i64 = 20 * 1024 * 1024;
/// Room left in a mail for its text, headers and the MIME framing of the files.
const MAIL_HEADROOM: i64 = 64 * 1024;

/// How many bytes of files fit into one mail to a server that takes mails of up to
/// `server_limit` bytes (`None`: it did not say; 0: it named no limit). Files travel
/// in base64, 57 bytes in every 78 sent (76 characters and a line break).
pub fn files_allowed(server_limit: Option<i64>) -> i64 {
    match server_limit {
        Some(limit) if limit > 0 => {
            ((limit - MAIL_HEADROOM).max(0) / 78 * 57).min(DEFAULT_FILES_LIMIT)
        }
        _ => DEFAULT_FILES_LIMIT,
    }
}

/// What kind of mail arrived: a person's mail, an automatic reply (out of office,
/// RFC 3834 `Auto-Submitted`), or a delivery report about one of our replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailKind {
    Customer,
    AutoReply,
    /// A delivery status notification: the ids of the returned message, the server's
    /// diagnostic (no customer text), and whether it reports a failure (`Action:
    /// failed` or a 5.x.x status) rather than a delay or a relay.
    Bounce {
        original_ids: Vec<String>,
        diagnostic: String,
        failed: bool,
        /// The lower-cased addresses the report says could not be reached
        /// (`Final-Recipient`, `Original-Recipient`, or addresses in a daemon's notice).
        recipients: Vec<String>,
    },
}

/// A mail parsed well enough to thread and store.
pub struct ParsedMail {
    /// Message-ID without angle brackets; made from a hash of the mail when missing.
    pub header_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Lower-cased sender address.
    pub from_address: String,
    pub from_name: String,
    /// Lower-cased To, Cc and Delivered-To addresses.
    pub recipients: Vec<String>,
    /// The `To` and `Cc` headers, each address with its display name: who else is on
    /// the thread (reply-all, a copied-in person's own mail, privacy requests).
    pub to: Vec<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub subject: String,
    /// Plain text (from the text part, or made from the HTML).
    pub text: String,
    /// Sanitised HTML, when the mail had an HTML part.
    pub html: Option<String>,
    /// What the sender's `Date:` header says (the arrival time when it has none): shown,
    /// never trusted for ordering or retention.
    pub sent_at: Timestamp,
    /// When the mail server received it (IMAP INTERNALDATE): the message's time in the
    /// inbox, for ordering and retention.
    pub arrived_at: Timestamp,
    /// SHA-256 (hex) of the mail's content: its bytes without the trace headers a
    /// delivery adds. With the Message-ID it tells a true duplicate from a reused id.
    pub digest: String,
    pub kind: MailKind,
    pub attachments: Vec<InboundAttachment>,
}

crate::redacted_debug!(ParsedMail);

/// One address of a mail header: lower-cased, with the display name the mail gave it
/// (empty when none).
#[derive(Clone, PartialEq, Eq)]
pub struct MailAddress {
    pub address: String,
    pub name: String,
}

crate::redacted_debug!(MailAddress);

/// At most this many addresses of one header are kept (a mail to a whole list is not
/// a thread of thousands).
pub const MAX_HEADER_ADDRESSES: usize = 50;

/// One message of a folder, by UID.
pub enum MailItem {
    Parsed {
        uid: u32,
        mail: Box<ParsedMail>,
    },
    SetAside {
        uid: u32,
        size: u64,
        reason: String,
        from_address: String,
        subject: String,
        /// The raw message, when it is small enough to keep.
        raw: Option<Vec<u8>>,
        /// What identifies the mail across a resync: its Message-ID, else a hash of its
        /// bytes; `None` when neither is known.
        key: Option<String>,
    },
}

impl MailItem {
    pub fn uid(&self) -> u32 {
        match self {
            Self::Parsed { uid, .. } | Self::SetAside { uid, .. } => *uid,
        }
    }
}

crate::redacted_debug!(MailItem);

/// Counts of what one sync batch changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MailApplied {
    pub messages: usize,
    pub duplicates: usize,
    pub set_aside: usize,
    pub bounces: usize,
    pub auto_replies: usize,
}

/// The threading headers of an outgoing reply.
#[derive(Clone, PartialEq, Eq)]
pub struct ReplyHeaders {
    pub from_address: String,
    pub from_name: String,
    pub reply_to: String,
    pub subject: String,
    /// Our Message-ID, without angle brackets; kept across retries.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// Copied in, seen by everyone (lower-cased addresses).
    pub cc: Vec<String>,
    /// Copied in blind: in the envelope only, never in the sent headers.
    pub bcc: Vec<String>,
}

// Its subject and copies are customer data.
crate::redacted_debug!(ReplyHeaders);

/// `References` for a reply to `parent`: the tail of the parent's own references (or
/// its In-Reply-To when it has none) followed by the parent's id, at most
/// [`MAX_REFERENCES`] ids, so long threads do not grow the header without bound.
pub fn reply_references(
    parent_id: &str,
    parent_refs: &[String],
    parent_in_reply_to: &[String],
) -> Vec<String> {
    let ancestors = if parent_refs.is_empty() {
        parent_in_reply_to
    } else {
        parent_refs
    };
    let keep = MAX_REFERENCES - 1;
    let start = ancestors.len().saturating_sub(keep);
    let mut out: Vec<String> = ancestors[start..]
        .iter()
        .filter(|id| id.as_str() != parent_id)
        .cloned()
        .collect();
    out.push(parent_id.to_string());
    out
}

/// `Re: subject`, without piling up prefixes.
pub fn reply_subject(subject: &str) -> String {
    let trimmed = subject.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("re:") || lower.starts_with("aw:") || lower.starts_with("sv:") {
        trimmed.to_string()
    } else if trimmed.is_empty() {
        "Re: your message".to_string()
    } else {
        format!("Re: {trimmed}")
    }
}

/// Ids from a header value such as `<a@x> <b@y>`, without angle brackets.
pub fn message_ids(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let id = after[..end].trim();
        if !id.is_empty() && id.len() <= 998 && !id.contains(char::is_whitespace) {
            out.push(id.to_string());
        }
        rest = &after[end + 1..];
    }
    if out.is_empty() {
        // Some clients omit the brackets around a single id.
        let bare = value.trim();
        if !bare.is_empty() && bare.contains('@') && !bare.contains(char::is_whitespace) {
            out.push(bare.to_string());
        }
    }
    out
}

/// Where the sync of one folder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderSync {
    pub uidvalidity: u32,
    /// The first UID not yet stored.
    pub uidnext: u32,
}

/// What the progress bar shows for one folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncPhase<'a> {
    Connecting,
    /// Fetching: `done` of `total` in this pass.
    Syncing {
        total: u64,
        done: u64,
    },
    /// Waiting for the server to push (IDLE).
    Idle,
    /// Waiting to ask again (the server has no IDLE).
    Polling,
    /// Disconnected; retrying later. The reason names no customer data.
    Error(&'a str),
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_files_of_a_reply_fit_into_what_the_server_takes() {
        assert_eq!(files_allowed(None), DEFAULT_FILES_LIMIT);
        assert_eq!(
            files_allowed(Some(0)),
            DEFAULT_FILES_LIMIT,
            "no limit named"
        );
        // Postfix's default: 10 240 000 bytes in all, base64 and headers included.
        let postfix = files_allowed(Some(10_240_000));
        assert!((7_000_000..7_500_000).contains(&postfix), "{postfix}");
        assert!(postfix / 57 * 78 + MAIL_HEADROOM <= 10_240_000);
        assert_eq!(files_allowed(Some(1_000)), 0, "too small for any file");
        assert_eq!(files_allowed(Some(1 << 40)), DEFAULT_FILES_LIMIT);
    }

    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("m{i}@x")).collect()
    }

    #[test]
    fn references_end_with_the_parent_and_stay_bounded() {
        assert_eq!(reply_references("p@x", &[], &[]), vec!["p@x".to_string()]);
        assert_eq!(
            reply_references("p@x", &[], &["q@x".to_string()]),
            vec!["q@x".to_string(), "p@x".to_string()]
        );
        let long = reply_references("p@x", &ids(40), &[]);
        assert_eq!(long.len(), MAX_REFERENCES);
        assert_eq!(long.last().map(String::as_str), Some("p@x"));
        assert_eq!(long.first().map(String::as_str), Some("m31@x"));
    }

    #[test]
    fn subjects_get_one_prefix() {
        assert_eq!(reply_subject("Order 42"), "Re: Order 42");
        assert_eq!(reply_subject("RE: Order 42"), "RE: Order 42");
        assert_eq!(reply_subject(""), "Re: your message");
    }

    #[test]
    fn ids_are_read_with_or_without_brackets() {
        assert_eq!(
            message_ids(" <a@x>\r\n <b@y>"),
            vec!["a@x".to_string(), "b@y".to_string()]
        );
        assert_eq!(message_ids("a@x"), vec!["a@x".to_string()]);
        assert!(message_ids("<>").is_empty());
        assert!(message_ids("no id here").is_empty());
    }
}
