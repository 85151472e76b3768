//! Drafts that survive a lock and a restart: what the caller is writing in a conversation,
//! one per mode (reply or note), kept in the encrypted store for the caller alone.

use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::ids::ConversationId;
use crate::secret::SessionToken;
use crate::service::outgoing::REPLY_MAX_CHARS;
use crate::store::conversations as conv_store;
use crate::store::drafts as draft_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// Which text of the composer a draft is: the reply to the customer or an internal note.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DraftMode {
    Reply,
    Note,
}

impl DraftMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Note => "note",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "note" {
            Self::Note
        } else {
            Self::Reply
        }
    }
}

/// One of the caller's drafts in a conversation, as typed (not trimmed).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DraftView {
    pub mode: DraftMode,
    pub body: String,
    pub updated_at: Timestamp,
}

crate::redacted_debug!(DraftView);

impl DraftView {
    /// The view of a stored draft.
    pub(crate) fn from_row((mode, body, updated_at): draft_store::DraftRow) -> Self {
        Self {
            mode: DraftMode::parse(&mode),
            body,
            updated_at,
        }
    }
}

impl Workspace {
    /// Keeps what the caller is writing in a conversation they may see, for `mode`; an
    /// empty (or blank) body forgets it. The window calls this while the person types,
    /// so it is neither audited nor published: a draft is no change to the conversation,
    /// and its text stays out of the audit trail, events and logs. Only its writer ever
    /// reads it back ([`ConversationView::drafts`](crate::service::inbox::ConversationView)).
    pub fn save_draft(
        &self,
        token: &SessionToken,
        id: ConversationId,
        mode: DraftMode,
        body: &str,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "keep drafts")?;
        if body.chars().count() > REPLY_MAX_CHARS {
            return Err(CoreError::invalid(
                "draft",
                format!("it is too long to keep; shorten it to {REPLY_MAX_CHARS} characters"),
            ));
        }
        self.store.write(|tx| {
            conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            if body.trim().is_empty() {
                draft_store::delete(tx, caller.user, id, mode.as_str())
            } else {
                draft_store::upsert(tx, caller.user, id, mode.as_str(), body, now)
            }
        })
    }
}
