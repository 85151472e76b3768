//! Messenger's handover protocol from the agent's side: take a thread from a bot
//! (`take_thread_control`, when this app is the page's primary receiver) or ask the bot
//! for it (`request_thread_control`). The channel runtime makes the call; its outcome
//! is noted in the conversation, so the agent sees whether Meta agreed.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::ConversationId;
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::{channel_accounts, tasks};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// What an agent asks of a Messenger thread a bot has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ThreadAction {
    /// Take the thread now (this app is the primary receiver).
    Take,
    /// Ask the bot that has it to pass it.
    Request,
}

impl ThreadAction {
    /// The channel task (and Graph API call) for this action.
    pub fn task_kind(self) -> &'static str {
        match self {
            Self::Take => "take_thread_control",
            Self::Request => "request_thread_control",
        }
    }
}

/// Notes how a thread-control call ended in its conversation (`error`: why Meta
/// refused; the words of the Graph API's answer, no customer text).
pub(crate) fn note_outcome(
    tx: &Connection,
    kind: &str,
    payload: &serde_json::Value,
    error: Option<&str>,
    now: Timestamp,
) -> Result<Option<ConversationId>> {
    let Some(conversation) = payload
        .get("conversation")
        .and_then(|c| c.as_i64())
        .map(ConversationId::new)
    else {
        return Ok(None);
    };
    let body = match (kind, error) {
        ("take_thread_control", None) => {
            "The team took this conversation from the bot.".to_string()
        }
        ("request_thread_control", None) => {
            "The bot was asked to pass this conversation to the team; it shows here when it does."
                .to_string()
        }
        ("take_thread_control", Some(why)) => {
            format!("Meta did not let the team take this conversation: {why}")
        }
        (_, Some(why)) => format!("Meta did not pass the request to the bot: {why}"),
        _ => return Ok(None),
    };
    conv_store::insert_system_note(tx, conversation, &body, false, now)?;
    Ok(Some(conversation))
}

impl Workspace {
    /// Takes a Messenger thread from a bot, or asks the bot for it, for an agent who may
    /// act on the conversation; audited, run by the channel runtime, its outcome noted in
    /// the conversation.
    pub fn thread_control(
        &self,
        token: &SessionToken,
        id: ConversationId,
        action: ThreadAction,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "take conversations from a bot")?;
        self.store.write(|tx| {
            let row = conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "take a conversation assigned to someone else from a bot",
                });
            }
            let account = conv_store::account_of(tx, id)?;
            if channel_accounts::config_of(tx, account)?.0 != Channel::Messenger {
                return Err(CoreError::invalid(
                    "conversation",
                    "only Messenger conversations are handed between bots and the team",
                ));
            }
            crate::service::channel_lifecycle::check_enabled(tx, account)?;
            // The customer's address on this page, as replies use it.
            let psid = crate::store::outbox::customer_address(tx, id)?.ok_or_else(|| {
                CoreError::invalid("conversation", "the customer has no Messenger address")
            })?;
            tasks::insert(
                tx,
                account,
                action.task_kind(),
                &serde_json::json!({ "psid": psid, "conversation": id }),
                now,
            )?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ThreadHandedOver,
                    Some(caller.user),
                    format!("conversation:{id}"),
                    now,
                )
                .detail(serde_json::json!({ "action": action.task_kind() })),
            )
        })?;
        tracing::info!(
            conversation = id.get(),
            action = action.task_kind(),
            "thread control asked"
        );
        self.publish(Event::ConversationUpdated { conversation: id });
        Ok(())
    }
}
