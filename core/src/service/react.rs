//! An agent's reaction to a customer's message: shown on it at once, and sent to the
//! customer by the channel runtime (WhatsApp `type: reaction`, Messenger `sender_action:
//! react`/`unreact`) as a queued provider call that survives a restart.

use crate::auth::Role;
use crate::channel::REACTION_MAX_CHARS;
use crate::error::{CoreError, Result};
use crate::ids::MessageId;
use crate::secret::SessionToken;
use crate::service::conversation::actionable;
use crate::service::inbox::MessageView;
use crate::service::steps::{message_view, status_changed};
use crate::store::{message_status, reactions, tasks};
use crate::time::Timestamp;
use crate::workspace::Workspace;

/// Refuses what is not one emoji-sized mark (or empty, which removes ours).
fn check_emoji(emoji: &str) -> Result<&str> {
    let emoji = emoji.trim();
    if emoji.chars().count() > REACTION_MAX_CHARS
        || emoji.chars().any(|c| c.is_alphanumeric() || c.is_control())
    {
        return Err(CoreError::invalid(
            "reaction",
            "choose one emoji (or none to take yours back)",
        ));
    }
    Ok(emoji)
}

impl Workspace {
    /// Reacts with `emoji` to the customer's `message` (empty: takes our reaction back).
    /// Only on a WhatsApp or Messenger message the customer sent, in a conversation the
    /// caller may act on. Answers the message as shown now.
    pub fn react(
        &self,
        token: &SessionToken,
        message: MessageId,
        emoji: &str,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "react to messages")?;
        let emoji = check_emoji(emoji)?;
        let (view, event) = self.store.write(|tx| {
            let conversation = message_status::conversation_of(tx, message)?;
            let row = actionable(tx, &caller, conversation)?;
            if row.do_not_contact {
                return Err(CoreError::Conflict(
                    "The customer asked not to be contacted: nothing is sent to them.".into(),
                ));
            }
            let target = reactions::target_of(tx, message)?.ok_or(CoreError::NotFound {
                what: "The message",
            })?;
            if target.direction != "in" || !matches!(target.kind.as_str(), "whatsapp" | "messenger")
            {
                return Err(CoreError::invalid(
                    "reaction",
                    "you can react to a customer's WhatsApp or Messenger message",
                ));
            }
            let (Some(external_id), Some(to)) = (target.external_id, target.to) else {
                return Err(CoreError::invalid(
                    "reaction",
                    "this message has no id at the channel to react to",
                ));
            };
            let changed = reactions::set(tx, message, false, Some(caller.user), emoji, now)?;
            if changed {
                reactions::supersede_pending(tx, target.account, &external_id)?;
                tasks::insert(
                    tx,
                    target.account,
                    "react",
                    &serde_json::json!({ "to": to, "message_id": external_id, "emoji": emoji }),
                    now,
                )?;
            }
            tracing::info!(%conversation, %message, changed, "agent's reaction recorded");
            Ok((
                message_view(tx, message)?,
                status_changed(conversation, message),
            ))
        })?;
        self.publish(event);
        Ok(view)
    }
}
