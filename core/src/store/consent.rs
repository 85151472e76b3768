//! SQL for consent: per customer and channel (`contact_consent`), the accounts' consent
//! settings (`account_consent`) and who got an account's privacy notice
//! (`privacy_notices_sent`).

use crate::channel::Channel;
use crate::error::Result;
use crate::ids::{ChannelAccountId, ContactId, UserId};
use crate::privacy::consent::{ConsentSource, ConsentState};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// One stored consent: channel, state, source, when, by whom (an agent's name).
pub struct ConsentRow {
    pub channel: String,
    pub state: ConsentState,
    pub source: ConsentSource,
    pub at: Timestamp,
    pub by: Option<String>,
}

/// Records `state` for `contact` on `channel` (replacing what was there).
pub fn record(
    conn: &Connection,
    contact: ContactId,
    channel: Channel,
    state: ConsentState,
    source: ConsentSource,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO contact_consent (contact_id, channel, state, source, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (contact_id, channel) DO UPDATE SET state = excluded.state,
             source = excluded.source, recorded_at = excluded.recorded_at,
             recorded_by = excluded.recorded_by",
    )?
    .execute(params![
        contact,
        channel.as_str(),
        state.as_str(),
        source.as_str(),
        now,
        by
    ])?;
    Ok(())
}

/// The consent of `contact` per channel, newest record per channel, counting contacts
/// merged into it (their records moved with their conversations in all but the row).
pub fn of_contact(conn: &Connection, contact: ContactId) -> Result<Vec<ConsentRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.channel, c.state, c.source, c.recorded_at, u.display_name
         FROM contact_consent c LEFT JOIN users u ON u.id = c.recorded_by
         WHERE c.contact_id = ?1 OR c.contact_id IN (SELECT id FROM contacts WHERE merged_into = ?1)
         ORDER BY c.channel, c.recorded_at DESC",
    )?;
    let rows = stmt.query_map([contact], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Timestamp>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out: Vec<ConsentRow> = Vec::new();
    for row in rows {
        let (channel, state, source, at, by) = row?;
        if out.iter().any(|o| o.channel == channel) {
            continue;
        }
        if let (Some(state), Some(source)) =
            (ConsentState::parse(&state), ConsentSource::parse(&source))
        {
            out.push(ConsentRow {
                channel,
                state,
                source,
                at,
                by,
            });
        }
    }
    Ok(out)
}

/// The consent of `contact` on `channel`, if recorded.
pub fn state_of(
    conn: &Connection,
    contact: ContactId,
    channel: Channel,
) -> Result<Option<ConsentState>> {
    Ok(of_contact(conn, contact)?
        .into_iter()
        .find(|r| r.channel == channel.as_str())
        .map(|r| r.state))
}

/// An account's consent settings: templates only after opt-in, and its privacy notice.
pub fn account_settings(
    conn: &Connection,
    account: ChannelAccountId,
) -> Result<(bool, Option<String>)> {
    Ok(conn
        .prepare_cached(
            "SELECT require_opt_in, privacy_notice FROM account_consent WHERE account_id = ?1",
        )?
        .query_row([account], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((false, None)))
}

pub fn set_account_settings(
    conn: &Connection,
    account: ChannelAccountId,
    require_opt_in: bool,
    privacy_notice: Option<&str>,
) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT INTO account_consent (account_id, require_opt_in, privacy_notice) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET require_opt_in = excluded.require_opt_in,
             privacy_notice = excluded.privacy_notice",
        params![account, require_opt_in, privacy_notice],
    )?;
    Ok(())
}

/// Marks the privacy notice of `account` as sent to `contact`; false when it already was.
pub fn claim_notice(
    conn: &Connection,
    account: ChannelAccountId,
    contact: ContactId,
    now: Timestamp,
) -> Result<bool> {
    Ok(crate::store::cached::execute(conn,
        "INSERT OR IGNORE INTO privacy_notices_sent (account_id, contact_id, sent_at) VALUES (?1, ?2, ?3)",
        params![account, contact, now],
    )? == 1)
}
