//! SQL for who each e-mail was from and to: the addresses kept per message, the
//! addresses on a thread (reply-all, a copied-in person's mail joining it), and the
//! threads a person was only copied in on (privacy requests).

use crate::channel::mail::MailAddress;
use crate::error::Result;
use crate::ids::{ConversationId, MessageId};
use rusqlite::{params, params_from_iter, Connection};

/// Which header of a mail an address was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    From,
    To,
    Cc,
    Bcc,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::From => "from",
            Self::To => "to",
            Self::Cc => "cc",
            Self::Bcc => "bcc",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "from" => Self::From,
            "to" => Self::To,
            "cc" => Self::Cc,
            "bcc" => Self::Bcc,
            _ => return None,
        })
    }
}

/// Keeps `addresses` as `role` of `message` (an address already kept there once stays).
pub fn insert(
    conn: &Connection,
    message: MessageId,
    role: Role,
    addresses: &[MailAddress],
) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO email_addresses (message_id, role, address, name) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for a in addresses {
        insert.execute(params![message, role.as_str(), a.address, a.name])?;
    }
    Ok(())
}

/// One kept address of a message.
pub struct AddressRow {
    pub message: MessageId,
    pub role: Role,
    pub address: String,
    pub name: String,
}

/// The kept addresses of `messages`, in header order (from, to, cc, bcc).
pub fn of_messages(conn: &Connection, messages: &[MessageId]) -> Result<Vec<AddressRow>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; messages.len()].join(",");
    let sql = format!(
        "SELECT message_id, role, address, name FROM email_addresses WHERE message_id IN ({marks})
         ORDER BY message_id, CASE role WHEN 'from' THEN 0 WHEN 'to' THEN 1 WHEN 'cc' THEN 2 ELSE 3 END, address"
    );
    let rows = conn
        .prepare(&sql)?
        .query_map(params_from_iter(messages.iter()), |r| {
            Ok((
                r.get::<_, MessageId>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<(MessageId, String, String, String)>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(message, role, address, name)| {
            Some(AddressRow {
                message,
                role: Role::parse(&role)?,
                address,
                name,
            })
        })
        .collect())
}

/// Whether `address` was a sender or a visible recipient of a mail of `conversation`
/// (blind copies do not count: nobody else on the thread knows of them).
pub fn on_thread(conn: &Connection, conversation: ConversationId, address: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM email_addresses e JOIN messages m ON m.id = e.message_id
             WHERE m.conversation_id = ?1 AND e.address = ?2 AND e.role <> 'bcc')",
        )?
        .query_row(params![conversation, address], |r| r.get(0))?)
}

/// Everyone visible on the thread, each once, in the order they first appeared.
pub fn on_thread_all(conn: &Connection, conversation: ConversationId) -> Result<Vec<MailAddress>> {
    let rows = conn
        .prepare_cached(
            "SELECT e.address, max(e.name) FROM email_addresses e JOIN messages m ON m.id = e.message_id
             WHERE m.conversation_id = ?1 AND e.role <> 'bcc'
             GROUP BY e.address ORDER BY min(m.id), e.address",
        )?
        .query_map([conversation], |r| {
            Ok(MailAddress {
                address: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Conversations of other contacts on which `address` appears (copied in, or writing
/// into someone else's thread), oldest first.
pub fn conversations_copied(
    conn: &Connection,
    address: &str,
    owner: crate::ids::ContactId,
) -> Result<Vec<ConversationId>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT m.conversation_id FROM email_addresses e
             JOIN messages m ON m.id = e.message_id
             JOIN conversations c ON c.id = m.conversation_id
             WHERE e.address = ?1 AND c.contact_id <> ?2 ORDER BY m.conversation_id",
        )?
        .query_map(params![address, owner], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The messages of `conversation` that `address` sent or received (Bcc included).
pub fn messages_naming(
    conn: &Connection,
    conversation: ConversationId,
    address: &str,
) -> Result<Vec<MessageId>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT e.message_id FROM email_addresses e JOIN messages m ON m.id = e.message_id
             WHERE m.conversation_id = ?1 AND e.address = ?2 ORDER BY e.message_id",
        )?
        .query_map(params![conversation, address], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Erasure of `address` from a thread that is not its own: the mails it sent there
/// go (with their attachments, leaving tombstones so a resync does not bring them
/// back), and its place on every other mail is removed, the copies kept in our sent
/// replies' outbox rows included. Returns the messages and attachments deleted.
pub fn erase_from_thread(
    tx: &Connection,
    conversation: ConversationId,
    address: &str,
) -> Result<(usize, usize)> {
    let sent_by_them =
        "SELECT message_id FROM email_addresses WHERE address = ?2 AND role = 'from'";
    let buried: Vec<(crate::ids::ChannelAccountId, String)> = tx
        .prepare(&format!(
            "SELECT c.channel_account_id, m.external_id FROM messages m
             JOIN conversations c ON c.id = m.conversation_id
             WHERE m.conversation_id = ?1 AND m.external_id IS NOT NULL AND m.id IN ({sent_by_them})"
        ))?
        .query_map(params![conversation, address], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    crate::store::tombstones::bury(tx, &buried)?;
    let attachments: i64 = tx.query_row(
        &format!(
            "SELECT count(*) FROM attachments WHERE message_id IN
                 (SELECT id FROM messages WHERE conversation_id = ?1 AND id IN ({sent_by_them}))"
        ),
        params![conversation, address],
        |r| r.get(0),
    )?;
    for list in ["$.cc", "$.bcc"] {
        tx.execute(
            &format!(
                "UPDATE outbox SET payload = json_set(payload, '{list}',
                     (SELECT json_group_array(value) FROM json_each(outbox.payload, '{list}') WHERE value <> ?2))
                 WHERE json_valid(payload) AND json_type(payload, '{list}') = 'array'
                   AND message_id IN (SELECT id FROM messages WHERE conversation_id = ?1)"
            ),
            params![conversation, address],
        )?;
    }
    let deleted = crate::store::cached::execute(
        tx,
        "DELETE FROM messages WHERE conversation_id = ?1 AND id IN
             (SELECT message_id FROM email_addresses WHERE address = ?2 AND role = 'from')",
        params![conversation, address],
    )?;
    crate::store::cached::execute(
        tx,
        "DELETE FROM email_addresses WHERE address = ?2 AND message_id IN
             (SELECT id FROM messages WHERE conversation_id = ?1)",
        params![conversation, address],
    )?;
    Ok((deleted, attachments as usize))
}
