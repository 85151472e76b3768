//! Recognises a customer's request to stop being contacted: a message that is only a
//! stop word (WhatsApp, Messenger) or an email whose subject or first line asks to
//! unsubscribe.

const STOP_WORDS: &[&str] = &[
    "stop",
    "unsubscribe",
    "stopp",
    "arrêt",
    "arret",
    "cancel",
    "end",
    "quit",
    "stop all",
];

/// Whether this inbound text asks us to stop contacting the customer.
pub fn is_opt_out(subject: &str, body: &str) -> bool {
    let normalise = |s: &str| {
        s.trim()
            .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
            .to_lowercase()
    };
    let whole = normalise(body);
    if STOP_WORDS.contains(&whole.as_str()) {
        return true;
    }
    let first_line = normalise(body.lines().next().unwrap_or(""));
    let subject = normalise(subject);
    subject == "unsubscribe" || first_line == "unsubscribe" || subject.starts_with("unsubscribe ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_and_unsubscribe_requests_are_recognised() {
        assert!(is_opt_out("", "STOP"));
        assert!(is_opt_out("", " stop. "));
        assert!(is_opt_out("Unsubscribe", "please remove me"));
        assert!(is_opt_out("Re: your order", "Unsubscribe\n\nThanks"));
        assert!(!is_opt_out("", "Please don't stop the delivery"));
        assert!(!is_opt_out("Where is my parcel", "It has not arrived"));
    }
}
