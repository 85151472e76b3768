//! SQL for reactions on messages and for the message a reply quotes.

use crate::error::Result;
use crate::ids::{MessageId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// A reaction on a message as stored: whose side, the agent's name for ours, the emoji.
#[derive(Clone, PartialEq, Eq)]
pub struct ReactionRow {
    pub message: MessageId,
    pub by_customer: bool,
    pub by_name: Option<String>,
    pub emoji: String,
}

/// Sets one side's reaction on `message` (replacing the one before; an empty `emoji`
/// takes it back). Answers whether anything changed; a reaction older than the stored
/// one (or its taking back) changes nothing.
pub fn set(
    conn: &Connection,
    message: MessageId,
    by_customer: bool,
    user: Option<UserId>,
    emoji: &str,
    at: Timestamp,
) -> Result<bool> {
    let changed = crate::store::cached::execute(
        conn,
        "INSERT INTO message_reactions (message_id, by_customer, user_id, emoji, reacted_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (message_id, by_customer) DO UPDATE
            SET user_id = excluded.user_id, emoji = excluded.emoji, reacted_at = excluded.reacted_at
            WHERE excluded.reacted_at >= message_reactions.reacted_at
              AND (excluded.emoji IS NOT message_reactions.emoji
                   OR excluded.user_id IS NOT message_reactions.user_id)",
        params![message, by_customer, user, emoji, at],
    )?;
    Ok(changed > 0)
}

/// The reactions on `messages`, the customer's first on each.
pub fn of(conn: &Connection, messages: &[MessageId]) -> Result<Vec<ReactionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.message_id, r.by_customer, u.display_name, r.emoji
         FROM message_reactions r LEFT JOIN users u ON u.id = r.user_id
         WHERE r.message_id = ?1 AND r.emoji != '' ORDER BY r.by_customer DESC",
    )?;
    let mut out = Vec::new();
    for m in messages {
        let rows = stmt.query_map([m], |r| {
            Ok(ReactionRow {
                message: r.get(0)?,
                by_customer: r.get(1)?,
                by_name: r.get(2)?,
                emoji: r.get(3)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Records that `message` answers the message the provider calls `external_id`.
pub fn set_reply_to(conn: &Connection, message: MessageId, external_id: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET reply_to_external = ?2 WHERE id = ?1",
        params![message, external_id],
    )?;
    Ok(())
}

/// What a quoting message quotes, when it quotes one: `Some(None)` when the quoted
/// message is not here (never was, or was erased); else its id, direction and the first
/// `excerpt` characters of its text. Only a message of the same conversation is found
/// (another conversation of the customer may belong to a team the reader cannot see).
pub fn quote_of(
    conn: &Connection,
    message: MessageId,
    excerpt: i64,
) -> Result<Option<Option<(MessageId, String, String)>>> {
    let quoted: Option<Option<MessageId>> = conn
        .query_row(
            "SELECT (SELECT q.id FROM messages q
                     WHERE q.external_id = m.reply_to_external
                       AND q.conversation_id = m.conversation_id
                     LIMIT 1)
             FROM messages m
             WHERE m.id = ?1 AND m.reply_to_external IS NOT NULL",
            [message],
            |r| r.get(0),
        )
        .optional()?;
    let Some(quoted) = quoted else {
        return Ok(None);
    };
    let Some(id) = quoted else {
        return Ok(Some(None));
    };
    let (direction, text) = crate::store::cached::query_row(
        conn,
        "SELECT direction, substr(body, 1, ?2) FROM messages WHERE id = ?1",
        params![id, excerpt],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Some(Some((id, direction, text))))
}

/// What an agent's reaction to `message` is sent with: the account, its kind, the
/// message's direction and provider id, and the customer's address on the channel (a
/// WhatsApp phone number before a business-scoped id, as replies choose).
pub struct ReactionTarget {
    pub account: crate::ids::ChannelAccountId,
    pub kind: String,
    pub direction: String,
    pub external_id: Option<String>,
    pub to: Option<String>,
}

/// Marks done the `react` tasks still waiting for `message_id` of `account`: a newer
/// reaction to the same message replaces them, so an older one cannot land last.
pub fn supersede_pending(
    conn: &Connection,
    account: crate::ids::ChannelAccountId,
    message_id: &str,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_tasks SET state = 'done', last_error = 'replaced by a newer reaction'
         WHERE account_id = ?1 AND kind = 'react' AND state = 'pending'
           AND json_extract(payload, '$.message_id') = ?2",
        params![account, message_id],
    )?;
    Ok(())
}

/// [`ReactionTarget`] of `message`, when it exists.
pub fn target_of(conn: &Connection, message: MessageId) -> Result<Option<ReactionTarget>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT c.channel_account_id, a.kind, m.direction, m.external_id,
                        {}
                 FROM messages m
                 JOIN conversations c ON c.id = m.conversation_id
                 JOIN channel_accounts a ON a.id = c.channel_account_id
                 WHERE m.id = ?1",
                crate::store::outbox::CUSTOMER_ADDRESS
            ),
            [message],
            |r| {
                Ok(ReactionTarget {
                    account: r.get(0)?,
                    kind: r.get(1)?,
                    direction: r.get(2)?,
                    external_id: r.get(3)?,
                    to: r.get(4)?,
                })
            },
        )
        .optional()?)
}
