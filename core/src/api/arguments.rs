//! The rules the core checks on the calls' plain arguments (texts, numbers, lists), as
//! data: the team API's document declares them, and a test holds the hub to them.
//! Arguments that are structures carry their rules on their fields instead.

use crate::privacy::consent::LANGUAGES_MAX;
use crate::reports::satisfaction::QUESTION_MAX_CHARS;
use crate::service::contacts::NAME_MAX_CHARS;
use crate::service::conversation::{CANNED_TITLE_MAX_CHARS, NOTE_BODY_MAX_CHARS};
use crate::service::handoff::NOTE_MAX_CHARS;
use crate::service::mail_recipients::SIGNATURE_MAX_CHARS;
use crate::service::outgoing::{CAPTION_MAX_CHARS, REPLY_MAX_CHARS, TEMPLATE_VALUE_MAX_CHARS};
use crate::service::reports::OUT_OF_HOURS_MAX_CHARS;
use crate::service::sample::MAX_EXTRA;
use crate::service::triage::{BULK_MAX, LABEL_MAX_CHARS};
use crate::service::users::TEAM_NAME_MAX_CHARS;

/// What the core accepts for one argument. Lengths count characters after the core
/// trims the text; the document states them for the text as sent (stricter by the
/// surrounding blanks, never looser).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A text that must hold something other than blanks, of at most `max` characters.
    Text { max: usize },
    /// A text that may be empty, of at most `max` characters.
    MaybeEmpty { max: usize },
    /// A list of texts, each following `each`.
    EachText { each: TextRule },
    /// A list of `min` to `max` entries; `unique`: none twice.
    Items {
        min: usize,
        max: usize,
        unique: bool,
    },
    /// A whole number from `min` to `max`.
    Range { min: i64, max: i64 },
}

/// The text rule of each entry of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub required: bool,
    pub max: usize,
}

/// One argument's rule: the call, the argument's name in the call list, the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgumentRule {
    pub call: &'static str,
    pub argument: &'static str,
    pub rule: Rule,
}

const fn rule(call: &'static str, argument: &'static str, rule: Rule) -> ArgumentRule {
    ArgumentRule {
        call,
        argument,
        rule,
    }
}

/// Every plain argument the core checks by length, count or range.
pub const ARGUMENT_RULES: &[ArgumentRule] = &[
    rule(
        "reply",
        "body",
        Rule::Text {
            max: REPLY_MAX_CHARS,
        },
    ),
    rule(
        "reply_quoting",
        "body",
        Rule::Text {
            max: REPLY_MAX_CHARS,
        },
    ),
    rule(
        "reply_with_attachment",
        "caption",
        Rule::MaybeEmpty {
            max: CAPTION_MAX_CHARS,
        },
    ),
    rule(
        "add_note",
        "body",
        Rule::Text {
            max: NOTE_BODY_MAX_CHARS,
        },
    ),
    rule(
        "save_draft",
        "body",
        Rule::MaybeEmpty {
            max: REPLY_MAX_CHARS,
        },
    ),
    rule(
        "set_labels",
        "labels",
        Rule::EachText {
            each: TextRule {
                required: true,
                max: LABEL_MAX_CHARS,
            },
        },
    ),
    rule(
        "rename_contact",
        "name",
        Rule::Text {
            max: NAME_MAX_CHARS,
        },
    ),
    rule(
        "create_canned_reply",
        "title",
        Rule::Text {
            max: CANNED_TITLE_MAX_CHARS,
        },
    ),
    rule(
        "create_canned_reply",
        "body",
        Rule::Text {
            max: REPLY_MAX_CHARS,
        },
    ),
    rule(
        "transfer",
        "note",
        Rule::Text {
            max: NOTE_MAX_CHARS,
        },
    ),
    rule(
        "return_to_queue",
        "note",
        Rule::MaybeEmpty {
            max: NOTE_MAX_CHARS,
        },
    ),
    rule(
        "reassign",
        "note",
        Rule::MaybeEmpty {
            max: NOTE_MAX_CHARS,
        },
    ),
    rule(
        "reassign",
        "conversations",
        Rule::Items {
            min: 1,
            max: BULK_MAX,
            unique: false,
        },
    ),
    rule(
        "update_many",
        "conversations",
        Rule::Items {
            min: 1,
            max: BULK_MAX,
            unique: true,
        },
    ),
    rule(
        "set_out_of_hours_reply",
        "body",
        Rule::MaybeEmpty {
            max: OUT_OF_HOURS_MAX_CHARS,
        },
    ),
    rule(
        "set_satisfaction_survey",
        "question",
        Rule::MaybeEmpty {
            max: QUESTION_MAX_CHARS,
        },
    ),
    rule(
        "create_team",
        "name",
        Rule::Text {
            max: TEAM_NAME_MAX_CHARS,
        },
    ),
    rule(
        "send_template",
        "parameters",
        Rule::EachText {
            each: TextRule {
                required: false,
                max: TEMPLATE_VALUE_MAX_CHARS,
            },
        },
    ),
    rule(
        "set_mail_signature",
        "signature",
        Rule::MaybeEmpty {
            max: SIGNATURE_MAX_CHARS,
        },
    ),
    rule(
        "set_consent_keywords",
        "keywords",
        Rule::Items {
            min: 0,
            max: LANGUAGES_MAX,
            unique: false,
        },
    ),
    rule(
        "add_sample_data",
        "extra",
        Rule::Range {
            min: 0,
            max: MAX_EXTRA,
        },
    ),
];

/// The rules of `call`'s argument `argument`.
pub fn rules_of<'a>(call: &'a str, argument: &'a str) -> impl Iterator<Item = Rule> + 'a {
    ARGUMENT_RULES
        .iter()
        .filter(move |r| r.call == call && r.argument == argument)
        .map(|r| r.rule)
}
