//! Who else is on a conversation right now: viewing it, typing a reply or a note. Held in
//! memory only, never stored or audited; each change is published as an event that goes,
//! like every other, only to those who may see the conversation. An entry lapses when its
//! window stops saying so (it closed, crashed or lost the network).

use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ConversationId, UserId};
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::users as user_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
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
    fn set(
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
    fn others(
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

impl Workspace {
    /// Says what the caller is doing on `conversation` (repeated by the window every 15
    /// seconds while it stays open) and answers who else is there. Not the person's
    /// activity: it neither keeps the idle lock away nor records anything.
    pub fn set_presence(
        &self,
        token: &SessionToken,
        conversation: ConversationId,
        activity: Activity,
        now: Timestamp,
    ) -> Result<Vec<PresenceEntry>> {
        let caller =
            self.authorize_passive(token, now, Role::Agent, "be seen on a conversation")?;
        self.store.read(|c| {
            conv_store::visible(c, caller.viewer(), conversation)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            Ok(())
        })?;
        let others = {
            let mut board = self.presence.lock().unwrap_or_else(|p| p.into_inner());
            board.set(conversation, caller.user, activity, now);
            board.others(conversation, caller.user, now)
        };
        self.publish(Event::Presence {
            conversation,
            user: caller.user,
            activity,
        });
        self.store.read(|c| {
            others
                .into_iter()
                .map(|(user, activity)| {
                    Ok(PresenceEntry {
                        user,
                        name: user_store::require(c, user)?.display_name,
                        activity,
                    })
                })
                .collect()
        })
    }
}
