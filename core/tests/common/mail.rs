//! Mail for the core's e-mail tests: a mailbox connected to a team, parsed mail made
//! by hand, and finding a mail's conversation by the one word of its text.

use super::*;
use appcare_core::channel::mail::{MailAddress, MailItem, MailKind, ParsedMail};
use appcare_core::channel::NewEmailAccount;
use appcare_core::ids::{ChannelAccountId, ConversationId};
use appcare_core::Timestamp;

pub const FOLDER: &str = "INBOX";

pub fn new_account(team: Option<appcare_core::TeamId>) -> NewEmailAccount {
    NewEmailAccount {
        name: "Help mailbox".into(),
        address: "help@example.com".into(),
        display_name: "Example Help".into(),
        imap_host: "127.0.0.1".into(),
        imap_port: 993,
        imap_security: "tls".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: 465,
        smtp_security: "tls".into(),
        username: String::new(),
        password: "mail-password-123".into(),
        folder: String::new(),
        sent_folder: String::new(),
        ca_pem: None,
        default_team: team,
    }
}

pub fn mail(id: &str, from: &str, subject: &str, at: i64) -> ParsedMail {
    ParsedMail {
        header_id: id.into(),
        in_reply_to: vec![],
        references: vec![],
        from_address: from.into(),
        from_name: String::new(),
        recipients: vec!["help@example.com".into()],
        to: vec![MailAddress {
            address: "help@example.com".into(),
            name: String::new(),
        }],
        cc: vec![],
        subject: subject.into(),
        text: word(id),
        html: None,
        sent_at: Timestamp::from_unix(at),
        arrived_at: Timestamp::from_unix(at), // (new)
        digest: digest_of(&[id, from, subject, &at.to_string()]), // (new)
        kind: MailKind::Customer,
        attachments: vec![],
    }
}

/// A stand-in for the parser's content digest: the same parts, the same digest.
pub fn digest_of(parts: &[&str]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut h);
    format!("{:016x}{:016x}", h.finish(), parts.len())
}

pub fn item(uid: u32, mail: ParsedMail) -> MailItem {
    MailItem::Parsed {
        uid,
        mail: Box::new(mail),
    }
}

/// One search word per mail id: the mail's text is that word.
pub fn word(id: &str) -> String {
    let letters: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("body{letters}")
}

pub fn conversation_of(t: &Team, header: &str) -> Option<ConversationId> {
    let hits = t.ctx.ws.search(&t.admin, &word(header), t.ctx.now).ok()?;
    hits.first().map(|hit| hit.conversation_id)
}

pub fn mailbox(t: &Team) -> ChannelAccountId {
    t.ctx
        .ws
        .delivery()
        .email_endpoints()
        .expect("endpoints")
        .first()
        .expect("one mailbox")
        .id
}

pub fn setup() -> Team {
    let t = team();
    t.ctx
        .ws
        .add_email_account(&t.admin, &new_account(Some(t.support)), t.ctx.now)
        .expect("mailbox connected");
    t
}
