//! Presence as a thing: what someone is doing on a conversation and the in-memory board
//! that holds it, with the windows after which typing lapses to viewing and viewing to
//! gone. Never stored; the service (`service/presence.rs`) says who may set and see it.

use crate::ids::{ConversationId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A viewer whose window has not said so again for this long is gone (windows repeat it
/// every 15 seconds).
pub const VIEWING_SECONDS: i64 = 40;
/// Typing that has not been repeated for this long is viewing again.
pub const TYPING_SECONDS: i64 = 8;
/// The most people held per conversation, and conversations held in all: a bound on what
/// a session can make the process keep.
const PER_CONVERSATION: usize = 64;
const CONVERSATIONS: usize = 10_000;

/// What someone is doing on a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Viewing,
    TypingReply,
    TypingNote,
    /// Closed the conversation (or the window).
    Left,
}

/// A colleague on the conversation, as shown in the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PresenceEntry {
    pub user: UserId,
    pub name: String,
    pub activity: Activity,
}

/// Everyone's presence, by conversation: the activity and when it was last said.
#[derive(Default)]
pub(crate) struct PresenceBoard {
    by_conversation: HashMap<ConversationId, HashMap<UserId, (Activity, Timestamp)>>,
}

impl PresenceBoard {
    /// What `activity` said at `said` amounts to at `now` (typing lapses to viewing, and
    /// viewing to gone).
    fn current(activity: Activity, said: Timestamp, now: Timestamp) -> Option<Activity> {
        let age = now.seconds_since(said);
        match activity {
            Activity::Left => None,
            _ if age > VIEWING_SECONDS => None,
            Activity::TypingReply | Activity::TypingNote if age > TYPING_SECONDS => {
                Some(Activity::Viewing)
            }
            other => Some(other),
        }
    }

    /// Records what `user` does on `conversation`; lapsed entries go.
    pub(crate) fn set(
        &mut self,
        conversation: ConversationId,
        user: UserId,
        activity: Activity,
        now: Timestamp,
    ) {
        if !self.by_conversation.contains_key(&conversation)
            && self.by_conversation.len() >= CONVERSATIONS
        {
            self.by_conversation.retain(|_, people| {
                people.retain(|_, (a, at)| Self::current(*a, *at, now).is_some());
                !people.is_empty()
            });
        }
        let people = self.by_conversation.entry(conversation).or_default();
        people.retain(|_, (a, at)| Self::current(*a, *at, now).is_some());
        if activity == Activity::Left {
            people.remove(&user);
        } else if people.len() < PER_CONVERSATION || people.contains_key(&user) {
            people.insert(user, (activity, now));
        }
        if people.is_empty() {
            self.by_conversation.remove(&conversation);
        }
    }

    /// Who else is on `conversation` at `now`.
    pub(crate) fn others(
        &self,
        conversation: ConversationId,
        me: UserId,
        now: Timestamp,
    ) -> Vec<(UserId, Activity)> {
        let mut out: Vec<_> = self
            .by_conversation
            .get(&conversation)
            .into_iter()
            .flatten()
            .filter(|(user, _)| **user != me)
            .filter_map(|(user, (a, at))| Self::current(*a, *at, now).map(|a| (*user, a)))
            .collect();
        out.sort_by_key(|(user, _)| *user);
        out
    }
}
