//! Recognises an e-mail that asks to unsubscribe: its subject or first line says so. Stop
//! words on any channel are the workspace's consent keywords (`privacy::consent`).

/// Whether this mail's subject or first line asks to unsubscribe.
pub fn asks_to_unsubscribe(subject: &str, body: &str) -> bool {
    let normalise = |s: &str| {
        s.trim()
            .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
            .to_lowercase()
    };
    let first_line = normalise(body.lines().next().unwrap_or(""));
    let subject = normalise(subject);
    subject == "unsubscribe" || first_line == "unsubscribe" || subject.starts_with("unsubscribe ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribe_requests_are_recognised() {
        assert!(asks_to_unsubscribe("Unsubscribe", "please remove me"));
        assert!(asks_to_unsubscribe(
            "Re: your order",
            "Unsubscribe\n\nThanks"
        ));
        assert!(asks_to_unsubscribe("unsubscribe me", ""));
        assert!(!asks_to_unsubscribe("", "Please don't stop the delivery"));
        assert!(!asks_to_unsubscribe(
            "Where is my parcel",
            "It has not arrived"
        ));
    }
}
