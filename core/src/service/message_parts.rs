//! What is shown with a message besides its text: the message it quotes, the reactions
//! on it, what it holds besides text (a place, contact cards…), and an e-mail's sender
//! and recipients. Loaded for a page of messages (or one) by the inbox and the steps
//! that answer with a message's view.

use crate::channel::rich::RichContent;
use crate::error::Result;
use crate::ids::MessageId;
use crate::service::mail_recipients::{views_of, MailAddressesView};
use crate::store::{message_content, reactions};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// How much of a quoted message is shown above the reply.
const QUOTE_EXCERPT_CHARS: i64 = 160;

/// The message a reply answers, shown above it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuoteView {
    /// The quoted message while it is here (a click scrolls to it); `None` when it never
    /// was or was erased since.
    pub message: Option<MessageId>,
    /// `in` (the customer's) or `out` (ours), when it is here.
    pub direction: Option<String>,
    /// Its first characters, when it is here.
    pub excerpt: Option<String>,
}

/// A reaction on a message: the customer's, or ours with the agent's name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReactionView {
    pub emoji: String,
    pub by_customer: bool,
    /// The agent who reacted, for ours.
    pub by: Option<String>,
}

crate::redacted_debug!(QuoteView, ReactionView);

/// Quotes and reactions of some messages.
#[derive(Default)]
pub(crate) struct MessageParts {
    quotes: Vec<(MessageId, QuoteView)>,
    reactions: Vec<reactions::ReactionRow>,
    mail: Vec<(MessageId, MailAddressesView)>,
    content: Vec<(MessageId, RichContent)>,
}

impl MessageParts {
    pub(crate) fn load(conn: &Connection, messages: &[MessageId]) -> Result<Self> {
        let mut quotes = Vec::new();
        for &m in messages {
            if let Some(quoted) = reactions::quote_of(conn, m, QUOTE_EXCERPT_CHARS)? {
                quotes.push((
                    m,
                    match quoted {
                        Some((id, direction, text)) => QuoteView {
                            message: Some(id),
                            direction: Some(direction),
                            excerpt: Some(text),
                        },
                        None => QuoteView {
                            message: None,
                            direction: None,
                            excerpt: None,
                        },
                    },
                ));
            }
        }
        Ok(Self {
            quotes,
            reactions: reactions::of(conn, messages)?,
            mail: views_of(conn, messages)?,
            content: message_content::of(conn, messages)?,
        })
    }

    pub(crate) fn content(&self, message: MessageId) -> Option<RichContent> {
        self.content
            .iter()
            .find(|(m, _)| *m == message)
            .map(|(_, c)| c.clone())
    }

    pub(crate) fn quote(&self, message: MessageId) -> Option<QuoteView> {
        self.quotes
            .iter()
            .find(|(m, _)| *m == message)
            .map(|(_, q)| q.clone())
    }

    pub(crate) fn mail(&self, message: MessageId) -> Option<MailAddressesView> {
        self.mail
            .iter()
            .find(|(m, _)| *m == message)
            .map(|(_, v)| v.clone())
    }

    pub(crate) fn reactions(&self, message: MessageId) -> Vec<ReactionView> {
        self.reactions
            .iter()
            .filter(|r| r.message == message)
            .map(|r| ReactionView {
                emoji: r.emoji.clone(),
                by_customer: r.by_customer,
                by: r.by_name.clone(),
            })
            .collect()
    }
}
