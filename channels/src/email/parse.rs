//! Raw RFC 5322 bytes to a [`MailItem`]: text and sanitised HTML bodies, character sets
//! and encoded words (mail-parser), attachments, threading headers, and whether the mail
//! is an automatic reply or a delivery report. Nothing here panics the sync: a mail that
//! cannot be read (or crashes the parser) is set aside with the reason.

use appcare_core::channel::mail::{
    message_ids, MailAddress, MailItem, MailKind, ParsedMail, MAX_HEADER_ADDRESSES,
};
/// Inbound mail's HTML made safe to show (core's one sanitiser; formatted replies too).
pub use appcare_core::channel::sanitize::sanitize_html;
use appcare_core::channel::InboundAttachment;
use appcare_core::Timestamp;
use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// Attachments above this are not stored; the message says so, and the file stays in
/// the mailbox.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;
/// Longest text kept (the store refuses longer bodies).
pub const MAX_TEXT_CHARS: usize = 90_000;
/// Mail above this size is not downloaded at all but set aside by its size.
pub const MAX_MESSAGE_BYTES: u64 = 80 * 1024 * 1024;

/// Parses one fetched mail. `fallback_time` is the server's arrival time (INTERNALDATE):
/// the mail's time in the inbox; its `Date:` header is kept for display only.
pub fn parse_mail(uid: u32, raw: &[u8], fallback_time: Timestamp) -> MailItem {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let readable = with_header_end(raw);
        MessageParser::default()
            .parse(&readable[..])
            .map(|message| read_message(&message, raw, fallback_time))
    }));
    match outcome {
        Ok(Some(mail)) => MailItem::Parsed {
            uid,
            mail: Box::new(mail),
        },
        Ok(None) => set_aside(uid, raw, "it is not a readable e-mail message"),
        Err(_) => set_aside(uid, raw, "the mail parser failed on it"),
    }
}

/// Whether `line` can be a header line as Python's e-mail parser sees it: an mbox
/// `From ` line, `name:` with printable ASCII but no colon in the name, or a folded
/// continuation.
fn is_header_line(line: &[u8]) -> bool {
    if line.starts_with(b"From ") || line.starts_with(b" ") || line.starts_with(b"\t") {
        return true;
    }
    match line.iter().position(|&b| b == b':') {
        Some(colon) => line[..colon].iter().all(|&b| (0x21..=0x7e).contains(&b)),
        None => false,
    }
}

/// The mail with its header section ended where Python's parser ends it: at the first
/// line that is not a header, when the sender left out the blank line. Otherwise the
/// text would be read as broken headers and the mail shown without text.
fn with_header_end(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut at = 0;
    while at < raw.len() {
        let end = raw[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |p| at + p + 1);
        let line = raw[at..end].strip_suffix(b"\n").unwrap_or(&raw[at..end]);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return std::borrow::Cow::Borrowed(raw);
        }
        if !is_header_line(line) {
            let mut fixed = Vec::with_capacity(raw.len() + 2);
            fixed.extend_from_slice(&raw[..at]);
            fixed.extend_from_slice(b"\r\n");
            fixed.extend_from_slice(&raw[at..]);
            return std::borrow::Cow::Owned(fixed);
        }
        at = end;
    }
    std::borrow::Cow::Borrowed(raw)
}

/// Headers a delivery adds on the way (the same mail delivered twice differs in them).
const TRACE_HEADERS: [&str; 4] = ["received", "return-path", "delivered-to", "x-original-to"];

/// SHA-256 (hex) of a mail's content: its lines (line ends normalised) without the
/// trace headers.
pub fn content_digest(raw: &[u8]) -> String {
    let mut hash = Sha256::new();
    let mut in_headers = true;
    let mut skipping = false;
    for line in raw.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if in_headers {
            if line.is_empty() {
                in_headers = false;
            } else if line.starts_with(b" ") || line.starts_with(b"\t") {
                if skipping {
                    continue;
                }
            } else {
                let name = line.split(|&b| b == b':').next().unwrap_or_default();
                skipping = TRACE_HEADERS
                    .iter()
                    .any(|t| name.eq_ignore_ascii_case(t.as_bytes()));
                if skipping {
                    continue;
                }
            }
        }
        hash.update(line);
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

/// A set-aside record for mail too large to download, named by its headers (fetched
/// alone) when the server gave them.
pub fn too_large(uid: u32, size: u64, headers: Option<&[u8]>) -> MailItem {
    let parsed = headers.and_then(|h| MessageParser::default().parse_headers(h));
    let (from_address, subject, key) = match &parsed {
        Some(m) => (
            first_address(m.from()).0,
            m.subject().unwrap_or_default().chars().take(300).collect(),
            m.message_id().map(|id| {
                format!(
                    "{}\n{}",
                    id.trim_matches(['<', '>']),
                    content_digest(headers.unwrap_or_default())
                )
            }),
        ),
        None => (String::new(), String::new(), None),
    };
    MailItem::SetAside {
        uid,
        size,
        reason: format!(
            "it is {} (the limit is {}); it stays in the mailbox",
            human_size(size),
            human_size(MAX_MESSAGE_BYTES)
        ),
        from_address,
        subject,
        raw: None,
        key,
    }
}

/// A mail no parser could read: kept whole, keyed by its bytes' hash, and named by the
/// first address on a `From:` line when one can be found (so an erasure request for
/// that sender finds it).
fn set_aside(uid: u32, raw: &[u8], reason: &str) -> MailItem {
    MailItem::SetAside {
        uid,
        size: raw.len() as u64,
        reason: reason.to_string(),
        from_address: sender_in_raw(raw).unwrap_or_default(),
        subject: String::new(),
        raw: Some(raw.to_vec()),
        key: (!raw.is_empty()).then(|| format!("raw.{}", hex::encode(Sha256::digest(raw)))),
    }
}

/// The address on the first `From:` header line of raw bytes, lower-cased.
pub fn sender_in_raw(raw: &[u8]) -> Option<String> {
    let head = &raw[..raw.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let line = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .find(|l| l.len() > 5 && l.is_char_boundary(5) && l[..5].eq_ignore_ascii_case("from:"))?;
    let value = &line[5..];
    let candidate = match (value.find('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.split_whitespace().find(|w| w.contains('@'))?,
    };
    appcare_core::channel::email::normalize_address(candidate)
}

pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn first_address(address: Option<&Address<'_>>) -> (String, String) {
    address
        .and_then(Address::first)
        .map(|a| {
            (
                a.address
                    .as_deref()
                    .map(|s| s.trim().to_ascii_lowercase())
                    .unwrap_or_default(),
                a.name.as_deref().unwrap_or_default().trim().to_string(),
            )
        })
        .unwrap_or_default()
}

fn ids_of(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(text) => message_ids(&format!("<{}>", text.trim_matches(['<', '>']))),
        HeaderValue::TextList(list) => list
            .iter()
            .flat_map(|t| message_ids(&format!("<{}>", t.trim_matches(['<', '>']))))
            .collect(),
        _ => Vec::new(),
    }
}

/// The addresses of one `To` or `Cc` header (groups flattened), valid ones only, each
/// once, at most [`MAX_HEADER_ADDRESSES`].
fn addresses_of(header: Option<&Address<'_>>) -> Vec<MailAddress> {
    let mut out: Vec<MailAddress> = Vec::new();
    let all = header.into_iter().flat_map(|a| match a {
        Address::List(list) => list.iter().collect::<Vec<_>>(),
        Address::Group(groups) => groups.iter().flat_map(|g| g.addresses.iter()).collect(),
    });
    for a in all {
        let Some(address) = a
            .address
            .as_deref()
            .and_then(appcare_core::channel::email::normalize_address)
        else {
            continue;
        };
        if out.iter().any(|known| known.address == address) {
            continue;
        }
        let name: String = a
            .name
            .as_deref()
            .unwrap_or_default()
            .trim()
            .chars()
            .take(200)
            .collect();
        out.push(MailAddress { address, name });
        if out.len() == MAX_HEADER_ADDRESSES {
            break;
        }
    }
    out
}

fn recipients(message: &Message<'_>) -> Vec<String> {
    let mut out: Vec<String> = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|a| match a {
            Address::List(list) => list.iter().collect::<Vec<_>>(),
            Address::Group(groups) => groups.iter().flat_map(|g| g.addresses.iter()).collect(),
        })
        .filter_map(|a| a.address.as_deref())
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for (name, value) in message.headers_raw() {
        if name.eq_ignore_ascii_case("Delivered-To") || name.eq_ignore_ascii_case("X-Original-To") {
            out.push(value.trim().trim_matches(['<', '>']).to_ascii_lowercase());
        }
    }
    out.sort();
    out.dedup();
    out
}

fn raw_header<'a>(message: &'a Message<'_>, name: &str) -> Option<&'a str> {
    message
        .headers_raw()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// RFC 3834 `Auto-Submitted` (anything but `no`), and the common vendor headers.
fn is_auto_reply(message: &Message<'_>) -> bool {
    let auto_submitted =
        raw_header(message, "Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no"));
    let vendor = raw_header(message, "X-Autoreply").is_some()
        || raw_header(message, "X-Autorespond").is_some()
        || raw_header(message, "Precedence").is_some_and(|v| v.eq_ignore_ascii_case("auto_reply"));
    auto_submitted || vendor
}

/// A delivery status notification (`multipart/report; report-type=delivery-status`), or
/// a mail from a mailer daemon: the returned message's ids and the diagnostic.
fn bounce(message: &Message<'_>, from: &str) -> Option<MailKind> {
    let report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"))
    });
    let local = from.split('@').next().unwrap_or_default();
    let daemon = local.eq_ignore_ascii_case("mailer-daemon");
    if !report && !daemon {
        return None;
    }
    let mut original_ids = Vec::new();
    let mut recipients: Vec<String> = raw_header(message, "X-Failed-Recipients")
        .map(addresses_in)
        .unwrap_or_default();
    let mut diagnostic = String::new();
    // A daemon's plain-text notice is a failure unless it says it is only a warning
    // about a delay; a report says so per recipient.
    let subject = message.subject().unwrap_or_default().to_ascii_lowercase();
    let delay_notice = subject.contains("delay") || subject.contains("warning");
    let mut failed = !report && !delay_notice;
    let mut actions = 0;
    for part in &message.parts {
        let (ctype, subtype) = part
            .content_type()
            .map(|ct| {
                (
                    ct.ctype().to_ascii_lowercase(),
                    ct.subtype().unwrap_or_default().to_ascii_lowercase(),
                )
            })
            .unwrap_or_default();
        if let PartType::Message(inner) = &part.body {
            original_ids.extend(inner.message_id().map(str::to_string));
            continue;
        }
        let text = String::from_utf8_lossy(part.contents()).into_owned();
        match (ctype.as_str(), subtype.as_str()) {
            ("message", "delivery-status") => {
                for line in text.lines() {
                    let lower = line.to_ascii_lowercase();
                    for field in ["final-recipient:", "original-recipient:"] {
                        if let Some(value) = lower.strip_prefix(field) {
                            let address = value.rsplit(';').next().unwrap_or_default();
                            recipients.extend(addresses_in(address));
                        }
                    }
                    if let Some(action) = lower.strip_prefix("action:") {
                        actions += 1;
                        failed |= action.trim() == "failed";
                    }
                    if let Some(status) = lower.strip_prefix("status:") {
                        failed |= status.trim().starts_with('5');
                    }
                    if lower.starts_with("diagnostic-code:") || lower.starts_with("status:") {
                        if !diagnostic.is_empty() {
                            diagnostic.push_str("; ");
                        }
                        diagnostic.push_str(line.trim());
                    }
                }
            }
            ("text", "rfc822-headers") | ("message", "rfc822") => {
                original_ids.extend(ids_in_header_text(&text));
            }
            _ if daemon && !report => {
                original_ids.extend(ids_in_header_text(&text));
                recipients.extend(addresses_in(&text));
            }
            _ => {}
        }
    }
    if daemon && !report && message.parts.len() <= 1 {
        recipients.extend(
            message
                .body_text(0)
                .as_deref()
                .map(addresses_in)
                .unwrap_or_default(),
        );
    }
    recipients.sort();
    recipients.dedup();
    recipients.truncate(50);
    if report && actions == 0 && diagnostic.is_empty() {
        failed = true;
    }
    let diagnostic: String = diagnostic.chars().take(300).collect();
    Some(MailKind::Bounce {
        original_ids,
        diagnostic,
        failed,
        recipients,
    })
}

/// The e-mail addresses among the words of `text`, lower-cased.
fn addresses_in(text: &str) -> Vec<String> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '(' | ')' | '"' | '\'')
    })
    .filter(|w| w.contains('@'))
    .filter_map(|w| {
        appcare_core::channel::email::normalize_address(w.trim_matches(['.', ':', '[', ']']))
    })
    .take(50)
    .collect()
}

/// `Message-ID:` lines in a block of returned headers.
fn ids_in_header_text(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("message-id")
                .then(|| message_ids(value))
        })
        .flatten()
        .collect()
}

/// Base64 with everything outside the alphabet skipped, up to the padding.
fn lenient_base64(body: &str) -> Option<String> {
    use base64::Engine;
    let end = body.find('=').unwrap_or(body.len());
    let mut clean: String = body[..end]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/'))
        .collect();
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(clean.as_bytes())
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).replace("\r\n", "\n"))
}

fn attachment_name(part: &mail_parser::MessagePart<'_>, index: usize) -> String {
    let name = part
        .attachment_name()
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .take(200)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty());
    name.unwrap_or_else(|| format!("attachment-{}", index + 1))
}

fn mime_of(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_ascii_lowercase()
}

fn read_message(message: &Message<'_>, raw: &[u8], fallback_time: Timestamp) -> ParsedMail {
    let (from_address, from_name) = first_address(message.from());
    let header_id = message
        .message_id()
        .map(|id| id.trim().trim_matches(['<', '>']).to_string())
        .filter(|id| !id.is_empty() && id.len() <= 900)
        .unwrap_or_else(|| {
            let digest = Sha256::digest(raw);
            format!("missing.{}@appcare.invalid", hex::encode(&digest[..12]))
        });
    let subject = message
        .subject()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect::<String>();
    let sent_at = message
        .date()
        .map(|d| d.to_timestamp())
        .filter(|t| *t > 0 && *t <= fallback_time.unix() + 86_400)
        .map(Timestamp::from_unix)
        .unwrap_or(fallback_time);
    let kind = bounce(message, &from_address).unwrap_or(if is_auto_reply(message) {
        MailKind::AutoReply
    } else {
        MailKind::Customer
    });
    let mut text = message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    // The parser keeps a base64 part it could not decode as it was; RFC 2045 says to
    // skip characters outside the alphabet, so decode it again that way.
    if let Some(part) = message.text_part(0) {
        let base64 = part
            .content_transfer_encoding()
            .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
        if base64 && part.is_encoding_problem {
            if let Some(decoded) = lenient_base64(&text) {
                text = decoded;
            }
        }
    }
    let html = message
        .body_html(0)
        .filter(|_| {
            message.html_body_count() > 0 && message.html_part(0).is_some_and(|p| p.is_text_html())
        })
        .map(|h| sanitize_html(&h));
    let mut notices = Vec::new();
    let mut attachments = Vec::new();
    for (index, part) in message.attachments().enumerate() {
        let data = part.contents();
        let file_name = attachment_name(part, index);
        if data.len() > MAX_ATTACHMENT_BYTES {
            notices.push(format!(
                "[Attachment {file_name} ({}) was not kept: larger than {}. It is still in the mailbox.]",
                human_size(data.len() as u64),
                human_size(MAX_ATTACHMENT_BYTES as u64)
            ));
            continue;
        }
        attachments.push(InboundAttachment {
            file_name,
            mime_type: mime_of(part),
            data: data.to_vec(),
        });
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        text = text.chars().take(MAX_TEXT_CHARS).collect();
        notices.push("[The rest of this long mail is in the mailbox.]".into());
    }
    if text.trim().is_empty() && attachments.is_empty() && notices.is_empty() {
        text = "(This mail has no text.)".into();
    }
    for notice in notices {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&notice);
    }
    ParsedMail {
        header_id,
        in_reply_to: ids_of(message.in_reply_to()),
        references: ids_of(message.references()),
        from_address,
        from_name,
        recipients: recipients(message),
        to: addresses_of(message.to()),
        cc: addresses_of(message.cc()),
        subject,
        text,
        html,
        sent_at,
        arrived_at: fallback_time,
        digest: content_digest(raw),
        kind,
        attachments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = Timestamp::from_unix(1_760_000_000);

    fn parsed(raw: &str) -> ParsedMail {
        match parse_mail(7, raw.as_bytes(), T) {
            MailItem::Parsed { mail, .. } => *mail,
            MailItem::SetAside { reason, .. } => panic!("set aside: {reason}"),
        }
    }

    #[test]
    fn threading_headers_and_addresses_are_read() {
        let mail = parsed(
            "From: \"Ana B\" <Ana@Customer.test>\r\nTo: help+tok123@example.com\r\n\
             Cc: other@x.test\r\nSubject: =?UTF-8?B?w5xiZXIgZGllIFJlY2hudW5n?=\r\n\
             Message-ID: <m2@customer.test>\r\nIn-Reply-To: <m1@example.com>\r\n\
             References: <m0@customer.test>\r\n <m1@example.com>\r\n\
             Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\r\nHello\r\n",
        );
        assert_eq!(mail.header_id, "m2@customer.test");
        assert_eq!(mail.in_reply_to, vec!["m1@example.com".to_string()]);
        assert_eq!(
            mail.references,
            vec!["m0@customer.test".to_string(), "m1@example.com".to_string()]
        );
        assert_eq!(mail.from_address, "ana@customer.test");
        assert_eq!(mail.from_name, "Ana B");
        assert!(mail
            .recipients
            .contains(&"help+tok123@example.com".to_string()));
        assert_eq!(mail.subject, "Über die Rechnung");
        assert_eq!(mail.kind, MailKind::Customer);
        assert_eq!(mail.sent_at.unix(), 1_751_364_000);
    }

    /// To and Cc are kept with their names (groups flattened, each address once, bad
    /// ones left out): who else is on the thread.
    #[test]
    fn to_and_cc_are_kept_with_their_names() {
        let mail = parsed(
            "From: Ana <ana@customer.test>\r\nTo: help@example.com, \"Dave D.\" <Dave@Customer.test>\r\n\
             Cc: Bob Stone <bob@customer.test>, team: carol@customer.test, bob@customer.test;, not-an-address\r\n\
             Message-ID: <cc@x>\r\n\r\nHi all\r\n",
        );
        let pairs = |list: &[MailAddress]| -> Vec<(String, String)> {
            list.iter()
                .map(|a| (a.address.clone(), a.name.clone()))
                .collect()
        };
        assert_eq!(
            pairs(&mail.to),
            [
                ("help@example.com".to_string(), String::new()),
                ("dave@customer.test".to_string(), "Dave D.".to_string())
            ]
        );
        assert_eq!(
            mail.cc
                .iter()
                .map(|a| a.address.as_str())
                .collect::<Vec<_>>(),
            ["bob@customer.test", "carol@customer.test"]
        );
        assert_eq!(mail.cc[0].name, "Bob Stone");
    }

    #[test]
    fn html_is_sanitised_and_text_is_made_from_it() {
        let mail = parsed(
            "From: a@customer.test\r\nMessage-ID: <h@x>\r\nContent-Type: text/html\r\n\r\n\
             <p onclick=\"x()\">Hi <b>there</b></p><script>alert(1)</script>\
             <img src=\"https://tracker.example/p.gif\"><a href=\"javascript:x()\">l</a>",
        );
        let html = mail.html.expect("html");
        assert!(
            !html.contains("script") && !html.contains("onclick") && !html.contains("javascript"),
            "{html}"
        );
        assert!(
            mail.text.contains("Hi") && mail.text.contains("there"),
            "{}",
            mail.text
        );
    }

    #[test]
    fn missing_message_id_gets_a_stable_made_up_one() {
        let raw = "From: a@customer.test\r\nSubject: x\r\n\r\nbody\r\n";
        let first = parsed(raw).header_id;
        assert!(first.ends_with("@appcare.invalid"));
        assert_eq!(
            first,
            parsed(raw).header_id,
            "same mail, same id (no duplicates on resync)"
        );
    }

    #[test]
    fn auto_replies_and_bounces_are_recognised() {
        let auto = parsed(
            "From: a@customer.test\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <o@x>\r\n\r\nI am away\r\n",
        );
        assert_eq!(auto.kind, MailKind::AutoReply);
        let dsn = parsed(
            "From: MAILER-DAEMON@mx.test\r\nMessage-ID: <b@mx>\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: text/plain\r\n\r\nIt failed.\r\n\
             --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n\
             Final-Recipient: rfc822; x@customer.test\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 no such user\r\n\
             --B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <appcare.7.abc@example.com>\r\nSubject: Re: x\r\n\
             --B--\r\n",
        );
        match dsn.kind {
            MailKind::Bounce {
                original_ids,
                diagnostic,
                failed,
                recipients, // (new)
            } => {
                assert_eq!(original_ids, vec!["appcare.7.abc@example.com".to_string()]);
                assert_eq!(recipients, vec!["x@customer.test".to_string()]); // (new)
                assert!(diagnostic.contains("550 no such user"), "{diagnostic}");
                assert!(failed, "Status 5.1.1 is a failure");
            }
            other => panic!("{other:?}"),
        }
    }

    /// Every file of the shared corpus parses without a panic into what EXPECT says
    /// (the server tests check the same through Dovecot).
    #[test]
    fn the_awkward_corpus_parses_as_expected() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/mail/corpus");
        let expect = std::fs::read_to_string(dir.join("EXPECT")).expect("EXPECT");
        let mut checked = 0;
        for line in expect
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let words: Vec<&str> = line.split_whitespace().collect();
            let (file, outcome, contains) = (words[0], words[1], words[2..].join(" "));
            let raw = std::fs::read(dir.join(file)).expect("corpus file");
            let item = parse_mail(1, &raw, T);
            match (outcome, item) {
                ("set-aside", MailItem::SetAside { reason, .. }) => assert!(!reason.is_empty()),
                ("ingest", MailItem::Parsed { mail, .. }) => {
                    assert_eq!(mail.kind, MailKind::Customer, "{file}");
                    assert!(mail.text.contains(&contains), "{file}: {:?}", mail.text);
                    if let Some(html) = &mail.html {
                        let lower = html.to_ascii_lowercase();
                        assert!(
                            !lower.contains("<script")
                                && !lower.contains("javascript:")
                                && !lower.contains(" on"),
                            "{file}: {html}"
                        );
                    }
                }
                ("bounce", MailItem::Parsed { mail, .. }) => {
                    assert!(matches!(mail.kind, MailKind::Bounce { .. }), "{file}");
                }
                ("auto-reply", MailItem::Parsed { mail, .. }) => {
                    assert_eq!(mail.kind, MailKind::AutoReply, "{file}");
                }
                (outcome, _) => panic!("{file}: expected {outcome}"),
            }
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} corpus files");
    }

    #[test]
    fn a_delay_report_is_not_a_failure_and_unreadable_mail_keeps_its_sender() {
        let delayed = parsed(
            "From: MAILER-DAEMON@mx.test\r\nMessage-ID: <d@mx>\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n\
             Final-Recipient: rfc822; x@customer.test\r\nAction: delayed\r\nStatus: 4.4.1\r\n--B--\r\n",
        );
        assert!(
            matches!(delayed.kind, MailKind::Bounce { failed: false, .. }),
            "{:?}",
            delayed.kind
        );
        assert_eq!(
            sender_in_raw(b"X-A: 1\r\nFrom: \"Zoe\" <Zoe@Customer.test>\r\n\r\nbody"),
            Some("zoe@customer.test".to_string())
        );
        assert_eq!(sender_in_raw(b"Subject: none\r\n\r\nFrom: a@b.test"), None);
    }

    /// Two corpus mails have no blank line after the headers. Python's parser ends the
    /// headers at the first line that is not one; so do we, and the text is kept.
    #[test]
    fn mail_without_a_blank_line_after_the_headers_keeps_its_text() {
        let mail = parsed(
            "From: Ana <ana@customer.test>\r\nMessage-ID: <nb@customer.test>\r\n\
             Subject: Late order\r\nDate: Tue, 1 Jul 2025 10:00:00 +0000\r\n\
             Hello, my order 4711 is late.\r\nThanks, Ana\r\n",
        );
        assert!(
            mail.text.contains("my order 4711 is late"),
            "{:?}",
            mail.text
        );
        assert!(mail.text.contains("Thanks, Ana"), "{:?}", mail.text);
        assert_eq!(mail.subject, "Late order");
        assert_eq!(mail.header_id, "nb@customer.test");
        // Bare LF too, and a folded header before the text.
        let lf = parsed("From: a@customer.test\nSubject: x\n  folded\nplain text here\n");
        assert!(lf.text.contains("plain text here"), "{:?}", lf.text);
    }

    /// The content digest tells a reused Message-ID from the same mail delivered again:
    /// trace headers added on the way do not change it; other content does.
    #[test]
    fn the_content_digest_ignores_delivery_traces_only() {
        let base = "Message-ID: <d@x>\r\nFrom: a@customer.test\r\nSubject: s\r\n\r\nbody\r\n";
        let traced = format!(
            "Return-Path: <a@customer.test>\r\nDelivered-To: help@example.com\r\n\
             Received: from mx by mx2;\r\n\tTue, 1 Jul 2025 10:00:00 +0000\r\n{base}"
        );
        let other = base.replace("body", "another body");
        assert_eq!(
            content_digest(base.as_bytes()),
            content_digest(traced.as_bytes())
        );
        assert_ne!(
            content_digest(base.as_bytes()),
            content_digest(other.as_bytes())
        );
        let parsed_base = parsed(base);
        assert_eq!(parsed_base.digest, content_digest(base.as_bytes()));
    }

    /// The `Date:` header is for display; the mail's time is the server's arrival.
    #[test]
    fn the_date_header_is_kept_apart_from_the_arrival_time() {
        let mail = parsed(
            "From: a@customer.test\r\nMessage-ID: <old@x>\r\n\
             Date: Mon, 1 Jan 2001 00:00:00 +0000\r\n\r\nhi\r\n",
        );
        assert_eq!(mail.sent_at.unix(), 978_307_200);
        assert_eq!(mail.arrived_at, T);
    }

    #[test]
    fn relative_links_are_removed_from_html() {
        let mail = parsed(
            "From: a@customer.test\r\nMessage-ID: <r@x>\r\nContent-Type: text/html\r\n\r\n\
             <a href=\"?remote=1\">see</a> <a href=\"https://shop.example/o/1\">order</a>",
        );
        let html = mail.html.expect("html");
        assert!(!html.contains("remote=1"), "{html}");
        assert!(html.contains("https://shop.example/o/1"), "{html}");
    }

    #[test]
    fn a_big_attachment_is_left_out_with_a_notice() {
        let big = "A".repeat(MAX_ATTACHMENT_BYTES / 3 * 4 + 400);
        let raw = format!(
            "From: a@customer.test\r\nMessage-ID: <big@x>\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
             --B\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"big.zip\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{big}\r\n--B--\r\n"
        );
        let mail = parsed(&raw);
        assert!(mail.attachments.is_empty());
        assert!(
            mail.text.contains("big.zip") && mail.text.contains("not kept"),
            "{}",
            mail.text
        );
    }
}
