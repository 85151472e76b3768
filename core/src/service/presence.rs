//! Who else is on a conversation right now: viewing it, typing a reply or a note. Held in
//! memory only, never stored or audited; each change is published as an event that goes,
//! like every other, only to those who may see the conversation. An entry lapses when its
//! window stops saying so (it closed, crashed or lost the network).

use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::ConversationId;
pub use crate::presence::{Activity, PresenceEntry, TYPING_SECONDS, VIEWING_SECONDS};
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::users as user_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;

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
        let may_act = self.store.read(|c| {
            let row = conv_store::visible(c, caller.viewer(), conversation)?.ok_or(
                CoreError::NotFound {
                    what: "The conversation",
                },
            )?;
            Ok(caller.may_act_on(&row))
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
        if activity == Activity::TypingReply && may_act {
            // The customer's typing indicator is a courtesy: a failure to queue it must
            // not stop the colleagues' presence.
            if let Err(err) = self.typing_towards_customer(conversation, now) {
                tracing::warn!(%conversation, code = ?err.code(), "typing indicator not queued");
            }
        }
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
