//! SQL for a message's delivery state: its status and failure text, the provider's id
//! for it, and the lookups the webhook and mail paths use to find our own messages.

use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, ConversationId, MessageId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

fn not_found() -> CoreError {
    CoreError::NotFound {
        what: "The message",
    }
}

/// The conversation `message` belongs to.
pub fn conversation_of(conn: &Connection, message: MessageId) -> Result<ConversationId> {
    crate::store::cached::query_row(
        conn,
        "SELECT conversation_id FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(not_found)
}

/// The stored status of `message`.
pub fn status_of(conn: &Connection, message: MessageId) -> Result<String> {
    crate::store::cached::query_row(
        conn,
        "SELECT status FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(not_found)
}

/// Sets `status`, with `failure` when it is `failed` (cleared otherwise).
pub fn set_status(
    conn: &Connection,
    message: MessageId,
    status: &str,
    failure: Option<&str>,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE messages SET status = ?2, failure = CASE WHEN ?2 = 'failed' THEN ?3 ELSE NULL END WHERE id = ?1",
        params![message, status, failure],
    )?;
    Ok(())
}

/// The runtime took the message to send it.
pub fn mark_sending(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'sending' WHERE id = ?1",
        [message],
    )?;
    Ok(())
}

/// A send in flight goes back to the queue.
pub fn requeue_sending(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'queued' WHERE id = ?1 AND status = 'sending'",
        [message],
    )?;
    Ok(())
}

/// A send whose answer was lost, shown with `failure`.
pub fn mark_unconfirmed(conn: &Connection, message: MessageId, failure: &str) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE messages SET status = 'unconfirmed', failure = ?2 WHERE id = ?1 AND status IN ('queued', 'sending')",
        params![message, failure],
    )?;
    Ok(())
}

/// Every message whose send a stopped process left in flight, shown with `failure`.
pub fn mark_interrupted(conn: &Connection, failure: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'unconfirmed', failure = ?1
                 WHERE id IN (SELECT message_id FROM outbox WHERE state = 'sending')
                   AND status IN ('queued', 'sending')",
        [failure],
    )?;
    Ok(())
}

/// Shows `failure` on the message without changing its status.
pub fn set_failure(conn: &Connection, message: MessageId, failure: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET failure = ?2 WHERE id = ?1",
        params![message, failure],
    )?;
    Ok(())
}

/// A message sent from elsewhere (an echo) is stored as sent.
pub fn mark_sent(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'sent' WHERE id = ?1",
        [message],
    )?;
    Ok(())
}

/// An agent's reply is queued under their name.
pub fn queue_reply(conn: &Connection, message: MessageId, author: UserId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET author_user_id = ?2, status = 'queued' WHERE id = ?1",
        params![message, author],
    )?;
    Ok(())
}

/// A message the workspace sends by itself (no agent wrote it): queued.
pub fn queue_automatic(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'queued' WHERE id = ?1",
        [message],
    )?;
    Ok(())
}

/// An agent sends a message again: queued, failure cleared.
pub fn requeue(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'queued', failure = NULL WHERE id = ?1",
        [message],
    )?;
    Ok(())
}

/// Records the provider's id unless the message has one or another message of the same
/// account holds it (ids are unique per account, not across accounts).
pub fn set_external_id(conn: &Connection, message: MessageId, external_id: &str) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE messages SET external_id = ?2 WHERE id = ?1 AND external_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM messages o JOIN conversations oc ON oc.id = o.conversation_id
                            WHERE o.external_id = ?2
                              AND oc.channel_account_id = (SELECT c.channel_account_id FROM conversations c
                                                            JOIN messages m ON m.conversation_id = c.id
                                                            WHERE m.id = ?1))",
        params![message, external_id],
    )?;
    Ok(())
}

pub fn has_external_id(conn: &Connection, message: MessageId) -> Result<bool> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT external_id IS NOT NULL FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )?)
}

/// Whether a message of `account` carries `external_id`.
pub fn external_id_taken(
    conn: &Connection,
    account: ChannelAccountId,
    external_id: &str,
) -> Result<bool> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) > 0 FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.external_id = ?1 AND c.channel_account_id = ?2",
        params![external_id, account],
        |r| r.get(0),
    )?)
}

/// The message that carries `external_id`.
pub fn by_external_id(conn: &Connection, external_id: &str) -> Result<Option<MessageId>> {
    Ok(conn
        .query_row(
            "SELECT id FROM messages WHERE external_id = ?1",
            [external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The message of `account` that carries `external_id`, with its conversation.
pub fn in_account_by_external_id(
    conn: &Connection,
    account: ChannelAccountId,
    external_id: &str,
) -> Result<Option<(MessageId, ConversationId)>> {
    Ok(conn
        .query_row(
            "SELECT m.id, m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.external_id = ?1 AND c.channel_account_id = ?2",
            params![external_id, account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Our outbound message in `account` with the provider's id `external_id`.
pub fn ours_by_external_id(
    conn: &Connection,
    account: ChannelAccountId,
    external_id: &str,
) -> Result<Option<(MessageId, ConversationId)>> {
    Ok(conn
        .query_row(
            "SELECT m.id, m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.external_id = ?1 AND m.direction = 'out' AND c.channel_account_id = ?2",
            params![external_id, account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Our outbound `message`, if it is in `account`.
pub fn ours_by_id(
    conn: &Connection,
    account: ChannelAccountId,
    message: MessageId,
) -> Result<Option<(MessageId, ConversationId)>> {
    Ok(conn
        .query_row(
            "SELECT m.id, m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.id = ?1 AND m.direction = 'out' AND c.channel_account_id = ?2",
            params![message, account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Whether `message` is one we sent.
pub fn is_outbound(conn: &Connection, message: MessageId) -> Result<bool> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT direction = 'out' FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )?)
}

/// The author of a message (none for the customer's).
pub fn author_of(conn: &Connection, message: MessageId) -> Result<Option<UserId>> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT author_user_id FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )?)
}

/// A Messenger read or delivery watermark: our messages to the contact sent up to
/// `up_to` that the provider gave an id and that stand at one of `below` move to
/// `status`. Returns the messages moved.
pub fn apply_watermark(
    conn: &Connection,
    account: ChannelAccountId,
    contact_external_id: &str,
    status: &str,
    up_to: Timestamp,
    below: &[&str],
) -> Result<Vec<(MessageId, ConversationId)>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE messages SET status = ?1, failure = NULL
         WHERE direction = 'out' AND created_at <= ?2 AND status IN (?3, ?4, ?5)
           AND external_id IS NOT NULL
           AND conversation_id IN (
             SELECT c.id FROM conversations c
             JOIN contact_identities ci ON ci.contact_id = c.contact_id AND ci.channel = 'messenger'
             WHERE c.channel_account_id = ?6 AND ci.external_id = ?7)
         RETURNING id, conversation_id",
    )?;
    let changed = stmt
        .query_map(
            params![
                status,
                up_to,
                below[0],
                below.get(1).copied().unwrap_or(below[0]),
                below.get(2).copied().unwrap_or(below[0]),
                account,
                contact_external_id
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(changed)
}
