//! Consent to be contacted, per customer and channel: given or refused (or unknown), with
//! when and how; and the keywords (per language) a customer sends to stop or start
//! messages. Pure rules: the store keeps the records, the service applies them.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// Whether the customer agreed to be contacted on a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    Given,
    Refused,
}

/// How the consent was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The customer sent a start or stop keyword.
    Keyword,
    /// The customer filled in a form (a website, a paper form) an agent read.
    Form,
    /// An agent recorded what the customer said.
    Agent,
}

impl ConsentState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Given => "given",
            Self::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "given" => Some(Self::Given),
            "refused" => Some(Self::Refused),
            _ => None,
        }
    }
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyword => "keyword",
            Self::Form => "form",
            Self::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "keyword" => Some(Self::Keyword),
            "form" => Some(Self::Form),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }
}

/// The words that stop or start messages in one language. A message that is only one of
/// them (case, blanks and punctuation aside) counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentKeywords {
    /// A language tag, e.g. `en`, `de`, `pt-BR`.
    #[cfg_attr(feature = "schema", schemars(length(min = 2, max = 12)))]
    pub language: String,
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = KEYWORDS_MAX), inner(length(min = 1, max = KEYWORD_MAX_CHARS)))
    )]
    pub stop: Vec<String>,
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = KEYWORDS_MAX), inner(length(min = 1, max = KEYWORD_MAX_CHARS)))
    )]
    pub start: Vec<String>,
}

/// At most this many words per list, and this many languages.
pub const KEYWORDS_MAX: usize = 20;
pub const LANGUAGES_MAX: usize = 30;
/// The longest keyword, in characters.
pub const KEYWORD_MAX_CHARS: usize = 40;

/// What a keyword asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Stop,
    Start,
}

/// The keywords a new workspace starts with.
pub fn default_keywords() -> Vec<ConsentKeywords> {
    let set = |language: &str, stop: &[&str], start: &[&str]| ConsentKeywords {
        language: language.into(),
        stop: stop.iter().map(|s| s.to_string()).collect(),
        start: start.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        set(
            "en",
            &["stop", "unsubscribe", "cancel", "end", "quit", "stop all"],
            &["start", "unstop", "subscribe"],
        ),
        set("de", &["stopp", "abmelden"], &["anmelden"]),
        set("fr", &["arrêt", "arret", "désabonner"], &["commencer"]),
        set("es", &["baja", "parar"], &["alta"]),
        set("pt", &["sair", "cancelar"], &["começar", "iniciar"]),
    ]
}

fn normalise(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_lowercase()
}

/// Whether `body` is short enough to be one of the keywords (none is longer than
/// [`KEYWORD_MAX_CHARS`]), so the lists need not be read for every message.
pub fn may_be_keyword(body: &str) -> bool {
    body.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .chars()
        .take(KEYWORD_MAX_CHARS + 1)
        .count()
        <= KEYWORD_MAX_CHARS
}

/// Checks an admin's keyword lists: language tags, word lengths and counts, and no word
/// that both stops and starts. Returns them normalised (lower case, trimmed, no repeats).
pub fn checked(keywords: &[ConsentKeywords]) -> Result<Vec<ConsentKeywords>> {
    if keywords.len() > LANGUAGES_MAX {
        return Err(CoreError::invalid(
            "keywords",
            format!("keep at most {LANGUAGES_MAX} languages"),
        ));
    }
    let mut out: Vec<ConsentKeywords> = Vec::with_capacity(keywords.len());
    for k in keywords {
        let language = k.language.trim().to_string();
        let tag_ok = (2..=12).contains(&language.len())
            && language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !tag_ok {
            return Err(CoreError::invalid(
                "language",
                format!("“{language}” is not a language tag such as en, de or pt-BR"),
            ));
        }
        if out
            .iter()
            .any(|o| o.language.eq_ignore_ascii_case(&language))
        {
            return Err(CoreError::invalid(
                "language",
                format!("{language} is listed twice"),
            ));
        }
        let words = |list: &[String], field: &'static str| -> Result<Vec<String>> {
            if list.len() > KEYWORDS_MAX {
                return Err(CoreError::invalid(
                    field,
                    format!("keep at most {KEYWORDS_MAX} words per language"),
                ));
            }
            let mut words: Vec<String> = Vec::new();
            for w in list {
                let w = normalise(w);
                if w.is_empty() || w.chars().count() > KEYWORD_MAX_CHARS {
                    return Err(CoreError::invalid(
                        field,
                        format!("use words of 1 to {KEYWORD_MAX_CHARS} characters"),
                    ));
                }
                if !words.contains(&w) {
                    words.push(w);
                }
            }
            Ok(words)
        };
        out.push(ConsentKeywords {
            language,
            stop: words(&k.stop, "stop words")?,
            start: words(&k.start, "start words")?,
        });
    }
    let stops: Vec<&String> = out.iter().flat_map(|k| &k.stop).collect();
    // STOP must always work on some word: customers rely on it.
    if stops.is_empty() {
        return Err(CoreError::invalid(
            "stop words",
            "keep at least one stop word, so customers can always stop messages",
        ));
    }
    if let Some(both) = out
        .iter()
        .flat_map(|k| &k.start)
        .find(|w| stops.contains(w))
    {
        return Err(CoreError::invalid(
            "start words",
            format!("“{both}” is also a stop word; a word can only do one"),
        ));
    }
    Ok(out)
}

/// Whether an inbound message is a stop or start keyword: the whole message is one of
/// the words (any language), or an e-mail whose subject or first line asks to
/// unsubscribe.
pub fn keyword_in(subject: &str, body: &str, keywords: &[ConsentKeywords]) -> Option<Keyword> {
    let whole = normalise(body);
    if keywords.iter().any(|k| k.stop.contains(&whole)) {
        return Some(Keyword::Stop);
    }
    if keywords.iter().any(|k| k.start.contains(&whole)) {
        return Some(Keyword::Start);
    }
    crate::privacy::opt_out::asks_to_unsubscribe(subject, body).then_some(Keyword::Stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_and_start_words_of_any_language_are_recognised_as_the_whole_message() {
        let k = default_keywords();
        assert_eq!(keyword_in("", "STOP", &k), Some(Keyword::Stop));
        assert_eq!(keyword_in("", " stopp. ", &k), Some(Keyword::Stop));
        assert_eq!(keyword_in("", "Arrêt", &k), Some(Keyword::Stop));
        assert_eq!(keyword_in("", "Start!", &k), Some(Keyword::Start));
        assert_eq!(keyword_in("", "anmelden", &k), Some(Keyword::Start));
        assert_eq!(
            keyword_in("Unsubscribe", "please remove me", &k),
            Some(Keyword::Stop)
        );
        assert_eq!(keyword_in("", "Please don't stop the delivery", &k), None);
        assert_eq!(keyword_in("", "start the return please", &k), None);
        assert_eq!(keyword_in("", "STOP", &[]), None, "no keywords, no stop");
        assert!(may_be_keyword(" Stop all! "));
        assert!(!may_be_keyword(&"x".repeat(KEYWORD_MAX_CHARS + 1)));
        assert!(may_be_keyword(&format!(
            "..{}..",
            "x".repeat(KEYWORD_MAX_CHARS)
        )));
    }

    #[test]
    fn keyword_lists_are_checked_and_normalised() {
        let mine = vec![ConsentKeywords {
            language: "nl".into(),
            stop: vec![" STOP ".into(), "stop".into(), "Afmelden".into()],
            start: vec!["Aanmelden".into()],
        }];
        let done = checked(&mine).expect("valid");
        assert_eq!(done[0].stop, ["stop", "afmelden"]);
        assert_eq!(done[0].start, ["aanmelden"]);
        let both = vec![ConsentKeywords {
            language: "en".into(),
            stop: vec!["stop".into()],
            start: vec!["STOP".into()],
        }];
        assert!(checked(&both).is_err());
        let bad_tag = vec![ConsentKeywords {
            language: "english language".into(),
            stop: vec![],
            start: vec![],
        }];
        assert!(checked(&bad_tag).is_err());
        let twice = vec![default_keywords()[0].clone(), default_keywords()[0].clone()];
        assert!(checked(&twice).is_err());
        assert!(checked(&default_keywords()).is_ok());
        let no_stop = vec![ConsentKeywords {
            language: "en".into(),
            stop: vec![],
            start: vec!["start".into()],
        }];
        assert!(
            checked(&no_stop).is_err(),
            "STOP must always work on some word"
        );
    }
}
