//! SQL for SLA policies and clocks: a team's policy and its targets per channel and
//! label, each conversation's clock that runs
//! out first (kept in `conversations.sla_*` by [`refresh`] after every change that moves
//! it), the warnings and breaches due now, and each one recorded once.

use crate::error::Result;
use crate::ids::{ConversationId, TeamId, UserId};
use crate::reports::sla::{first_due, ClockFacts, SlaPolicy, SlaTarget};
use crate::reports::sla_scope::{effective, SlaOverride, SlaScope};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::BTreeMap;

fn policy_row(r: &Row<'_>, at: usize) -> rusqlite::Result<SlaPolicy> {
    Ok(SlaPolicy {
        first_response_minutes: r.get(at)?,
        next_response_minutes: r.get(at + 1)?,
        resolution_minutes: r.get(at + 2)?,
    })
}

/// A team's policy, if it has one.
pub fn policy(conn: &Connection, team: TeamId) -> Result<Option<SlaPolicy>> {
    Ok(conn
        .query_row(
            "SELECT first_response_minutes, next_response_minutes, resolution_minutes
             FROM sla_policies WHERE team_id = ?1",
            [team],
            |r| policy_row(r, 0),
        )
        .optional()?)
}

/// Every team's policy.
pub fn all_policies(conn: &Connection) -> Result<std::collections::BTreeMap<TeamId, SlaPolicy>> {
    let mut stmt = conn.prepare_cached(
        "SELECT team_id, first_response_minutes, next_response_minutes, resolution_minutes
         FROM sla_policies",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, TeamId>(0)?, policy_row(r, 1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets (or with `None`, or a policy without targets, removes) a team's policy.
pub fn set_policy(
    conn: &Connection,
    team: TeamId,
    policy: Option<&SlaPolicy>,
    now: Timestamp,
) -> Result<()> {
    match policy.filter(|p| !p.is_empty()) {
        Some(p) => {
            crate::store::cached::execute(
                conn,
                "INSERT INTO sla_policies (team_id, first_response_minutes, next_response_minutes,
                     resolution_minutes, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (team_id) DO UPDATE SET
                     first_response_minutes = excluded.first_response_minutes,
                     next_response_minutes = excluded.next_response_minutes,
                     resolution_minutes = excluded.resolution_minutes,
                     updated_at = excluded.updated_at",
                params![
                    team,
                    p.first_response_minutes,
                    p.next_response_minutes,
                    p.resolution_minutes,
                    now
                ],
            )?;
        }
        None => {
            crate::store::cached::execute(
                conn,
                "DELETE FROM sla_policies WHERE team_id = ?1",
                [team],
            )?;
        }
    }
    Ok(())
}

/// A stored refinement's scope and targets (`at`: the channel column, then the label's
/// name, then the three targets).
fn override_row(r: &Row<'_>, at: usize) -> rusqlite::Result<SlaOverride> {
    let channel: Option<String> = r.get(at)?;
    let label: Option<String> = r.get(at + 1)?;
    Ok(SlaOverride {
        scope: match channel {
            Some(c) => SlaScope::Channel(c),
            None => SlaScope::Label(label.unwrap_or_default()),
        },
        policy: policy_row(r, at + 2)?,
    })
}

const OVERRIDE_COLUMNS: &str = "o.channel, l.name, o.first_response_minutes,
     o.next_response_minutes, o.resolution_minutes";

/// A team's targets per channel and label, channels first.
pub fn overrides_of(conn: &Connection, team: TeamId) -> Result<Vec<SlaOverride>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OVERRIDE_COLUMNS} FROM sla_overrides o LEFT JOIN labels l ON l.id = o.label_id
         WHERE o.team_id = ?1 ORDER BY o.channel IS NULL, o.channel, l.name"
    ))?;
    let rows = stmt.query_map([team], |r| override_row(r, 0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every team's targets per channel and label.
pub fn all_overrides(conn: &Connection) -> Result<BTreeMap<TeamId, Vec<SlaOverride>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT o.team_id, {OVERRIDE_COLUMNS} FROM sla_overrides o
         LEFT JOIN labels l ON l.id = o.label_id"
    ))?;
    let mut out: BTreeMap<TeamId, Vec<SlaOverride>> = BTreeMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, TeamId>(0)?, override_row(r, 1)?)))?;
    for row in rows {
        let (team, o) = row?;
        out.entry(team).or_default().push(o);
    }
    Ok(out)
}

/// Sets (or with `None` or no targets, removes) a team's targets for one channel or
/// label; a label named for the first time is created.
pub fn set_override(
    conn: &Connection,
    team: TeamId,
    scope: &SlaScope,
    policy: Option<&SlaPolicy>,
    now: Timestamp,
) -> Result<()> {
    let (channel, label): (Option<&str>, Option<i64>) = match scope {
        SlaScope::Channel(c) => (Some(c), None),
        SlaScope::Label(name) => {
            crate::store::cached::execute(
                conn,
                "INSERT OR IGNORE INTO labels (name) VALUES (?1)",
                [name],
            )?;
            let id = crate::store::cached::query_row(
                conn,
                "SELECT id FROM labels WHERE name = ?1",
                [name],
                |r| r.get(0),
            )?;
            (None, Some(id))
        }
    };
    crate::store::cached::execute(
        conn,
        "DELETE FROM sla_overrides WHERE team_id = ?1 AND channel IS ?2 AND label_id IS ?3",
        params![team, channel, label],
    )?;
    if let Some(p) = policy.filter(|p| !p.is_empty()) {
        crate::store::cached::execute(
            conn,
            "INSERT INTO sla_overrides (team_id, channel, label_id, first_response_minutes,
                 next_response_minutes, resolution_minutes, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                team,
                channel,
                label,
                p.first_response_minutes,
                p.next_response_minutes,
                p.resolution_minutes,
                now
            ],
        )?;
    }
    Ok(())
}

/// The targets conversation `id` keeps: its team's policy refined by its channel and
/// labels. `None` without a team or when nothing sets a target.
fn targets_of(
    conn: &Connection,
    id: ConversationId,
    team: TeamId,
    channel: &str,
) -> Result<Option<SlaPolicy>> {
    let team_policy = policy(conn, team)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OVERRIDE_COLUMNS} FROM sla_overrides o LEFT JOIN labels l ON l.id = o.label_id
         WHERE o.team_id = ?1 AND (o.channel = ?2 OR o.label_id IN
             (SELECT label_id FROM conversation_labels WHERE conversation_id = ?3))"
    ))?;
    let refined = stmt
        .query_map(params![team, channel, id], |r| override_row(r, 0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let channel_policy = refined
        .iter()
        .find(|o| matches!(o.scope, SlaScope::Channel(_)))
        .map(|o| &o.policy);
    let labels: Vec<SlaPolicy> = refined
        .iter()
        .filter(|o| matches!(o.scope, SlaScope::Label(_)))
        .map(|o| o.policy)
        .collect();
    Ok(effective(team_policy.as_ref(), channel_policy, &labels))
}

/// Recomputes the clock of conversation `id` from its row, the targets of its team,
/// channel and labels, and the team's hours. One indexed read when its team has no
/// targets at all.
pub fn refresh(conn: &Connection, id: ConversationId) -> Result<()> {
    let found = conn
        .query_row(
            "SELECT c.status, c.team_id, c.created_at, c.first_reply_at, c.awaiting_since, a.kind
             FROM conversations c JOIN channel_accounts a ON a.id = c.channel_account_id
             WHERE c.id = ?1
               AND (EXISTS (SELECT 1 FROM sla_policies p WHERE p.team_id = c.team_id)
                    OR EXISTS (SELECT 1 FROM sla_overrides o WHERE o.team_id = c.team_id))",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)? == "resolved",
                    r.get::<_, TeamId>(1)?,
                    r.get::<_, Timestamp>(2)?,
                    r.get::<_, Option<Timestamp>>(3)?,
                    r.get::<_, Option<Timestamp>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )
        .optional()?;
    let found = match found {
        Some((resolved, team, created_at, first_reply_at, awaiting_since, channel)) => {
            targets_of(conn, id, team, &channel)?.map(|policy| {
                (
                    resolved,
                    team,
                    created_at,
                    first_reply_at,
                    awaiting_since,
                    policy,
                )
            })
        }
        None => None,
    };
    let clock = match found {
        None => None,
        Some((resolved, team, created_at, first_reply_at, awaiting_since, policy)) => {
            let reopened_at = if resolved {
                None
            } else {
                crate::store::cached::query_row(
                    conn,
                    "SELECT max(at) FROM status_changes
                     WHERE conversation_id = ?1 AND from_status = 'resolved'",
                    [id],
                    |r| r.get::<_, Option<Timestamp>>(0),
                )?
            };
            let hours = crate::store::reports::hours_of(conn, team)?.and_then(|h| h.checked().ok());
            let facts = ClockFacts {
                resolved,
                created_at,
                first_reply_at,
                awaiting_since,
                reopened_at,
            };
            first_due(&facts, &policy, hours.as_ref())
        }
    };
    crate::store::cached::execute(
        conn,
        "UPDATE conversations SET sla_target = ?2, sla_warn_at = ?3, sla_due_at = ?4,
             sla_started_at = ?5
         WHERE id = ?1 AND (sla_target IS NOT ?2 OR sla_warn_at IS NOT ?3 OR sla_due_at IS NOT ?4
                            OR sla_started_at IS NOT ?5)",
        params![
            id,
            clock.map(|c| c.target.as_str()),
            clock.map(|c| c.warn_at),
            clock.map(|c| c.due_at),
            clock.map(|c| c.started_at)
        ],
    )?;
    Ok(())
}

/// Recomputes the clocks of a team's conversations that are not resolved, and clears the
/// clocks of those that are (after its policy or hours changed); returns how many.
pub fn refresh_team(conn: &Connection, team: TeamId) -> Result<usize> {
    let ids: Vec<ConversationId> = {
        let mut stmt = conn.prepare(
            "SELECT id FROM conversations
             WHERE team_id = ?1 AND (status != 'resolved' OR sla_due_at IS NOT NULL)",
        )?;
        let rows = stmt.query_map([team], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for &id in &ids {
        refresh(conn, id)?;
    }
    Ok(ids.len())
}

/// A warning or breach that is due and not yet recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DueAlert {
    pub conversation: ConversationId,
    pub team: Option<TeamId>,
    pub assignee: Option<UserId>,
    pub target: SlaTarget,
    pub started_at: Timestamp,
    pub due_at: Timestamp,
    pub breach: bool,
}

/// Breaches (due at or before `now`) and warnings (warn time passed, due still ahead)
/// not yet recorded, at most `limit`.
pub fn due_alerts(conn: &Connection, now: Timestamp, limit: i64) -> Result<Vec<DueAlert>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.team_id, c.assignee_id, c.sla_target, c.sla_started_at, c.sla_due_at, 1
         FROM conversations c
         WHERE c.sla_due_at <= ?1 AND NOT EXISTS (
             SELECT 1 FROM sla_alerts s WHERE s.conversation_id = c.id
               AND s.target = c.sla_target AND s.started_at = c.sla_started_at
               AND s.stage = 'breach')
         UNION ALL
         SELECT c.id, c.team_id, c.assignee_id, c.sla_target, c.sla_started_at, c.sla_due_at, 0
         FROM conversations c
         WHERE c.sla_warn_at <= ?1 AND c.sla_due_at > ?1 AND NOT EXISTS (
             SELECT 1 FROM sla_alerts s WHERE s.conversation_id = c.id
               AND s.target = c.sla_target AND s.started_at = c.sla_started_at
               AND s.stage IN ('warning', 'breach'))
         LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit], |r| {
        let target: String = r.get(3)?;
        Ok((
            r.get::<_, ConversationId>(0)?,
            r.get::<_, Option<TeamId>>(1)?,
            r.get::<_, Option<UserId>>(2)?,
            target,
            r.get::<_, Timestamp>(4)?,
            r.get::<_, Timestamp>(5)?,
            r.get::<_, bool>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (conversation, team, assignee, target, started_at, due_at, breach) = row?;
        if let Some(target) = SlaTarget::parse(&target) {
            out.push(DueAlert {
                conversation,
                team,
                assignee,
                target,
                started_at,
                due_at,
                breach,
            });
        }
    }
    Ok(out)
}

/// Records `alert` at `now`; `false` when it was recorded before.
pub fn record_alert(conn: &Connection, alert: &DueAlert, now: Timestamp) -> Result<bool> {
    let added = crate::store::cached::execute(
        conn,
        "INSERT OR IGNORE INTO sla_alerts
             (conversation_id, target, started_at, stage, due_at, team_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            alert.conversation,
            alert.target.as_str(),
            alert.started_at,
            if alert.breach { "breach" } else { "warning" },
            alert.due_at,
            alert.team,
            now
        ],
    )?;
    Ok(added == 1)
}

/// The leads of `team`, who are told of its breaches.
pub fn leads_of(conn: &Connection, team: TeamId) -> Result<Vec<UserId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id FROM team_members m JOIN users u ON u.id = m.user_id
         WHERE m.team_id = ?1 AND u.role = 'lead' AND u.disabled = 0 ORDER BY u.id",
    )?;
    let rows = stmt.query_map([team], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
