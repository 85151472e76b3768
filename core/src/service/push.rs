//! Live updates for a hub's push streams and the embedded desktop's window: who they are
//! for, and which core events they may carry (one rule for both). Events hold ids only;
//! a conversation's events go to those who may see it, and a handoff also to the person
//! it left.

use super::Caller;
use crate::auth::Role;
use crate::error::Result;
use crate::events::Event;
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::sessions::{self, Stage};
use crate::store::users as user_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;

/// A checked session that receives events. Made only by [`Workspace::push_viewer`].
#[derive(Clone, Debug)]
pub struct PushViewer {
    caller: Caller,
}

impl Workspace {
    /// Checks a full session for a push stream (opening one counts as activity).
    pub fn push_viewer(&self, token: &SessionToken, now: Timestamp) -> Result<PushViewer> {
        let caller = self.authorize(token, now, Role::Agent, "receive live updates")?;
        Ok(PushViewer { caller })
    }

    /// The embedded desktop's rule for its window, the one a hub's push stream follows:
    /// whether `token`'s session may be told of `event`. Nothing while the session is
    /// not fully signed in (pending, locked, ended) or its user is disabled. Reads only:
    /// an event arriving is not activity.
    pub fn window_may_see(&self, token: &SessionToken, event: &Event) -> Result<bool> {
        let user = self.store.read(|conn| {
            Ok(sessions::by_token_hash(conn, &token.hash())?
                .filter(|session| session.stage == Stage::Active)
                .map(|session| session.user_id))
        })?;
        let Some(user) = user else {
            return Ok(false);
        };
        let unchecked = PushViewer {
            caller: Caller {
                user,
                role: Role::Agent,
                teams: Vec::new(),
            },
        };
        match unchecked.refreshed(self)? {
            Some(viewer) => viewer.may_see(self, event),
            None => Ok(false),
        }
    }
}

impl PushViewer {
    pub fn user(&self) -> crate::ids::UserId {
        self.caller.user
    }

    /// The same viewer with the user's role and teams as they are now (an admin may have
    /// changed them while the stream was open), read without counting as activity.
    /// `None` when the user is gone or disabled: the stream must end.
    pub fn refreshed(&self, workspace: &Workspace) -> Result<Option<PushViewer>> {
        workspace.store.read(|conn| {
            let Some(user) = user_store::by_id(conn, self.caller.user)? else {
                return Ok(None);
            };
            if user.disabled {
                return Ok(None);
            }
            Ok(Some(PushViewer {
                caller: Caller {
                    user: user.id,
                    role: user.role,
                    teams: user_store::team_ids_of(conn, user.id)?,
                },
            }))
        })
    }

    /// Whether this viewer may see `event` now.
    pub fn may_see(&self, workspace: &Workspace, event: &Event) -> Result<bool> {
        let conversation = match event {
            Event::UserChanged { .. }
            | Event::SessionsEnded { .. }
            | Event::SettingsChanged
            | Event::ChannelsChanged => return Ok(true),
            Event::Assigned {
                conversation, from, ..
            } => {
                if *from == Some(self.caller.user) {
                    return Ok(true);
                }
                *conversation
            }
            Event::MessageReceived { conversation, .. }
            | Event::ReplyQueued { conversation, .. }
            | Event::NoteAdded { conversation }
            | Event::ConversationUpdated { conversation }
            | Event::MessageStatusChanged { conversation, .. }
            | Event::Presence { conversation, .. }
            | Event::Mentioned { conversation, .. }
            | Event::SlaAlert { conversation, .. } => *conversation,
        };
        let viewer = self.caller.viewer();
        workspace
            .store
            .read(|conn| Ok(conv_store::visible(conn, viewer, conversation)?.is_some()))
    }
}
