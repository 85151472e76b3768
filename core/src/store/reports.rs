//! SQL for reports: the facts of a range (conversations that started, resolutions,
//! reopenings, handoffs and satisfaction ratings, each with its team, channel, agent
//! and labels), and teams' business hours. Figures are made from these by
//! `reports::figures`, never stored.

use crate::error::Result;
use crate::ids::{TeamId, UserId};
use crate::reports::figures::{Fact, Placed};
use crate::reports::BusinessHours;
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// The labels of conversation `c` in one text, separated by U+001F (a label never
/// holds it), for a report's label rows.
pub const LABELS_OF_C: &str = "(SELECT group_concat(l.name, char(31)) FROM conversation_labels cl
     JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id = c.id)";

/// The labels [`LABELS_OF_C`] read.
pub fn split_labels(text: Option<String>) -> Vec<String> {
    text.map(|t| t.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default()
}

/// `AND <column> IN (...)` for a team filter (`None`: every team, unassigned ones too).
pub fn team_filter(column: &str, teams: Option<&[TeamId]>) -> String {
    match teams {
        None => String::new(),
        Some(list) => {
            let ids: Vec<String> = list.iter().map(|t| t.get().to_string()).collect();
            format!("AND {column} IN ({})", ids.join(","))
        }
    }
}

/// Conversations that started in the range, with the first agent reply (`?1`, `?2`: the
/// range).
pub fn opened_sql(filter: &str) -> String {
    format!(
        "SELECT c.team_id, a.kind, c.assignee_id, c.created_at, c.first_reply_at, c.first_reply_by,
                {LABELS_OF_C}
         FROM conversations c
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE c.created_at >= ?1 AND c.created_at < ?2 {filter}"
    )
}

/// Resolutions (with the last reopening before each) and reopenings in the range.
pub fn changes_sql(filter: &str) -> String {
    format!(
        "SELECT s.from_status, s.to_status, s.at, s.by_user, c.team_id, a.kind, c.assignee_id, c.created_at,
                (SELECT max(p.at) FROM status_changes p
                  WHERE p.conversation_id = s.conversation_id AND p.from_status = 'resolved'
                    AND p.to_status <> 'resolved' AND p.at <= s.at AND p.id < s.id),
                {LABELS_OF_C}
         FROM status_changes s
         JOIN conversations c ON c.id = s.conversation_id
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE s.at >= ?1 AND s.at < ?2 AND (s.to_status = 'resolved') <> (s.from_status = 'resolved')
           {filter}"
    )
}

/// Handoffs with a note in the range.
pub fn handoffs_sql(filter: &str) -> String {
    format!(
        "SELECT h.created_at, h.changed_by, c.team_id, a.kind, {LABELS_OF_C}
         FROM assignments h
         JOIN conversations c ON c.id = h.conversation_id
         JOIN channel_accounts a ON a.id = c.channel_account_id
         WHERE h.note_id IS NOT NULL AND h.created_at >= ?1 AND h.created_at < ?2 {filter}"
    )
}

/// Every fact in `[from, to)` of conversations in `teams`.
pub fn facts(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    teams: Option<&[TeamId]>,
) -> Result<Vec<Placed>> {
    let mut out = Vec::new();
    let filter = team_filter("c.team_id", teams);
    // Started when the conversation was (a customer's first message makes it, at that
    // message's time); answered by the first agent reply.
    let sql = opened_sql(&filter);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, Option<TeamId>>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<UserId>>(2)?,
            r.get::<_, Timestamp>(3)?,
            r.get::<_, Option<Timestamp>>(4)?,
            r.get::<_, Option<UserId>>(5)?,
            split_labels(r.get(6)?),
        ))
    })?;
    for row in rows {
        let (team, channel, assignee, at, first_out, responder, labels) = row?;
        out.push(Placed {
            fact: Fact::Opened {
                first_response: first_out.map(|t| t.max(at)),
            },
            at,
            team,
            channel,
            agent: responder.or(assignee),
            labels,
        });
    }
    // Resolutions (open since the start or the last reopening) and reopenings.
    let sql = changes_sql(&filter);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Timestamp>(2)?,
            r.get::<_, Option<UserId>>(3)?,
            r.get::<_, Option<TeamId>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<UserId>>(6)?,
            r.get::<_, Timestamp>(7)?,
            r.get::<_, Option<Timestamp>>(8)?,
            split_labels(r.get(9)?),
        ))
    })?;
    for row in rows {
        let (_, to_status, at, by, team, channel, assignee, created, reopened, labels) = row?;
        let fact = if to_status == "resolved" {
            Fact::Resolved {
                since: reopened.map_or(created, |r| r.max(created)),
            }
        } else {
            Fact::Reopened
        };
        out.push(Placed {
            fact,
            at,
            team,
            channel,
            agent: by.or(assignee),
            labels,
        });
    }
    // Handoffs: a conversation passed on with a note.
    let sql = handoffs_sql(&filter);
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((
            r.get::<_, Timestamp>(0)?,
            r.get::<_, UserId>(1)?,
            r.get::<_, Option<TeamId>>(2)?,
            r.get::<_, String>(3)?,
            split_labels(r.get(4)?),
        ))
    })?;
    for row in rows {
        let (at, by, team, channel, labels) = row?;
        out.push(Placed {
            fact: Fact::HandedOff,
            at,
            team,
            channel,
            agent: Some(by),
            labels,
        });
    }
    // Satisfaction answers, for the team and agent the survey was about.
    let sql = crate::store::satisfaction::ratings_sql(&team_filter("s.team_id", teams));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok(Placed {
            at: r.get(0)?,
            team: r.get(1)?,
            channel: r.get(2)?,
            agent: r.get(3)?,
            fact: Fact::Rated { rating: r.get(4)? },
            labels: split_labels(r.get(5)?),
        })
    })?;
    for row in rows {
        out.push(row?);
    }
    Ok(out)
}

/// Every team's business hours that parse (a team without any counts calendar time only).
pub fn all_hours(conn: &Connection) -> Result<BTreeMap<TeamId, BusinessHours>> {
    let mut stmt = conn.prepare_cached("SELECT team_id, schedule FROM team_hours")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, TeamId>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (team, text) = row?;
        if let Ok(hours) = serde_json::from_str(&text) {
            out.insert(team, hours);
        }
    }
    Ok(out)
}

/// One team's business hours, if it has any.
pub fn hours_of(conn: &Connection, team: TeamId) -> Result<Option<BusinessHours>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT schedule FROM team_hours WHERE team_id = ?1",
            [team],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Sets (or with `None` removes) a team's business hours.
pub fn set_hours(conn: &Connection, team: TeamId, hours: Option<&BusinessHours>) -> Result<()> {
    match hours {
        Some(h) => {
            let text = serde_json::to_string(h)
                .map_err(|e| crate::error::CoreError::Storage(e.to_string()))?;
            crate::store::cached::execute(
                conn,
                "INSERT INTO team_hours (team_id, schedule) VALUES (?1, ?2)
                 ON CONFLICT (team_id) DO UPDATE SET schedule = excluded.schedule",
                params![team, text],
            )?;
        }
        None => {
            crate::store::cached::execute(
                conn,
                "DELETE FROM team_hours WHERE team_id = ?1",
                [team],
            )?;
        }
    }
    Ok(())
}

/// Display names of every user and team, for the report's rows.
pub fn names(conn: &Connection) -> Result<(BTreeMap<UserId, String>, BTreeMap<TeamId, String>)> {
    let users = conn
        .prepare_cached("SELECT id, display_name FROM users")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let teams = conn
        .prepare_cached("SELECT id, name FROM teams")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok((users, teams))
}

/// The reply account `account` sends outside business hours, if it has one.
pub fn out_of_hours_reply(
    conn: &Connection,
    account: crate::ids::ChannelAccountId,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT body FROM out_of_hours_replies WHERE account_id = ?1",
            [account],
            |r| r.get(0),
        )
        .optional()?)
}

/// Sets (or with `None` removes) an account's reply outside business hours.
pub fn set_out_of_hours_reply(
    conn: &Connection,
    account: crate::ids::ChannelAccountId,
    body: Option<&str>,
) -> Result<()> {
    match body {
        Some(b) => crate::store::cached::execute(
            conn,
            "INSERT INTO out_of_hours_replies (account_id, body) VALUES (?1, ?2)
             ON CONFLICT (account_id) DO UPDATE SET body = excluded.body",
            params![account, b],
        )?,
        None => crate::store::cached::execute(
            conn,
            "DELETE FROM out_of_hours_replies WHERE account_id = ?1",
            [account],
        )?,
    };
    Ok(())
}

/// Marks that `conversation` got the out-of-hours reply at `at`; false when it already had one.
pub fn claim_out_of_hours_reply(
    conn: &Connection,
    conversation: crate::ids::ConversationId,
    at: Timestamp,
) -> Result<bool> {
    Ok(crate::store::cached::execute(
        conn,
        "UPDATE conversations SET out_of_hours_replied_at = ?2
         WHERE id = ?1 AND out_of_hours_replied_at IS NULL",
        params![conversation, at],
    )? == 1)
}
