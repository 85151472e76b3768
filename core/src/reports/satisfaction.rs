//! Customer satisfaction: the survey a channel account sends after a conversation is
//! resolved (its text on each channel and the choices it offers), reading a customer's
//! answer (a tapped choice, or a message that starts with a number from 1 to 5 and may
//! go on with a comment), and the answer as an agent sees it.

use crate::channel::Channel;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// How long after the resolution the survey goes out: an Undo or a quick reopening
/// inside this time sends nothing.
pub const SURVEY_DELAY_SECONDS: i64 = 120;

/// How long a survey waits for its answer.
pub const ANSWER_SECONDS: i64 = 7 * 86_400;

/// Longest comment kept with a rating; the whole message stays in the conversation.
pub const COMMENT_MAX_CHARS: usize = 1000;

/// Longest question an admin may set.
pub const QUESTION_MAX_CHARS: usize = 500;

/// The question asked when an admin turns the survey on without writing one.
pub const DEFAULT_QUESTION: &str = "How would you rate the help you got from us?";

/// The answers offered, best first: the rating and its words.
pub const CHOICES: [(u8, &str); 5] = [
    (5, "Great"),
    (4, "Good"),
    (3, "OK"),
    (2, "Poor"),
    (1, "Very poor"),
];

/// The survey and its answer, as the agent sees it beside the conversation. The comment
/// is customer text: `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SatisfactionView {
    pub sent_at: Timestamp,
    /// From 1 (very poor) to 5 (great); none before the customer answers.
    pub rating: Option<u8>,
    pub comment: Option<String>,
    pub answered_at: Option<Timestamp>,
}

crate::redacted_debug!(SatisfactionView);

/// The id a tapped choice carries back (`csat:<survey>:<rating>`).
pub fn choice_id(survey: i64, rating: u8) -> String {
    format!("csat:{survey}:{rating}")
}

/// The survey and rating a tapped choice names, if it is one of ours.
pub fn parse_choice(id: &str) -> Option<(i64, u8)> {
    let rest = id.strip_prefix("csat:")?;
    let (survey, rating) = rest.split_once(':')?;
    let rating: u8 = rating.parse().ok()?;
    ((1..=5).contains(&rating)).then_some(())?;
    Some((survey.parse().ok()?, rating))
}

/// The words shown for a rating (`5 – Great`), within WhatsApp's 24 and Messenger's 20
/// characters.
pub fn choice_title(rating: u8) -> String {
    let words = CHOICES
        .iter()
        .find(|(r, _)| *r == rating)
        .map_or("", |(_, w)| w);
    format!("{rating} – {words}")
}

/// The text of the survey on `channel`. Chat channels show the choices as buttons, so
/// the text is the question with a hint; e-mail lists them and asks for a number.
pub fn survey_text(channel: Channel, question: &str) -> String {
    match channel {
        Channel::Email => {
            let mut text = format!("{question}\n\nPlease reply with a number:\n");
            for (rating, _) in CHOICES {
                text.push_str(&choice_title(rating));
                text.push('\n');
            }
            text.push_str("\nYou are welcome to add a comment on the next line.");
            text
        }
        _ => format!("{question}\n\nChoose an answer, or reply with a number from 1 (very poor) to 5 (great), and a comment on the next line if you like."),
    }
}

/// A rating read from the customer's text: the first line that is not empty is a number
/// from 1 to 5 alone (`4`, `5/5`, `3.`, `4 of 5`) or followed by a separator and a
/// comment (`4 - quick`, `5: thanks`); what follows, up to quoted history, is the
/// comment. A number followed by words (`2 items were damaged`) is no rating: such a
/// message must be read by an agent. `None` when the text is no rating.
pub fn parse_rating(text: &str) -> Option<(u8, Option<String>)> {
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    let first = lines.next()?;
    let mut chars = first.chars();
    let rating = chars.next()?.to_digit(10)?;
    if !(1..=5).contains(&rating) {
        return None;
    }
    let after = chars.as_str();
    if after.chars().next().is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let rest = after.trim_start();
    let separated = rest.is_empty()
        || rest.starts_with(|c: char| SEPARATORS.contains(c))
        || rest.starts_with("of 5")
        || rest.starts_with("out of 5");
    if !separated {
        return None;
    }
    // `5/5` and `4 of 5` name the scale, not a comment.
    let after = after
        .trim_start_matches(|c: char| c.is_whitespace())
        .trim_start_matches("/5")
        .trim_start_matches("out of 5")
        .trim_start_matches("of 5")
        .trim_start_matches(|c: char| c.is_whitespace() || ".,:;-–—!)".contains(c));
    let mut comment = vec![after.to_string()];
    for line in lines {
        if is_quote_start(line) {
            break;
        }
        comment.push(line.to_string());
    }
    let comment = comment.join("\n").trim().to_string();
    let comment = (!comment.is_empty()).then(|| comment.chars().take(COMMENT_MAX_CHARS).collect());
    Some((rating as u8, comment))
}

/// What may stand between a rating and its comment.
const SEPARATORS: &str = "/.,:;-–—!)";

/// Where a mail reply's quoted history starts (`> …`, `On … wrote:`, a signature).
fn is_quote_start(line: &str) -> bool {
    line.starts_with('>')
        || line == "--"
        || (line.starts_with("On ") && line.ends_with("wrote:"))
        || line.starts_with("-----Original Message")
}

/// Whether a survey sent at `sent_at` still takes an answer at `now`.
pub fn still_open(sent_at: Timestamp, now: Timestamp) -> bool {
    now.seconds_since(sent_at) <= ANSWER_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_alone_or_with_a_comment_is_a_rating() {
        assert_eq!(parse_rating("5"), Some((5, None)));
        assert_eq!(
            parse_rating("  \n4 - thanks, quick help"),
            Some((4, Some("thanks, quick help".into())))
        );
        assert_eq!(
            parse_rating("4\nthanks, quick help"),
            Some((4, Some("thanks, quick help".into())))
        );
        assert_eq!(parse_rating("4 out of 5"), Some((4, None)));
        assert_eq!(parse_rating("5/5 great"), Some((5, Some("great".into()))));
        assert_eq!(
            parse_rating("3. slow\nbut fine"),
            Some((3, Some("slow\nbut fine".into())))
        );
        assert_eq!(parse_rating("2 - meh"), Some((2, Some("meh".into()))));
    }

    #[test]
    fn other_text_is_no_rating() {
        assert_eq!(parse_rating("12 items missing"), None);
        assert_eq!(parse_rating("2 items were damaged"), None);
        assert_eq!(
            parse_rating("4 thanks"),
            None,
            "words after a number: a message"
        );
        assert_eq!(parse_rating("6"), None);
        assert_eq!(parse_rating("0"), None);
        assert_eq!(parse_rating("5th order is late"), None);
        assert_eq!(parse_rating("Hello, 5 stars"), None);
        assert_eq!(parse_rating(""), None);
    }

    #[test]
    fn quoted_history_is_not_part_of_the_comment() {
        let mail = "4 - all good\n\nOn Mon, 7 Dec 2026, Care <care@example.com> wrote:\n> How would you rate\n> 5 – Great";
        assert_eq!(parse_rating(mail), Some((4, Some("all good".into()))));
        let long = format!("5: {}", "a".repeat(3000));
        assert_eq!(
            parse_rating(&long)
                .and_then(|(_, c)| c)
                .map(|c| c.chars().count()),
            Some(COMMENT_MAX_CHARS)
        );
    }

    #[test]
    fn choice_ids_round_trip_and_refuse_strangers() {
        assert_eq!(parse_choice(&choice_id(42, 3)), Some((42, 3)));
        assert_eq!(parse_choice("csat:42:9"), None);
        assert_eq!(parse_choice("csat:x:3"), None);
        assert_eq!(parse_choice("menu:42:3"), None);
        for (rating, _) in CHOICES {
            assert!(choice_title(rating).chars().count() <= 20);
        }
    }

    #[test]
    fn email_lists_the_numbers_and_chat_names_the_scale() {
        let mail = survey_text(Channel::Email, "How did we do?");
        assert!(mail.contains("5 – Great") && mail.contains("1 – Very poor"));
        let chat = survey_text(Channel::WhatsApp, "How did we do?");
        assert!(chat.starts_with("How did we do?") && chat.contains("1 (very poor) to 5 (great)"));
    }
}
