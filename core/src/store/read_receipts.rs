//! SQL for read receipts and the typing indicator towards the customer: the newest
//! message the customer sent in a conversation, where a call about it goes, and which
//! message was last marked read at the channel.

use crate::channel::ChannelConfig;
use crate::error::Result;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use rusqlite::{params, Connection, OptionalExtension};

/// The customer's newest message in a conversation, with its account and address (only
/// on an account with secrets: one without has nowhere to send the call).
pub struct ReceiptTarget {
    pub account: ChannelAccountId,
    pub kind: String,
    pub message: MessageId,
    /// The message's id at the channel (`wamid…`, Messenger `mid`).
    pub external_id: String,
    /// The customer's address on the account's channel.
    pub to: Option<String>,
    pub config: ChannelConfig,
    pub do_not_contact: bool,
    /// The newest message already marked read at the channel.
    pub read_sent: Option<MessageId>,
}

pub fn newest_inbound(
    conn: &Connection,
    conversation: ConversationId,
) -> Result<Option<ReceiptTarget>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT c.channel_account_id, a.kind, m.id, m.external_id, {}, a.config,
                        ct.do_not_contact, c.read_sent_message_id
                 FROM conversations c
                 JOIN channel_accounts a ON a.id = c.channel_account_id
                 JOIN contacts ct ON ct.id = c.contact_id
                 JOIN messages m ON m.id = (
                     SELECT x.id FROM messages x
                     WHERE x.conversation_id = c.id AND x.direction = 'in'
                       AND x.external_id IS NOT NULL AND x.external_id != ''
                     ORDER BY x.created_at DESC, x.id DESC LIMIT 1)
                 WHERE c.id = ?1 AND length(a.credentials) > 0",
                crate::store::outbox::CUSTOMER_ADDRESS
            ),
            [conversation],
            |r| {
                Ok(ReceiptTarget {
                    account: r.get(0)?,
                    kind: r.get(1)?,
                    message: r.get(2)?,
                    external_id: r.get(3)?,
                    to: r.get(4)?,
                    config: ChannelConfig::from_json(&r.get::<_, String>(5)?),
                    do_not_contact: r.get(6)?,
                    read_sent: r.get(7)?,
                })
            },
        )
        .optional()?)
}

/// Remembers that `message` (and everything before it) was marked read at the channel.
pub fn mark_read_sent(
    conn: &Connection,
    conversation: ConversationId,
    message: MessageId,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET read_sent_message_id = ?2 WHERE id = ?1",
        params![conversation, message],
    )?;
    Ok(())
}
