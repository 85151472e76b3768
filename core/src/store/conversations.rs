//! SQL for the inbox: listing conversations a caller may see, searching, reading one
//! conversation, and the assignment changes with their optimistic version check.

use crate::error::Result;
use crate::ids::{ChannelAccountId, ContactId, ConversationId, MessageId, TeamId, UserId};
use crate::store;
use crate::time::Timestamp;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

/// Who is asking, as far as visibility goes.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub user: UserId,
    pub sees_everything: bool,
}

/// `c` is visible to the viewer: their own, their teams', and unassigned ones of no team.
fn visible_clause(viewer: Viewer, args: &mut Vec<Value>) -> String {
    if viewer.sees_everything {
        return "1".into();
    }
    args.push(Value::Integer(viewer.user.get()));
    let me = args.len();
    format!(
        "(c.assignee_id = ?{me}
          OR c.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?{me})
          OR (c.assignee_id IS NULL AND c.team_id IS NULL))"
    )
}

/// A row of the inbox list.
#[derive(Clone, PartialEq, Eq)]
pub struct ConversationRowData {
    pub id: ConversationId,
    pub version: i64,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub channel: String,
    pub subject: String,
    pub preview: String,
    pub status: String,
    pub snoozed_until: Option<Timestamp>,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    pub unread: i64,
    pub last_customer_message_at: Option<Timestamp>,
    pub last_activity_at: Timestamp,
    pub created_at: Timestamp,
    pub do_not_contact: bool,
    /// 0 none … 4 urgent.
    pub priority: i64,
    pub sla: Option<crate::reports::SlaClock>,
}

const ROW_COLUMNS: &str = "c.id, c.version, c.contact_id, ct.display_name, a.kind, c.subject,
    c.preview, c.status, c.snoozed_until, c.assignee_id, u.display_name, c.team_id, t.name,
    c.unread_count, c.last_customer_message_at, c.last_activity_at, c.created_at, ct.do_not_contact, c.priority,
    c.sla_target, c.sla_warn_at, c.sla_due_at, c.sla_started_at";

const ROW_JOINS: &str = "FROM conversations c
    JOIN contacts ct ON ct.id = c.contact_id
    JOIN channel_accounts a ON a.id = c.channel_account_id
    LEFT JOIN users u ON u.id = c.assignee_id
    LEFT JOIN teams t ON t.id = c.team_id";

fn row(r: &Row<'_>) -> rusqlite::Result<ConversationRowData> {
    Ok(ConversationRowData {
        id: r.get(0)?,
        version: r.get(1)?,
        contact_id: r.get(2)?,
        contact_name: r.get(3)?,
        channel: r.get(4)?,
        subject: r.get(5)?,
        preview: r.get(6)?,
        status: r.get(7)?,
        snoozed_until: r.get(8)?,
        assignee_id: r.get(9)?,
        assignee_name: r.get(10)?,
        team_id: r.get(11)?,
        team_name: r.get(12)?,
        unread: r.get(13)?,
        last_customer_message_at: r.get(14)?,
        last_activity_at: r.get(15)?,
        created_at: r.get(16)?,
        do_not_contact: r.get(17)?,
        priority: r.get(18)?,
        sla: match (
            r.get::<_, Option<String>>(19)?
                .and_then(|t| crate::reports::SlaTarget::parse(&t)),
            r.get::<_, Option<Timestamp>>(20)?,
            r.get::<_, Option<Timestamp>>(21)?,
            r.get::<_, Option<Timestamp>>(22)?,
        ) {
            (Some(target), Some(warn_at), Some(due_at), Some(started_at)) => {
                Some(crate::reports::SlaClock {
                    target,
                    started_at,
                    warn_at,
                    due_at,
                })
            }
            _ => None,
        },
    })
}

/// Filters of the inbox list, already checked by the service.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub assignee: Option<Option<UserId>>,
    pub my_teams_of: Option<UserId>,
    /// Only conversations where a note names this user.
    pub mentioned: Option<UserId>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub team: Option<TeamId>,
    pub label: Option<String>,
    /// Only this priority level (0 none … 4 urgent).
    pub priority: Option<i64>,
    /// Highest priority first (then newest activity), instead of newest activity first.
    pub by_priority: bool,
    /// Only conversations with a running SLA clock, the one due first at the top.
    pub by_sla: bool,
    /// Rows after this one in the chosen order.
    pub before: Option<ListCursor>,
    pub limit: i64,
}

/// The last row of the previous page, in the list's order.
#[derive(Clone, Copy, Debug)]
pub struct ListCursor {
    pub priority: i64,
    pub sla_due_at: Option<Timestamp>,
    pub at: Timestamp,
    pub id: ConversationId,
}

/// Adds a clause whose `?N` is the next parameter.
fn push(clauses: &mut Vec<String>, args: &mut Vec<Value>, clause: &str, value: Value) {
    args.push(value);
    clauses.push(clause.replace("?N", &format!("?{}", args.len())));
}

/// The SQL and parameters of one inbox page (also used to show its query plan).
pub fn list_query(viewer: Viewer, filter: &ListFilter) -> (String, Vec<Value>) {
    let mut args: Vec<Value> = Vec::new();
    let mut clauses = vec![visible_clause(viewer, &mut args)];
    match filter.assignee {
        Some(Some(user)) => push(
            &mut clauses,
            &mut args,
            "c.assignee_id = ?N",
            Value::Integer(user.get()),
        ),
        Some(None) => clauses.push("c.assignee_id IS NULL".into()),
        None => {}
    }
    if let Some(user) = filter.my_teams_of {
        push(
            &mut clauses,
            &mut args,
            "c.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?N)",
            Value::Integer(user.get()),
        );
    }
    if let Some(user) = filter.mentioned {
        push(
            &mut clauses,
            &mut args,
            "c.id IN (SELECT conversation_id FROM mentions WHERE user_id = ?N)",
            Value::Integer(user.get()),
        );
    }
    if let Some(status) = &filter.status {
        push(
            &mut clauses,
            &mut args,
            "c.status = ?N",
            Value::Text(status.clone()),
        );
    }
    if let Some(channel) = &filter.channel {
        push(
            &mut clauses,
            &mut args,
            "a.kind = ?N",
            Value::Text(channel.clone()),
        );
    }
    if let Some(team) = filter.team {
        push(
            &mut clauses,
            &mut args,
            "c.team_id = ?N",
            Value::Integer(team.get()),
        );
    }
    if let Some(label) = &filter.label {
        push(
            &mut clauses,
            &mut args,
            "c.id IN (SELECT cl.conversation_id FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id WHERE l.name = ?N)",
            Value::Text(label.clone()),
        );
    }
    if let Some(priority) = filter.priority {
        push(
            &mut clauses,
            &mut args,
            "c.priority = ?N",
            Value::Integer(priority),
        );
    }
    if filter.by_sla {
        // Only running clocks, most urgent first: one range of `conversations_sla_due`.
        clauses.push("c.sla_due_at IS NOT NULL".into());
    }
    if let Some(cursor) = filter.before {
        args.push(Value::Integer(cursor.at.unix()));
        let a = args.len();
        args.push(Value::Integer(cursor.id.get()));
        let b = args.len();
        if filter.by_sla {
            let due = cursor.sla_due_at.map_or(i64::MAX, Timestamp::unix);
            args.push(Value::Integer(due));
            let d = args.len();
            clauses.push(format!("(c.sla_due_at, c.id) > (?{d}, ?{b})"));
        } else if filter.by_priority {
            args.push(Value::Integer(cursor.priority));
            let p = args.len();
            clauses.push(format!(
                "(c.priority, c.last_activity_at, c.id) < (?{p}, ?{a}, ?{b})"
            ));
        } else {
            clauses.push(format!(
                "(c.last_activity_at < ?{a} OR (c.last_activity_at = ?{a} AND c.id < ?{b}))"
            ));
        }
    }
    let order = if filter.by_sla {
        "c.sla_due_at, c.id"
    } else if filter.by_priority {
        "c.priority DESC, c.last_activity_at DESC, c.id DESC"
    } else {
        "c.last_activity_at DESC, c.id DESC"
    };
    let sql = format!(
        "SELECT {ROW_COLUMNS} {ROW_JOINS} WHERE {} ORDER BY {order} {}",
        clauses.join(" AND "),
        store::limit(filter.limit)
    );
    (sql, args)
}

pub fn list(
    conn: &Connection,
    viewer: Viewer,
    filter: &ListFilter,
) -> Result<Vec<ConversationRowData>> {
    let (sql, args) = list_query(viewer, filter);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `EXPLAIN QUERY PLAN` of a statement, one line per step (for BENCHMARKS.md).
pub fn explain(conn: &Connection, sql: &str, args: Vec<Value>) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows = stmt.query_map(params_from_iter(args), |r| r.get::<_, String>(3))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A contact's conversations the viewer may see, newest activity first, at most `limit`.
pub fn of_contact(
    conn: &Connection,
    viewer: Viewer,
    contact: ContactId,
    limit: i64,
) -> Result<Vec<ConversationRowData>> {
    let (sql, args) = of_contact_query(viewer, contact, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The SQL and parameters of [`of_contact`] (also used to show its query plan).
pub fn of_contact_query(viewer: Viewer, contact: ContactId, limit: i64) -> (String, Vec<Value>) {
    let mut args: Vec<Value> = vec![Value::Integer(contact.get())];
    let clause = visible_clause(viewer, &mut args);
    let sql = format!(
        "SELECT {ROW_COLUMNS} {ROW_JOINS} WHERE c.contact_id = ?1 AND {clause}
         ORDER BY c.last_activity_at DESC, c.id DESC {}",
        store::limit(limit)
    );
    (sql, args)
}

/// How many conversations a contact has, whoever may see them.
pub fn count_of_contact(conn: &Connection, contact: ContactId) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM conversations WHERE contact_id = ?1",
        [contact],
        |r| r.get(0),
    )?)
}

/// One conversation if the viewer may see it; `None` otherwise (no hint that it exists).
pub fn visible(
    conn: &Connection,
    viewer: Viewer,
    id: ConversationId,
) -> Result<Option<ConversationRowData>> {
    let mut args: Vec<Value> = vec![Value::Integer(id.get())];
    let clause = visible_clause(viewer, &mut args);
    let sql = format!("SELECT {ROW_COLUMNS} {ROW_JOINS} WHERE c.id = ?1 AND {clause}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args), row)
        .optional()?)
}

/// A search hit: a message (with a snippet) or a contact (name or address).
#[derive(Clone, PartialEq, Eq)]
pub struct SearchHitData {
    pub conversation_id: ConversationId,
    pub message_id: Option<MessageId>,
    pub contact_name: String,
    pub channel: String,
    pub snippet: String,
    pub at: Timestamp,
}

/// Highlight markers in snippets: control characters no message can render, so the
/// window can split on them without parsing HTML.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

pub fn search(
    conn: &Connection,
    viewer: Viewer,
    fts_query: &str,
    limit: i64,
) -> Result<Vec<SearchHitData>> {
    let mut hits = Vec::new();
    // Contacts by name or address: their newest visible conversation.
    let mut args: Vec<Value> = vec![Value::Text(fts_query.into())];
    let clause = visible_clause(viewer, &mut args);
    let sql = format!(
        "SELECT c.id, ct.display_name, a.kind,
                highlight(contacts_fts, 0, char(2), char(3)) || ' · ' || highlight(contacts_fts, 1, char(2), char(3)),
                c.last_activity_at
         FROM contacts_fts
         JOIN contacts ct ON ct.id = contacts_fts.rowid
         JOIN conversations c ON c.contact_id = ct.id
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE contacts_fts MATCH ?1 AND {clause}
         ORDER BY c.last_activity_at DESC {}",
        store::limit(limit)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok(SearchHitData {
            conversation_id: r.get(0)?,
            message_id: None,
            contact_name: r.get(1)?,
            channel: r.get(2)?,
            snippet: r.get(3)?,
            at: r.get(4)?,
        })
    })?;
    for hit in rows {
        hits.push(hit?);
    }
    // Messages, newest first: FTS5 walks the index in rowid order and stops at the limit.
    let (sql, args) = message_search_query(viewer, fts_query, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), |r| {
        Ok(SearchHitData {
            conversation_id: r.get(0)?,
            message_id: Some(r.get(1)?),
            contact_name: r.get(2)?,
            channel: r.get(3)?,
            snippet: r.get(4)?,
            at: r.get(5)?,
        })
    })?;
    for hit in rows {
        hits.push(hit?);
    }
    hits.truncate(usize::try_from(limit).unwrap_or(50));
    Ok(hits)
}

/// The SQL and parameters of the message search (also used to show its query plan).
pub fn message_search_query(viewer: Viewer, fts_query: &str, limit: i64) -> (String, Vec<Value>) {
    let mut args: Vec<Value> = vec![Value::Text(fts_query.into())];
    let clause = visible_clause(viewer, &mut args);
    let sql = format!(
        "SELECT m.conversation_id, m.id, ct.display_name, a.kind,
                snippet(messages_fts, 0, char(2), char(3), '…', 12), m.created_at
         FROM messages_fts
         JOIN messages m ON m.id = messages_fts.rowid
         JOIN conversations c ON c.id = m.conversation_id
         JOIN contacts ct ON ct.id = c.contact_id
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE messages_fts MATCH ?1 AND {clause}
         ORDER BY messages_fts.rowid DESC {}",
        store::limit(limit)
    );
    (sql, args)
}

/// A message with its author's name and its attachments' metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageData {
    pub id: MessageId,
    pub direction: String,
    pub author: Option<String>,
    pub body: String,
    pub status: String,
    pub at: Timestamp,
    pub masked: bool,
    pub failure: Option<String>,
    /// An e-mail with a sanitised HTML body to show on request.
    pub has_html: bool,
    /// An e-mail's `Date:` header (the sender's clock).
    pub written_at: Option<Timestamp>,
}

/// The newest `limit` messages before `before` (or the newest), oldest first.
pub fn messages_page(
    conn: &Connection,
    conversation: ConversationId,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Vec<MessageData>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT m.id, m.direction, u.display_name, m.body, m.status, m.created_at, m.masked, m.failure,
                (SELECT e.html IS NOT NULL FROM email_messages e WHERE e.message_id = m.id),
                (SELECT e.header_date FROM email_messages e WHERE e.message_id = m.id)
         FROM messages m LEFT JOIN users u ON u.id = m.author_user_id
         WHERE m.conversation_id = ?1
           AND (?2 IS NULL OR (m.created_at, m.id) < (SELECT created_at, id FROM messages WHERE id = ?2))
         ORDER BY m.created_at DESC, m.id DESC {}",
        store::limit(limit)
    ))?;
    let rows = stmt.query_map(params![conversation, before], message_from_row)?;
    let mut out: Vec<MessageData> = rows.collect::<rusqlite::Result<_>>()?;
    out.reverse();
    Ok(out)
}

#[derive(Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub id: i64,
    pub message_id: MessageId,
    pub file_name: String,
    pub mime_type: String,
    pub size: i64,
}

pub fn attachments_of(conn: &Connection, messages: &[MessageId]) -> Result<Vec<AttachmentMeta>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, message_id, file_name, mime_type, size FROM attachments WHERE message_id = ?1 ORDER BY id",
    )?;
    let mut out = Vec::new();
    for m in messages {
        let rows = stmt.query_map([m], |r| {
            Ok(AttachmentMeta {
                id: r.get(0)?,
                message_id: r.get(1)?,
                file_name: r.get(2)?,
                mime_type: r.get(3)?,
                size: r.get(4)?,
            })
        })?;
        for a in rows {
            out.push(a?);
        }
    }
    Ok(out)
}

#[derive(Clone, PartialEq, Eq)]
pub struct NoteData {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub is_handoff: bool,
    pub at: Timestamp,
}

pub fn notes_of(conn: &Connection, conversation: ConversationId) -> Result<Vec<NoteData>> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.id, coalesce(u.display_name, 'Messenger bot'), n.body, n.is_handoff, n.created_at
         FROM notes n LEFT JOIN users u ON u.id = n.author_user_id
         WHERE n.conversation_id = ?1 ORDER BY n.created_at, n.id",
    )?;
    let rows = stmt.query_map([conversation], |r| {
        Ok(NoteData {
            id: r.get(0)?,
            author: r.get(1)?,
            body: r.get(2)?,
            is_handoff: r.get(3)?,
            at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_note(
    conn: &Connection,
    conversation: ConversationId,
    author: UserId,
    body: &str,
    is_handoff: bool,
    now: Timestamp,
) -> Result<i64> {
    insert_note_by(conn, conversation, Some(author), body, is_handoff, now)
}

/// A note no person wrote (an automatic reply, a bot's handover).
pub fn insert_system_note(
    conn: &Connection,
    conversation: ConversationId,
    body: &str,
    is_handoff: bool,
    now: Timestamp,
) -> Result<i64> {
    insert_note_by(conn, conversation, None, body, is_handoff, now)
}

fn insert_note_by(
    conn: &Connection,
    conversation: ConversationId,
    author: Option<UserId>,
    body: &str,
    is_handoff: bool,
    now: Timestamp,
) -> Result<i64> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO notes (conversation_id, author_user_id, body, is_handoff, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![conversation, author, body, is_handoff, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Moves a conversation if its version is still `expected`; `false` when someone else
/// changed it first.
pub fn set_assignment(
    conn: &Connection,
    id: ConversationId,
    expected: i64,
    assignee: Option<UserId>,
    team: Option<TeamId>,
) -> Result<bool> {
    let changed = crate::store::cached::execute(
        conn,
        "UPDATE conversations SET assignee_id = ?3, team_id = ?4, version = version + 1
         WHERE id = ?1 AND version = ?2",
        params![id, expected, assignee, team],
    )?;
    if changed == 1 {
        crate::store::sla::refresh(conn, id)?;
    }
    Ok(changed == 1)
}

/// Sets the priority (0 none … 4 urgent) if the version is still `expected`.
pub fn set_priority(
    conn: &Connection,
    id: ConversationId,
    expected: i64,
    priority: i64,
) -> Result<bool> {
    let changed = crate::store::cached::execute(
        conn,
        "UPDATE conversations SET priority = ?3, version = version + 1
         WHERE id = ?1 AND version = ?2",
        params![id, expected, priority],
    )?;
    Ok(changed == 1)
}

/// Adds one label to a conversation (kept when it is there already).
pub fn add_label(conn: &Connection, id: ConversationId, name: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO labels (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
        [name],
    )?;
    crate::store::cached::execute(
        conn,
        "INSERT OR IGNORE INTO conversation_labels (conversation_id, label_id)
         SELECT ?1, id FROM labels WHERE name = ?2",
        params![id, name],
    )?;
    // A label may carry its own SLA targets.
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// Takes one label off a conversation.
pub fn remove_label(conn: &Connection, id: ConversationId, name: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM conversation_labels WHERE conversation_id = ?1
         AND label_id = (SELECT id FROM labels WHERE name = ?2)",
        params![id, name],
    )?;
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// Marks a change that has no column of its own (labels) if the version is still `expected`.
pub fn bump_version(conn: &Connection, id: ConversationId, expected: i64) -> Result<bool> {
    let changed = crate::store::cached::execute(
        conn,
        "UPDATE conversations SET version = version + 1 WHERE id = ?1 AND version = ?2",
        params![id, expected],
    )?;
    Ok(changed == 1)
}

/// The current version, once a change has bumped it.
pub fn version_of(conn: &Connection, id: ConversationId) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT version FROM conversations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

pub fn set_status(
    conn: &Connection,
    id: ConversationId,
    expected: i64,
    status: &str,
    snoozed_until: Option<Timestamp>,
) -> Result<bool> {
    let changed = crate::store::cached::execute(
        conn,
        "UPDATE conversations SET status = ?3, snoozed_until = ?4, version = version + 1,
             awaiting_since = CASE WHEN ?3 = 'resolved' THEN NULL ELSE awaiting_since END
         WHERE id = ?1 AND version = ?2",
        params![id, expected, status, snoozed_until],
    )?;
    if changed == 1 {
        crate::store::sla::refresh(conn, id)?;
    }
    Ok(changed == 1)
}

/// Remembers `by`'s reply at `at`: the conversation's first agent reply unless it has
/// one, and the end of the customer's wait (the SLA clock moves on).
pub fn note_agent_reply(
    conn: &Connection,
    id: ConversationId,
    by: UserId,
    at: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET first_reply_at = coalesce(first_reply_at, ?2),
             first_reply_by = CASE WHEN first_reply_at IS NULL THEN ?3 ELSE first_reply_by END,
             awaiting_since = NULL
         WHERE id = ?1",
        params![id, at, by],
    )?;
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// Keeps one status change of `id` (by an agent, or `None` for the system) for reports.
pub fn record_status_change(
    conn: &Connection,
    id: ConversationId,
    from: &str,
    to: &str,
    by: Option<UserId>,
    at: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO status_changes (conversation_id, from_status, to_status, at, by_user)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, from, to, at, by],
    )?;
    // A reopening restarts the resolution clock from now: recomputed once it is on record.
    if from == "resolved" && to != "resolved" {
        crate::store::sla::refresh(conn, id)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn record_assignment(
    conn: &Connection,
    id: ConversationId,
    from: Option<UserId>,
    to_user: Option<UserId>,
    to_team: Option<TeamId>,
    by: UserId,
    note: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT INTO assignments (conversation_id, from_user_id, to_user_id, to_team_id, changed_by, note_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, from, to_user, to_team, by, note, now],
    )?;
    Ok(())
}

/// Who made the latest assignment change, for the "changed meanwhile" message.
pub fn last_changed_by(conn: &Connection, id: ConversationId) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT u.display_name FROM assignments a JOIN users u ON u.id = a.changed_by
             WHERE a.conversation_id = ?1 ORDER BY a.id DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn mark_read(conn: &Connection, id: ConversationId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET unread_count = 0 WHERE id = ?1 AND unread_count != 0",
        [id],
    )?;
    Ok(())
}

pub fn touch_activity(
    conn: &Connection,
    id: ConversationId,
    now: Timestamp,
    from_customer: bool,
) -> Result<()> {
    // A customer writing to a resolved or snoozed conversation opens it: kept for reports.
    let reopened_from: Option<String> = conn
        .query_row(
            "INSERT INTO status_changes (conversation_id, from_status, to_status, at)
             SELECT id, status, 'open', ?2 FROM conversations
             WHERE id = ?1 AND ?3 AND status IN ('resolved', 'snoozed')
             RETURNING from_status",
            params![id, now, from_customer],
            |r| r.get(0),
        )
        .optional()?;
    // Whether the customer starts waiting for a next reply now (the SLA clock moves).
    let starts_waiting: Option<bool> = conn
        .query_row(
            "UPDATE conversations SET last_activity_at = max(last_activity_at, ?2),
                 last_customer_message_at = CASE WHEN ?3 THEN max(coalesce(last_customer_message_at, 0), ?2) ELSE last_customer_message_at END,
                 unread_count = unread_count + CASE WHEN ?3 THEN 1 ELSE 0 END,
                 version = version + CASE WHEN ?3 AND status IN ('resolved', 'snoozed') THEN 1 ELSE 0 END,
                 snoozed_until = CASE WHEN ?3 THEN NULL ELSE snoozed_until END,
                 awaiting_since = CASE WHEN NOT ?3 THEN awaiting_since
                     WHEN status = 'resolved' THEN ?2 ELSE coalesce(awaiting_since, ?2) END,
                 status = CASE WHEN ?3 AND status IN ('resolved', 'snoozed') THEN 'open' ELSE status END
             WHERE id = ?1
             RETURNING ?3 AND first_reply_at IS NOT NULL AND awaiting_since = ?2",
            params![id, now, from_customer],
            |r| r.get(0),
        )
        .optional()?;
    // Only a reopening or a new wait moves the clock: a customer's further messages in
    // the same wait (most of them) cost no SLA work.
    if reopened_from.as_deref() == Some("resolved") || starts_waiting == Some(true) {
        crate::store::sla::refresh(conn, id)?;
    }
    Ok(())
}

/// Remembers a customer's message at `at` that answers a survey: the reply window moves
/// on, but the conversation stays as it is (not reopened, not unread).
pub fn note_survey_answer(conn: &Connection, id: ConversationId, at: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations
         SET last_customer_message_at = max(coalesce(last_customer_message_at, 0), ?2)
         WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Opens every snoozed conversation whose time has come; returns their ids.
pub fn wake_snoozed(conn: &Connection, now: Timestamp) -> Result<Vec<ConversationId>> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO status_changes (conversation_id, from_status, to_status, at)
         SELECT id, 'snoozed', 'open', ?1 FROM conversations
         WHERE status = 'snoozed' AND snoozed_until <= ?1",
        [now],
    )?;
    let mut stmt = conn.prepare_cached(
        "UPDATE conversations SET status = 'open', snoozed_until = NULL, version = version + 1
         WHERE status = 'snoozed' AND snoozed_until <= ?1
         RETURNING id",
    )?;
    let ids = stmt
        .query_map([now], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

pub fn labels_of(conn: &Connection, id: ConversationId) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.name FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
         WHERE cl.conversation_id = ?1 ORDER BY l.name",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_labels(conn: &Connection, id: ConversationId, labels: &[String]) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM conversation_labels WHERE conversation_id = ?1",
        [id],
    )?;
    for name in labels {
        crate::store::cached::execute(
            conn,
            "INSERT INTO labels (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
            [name],
        )?;
        crate::store::cached::execute(
            conn,
            "INSERT INTO conversation_labels (conversation_id, label_id)
             SELECT ?1, id FROM labels WHERE name = ?2",
            params![id, name],
        )?;
    }
    // A label may carry its own SLA targets.
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// Open conversations per assignee, for leads.
pub fn open_load(conn: &Connection) -> Result<Vec<(UserId, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT assignee_id, count(*) FROM conversations
         WHERE assignee_id IS NOT NULL AND status IN ('open', 'pending') GROUP BY assignee_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Unassigned open conversations of the given teams (all when `None`): count and oldest.
pub fn unassigned_queue(
    conn: &Connection,
    teams: Option<&[TeamId]>,
) -> Result<(i64, Option<Timestamp>)> {
    let mut total = 0;
    let mut oldest: Option<Timestamp> = None;
    let mut add = |n: i64, at: Option<Timestamp>| {
        total += n;
        oldest = match (oldest, at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    };
    match teams {
        None => {
            let (n, at) = crate::store::cached::query_row(
                conn,
                "SELECT count(*), min(created_at) FROM conversations
                 WHERE assignee_id IS NULL AND status IN ('open', 'pending')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            add(n, at);
        }
        Some(teams) => {
            let mut stmt = conn.prepare_cached(
                "SELECT count(*), min(created_at) FROM conversations
                 WHERE assignee_id IS NULL AND team_id = ?1 AND status IN ('open', 'pending')",
            )?;
            for team in teams {
                let (n, at) = stmt.query_row([team], |r| Ok((r.get(0)?, r.get(1)?)))?;
                add(n, at);
            }
        }
    }
    Ok((total, oldest))
}

/// Open conversations assigned to a user (for returning them to the queue).
pub fn open_assigned_to(
    conn: &Connection,
    user: UserId,
) -> Result<Vec<(ConversationId, i64, Option<TeamId>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, version, team_id FROM conversations
         WHERE assignee_id = ?1 AND status IN ('open', 'pending', 'snoozed')",
    )?;
    let rows = stmt.query_map([user], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

crate::redacted_debug!(
    ConversationRowData,
    SearchHitData,
    MessageData,
    AttachmentMeta,
    NoteData
);

pub fn set_do_not_contact(conn: &Connection, contact: ContactId, value: bool) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE contacts SET do_not_contact = ?2 WHERE id = ?1",
        params![contact, value],
    )?;
    Ok(())
}

pub fn set_message_masked(conn: &Connection, message: MessageId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE messages SET masked = 1 WHERE id = ?1",
        [message],
    )?;
    Ok(())
}

/// One message by id (for a view after a change).
pub fn message_by_id(conn: &Connection, id: MessageId) -> Result<MessageData> {
    Ok(crate::store::cached::query_row(conn,
        "SELECT m.id, m.direction, u.display_name, m.body, m.status, m.created_at, m.masked, m.failure,
                (SELECT e.html IS NOT NULL FROM email_messages e WHERE e.message_id = m.id),
                (SELECT e.header_date FROM email_messages e WHERE e.message_id = m.id)
         FROM messages m LEFT JOIN users u ON u.id = m.author_user_id WHERE m.id = ?1",
        [id],
        message_from_row,
    )?)
}

/// A `MessageData` from the columns `id, direction, author name, body, status,
/// created_at, masked, failure, has_html, header_date`.
fn message_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageData> {
    Ok(MessageData {
        id: r.get(0)?,
        direction: r.get(1)?,
        author: r.get(2)?,
        body: r.get(3)?,
        status: r.get(4)?,
        at: r.get(5)?,
        masked: r.get(6)?,
        failure: r.get(7)?,
        has_html: r.get::<_, Option<bool>>(8)?.unwrap_or(false),
        written_at: r.get(9)?,
    })
}

/// How many conversations there are.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM conversations",
        [],
        |r| r.get(0),
    )?)
}

/// How many conversations are open.
pub fn count_open(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM conversations WHERE status = 'open'",
        [],
        |r| r.get(0),
    )?)
}

/// How many messages there are.
pub fn count_messages(conn: &Connection) -> Result<i64> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM messages",
        [],
        |r| r.get(0),
    )?)
}

/// The contact a conversation is with.
pub fn contact_of(conn: &Connection, id: ConversationId) -> Result<ContactId> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT contact_id FROM conversations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// The team a conversation is with, if any.
pub fn team_of(conn: &Connection, id: ConversationId) -> Result<Option<TeamId>> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT team_id FROM conversations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Who a conversation is assigned to, if anyone.
pub fn assignee_of(conn: &Connection, id: ConversationId) -> Result<Option<UserId>> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT assignee_id FROM conversations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// The channel account a conversation is in.
pub fn account_of(conn: &Connection, id: ConversationId) -> Result<ChannelAccountId> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT channel_account_id FROM conversations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// A conversation's subject (e-mail; empty for chats).
pub fn subject_of(conn: &Connection, id: ConversationId) -> Result<String> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT subject FROM conversations WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// The newest conversation with `contact` in `account` that is not resolved.
pub fn open_for_contact(
    conn: &Connection,
    account: ChannelAccountId,
    contact: ContactId,
) -> Result<Option<ConversationId>> {
    Ok(conn
        .query_row(
            "SELECT id FROM conversations WHERE channel_account_id = ?1 AND contact_id = ?2 AND status != 'resolved'
                     ORDER BY id DESC LIMIT 1",
            params![account, contact],
            |r| r.get(0),
        )
        .optional()?)
}

/// The newest conversation of `contact` in `account`, whatever its status.
pub fn latest_for_contact(
    conn: &Connection,
    account: ChannelAccountId,
    contact: ContactId,
) -> Result<Option<ConversationId>> {
    Ok(conn
        .query_row(
            "SELECT id FROM conversations WHERE channel_account_id = ?1 AND contact_id = ?2
             ORDER BY id DESC LIMIT 1",
            params![account, contact],
            |r| r.get(0),
        )
        .optional()?)
}

/// The conversation in `account` with the contact at `address` (on the account's
/// channel) an echo or a notice belongs to: an open one first, then the newest.
pub fn for_contact_address(
    conn: &Connection,
    account: ChannelAccountId,
    address: &str,
) -> Result<Option<ConversationId>> {
    Ok(conn
        .query_row(
            "SELECT c.id FROM conversations c
             JOIN channel_accounts a ON a.id = c.channel_account_id
             JOIN contact_identities ci ON ci.contact_id = c.contact_id AND ci.channel = a.kind
             WHERE c.channel_account_id = ?1 AND ci.external_id = ?2
             ORDER BY (c.status != 'resolved') DESC, c.id DESC LIMIT 1",
            params![account, address],
            |r| r.get(0),
        )
        .optional()?)
}

/// A new conversation's team and subject.
pub fn set_team_and_subject(
    conn: &Connection,
    id: ConversationId,
    team: Option<TeamId>,
    subject: &str,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET team_id = ?2, subject = ?3 WHERE id = ?1",
        params![id, team, subject],
    )?;
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// A new conversation goes to its account's default team.
pub fn set_team_from_account(
    conn: &Connection,
    id: ConversationId,
    account: ChannelAccountId,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE conversations SET team_id = (SELECT default_team_id FROM channel_accounts WHERE id = ?2) WHERE id = ?1",
        params![id, account],
    )?;
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// Auto-assignment gives a new conversation to `agent`.
pub fn auto_assign(conn: &Connection, id: ConversationId, agent: UserId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET assignee_id = ?2, version = version + 1 WHERE id = ?1",
        params![id, agent],
    )?;
    Ok(())
}

/// A bot handed the thread over at `at`: into the queue, unassigned and open,
/// remembering which app to hand it back to.
pub fn queue_handed_over(
    conn: &Connection,
    id: ConversationId,
    app: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT INTO status_changes (conversation_id, from_status, to_status, at)
         SELECT id, status, 'open', ?2 FROM conversations WHERE id = ?1 AND status <> 'open'",
        params![id, at],
    )?;
    crate::store::cached::execute(conn,
        "UPDATE conversations SET assignee_id = NULL, status = 'open', snoozed_until = NULL,
             handover_app_id = ?2, version = version + 1, last_activity_at = max(last_activity_at, ?3)
         WHERE id = ?1",
        params![id, app, at],
    )?;
    crate::store::sla::refresh(conn, id)?;
    Ok(())
}

/// For a Messenger conversation a bot handed over: its account, the bot's app and the
/// contact's PSID.
pub fn handed_over_by(
    conn: &Connection,
    id: ConversationId,
) -> Result<Option<(ChannelAccountId, String, String)>> {
    Ok(conn
        .query_row(
            "SELECT c.channel_account_id, c.handover_app_id, ci.external_id FROM conversations c
             JOIN contact_identities ci ON ci.contact_id = c.contact_id AND ci.channel = 'messenger'
             WHERE c.id = ?1 AND c.handover_app_id IS NOT NULL",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// The app to pass the thread to when the conversation is resolved.
pub fn set_handover_app(conn: &Connection, id: ConversationId, app: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET handover_app_id = ?2 WHERE id = ?1",
        params![id, app],
    )?;
    Ok(())
}

/// The thread went back to the bot.
pub fn clear_handover(conn: &Connection, id: ConversationId) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET handover_app_id = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Deletes a conversation that holds no message and no note (one made for a first
/// message that could not be queued); returns whether it went.
pub fn delete_if_empty(conn: &Connection, id: ConversationId) -> Result<bool> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM assignments WHERE conversation_id = ?1
           AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1)",
        [id],
    )?;
    Ok(crate::store::cached::execute(
        conn,
        "DELETE FROM conversations WHERE id = ?1
           AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM notes WHERE conversation_id = ?1)",
        [id],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use rusqlite::StatementStatus;

    /// How often SQLite re-planned a cached statement before running it.
    fn replans(store: &Store, sql: &str) -> i32 {
        store
            .read(|c| {
                Ok(c.prepare_cached(sql)?
                    .get_status(StatementStatus::RePrepare))
            })
            .unwrap_or(-1)
    }

    /// Unless plans are kept stable, SQLite re-plans a cached statement on every run
    /// when a bound value might change its plan (`c.assignee_id = ?` beside a join, a
    /// bound LIMIT): a full parse on every inbox read.
    #[test]
    fn the_inbox_list_search_and_messages_are_planned_once_not_on_every_read() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| crate::CoreError::Storage(e.to_string()))?;
        let store = Store::open_plain_for_benchmarks(&dir.path().join("plain.db"))?;
        let viewer = Viewer {
            user: UserId::new(7),
            sees_everything: false,
        };
        let mine = ListFilter {
            assignee: Some(Some(UserId::new(7))),
            limit: 51,
            ..ListFilter::default()
        };
        let next_page = ListFilter {
            before: Some(ListCursor {
                priority: 0,
                sla_due_at: None,
                at: Timestamp::from_unix(1_700_000_000),
                id: ConversationId::new(3),
            }),
            ..mine.clone()
        };
        let urgent_next_page = ListFilter {
            by_priority: true,
            before: Some(ListCursor {
                priority: 4,
                sla_due_at: None,
                at: Timestamp::from_unix(1_700_000_000),
                id: ConversationId::new(3),
            }),
            ..mine.clone()
        };
        let unassigned = ListFilter {
            assignee: Some(None),
            team: Some(TeamId::new(2)),
            limit: 51,
            ..ListFilter::default()
        };
        for user in [7, 8, 7] {
            let viewer = Viewer {
                user: UserId::new(user),
                ..viewer
            };
            for filter in [&mine, &next_page, &urgent_next_page, &unassigned] {
                store.read(|c| list(c, viewer, filter))?;
            }
            store.read(|c| search(c, viewer, "refund", 50))?;
            store.read(|c| messages_page(c, ConversationId::new(user), None, 100))?;
        }
        let mut statements: Vec<String> = [&mine, &next_page, &urgent_next_page, &unassigned]
            .iter()
            .map(|f| list_query(viewer, f).0)
            .collect();
        statements.push(message_search_query(viewer, "refund", 50).0);
        for sql in statements {
            assert_eq!(replans(&store, &sql), 0, "re-planned: {sql}");
        }
        Ok(())
    }
}
