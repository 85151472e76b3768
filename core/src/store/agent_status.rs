//! SQL for each person's status over time (available, away, offline), kept for reports:
//! [`sync`] writes a row when the status a person has now differs from their last one,
//! and is called wherever a session starts, locks or ends and where availability is set.

use crate::error::Result;
use crate::ids::UserId;
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// Records `user`'s status now if it changed: offline without an active session, else
/// their chosen availability.
pub fn sync(conn: &Connection, user: UserId, now: Timestamp) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT INTO agent_status_changes (user_id, status, at)
         SELECT u.id,
                CASE WHEN EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.stage = 'active')
                     THEN u.availability ELSE 'offline' END AS now_status,
                ?2
         FROM users u WHERE u.id = ?1
           AND now_status IS NOT coalesce((SELECT c.status FROM agent_status_changes c
                                           WHERE c.user_id = u.id ORDER BY c.at DESC, c.id DESC LIMIT 1),
                                          'offline')",
        params![user, now],
    )?;
    Ok(())
}

/// The user of session `id`, if it exists.
pub fn user_of_session(conn: &Connection, id: i64) -> Result<Option<UserId>> {
    // A pending sign-in of a username nobody has has no user.
    Ok(conn
        .query_row("SELECT user_id FROM sessions WHERE id = ?1", [id], |r| {
            r.get::<_, Option<UserId>>(0)
        })
        .optional()?
        .flatten())
}

/// Every status change before `to` of the given users (`None`: everyone), with the last
/// one before `from` for each (their status when the range starts), oldest first.
pub fn changes(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    users: Option<&[UserId]>,
) -> Result<Vec<(UserId, String, Timestamp)>> {
    let filter = match users {
        None => String::new(),
        Some(ids) => format!(
            "AND c.user_id IN ({})",
            ids.iter()
                .map(|u| u.get().to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let sql = format!(
        "SELECT c.user_id, c.status, c.at FROM agent_status_changes c
         WHERE c.at < ?2 {filter}
           AND (c.at >= ?1 OR c.id = (SELECT p.id FROM agent_status_changes p
                                      WHERE p.user_id = c.user_id AND p.at < ?1
                                      ORDER BY p.at DESC, p.id DESC LIMIT 1))
         ORDER BY c.at, c.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The members of `teams`.
pub fn members_of(conn: &Connection, teams: &[crate::ids::TeamId]) -> Result<Vec<UserId>> {
    let mut stmt =
        conn.prepare_cached("SELECT DISTINCT user_id FROM team_members WHERE team_id = ?1")?;
    let mut out = Vec::new();
    for team in teams {
        for user in stmt.query_map([team], |r| r.get::<_, UserId>(0))? {
            let user = user?;
            if !out.contains(&user) {
                out.push(user);
            }
        }
    }
    Ok(out)
}

/// Deletes status changes before `cutoff`, keeping each person's last one before it (their
/// status when the kept history starts). Returns how many went.
pub fn purge_before(conn: &Connection, cutoff: Timestamp) -> Result<usize> {
    Ok(crate::store::cached::execute(
        conn,
        "DELETE FROM agent_status_changes
         WHERE at < ?1 AND id <> (SELECT p.id FROM agent_status_changes p
                                  WHERE p.user_id = agent_status_changes.user_id AND p.at < ?1
                                  ORDER BY p.at DESC, p.id DESC LIMIT 1)",
        [cutoff],
    )?)
}
