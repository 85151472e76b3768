//! A reply with answers the customer taps, as an agent writes it: WhatsApp reply buttons
//! (up to three) or a list (up to ten rows, opened by a button), Messenger quick replies
//! (up to thirteen). Checked against Meta's documented limits before anything is
//! queued, each refusal naming the field (`body`, `button`, `option 2` …).

use crate::channel::outbound::Choice;
use crate::channel::Channel;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// The longest text above the choices (WhatsApp's interactive body).
pub const CHOICES_BODY_MAX_CHARS: usize = 1024;

/// What the agent wrote: the text, the options, and (WhatsApp lists) the button's words.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChoicesReply {
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = CHOICES_BODY_MAX_CHARS), regex(pattern = r"\S"))
    )]
    pub body: String,
    pub options: Vec<String>,
    /// WhatsApp, more than three options: the words on the button that opens the list
    /// (empty: "Choose").
    pub button: String,
}

crate::redacted_debug!(ChoicesReply);

/// A checked [`ChoicesReply`]: what is stored and what is sent.
pub struct CheckedChoices {
    pub body: String,
    pub button: String,
    pub choices: Vec<Choice>,
}

impl CheckedChoices {
    /// The message as the conversation shows it: the text, then one line per option.
    pub fn shown(&self) -> String {
        let mut text = self.body.clone();
        text.push('\n');
        for c in &self.choices {
            text.push_str(&format!("\n▸ {}", c.title));
        }
        text
    }
}

/// Meta's limits per channel: most options, longest option (buttons, list rows).
fn limits(channel: Channel, options: usize) -> Result<(usize, usize)> {
    match channel {
        Channel::WhatsApp if options <= 3 => Ok((10, 20)),
        Channel::WhatsApp => Ok((10, 24)),
        Channel::Messenger => Ok((13, 20)),
        Channel::Email => Err(CoreError::invalid(
            "options",
            "answers to tap are for WhatsApp and Messenger conversations",
        )),
    }
}

impl ChoicesReply {
    pub fn checked(&self, channel: Channel) -> Result<CheckedChoices> {
        let body = self.body.trim();
        if body.is_empty() {
            return Err(CoreError::invalid(
                "body",
                "write the question above the answers",
            ));
        }
        if body.chars().count() > CHOICES_BODY_MAX_CHARS {
            return Err(CoreError::invalid(
                "body",
                format!("keep the text to {CHOICES_BODY_MAX_CHARS} characters"),
            ));
        }
        let options: Vec<&str> = self.options.iter().map(|o| o.trim()).collect();
        let (most, longest) = limits(channel, options.len())?;
        if options.is_empty() {
            return Err(CoreError::invalid(
                "options",
                "give at least one answer to tap",
            ));
        }
        if options.len() > most {
            return Err(CoreError::invalid(
                "options",
                format!("{} allows at most {most} answers", channel_name(channel)),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut choices = Vec::new();
        for (i, option) in options.iter().enumerate() {
            let field = OPTION_FIELDS[i.min(OPTION_FIELDS.len() - 1)];
            if option.is_empty() {
                return Err(CoreError::invalid(field, "write the answer or remove it"));
            }
            if option.chars().count() > longest {
                return Err(CoreError::invalid(
                    field,
                    format!("keep it to {longest} characters (Meta cuts longer ones)"),
                ));
            }
            if !seen.insert(option.to_lowercase()) {
                return Err(CoreError::invalid(
                    field,
                    "each answer must differ from the others",
                ));
            }
            choices.push(Choice {
                id: format!("choice:{}", i + 1),
                title: option.to_string(),
            });
        }
        let button = self.button.trim();
        let list = channel == Channel::WhatsApp && options.len() > 3;
        if list && button.chars().count() > 20 {
            return Err(CoreError::invalid(
                "button",
                "keep the button's words to 20 characters",
            ));
        }
        Ok(CheckedChoices {
            body: body.to_string(),
            button: match (list, button) {
                (true, "") => "Choose".to_string(),
                (true, b) => b.to_string(),
                (false, _) => String::new(),
            },
            choices,
        })
    }
}

/// The field name of each option, as refusals name it.
const OPTION_FIELDS: [&str; 13] = [
    "option 1",
    "option 2",
    "option 3",
    "option 4",
    "option 5",
    "option 6",
    "option 7",
    "option 8",
    "option 9",
    "option 10",
    "option 11",
    "option 12",
    "option 13",
];

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::WhatsApp => "WhatsApp",
        Channel::Messenger => "Messenger",
        Channel::Email => "E-mail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(options: &[&str], button: &str) -> ChoicesReply {
        ChoicesReply {
            body: " Which size? ".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            button: button.into(),
        }
    }

    fn field_of(result: Result<CheckedChoices>) -> &'static str {
        match result {
            Err(CoreError::InvalidInput { field, .. }) => field,
            _ => panic!("expected a refusal at a field"),
        }
    }

    #[test]
    fn options_follow_metas_limits_and_refusals_name_the_field() {
        let ok = reply(&["Small", "Medium", "Large"], "")
            .checked(Channel::WhatsApp)
            .expect("ok");
        assert_eq!(ok.body, "Which size?");
        assert_eq!(ok.button, "", "three answers are buttons: no list button");
        assert_eq!(ok.choices[2].id, "choice:3");
        assert_eq!(ok.shown(), "Which size?\n\n▸ Small\n▸ Medium\n▸ Large");
        let list = reply(&["XS", "S", "M", "L", "XL"], "")
            .checked(Channel::WhatsApp)
            .expect("list");
        assert_eq!(list.button, "Choose");
        // A list row may be 24 characters, a button only 20.
        let long = "Twenty-four characters!!";
        assert_eq!(long.chars().count(), 24);
        assert!(reply(&["a", "b", "c", long], "Pick")
            .checked(Channel::WhatsApp)
            .is_ok());
        assert_eq!(
            field_of(reply(&["a", long], "").checked(Channel::WhatsApp)),
            "option 2"
        );
        assert_eq!(
            field_of(reply(&["a", long], "").checked(Channel::Messenger)),
            "option 2"
        );
        let eleven: Vec<String> = (1..=11).map(|i| format!("Answer {i}")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(
            field_of(reply(&eleven, "").checked(Channel::WhatsApp)),
            "options"
        );
        assert!(
            reply(&eleven, "").checked(Channel::Messenger).is_ok(),
            "Messenger allows 13"
        );
        assert_eq!(
            field_of(reply(&["Yes", " yes "], "").checked(Channel::WhatsApp)),
            "option 2"
        );
        assert_eq!(
            field_of(reply(&["Yes", ""], "").checked(Channel::WhatsApp)),
            "option 2"
        );
        assert_eq!(
            field_of(reply(&[], "").checked(Channel::WhatsApp)),
            "options"
        );
        assert_eq!(
            field_of(reply(&["Yes"], "").checked(Channel::Email)),
            "options"
        );
        assert_eq!(
            field_of(
                reply(&["a", "b", "c", "d"], "A button far too long here")
                    .checked(Channel::WhatsApp)
            ),
            "button"
        );
        let empty = ChoicesReply {
            body: "  ".into(),
            ..reply(&["Yes"], "")
        };
        assert_eq!(field_of(empty.checked(Channel::WhatsApp)), "body");
    }
}
