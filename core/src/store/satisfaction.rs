//! SQL for customer satisfaction: an account's question, the resolved conversations
//! whose survey is due, each conversation's one survey and the customer's answer to it.

use crate::error::Result;
use crate::ids::{ChannelAccountId, ContactId, ConversationId, MessageId, TeamId, UserId};
use crate::reports::SatisfactionView;
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// The question account `account` asks after a resolution, if it asks one.
pub fn question(conn: &Connection, account: ChannelAccountId) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT question FROM satisfaction_questions WHERE account_id = ?1",
            [account],
            |r| r.get(0),
        )
        .optional()?)
}

/// Sets (or with `None` removes) an account's question.
pub fn set_question(
    conn: &Connection,
    account: ChannelAccountId,
    question: Option<&str>,
) -> Result<()> {
    match question {
        Some(q) => crate::store::cached::execute(
            conn,
            "INSERT INTO satisfaction_questions (account_id, question) VALUES (?1, ?2)
             ON CONFLICT (account_id) DO UPDATE SET question = excluded.question",
            params![account, q],
        )?,
        None => crate::store::cached::execute(
            conn,
            "DELETE FROM satisfaction_questions WHERE account_id = ?1",
            [account],
        )?,
    };
    Ok(())
}

/// Marks a just-resolved conversation's survey due at `due`, when its account asks and
/// the conversation was never surveyed.
pub fn schedule(conn: &Connection, conversation: ConversationId, due: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET survey_due_at = ?2
         WHERE id = ?1
           AND EXISTS (SELECT 1 FROM satisfaction_questions q
                       WHERE q.account_id = conversations.channel_account_id)
           AND NOT EXISTS (SELECT 1 FROM satisfaction_surveys s WHERE s.conversation_id = ?1)",
        params![conversation, due],
    )?;
    Ok(())
}

/// A resolved conversation whose survey is due.
#[derive(Debug)]
pub struct DueSurvey {
    pub conversation: ConversationId,
    pub account: ChannelAccountId,
    pub channel: String,
    pub contact: ContactId,
    pub last_customer_message_at: Option<Timestamp>,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
}

/// Takes every conversation whose survey time has come: those still resolved are
/// returned, and the mark is cleared on all of them (a reopened one is not surveyed).
pub fn take_due(conn: &Connection, now: Timestamp) -> Result<Vec<DueSurvey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.channel_account_id, a.kind, c.contact_id, c.last_customer_message_at,
                c.assignee_id, c.team_id
         FROM conversations c JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE c.survey_due_at IS NOT NULL AND c.survey_due_at <= ?1 AND c.status = 'resolved'
         ORDER BY c.survey_due_at LIMIT 200",
    )?;
    let due = stmt
        .query_map([now], |r| {
            Ok(DueSurvey {
                conversation: r.get(0)?,
                account: r.get(1)?,
                channel: r.get(2)?,
                contact: r.get(3)?,
                last_customer_message_at: r.get(4)?,
                assignee: r.get(5)?,
                team: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Reopened ones lose their mark; the caller clears the returned ones in the same
    // transaction (`insert_survey` or `drop_due`).
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET survey_due_at = NULL
         WHERE survey_due_at IS NOT NULL AND survey_due_at <= ?1 AND status != 'resolved'",
        [now],
    )?;
    Ok(due)
}

/// The survey of `conversation` is not sent (no question now, opted out, window shut).
pub fn drop_due(conn: &Connection, conversation: ConversationId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET survey_due_at = NULL WHERE id = ?1",
        [conversation],
    )?;
    Ok(())
}

/// Records the survey sent as message `question` and clears the due mark; returns its id.
pub fn insert_survey(conn: &Connection, due: &DueSurvey, sent_at: Timestamp) -> Result<i64> {
    drop_due(conn, due.conversation)?;
    crate::store::cached::execute(
        conn,
        "INSERT INTO satisfaction_surveys (conversation_id, agent_id, team_id, sent_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![due.conversation, due.assignee, due.team, sent_at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Links the survey to the message that carries it.
pub fn set_question_message(conn: &Connection, survey: i64, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE satisfaction_surveys SET question_id = ?2 WHERE id = ?1",
        params![survey, message],
    )?;
    Ok(())
}

/// An unanswered survey sent since `since`: its id and conversation.
pub type Pending = (i64, ConversationId);

/// The unanswered survey sent since `?1` that also meets `condition` (on the survey `s`
/// and its conversation `c`; parameters from `?2`).
fn pending(
    conn: &Connection,
    condition: &str,
    params: impl rusqlite::Params,
) -> Result<Option<Pending>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT s.id, s.conversation_id FROM satisfaction_surveys s
                 JOIN conversations c ON c.id = s.conversation_id
                 WHERE s.answered_at IS NULL AND s.sent_at >= ?1 AND {condition}"
            ),
            params,
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Survey `survey`, when it is unanswered, sent since `since`, and belongs to a
/// conversation of `contact` in `account` (a tapped choice names its survey).
pub fn pending_by_id(
    conn: &Connection,
    survey: i64,
    account: ChannelAccountId,
    contact: ContactId,
    since: Timestamp,
) -> Result<Option<Pending>> {
    pending(
        conn,
        "s.id = ?2 AND c.channel_account_id = ?3 AND c.contact_id = ?4",
        params![since, survey, account, contact],
    )
}

/// The unanswered survey a typed number answers: the one of the contact's newest
/// conversation in `account`, while that conversation is still resolved.
pub fn pending_for_contact(
    conn: &Connection,
    account: ChannelAccountId,
    contact: ContactId,
    since: Timestamp,
) -> Result<Option<Pending>> {
    pending(
        conn,
        "c.status = 'resolved' AND c.id = (SELECT max(id) FROM conversations
                                            WHERE channel_account_id = ?2 AND contact_id = ?3)",
        params![since, account, contact],
    )
}

/// The unanswered survey of `conversation` (an e-mail answer threaded into it) when
/// `contact` is its customer, while the conversation is still resolved.
pub fn pending_of_conversation(
    conn: &Connection,
    conversation: ConversationId,
    contact: ContactId,
    since: Timestamp,
) -> Result<Option<Pending>> {
    pending(
        conn,
        "s.conversation_id = ?2 AND c.contact_id = ?3 AND c.status = 'resolved'",
        params![since, conversation, contact],
    )
}

/// Stores the customer's answer; false when the survey was already answered (the first
/// answer counts).
pub fn record_answer(
    conn: &Connection,
    survey: i64,
    rating: u8,
    comment: Option<&str>,
    message: MessageId,
    at: Timestamp,
) -> Result<bool> {
    Ok(crate::store::cached::execute(conn,
        "UPDATE satisfaction_surveys SET rating = ?2, comment = ?3, answer_id = ?4, answered_at = ?5
         WHERE id = ?1 AND answered_at IS NULL",
        params![survey, rating, comment, message, at],
    )? == 1)
}

/// The survey of `conversation` and its answer, if one was sent.
pub fn of_conversation(
    conn: &Connection,
    conversation: ConversationId,
) -> Result<Option<SatisfactionView>> {
    Ok(conn
        .query_row(
            "SELECT sent_at, rating, comment, answered_at FROM satisfaction_surveys
             WHERE conversation_id = ?1",
            [conversation],
            |r| {
                Ok(SatisfactionView {
                    sent_at: r.get(0)?,
                    rating: r.get(1)?,
                    comment: r.get(2)?,
                    answered_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Ratings given in `[from, to)` for the report: `?1`, `?2` the range; each with its
/// team, channel, the agent the survey was about, and the rating.
pub fn ratings_sql(filter: &str) -> String {
    format!(
        "SELECT s.answered_at, s.team_id, a.kind, s.agent_id, s.rating,
                {labels}
         FROM satisfaction_surveys s
         JOIN conversations c ON c.id = s.conversation_id
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE s.answered_at >= ?1 AND s.answered_at < ?2 {filter}",
        labels = crate::store::reports::LABELS_OF_C
    )
}
