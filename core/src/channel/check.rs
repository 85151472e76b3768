//! "Test connection" for a channel account: the steps the channel runtime tried against
//! the provider (Meta's Graph API, or the mailbox's IMAP and SMTP servers) and what each
//! found, in words for an admin. A step's detail names servers, numbers and Meta's error
//! codes, never a secret or customer text.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest detail kept for one step.
pub const CHECK_DETAIL_MAX_CHARS: usize = 400;

/// How one step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CheckOutcome {
    Ok,
    Failed,
    /// Not tried: an earlier step failed, or the account has nothing to test here.
    Skipped,
}

/// One thing the test tried, e.g. "Access token" or "IMAP login".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckStep {
    pub name: String,
    pub outcome: CheckOutcome,
    pub detail: String,
}

impl CheckStep {
    fn new(name: &str, outcome: CheckOutcome, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        Self {
            name: name.to_string(),
            outcome,
            detail: detail.chars().take(CHECK_DETAIL_MAX_CHARS).collect(),
        }
    }

    pub fn ok(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, CheckOutcome::Ok, detail)
    }

    pub fn failed(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, CheckOutcome::Failed, detail)
    }

    pub fn skipped(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, CheckOutcome::Skipped, detail)
    }
}

/// The last "Test connection" of an account: running while `finished_at` is empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectionCheck {
    pub requested_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub steps: Vec<CheckStep>,
}

impl ConnectionCheck {
    /// Whether every step that was tried succeeded (and at least one was).
    pub fn passed(&self) -> bool {
        self.finished_at.is_some()
            && self.steps.iter().any(|s| s.outcome == CheckOutcome::Ok)
            && self.steps.iter().all(|s| s.outcome != CheckOutcome::Failed)
    }
}

/// What removing an account did with its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountRemoval {
    /// The conversations, messages and contacts were erased (else kept, read-only).
    pub erased: bool,
    pub conversations: i64,
    pub messages: i64,
    /// Customers who had nothing else and went with the history.
    pub contacts: i64,
}
