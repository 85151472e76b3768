//! Core events: every change is published once on a broadcast channel. The desktop turns
//! them into window events, the hub into push messages. The core never assumes a listener.

use crate::ids::{ConversationId, MessageId, TeamId, UserId};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CoreEvent"))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A user was created, changed, disabled or re-enabled.
    UserChanged { user: UserId },
    /// All sessions of this user were ended (disable, authenticator reset).
    SessionsEnded { user: UserId },
    /// A workspace setting changed.
    SettingsChanged,
    /// A customer's message arrived (new conversation or not). `assignee`: who has the
    /// conversation now (their desktop may notify them).
    MessageReceived {
        conversation: ConversationId,
        message: MessageId,
        assignee: Option<UserId>,
    },
    /// An agent's reply was queued in the outbox.
    ReplyQueued {
        conversation: ConversationId,
        message: MessageId,
    },
    /// A private note was added.
    NoteAdded { conversation: ConversationId },
    /// A conversation changed hands. `handoff` is true when a person handed it over with
    /// a note (the recipient gets a desktop notification).
    Assigned {
        conversation: ConversationId,
        from: Option<UserId>,
        to_user: Option<UserId>,
        to_team: Option<TeamId>,
        by: UserId,
        handoff: bool,
    },
    /// Status, labels or snooze changed.
    ConversationUpdated { conversation: ConversationId },
    /// An outbound message's delivery state changed (sent, delivered, read, failed), or a
    /// file that came with a message finished downloading.
    MessageStatusChanged {
        conversation: ConversationId,
        message: MessageId,
    },
    /// A note named `user` (`@username`); their window notifies them.
    Mentioned {
        conversation: ConversationId,
        user: UserId,
        by: UserId,
    },
    /// Someone opened, left or is typing in a conversation (never stored).
    Presence {
        conversation: ConversationId,
        user: UserId,
        activity: crate::presence::Activity,
    },
    /// A channel account was added or changed, or its provider-side state changed.
    ChannelsChanged,
    /// A conversation's SLA clock warns (three quarters of its target used) or is
    /// breached, once each; `notify`: who gets a desktop notification of a breach (the
    /// assignee and the team's leads).
    SlaAlert {
        conversation: ConversationId,
        target: crate::reports::SlaTarget,
        breach: bool,
        notify: Vec<UserId>,
    },
}

pub type EventSender = tokio::sync::broadcast::Sender<Event>;
pub type EventReceiver = tokio::sync::broadcast::Receiver<Event>;
