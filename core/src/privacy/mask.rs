//! Masks payment data in message text before it is stored and indexed: card numbers
//! (13–19 digits, spaces or dashes allowed, Luhn-valid) and IBANs (mod-97 valid). Only the
//! last four characters stay visible, so an agent can still say "the card ending 1234".

/// The text with sensitive numbers masked, and whether anything was masked.
pub fn mask_sensitive(text: &str) -> (String, bool) {
    // IBANs first: their digits could otherwise pass as a card number.
    let (text, ibans) = mask_ibans(text);
    let (text, cards) = mask_cards(&text);
    (text, cards || ibans)
}

fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Finds runs of digits separated by single spaces or dashes; masks runs of 13–19 digits
/// that pass the Luhn check.
fn mask_cards(text: &str) -> (String, bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut masked = false;
    let mut i = 0;
    while i < chars.len() {
        let starts_run = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric());
        if !starts_run {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Extend over digits and single separators.
        let mut j = i;
        let mut digits = Vec::new();
        let mut end = i;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits.push(chars[j] as u8 - b'0');
                j += 1;
                end = j;
            } else if (chars[j] == ' ' || chars[j] == '-')
                && j + 1 < chars.len()
                && chars[j + 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        let bounded = end == chars.len() || !chars[end].is_alphanumeric();
        if bounded && (13..=19).contains(&digits.len()) && luhn_valid(&digits) {
            let last4: String = digits[digits.len() - 4..]
                .iter()
                .map(|d| char::from(b'0' + d))
                .collect();
            out.push_str(&format!("[card •••• {last4}]"));
            masked = true;
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    (out, masked)
}

fn iban_valid(compact: &str) -> bool {
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let bytes = compact.as_bytes();
    if !bytes[0].is_ascii_uppercase()
        || !bytes[1].is_ascii_uppercase()
        || !bytes[2].is_ascii_digit()
        || !bytes[3].is_ascii_digit()
    {
        return false;
    }
    let rearranged = compact[4..].chars().chain(compact[..4].chars());
    let mut remainder = 0u32;
    for c in rearranged {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// Finds candidates of a country code, two check digits and groups of letters and digits
/// (spaces between groups allowed); masks those that pass mod-97.
fn mask_ibans(text: &str) -> (String, bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut masked = false;
    let mut i = 0;
    while i < chars.len() {
        let at_word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        let looks_like_start = at_word_start
            && i + 3 < chars.len()
            && chars[i].is_ascii_alphabetic()
            && chars[i + 1].is_ascii_alphabetic()
            && chars[i + 2].is_ascii_digit()
            && chars[i + 3].is_ascii_digit();
        if !looks_like_start {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // Take alphanumerics and single spaces; try the longest valid prefix ending at a group end.
        let mut j = i;
        let mut compact = String::new();
        let mut ends = Vec::new();
        while j < chars.len() && compact.len() < 34 {
            if chars[j].is_ascii_alphanumeric() {
                compact.push(chars[j].to_ascii_uppercase());
                j += 1;
                if j == chars.len() || !chars[j].is_ascii_alphanumeric() {
                    ends.push((j, compact.clone()));
                }
            } else if chars[j] == ' ' && j + 1 < chars.len() && chars[j + 1].is_ascii_alphanumeric()
            {
                j += 1;
            } else {
                break;
            }
        }
        match ends.into_iter().rev().find(|(_, c)| iban_valid(c)) {
            Some((end, compact)) => {
                out.push_str(&format!(
                    "[IBAN {}•• •••• {}]",
                    &compact[..2],
                    &compact[compact.len() - 4..]
                ));
                masked = true;
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    (out, masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_valid_cards_are_masked_with_their_last_four() {
        let (text, masked) = mask_sensitive("My card is 4111 1111 1111 1111, expiry 12/29");
        assert!(masked);
        assert_eq!(text, "My card is [card •••• 1111], expiry 12/29");
        let (text, _) = mask_sensitive("card 5500-0000-0000-0004.");
        assert_eq!(text, "card [card •••• 0004].");
    }

    #[test]
    fn other_numbers_stay() {
        for s in [
            "order 4111 1111 1111 1112 (fails Luhn)",
            "call +44 20 7946 0958",
            "tracking 1234567890",
            "ref ABC4111111111111111",
        ] {
            assert_eq!(mask_sensitive(s), (s.to_string(), false), "{s}");
        }
    }

    #[test]
    fn mod97_valid_ibans_are_masked() {
        let (text, masked) = mask_sensitive("Please refund to DE89 3704 0044 0532 0130 00 thanks");
        assert!(masked);
        assert_eq!(text, "Please refund to [IBAN DE•• •••• 3000] thanks");
        let (text, masked) = mask_sensitive("GB82WEST12345698765432");
        assert!(masked, "{text}");
        // One changed digit fails mod-97: not masked as an IBAN.
        let (text, _) = mask_sensitive("DE89 3704 0044 0532 0130 01");
        assert!(!text.contains("[IBAN"), "{text}");
    }
}
