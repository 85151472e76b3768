//! SQL for forwarding e-mail: the messages a forward carries (one, or the whole
//! conversation in order), the files attached to them, and those files read back to send.

use crate::channel::OutboundFile;
use crate::error::Result;
use crate::ids::{ConversationId, MessageId};
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// One message a forward carries.
pub struct ForwardedMessage {
    pub id: MessageId,
    pub inbound: bool,
    /// Who a mail was from (`Name <address>`), as its headers said.
    pub from: Option<String>,
    pub body: String,
    pub at: Timestamp,
}

crate::redacted_debug!(ForwardedMessage);

/// The message `only` of `conversation`, or (with `None`) its messages oldest first, at
/// most `limit`. Earlier forwards and automatic messages (a survey, the out-of-hours
/// reply) are never carried: a forward would tell one recipient about another.
pub fn messages(
    conn: &Connection,
    conversation: ConversationId,
    only: Option<MessageId>,
    limit: i64,
) -> Result<Vec<ForwardedMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.direction = 'in', m.body, m.created_at,
                (SELECT CASE WHEN e.name = '' THEN e.address ELSE e.name || ' <' || e.address || '>' END
                 FROM email_addresses e WHERE e.message_id = m.id AND e.role = 'from' LIMIT 1)
         FROM messages m
         WHERE m.conversation_id = ?1 AND (?2 IS NULL OR m.id = ?2)
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id
                           AND (json_extract(o.payload, '$.kind') = 'forward'
                                OR json_extract(o.payload, '$.automatic') IS NOT NULL))
         ORDER BY m.created_at, m.id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![conversation, only, limit], |r| {
        Ok(ForwardedMessage {
            id: r.get(0)?,
            inbound: r.get(1)?,
            body: r.get(2)?,
            at: r.get(3)?,
            from: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The files of `messages`: each one's id and size, in the messages' order.
pub fn files_of(conn: &Connection, messages: &[MessageId]) -> Result<Vec<(i64, i64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, size FROM attachments WHERE message_id = ?1 ORDER BY id")?;
    let mut out = Vec::new();
    for m in messages {
        let rows = stmt.query_map([m], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// The files `ids` with their content, to send; a file erased meanwhile is left out.
pub fn files(conn: &Connection, ids: &[i64]) -> Result<Vec<OutboundFile>> {
    let mut stmt =
        conn.prepare_cached("SELECT file_name, mime_type, data FROM attachments WHERE id = ?1")?;
    let mut out = Vec::new();
    for id in ids {
        let rows = stmt.query_map([id], |r| {
            Ok(OutboundFile {
                file_name: r.get(0)?,
                mime_type: r.get(1)?,
                data: r.get(2)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}
