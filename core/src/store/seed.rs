//! SQL that only the fixture generator and the sample data use: shaping seeded messages and conversations
//! (authors, teams, assignees, status) after they were inserted the ordinary way.

use crate::error::Result;
use crate::ids::{ContactId, ConversationId, MessageId, TeamId, UserId};
use crate::time::Timestamp;
use rusqlite::{params, Connection};

/// Marks a seeded message as written by `author` (none: by nobody).
pub fn set_author(conn: &Connection, message: MessageId, author: Option<UserId>) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET author_user_id = ?2 WHERE id = ?1",
        params![message, author],
    )?;
    Ok(())
}

/// Gives a seeded conversation its team, assignee, status, last activity and unread count.
pub fn shape_conversation(
    conn: &Connection,
    conversation: ConversationId,
    team: Option<TeamId>,
    assignee: Option<UserId>,
    status: &str,
    at: Timestamp,
    unread: i64,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE conversations SET team_id = ?2, assignee_id = ?3, status = ?4, last_activity_at = ?5,
             last_customer_message_at = ?5, unread_count = ?6 WHERE id = ?1",
        params![conversation, team, assignee, status, at, unread],
    )?;
    Ok(())
}

/// Gives a seeded conversation its priority (0 none … 4 urgent) and snooze time.
pub fn set_triage(
    conn: &Connection,
    conversation: ConversationId,
    priority: i64,
    snoozed_until: Option<Timestamp>,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET priority = ?2, snoozed_until = ?3 WHERE id = ?1",
        params![conversation, priority, snoozed_until],
    )?;
    Ok(())
}

/// Moves a seeded conversation to `contact` (one customer with many conversations).
pub fn give_contact(
    conn: &Connection,
    conversation: ConversationId,
    contact: ContactId,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET contact_id = ?2 WHERE id = ?1",
        params![conversation, contact],
    )?;
    Ok(())
}

/// Marks a seeded outbound message as sent (sample data sends nothing).
pub fn mark_sent(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET status = 'sent' WHERE id = ?1",
        [message],
    )?;
    Ok(())
}
