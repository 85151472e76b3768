//! Read receipts and the typing indicator towards the customer (issue 21 item 6): when
//! an agent who may act on a conversation opens it, the newest message the customer
//! sent is marked read at the channel, once per message; while the agent types a reply
//! the customer sees that someone is typing, queued at most every
//! [`TYPING_EVERY_SECONDS`]. Only on WhatsApp and Messenger accounts whose admin turned
//! read receipts on, never on a sample account and never towards a customer who asked
//! not to be contacted. Both are channel tasks the runtime sends.

use crate::error::Result;
use crate::ids::ConversationId;
use crate::store::read_receipts::{self, ReceiptTarget};
use crate::store::tasks;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

/// WhatsApp shows its typing indicator for up to 25 seconds; one call per 20 keeps it
/// on while the agent types without a call per keystroke.
pub const TYPING_EVERY_SECONDS: i64 = 20;

/// The customer's address when a receipt may go to them.
fn address(target: &ReceiptTarget) -> Option<&str> {
    let channel_ok = matches!(target.kind.as_str(), "whatsapp" | "messenger");
    let allowed = target.config.read_receipts && !target.config.sample && !target.do_not_contact;
    target.to.as_deref().filter(|_| channel_ok && allowed)
}

/// Queues a `kind` call ("read" or "typing") to `to` about the customer's newest message
/// and remembers it as read at the channel (a typing indicator marks it read too).
fn queue(
    tx: &Connection,
    target: &ReceiptTarget,
    to: &str,
    conversation: ConversationId,
    kind: &str,
    now: Timestamp,
) -> Result<()> {
    tasks::insert(
        tx,
        target.account,
        kind,
        &serde_json::json!({ "to": to, "message_id": target.external_id }),
        now,
    )?;
    read_receipts::mark_read_sent(tx, conversation, target.message)
}

/// On opening: marks the customer's newest message read at the channel unless it
/// already was. Returns whether a call was queued.
pub(crate) fn queue_read(
    tx: &Connection,
    conversation: ConversationId,
    now: Timestamp,
) -> Result<bool> {
    let Some(target) = read_receipts::newest_inbound(tx, conversation)? else {
        return Ok(false);
    };
    let Some(to) = address(&target).filter(|_| target.read_sent != Some(target.message)) else {
        return Ok(false);
    };
    queue(tx, &target, to, conversation, "read", now)?;
    tracing::debug!(%conversation, "read receipt queued");
    Ok(true)
}

impl Workspace {
    /// While an agent types a reply: shows the customer that someone is typing, at most
    /// every [`TYPING_EVERY_SECONDS`] per conversation. The caller has checked that the
    /// agent may act on the conversation.
    pub(crate) fn typing_towards_customer(
        &self,
        conversation: ConversationId,
        now: Timestamp,
    ) -> Result<()> {
        {
            let sent = self.typing_sent.lock().unwrap_or_else(|p| p.into_inner());
            if sent
                .get(&conversation)
                .is_some_and(|at| now.unix() - at.unix() < TYPING_EVERY_SECONDS)
            {
                return Ok(());
            }
        }
        let queued = self.store.write(|tx| {
            let Some(target) = read_receipts::newest_inbound(tx, conversation)? else {
                return Ok(false);
            };
            let Some(to) = address(&target) else {
                return Ok(false);
            };
            queue(tx, &target, to, conversation, "typing", now)?;
            Ok(true)
        })?;
        if queued {
            let mut sent = self.typing_sent.lock().unwrap_or_else(|p| p.into_inner());
            sent.retain(|_, at| now.unix() - at.unix() < TYPING_EVERY_SECONDS);
            sent.insert(conversation, now);
            tracing::debug!(%conversation, "typing indicator queued");
        }
        Ok(())
    }
}
