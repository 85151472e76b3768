//! SQL for the outbox: replies waiting to be sent, the runtime's claim on them, and the
//! state each send ends in. A message's own status lives in `message_status`.

use crate::channel::OutboundFile;
use crate::error::Result;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// A due outbox row with what sending it needs.
pub struct DueRow {
    pub message: MessageId,
    pub attempts: i64,
    pub payload: String,
    pub conversation: ConversationId,
    pub body: String,
    pub account: ChannelAccountId,
    pub kind: String,
    pub to: Option<String>,
}

/// Pending replies in accounts that were never connected (no credentials).
pub fn orphans(conn: &Connection) -> Result<Vec<(MessageId, ConversationId)>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.id, m.conversation_id FROM outbox o
                     JOIN messages m ON m.id = o.message_id
                     JOIN conversations c ON c.id = m.conversation_id
                     JOIN channel_accounts a ON a.id = c.channel_account_id
                     WHERE o.state = 'pending' AND a.kind IN ('whatsapp', 'messenger', 'email')
                       AND length(a.credentials) = 0",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The customer's address on the account's channel, for a query that names the
/// conversation `c` and the account `a`: a WhatsApp phone number before a business-scoped
/// id, the newest first. Replies and reactions are addressed with it.
pub(crate) const CUSTOMER_ADDRESS: &str = "(SELECT ci.external_id FROM contact_identities ci
      WHERE ci.contact_id = c.contact_id AND ci.channel = a.kind
      ORDER BY (a.kind = 'whatsapp' AND instr(ci.external_id, '.') > 0), ci.id DESC
      LIMIT 1)";

/// The customer's address in `conversation`, as replies are sent to it.
pub fn customer_address(conn: &Connection, conversation: ConversationId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_ADDRESS} FROM conversations c
             JOIN channel_accounts a ON a.id = c.channel_account_id WHERE c.id = ?1"
        ))?
        .query_row([conversation], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Up to `limit` replies due at `now` in connected accounts, oldest due first.
pub fn due(conn: &Connection, now: Timestamp, limit: i64) -> Result<Vec<DueRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.message_id, o.attempts, o.payload, m.conversation_id, m.body,
                        c.channel_account_id, a.kind, {CUSTOMER_ADDRESS}
                 FROM outbox o
                 JOIN messages m ON m.id = o.message_id
                 JOIN conversations c ON c.id = m.conversation_id
                 JOIN channel_accounts a ON a.id = c.channel_account_id
                 WHERE o.state = 'pending' AND o.next_attempt_at <= ?1
                   AND m.status IN ('queued', 'sending', 'unconfirmed', 'failed')
                   AND a.kind IN ('whatsapp', 'messenger', 'email') AND length(a.credentials) > 0
                   AND a.disabled_at IS NULL
                 ORDER BY o.next_attempt_at, o.message_id {}",
        crate::store::limit(limit)
    ))?;
    let rows = stmt
        .query_map(params![now], |r| {
            Ok(DueRow {
                message: r.get(0)?,
                attempts: r.get(1)?,
                payload: r.get(2)?,
                conversation: r.get(3)?,
                body: r.get(4)?,
                account: r.get(5)?,
                kind: r.get(6)?,
                to: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every file stored with an outgoing message, in the order attached.
pub fn files_of(conn: &Connection, message: MessageId) -> Result<Vec<OutboundFile>> {
    let mut stmt = conn.prepare_cached(
        "SELECT file_name, mime_type, data FROM attachments WHERE message_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([message], |r| {
        Ok(OutboundFile {
            file_name: r.get(0)?,
            mime_type: r.get(1)?,
            data: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first file attached to `message`, to send with it.
pub fn first_file(conn: &Connection, message: MessageId) -> Result<Option<OutboundFile>> {
    Ok(conn
        .query_row(
            "SELECT file_name, mime_type, data FROM attachments WHERE message_id = ?1 ORDER BY id LIMIT 1",
            [message],
            |r| {
                Ok(OutboundFile {
                    file_name: r.get(0)?,
                    mime_type: r.get(1)?,
                    data: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// A sent forward's copy of the conversation's text is dropped from its row: the
/// conversation keeps the messages, and retention and erasure reach them there.
const DROP_FORWARD_TEXT: &str = "CASE WHEN json_extract(payload, '$.kind') = 'forward'
     THEN json_remove(payload, '$.text') ELSE payload END";

/// Queues `message` to be sent from `now` with the send's `payload` (JSON).
pub fn insert(conn: &Connection, message: MessageId, now: Timestamp, payload: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO outbox (message_id, next_attempt_at, payload) VALUES (?1, ?2, ?3)",
        params![message, now, payload],
    )?;
    Ok(())
}

/// The runtime takes the row: `sending`, one more attempt.
pub fn mark_sending(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE message_id = ?1",
        [message],
    )?;
    Ok(())
}

/// The provider accepted the send we made (or said it was unsure of).
pub fn mark_sent(conn: &Connection, message: MessageId) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE outbox SET state = 'sent', last_error = '', payload = {DROP_FORWARD_TEXT}
             WHERE message_id = ?1 AND state IN ('sending', 'unconfirmed')"
        ),
        [message],
    )?;
    Ok(())
}

/// A send in flight goes back to `pending` until `at`; the rows changed (0 or 1).
pub fn retry(conn: &Connection, message: MessageId, at: Timestamp, reason: &str) -> Result<usize> {
    Ok(crate::store::cached::execute(
        conn,
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, last_error = ?3
                 WHERE message_id = ?1 AND state = 'sending'",
        params![message, at, reason],
    )?)
}

/// A send in flight whose answer was lost; the rows changed (0 or 1).
pub fn mark_unconfirmed(conn: &Connection, message: MessageId, reason: &str) -> Result<usize> {
    Ok(crate::store::cached::execute(conn,
        "UPDATE outbox SET state = 'unconfirmed', last_error = ?2 WHERE message_id = ?1 AND state = 'sending'",
        params![message, reason],
    )?)
}

/// Every send left in flight by a stopped process; the rows changed.
pub fn mark_interrupted(conn: &Connection) -> Result<usize> {
    Ok(crate::store::cached::execute(conn,
        "UPDATE outbox SET state = 'unconfirmed', last_error = 'interrupted' WHERE state = 'sending'",
        [],
    )?)
}

/// Our own attempt failed for good while the row was still ours; the rows changed.
pub fn fail_ours(conn: &Connection, message: MessageId, explanation: &str) -> Result<usize> {
    Ok(crate::store::cached::execute(
        conn,
        "UPDATE outbox SET state = 'failed', last_error = ?2
         WHERE message_id = ?1 AND state IN ('pending', 'sending', 'unconfirmed')",
        params![message, explanation],
    )?)
}

/// The provider (or the customer's mail server) reported the send failed.
pub fn mark_failed(conn: &Connection, message: MessageId, error: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE outbox SET state = 'failed', last_error = ?2 WHERE message_id = ?1",
        params![message, error],
    )?;
    Ok(())
}

/// The provider has the message: whatever the row said, it is sent.
pub fn settle(conn: &Connection, message: MessageId) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE outbox SET state = 'sent', last_error = '', payload = {DROP_FORWARD_TEXT}
             WHERE message_id = ?1 AND state IN ('pending', 'sending', 'unconfirmed', 'failed')"
        ),
        [message],
    )?;
    Ok(())
}

/// An agent sends a failed or unconfirmed message again from `now`, attempts reset.
pub fn requeue(conn: &Connection, message: MessageId, now: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, last_error = ''
                 WHERE message_id = ?1",
        params![message, now],
    )?;
    Ok(())
}

/// Our outbound `message`: its conversation, its outbox state (if it has a row) and its
/// status. An error when there is no such outbound message.
pub fn send_state(
    conn: &Connection,
    message: MessageId,
) -> rusqlite::Result<(ConversationId, Option<String>, String)> {
    crate::store::cached::query_row(
        conn,
        "SELECT m.conversation_id, o.state, m.status FROM messages m
                     LEFT JOIN outbox o ON o.message_id = m.id
                     WHERE m.id = ?1 AND m.direction = 'out'",
        [message],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}
