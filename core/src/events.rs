//! Core events: every change is published once on a broadcast channel. The desktop turns
//! them into window events, the hub into push messages. The core never assumes a listener.

use crate::ids::UserId;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A user was created, changed, disabled or re-enabled.
    UserChanged { user: UserId },
    /// All sessions of this user were ended (disable, authenticator reset).
    SessionsEnded { user: UserId },
    /// A workspace setting changed.
    SettingsChanged,
}

pub type EventSender = tokio::sync::broadcast::Sender<Event>;
pub type EventReceiver = tokio::sync::broadcast::Receiver<Event>;
