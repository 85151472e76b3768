//! What the fuzz targets in `fuzz/` run, one function each, so the fuzzer and the corpus
//! replay tests below exercise the same code: a webhook body as Meta's receiver takes it
//! (signature check, JSON, the channel's parser) and a raw mail as the sync takes it.
//! Each checks what must hold for any input, beyond not panicking.

use crate::email::parse::{parse_mail, sender_in_raw, too_large, MAX_TEXT_CHARS};
use crate::parse::WebhookAccount;
use crate::signature::{sign, verify};
use appcare_core::channel::mail::MailItem;
use appcare_core::channel::{ChannelEvent, SET_ASIDE_RAW_MAX};
use appcare_core::ids::ChannelAccountId;
use appcare_core::Timestamp;

const APP_SECRET: &[u8] = b"fake-app-secret-0123456789";
/// The ids the seed corpus addresses (Meta's documented samples, as in the tests).
const PHONE_NUMBER_ID: &str = "106540352242922";
const PAGE_ID: &str = "1122334455";

/// Fuzz target `whatsapp_webhook`: a `whatsapp_business_account` body.
pub fn whatsapp_webhook(data: &[u8]) {
    webhook(data, PHONE_NUMBER_ID, crate::whatsapp::parse_webhook);
}

/// Fuzz target `messenger_webhook`: a `page` body.
pub fn messenger_webhook(data: &[u8]) {
    webhook(data, PAGE_ID, crate::messenger::parse_webhook);
}

type Parser = fn(&serde_json::Value, &[WebhookAccount]) -> Vec<ChannelEvent>;

fn webhook(data: &[u8], external_id: &str, parse: Parser) {
    // The signature check: ours verifies, one made of the body's first bytes does not
    // panic (and cannot verify unless it is the right one).
    assert!(verify(APP_SECRET, &sign(APP_SECRET, data), data));
    let forged = String::from_utf8_lossy(&data[..data.len().min(71)]);
    let _ = verify(APP_SECRET, &forged, data);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let accounts = [WebhookAccount {
        id: ChannelAccountId::new(7),
        external_id: external_id.to_string(),
    }];
    for event in parse(&value, &accounts) {
        let (account, id) = match &event {
            ChannelEvent::Message(e) => (e.account, e.external_id.as_str()),
            ChannelEvent::Echo(e) => (e.account, e.external_id.as_str()),
            ChannelEvent::Status(e) => (e.account, e.external_id.as_str()),
            ChannelEvent::Watermark(e) => (e.account, "watermark"),
            ChannelEvent::Handover(e) => (e.account, "handover"),
            ChannelEvent::AddressChange(e) => (e.account, e.external_id.as_str()),
            ChannelEvent::Reaction(e) => {
                assert!(
                    e.emoji.chars().count() <= appcare_core::channel::REACTION_MAX_CHARS,
                    "a reaction kept beyond its bound"
                );
                (e.account, e.external_id.as_str())
            }
            ChannelEvent::SetAside(e) => {
                assert!(
                    e.raw.len() <= SET_ASIDE_RAW_MAX + 100,
                    "a set-aside item kept beyond its bound"
                );
                (e.account, e.reason.as_str())
            }
        };
        assert_eq!(
            account,
            ChannelAccountId::new(7),
            "an event for an account not addressed"
        );
        assert!(!id.is_empty(), "an event without an id: {event:?}");
    }
}

/// Fuzz target `mime`: a raw mail as fetched from IMAP (also read as headers alone, as
/// for mail too large to download).
pub fn mime(data: &[u8]) {
    let _ = sender_in_raw(data);
    let _ = too_large(1, data.len() as u64, Some(data));
    match parse_mail(1, data, Timestamp::from_unix(1_764_000_000)) {
        MailItem::Parsed { mail, .. } => {
            assert!(!mail.header_id.is_empty(), "a parsed mail without an id");
            assert!(
                mail.text.chars().count() <= MAX_TEXT_CHARS,
                "a text longer than the store takes"
            );
        }
        MailItem::SetAside { raw, key, .. } => {
            assert!(
                raw.is_none() || key.is_some() || data.is_empty(),
                "set aside without a key"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_of(target: &str) -> Vec<(String, Vec<u8>)> {
        appcare_core::fuzzing::corpus(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fuzz/corpus")
                .join(target),
        )
    }

    #[test]
    fn the_whatsapp_webhook_corpus_parses_without_a_panic_and_every_event_has_an_id() {
        let files = corpus_of("whatsapp_webhook");
        assert!(files.len() >= 5, "the corpus is missing");
        for (_, data) in &files {
            whatsapp_webhook(data);
        }
    }

    #[test]
    fn the_messenger_webhook_corpus_parses_without_a_panic_and_every_event_has_an_id() {
        let files = corpus_of("messenger_webhook");
        assert!(files.len() >= 5, "the corpus is missing");
        for (_, data) in &files {
            messenger_webhook(data);
        }
    }

    #[test]
    fn the_mime_corpus_parses_without_a_panic() {
        let files = corpus_of("mime");
        assert!(files.len() >= 10, "the corpus is missing");
        for (_, data) in &files {
            mime(data);
        }
    }
}
