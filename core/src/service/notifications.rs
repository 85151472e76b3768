//! Desktop notifications: which ones each person wants (a new conversation assigned to
//! them, a customer's reply on their conversation, a mention, a handoff, an SLA breach), which event is
//! one of them for whom, and what a notification may say: the channel and the customer's
//! first name, never message text. Nothing is notified while a session is locked: the
//! desktop forwards no events then.

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

/// Which desktop notifications a person wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotificationSettings {
    /// A new conversation is assigned to me (by a colleague or automatically).
    pub new_conversation: bool,
    /// A customer writes in a conversation assigned to me.
    pub customer_reply: bool,
    /// A colleague mentions me in a note.
    pub mention: bool,
    /// A colleague hands a conversation to me with a note.
    pub handoff: bool,
    /// A conversation assigned to me, or of a team I lead, missed its SLA target.
    #[serde(default = "wanted")]
    pub sla_breach: bool,
}

fn wanted() -> bool {
    true
}

impl NotificationSettings {
    pub const ALL: Self = Self {
        new_conversation: true,
        customer_reply: true,
        mention: true,
        handoff: true,
        sla_breach: true,
    };

    fn from_bits(bits: i64) -> Self {
        Self {
            new_conversation: bits & 1 != 0,
            customer_reply: bits & 2 != 0,
            mention: bits & 4 != 0,
            handoff: bits & 8 != 0,
            sla_breach: bits & 16 != 0,
        }
    }

    fn bits(self) -> i64 {
        i64::from(self.new_conversation)
            | i64::from(self.customer_reply) << 1
            | i64::from(self.mention) << 2
            | i64::from(self.handoff) << 3
            | i64::from(self.sla_breach) << 4
    }
}

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    NewConversation,
    CustomerReply,
    Mention { by: UserId },
    Handoff { by: UserId },
    SlaBreach,
}

/// The notification `event` is for `me`, if any and if wanted, with its conversation. The
/// person's own doings never notify them.
pub fn notice_for(
    event: &Event,
    me: UserId,
    wanted: &NotificationSettings,
) -> Option<(Notice, ConversationId)> {
    if let Event::SlaAlert {
        conversation,
        breach: true,
        notify,
        ..
    } = event
    {
        return (notify.contains(&me) && wanted.sla_breach)
            .then_some((Notice::SlaBreach, *conversation));
    }
    let (notice, conversation, on) = match *event {
        Event::Assigned {
            conversation,
            to_user: Some(to),
            by,
            handoff,
            ..
        } if to == me => {
            if handoff && by != me {
                (Notice::Handoff { by }, conversation, wanted.handoff)
            } else if !handoff && (by != me || event_is_automatic(event)) {
                (
                    Notice::NewConversation,
                    conversation,
                    wanted.new_conversation,
                )
            } else {
                return None;
            }
        }
        Event::MessageReceived {
            conversation,
            assignee: Some(assignee),
            ..
        } if assignee == me => (Notice::CustomerReply, conversation, wanted.customer_reply),
        Event::Mentioned {
            conversation,
            user,
            by,
        } if user == me && by != me => (Notice::Mention { by }, conversation, wanted.mention),
        _ => return None,
    };
    on.then_some((notice, conversation))
}

/// An automatic assignment names the agent as the one who made it (`by == to_user`) and
/// comes from no person: the new-conversation notice is still wanted then.
fn event_is_automatic(event: &Event) -> bool {
    matches!(event, Event::Assigned { from: None, to_user: Some(to), by, handoff: false, .. } if to == by)
}

/// What a notification may name: the channel and the customer's first name. No `Debug`:
/// it holds a customer's name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoticeSubject {
    /// "WhatsApp", "Messenger" or "Email".
    pub channel: String,
    pub first_name: String,
}

impl Workspace {
    pub fn notification_settings(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<NotificationSettings> {
        // A read the desktop makes when an event arrives, perhaps while the person is away:
        // not their activity.
        let caller =
            self.authorize_passive(token, now, Role::Agent, "see notification settings")?;
        self.store.read(|c| {
            Ok(NotificationSettings::from_bits(user_store::notify_bits(
                c,
                caller.user,
            )?))
        })
    }

    /// The caller's own choice; no one else's.
    pub fn set_notification_settings(
        &self,
        token: &SessionToken,
        new: NotificationSettings,
        now: Timestamp,
    ) -> Result<NotificationSettings> {
        let caller = self.authorize(token, now, Role::Agent, "choose notifications")?;
        self.store
            .write(|tx| user_store::set_notify_bits(tx, caller.user, new.bits()))?;
        Ok(new)
    }

    /// What a notification about `conversation` may say. Not the person's activity (a
    /// notification arrives while they are away), and refused like the conversation for
    /// someone who may not see it.
    pub fn notice_subject(
        &self,
        token: &SessionToken,
        conversation: ConversationId,
        now: Timestamp,
    ) -> Result<NoticeSubject> {
        let caller = self.authorize_passive(token, now, Role::Agent, "be notified")?;
        let row = self.store.read(|c| {
            conv_store::visible(c, caller.viewer(), conversation)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })
        })?;
        let channel = match row.channel.as_str() {
            "whatsapp" => "WhatsApp",
            "messenger" => "Messenger",
            _ => "Email",
        };
        Ok(NoticeSubject {
            channel: channel.into(),
            first_name: first_name(&row.contact_name),
        })
    }
}

/// The first word of a name ("Ana" of "Ana Souza"); an address stays as it is no name.
fn first_name(name: &str) -> String {
    let name = name.trim();
    if name.contains('@') || name.chars().all(|c| c.is_ascii_digit() || "+ ".contains(c)) {
        return "a customer".into();
    }
    name.split_whitespace()
        .next()
        .unwrap_or("a customer")
        .chars()
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_their_bits() {
        for bits in 0..32 {
            assert_eq!(NotificationSettings::from_bits(bits).bits(), bits);
        }
        assert_eq!(
            NotificationSettings::from_bits(31),
            NotificationSettings::ALL
        );
    }

    #[test]
    fn an_sla_breach_notifies_only_those_it_names_who_want_it() {
        let me = UserId::new(5);
        let breach = |notify: Vec<UserId>, breach: bool| Event::SlaAlert {
            conversation: ConversationId::new(9),
            target: crate::reports::SlaTarget::FirstResponse,
            breach,
            notify,
        };
        let all = NotificationSettings::ALL;
        assert_eq!(
            notice_for(&breach(vec![UserId::new(2), me], true), me, &all),
            Some((Notice::SlaBreach, ConversationId::new(9)))
        );
        assert_eq!(
            notice_for(&breach(vec![UserId::new(2)], true), me, &all),
            None
        );
        assert_eq!(
            notice_for(&breach(vec![me], false), me, &all),
            None,
            "a warning"
        );
        let quiet = NotificationSettings {
            sla_breach: false,
            ..all
        };
        assert_eq!(notice_for(&breach(vec![me], true), me, &quiet), None);
    }

    #[test]
    fn first_names_never_show_an_address() {
        assert_eq!(first_name("Ana Souza"), "Ana");
        assert_eq!(first_name("ana@example.com"), "a customer");
        assert_eq!(first_name("+55 11 98765"), "a customer");
    }
}
