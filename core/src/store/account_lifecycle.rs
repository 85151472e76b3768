//! SQL for an account's life after it is connected: disabled and enabled again, removed
//! with its history kept (secrets wiped, row kept for the conversations that name it) or
//! erased (conversations, messages, notes and the customers who had nothing else), a
//! removed account brought back when it is connected again, and the last "Test
//! connection" report.

use crate::channel::check::{AccountRemoval, CheckStep, ConnectionCheck};
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, ContactId, ConversationId, TeamId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

/// When an account was disabled and when it was removed (both empty: in use).
pub fn state(
    conn: &Connection,
    id: ChannelAccountId,
) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
    crate::store::cached::query_row(
        conn,
        "SELECT disabled_at, removed_at FROM channel_accounts WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or(CoreError::NotFound {
        what: "The channel account",
    })
}

/// Disables the account from `at`, or enables it (`None`).
pub fn set_disabled(conn: &Connection, id: ChannelAccountId, at: Option<Timestamp>) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET disabled_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// The removed account of `kind` with `external_id`, if there is one to bring back.
pub fn removed_match(
    conn: &Connection,
    kind: &str,
    external_id: &str,
) -> Result<Option<ChannelAccountId>> {
    Ok(conn
        .query_row(
            "SELECT id FROM channel_accounts
             WHERE kind = ?1 AND external_id = ?2 AND removed_at IS NOT NULL",
            params![kind, external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// What a removed account is connected again with.
pub struct Revival<'a> {
    pub name: &'a str,
    /// The secrets as stored (JSON, inside the encrypted store).
    pub credentials: &'a [u8],
    /// The settings as stored (JSON).
    pub config: &'a str,
    pub default_team: Option<TeamId>,
}

/// Brings a removed account back with new secrets and settings; its history is still
/// there.
pub fn revive(conn: &Connection, id: ChannelAccountId, with: &Revival<'_>) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE channel_accounts SET name = ?2, credentials = ?3, config = ?4, default_team_id = ?5,
                removed_at = NULL, disabled_at = NULL, state = '{}'
         WHERE id = ?1",
        params![id, with.name, with.credentials, with.config, with.default_team],
    )?;
    Ok(())
}

/// Removes an account and keeps its history: secrets wiped (nothing can be sent or
/// fetched with it, its webhooks find no account), queued provider calls and its last
/// test dropped.
pub fn mark_removed(conn: &Connection, id: ChannelAccountId, now: Timestamp) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET credentials = x'', removed_at = ?2, disabled_at = NULL
         WHERE id = ?1",
        params![id, now],
    )?;
    crate::store::cached::execute(
        conn,
        "DELETE FROM channel_tasks WHERE account_id = ?1",
        [id],
    )?;
    crate::store::cached::execute(
        conn,
        "DELETE FROM connection_checks WHERE account_id = ?1",
        [id],
    )?;
    Ok(())
}

/// Erases an account with its history: every conversation of it (messages, notes,
/// attachments, search entries), the customers left with no conversation anywhere, then
/// the account row (its templates, tasks, set-aside items, folders and tombstones go
/// with it). Search indexes are rewritten so no erased token survives.
pub fn erase(conn: &Connection, id: ChannelAccountId) -> Result<AccountRemoval> {
    let conversations: Vec<(ConversationId, ContactId)> = conn
        .prepare("SELECT id, contact_id FROM conversations WHERE channel_account_id = ?1")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut removal = AccountRemoval {
        erased: true,
        conversations: conversations.len() as i64,
        messages: 0,
        contacts: 0,
    };
    for (conversation, _) in &conversations {
        crate::store::cached::execute(
            conn,
            "DELETE FROM assignments WHERE conversation_id = ?1",
            [conversation],
        )?;
        removal.messages += crate::store::cached::execute(
            conn,
            "DELETE FROM messages WHERE conversation_id = ?1",
            [conversation],
        )? as i64;
        crate::store::cached::execute(
            conn,
            "DELETE FROM notes WHERE conversation_id = ?1",
            [conversation],
        )?;
        crate::store::cached::execute(
            conn,
            "DELETE FROM conversations WHERE id = ?1",
            [conversation],
        )?;
    }
    let mut contacts: Vec<ContactId> = conversations.iter().map(|(_, c)| *c).collect();
    contacts.sort_by_key(|c| c.get());
    contacts.dedup();
    for contact in contacts {
        let still_known: bool = crate::store::cached::query_row(
            conn,
            "SELECT EXISTS (SELECT 1 FROM conversations WHERE contact_id = ?1)",
            [contact],
            |r| r.get(0),
        )?;
        if still_known {
            continue;
        }
        crate::store::merges::erase_merged_into(conn, contact)?;
        crate::store::cached::execute(
            conn,
            "DELETE FROM contacts_fts WHERE rowid = ?1",
            [contact],
        )?;
        crate::store::cached::execute(
            conn,
            "DELETE FROM contact_identities WHERE contact_id = ?1",
            [contact],
        )?;
        crate::store::cached::execute(conn, "DELETE FROM contacts WHERE id = ?1", [contact])?;
        removal.contacts += 1;
    }
    crate::store::cached::execute(conn, "DELETE FROM channel_accounts WHERE id = ?1", [id])?;
    conn.execute_batch(
        "INSERT INTO messages_fts (messages_fts) VALUES ('optimize');
         INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize');",
    )?;
    Ok(removal)
}

/// How many conversations and messages an account holds (kept on removal).
pub fn history_size(conn: &Connection, id: ChannelAccountId) -> Result<(i64, i64)> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT (SELECT count(*) FROM conversations WHERE channel_account_id = ?1),
                (SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
                  WHERE c.channel_account_id = ?1)",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Starts a test: the last report is replaced by an empty, running one.
pub fn start_check(conn: &Connection, id: ChannelAccountId, now: Timestamp) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT INTO connection_checks (account_id, requested_at, finished_at, steps)
         VALUES (?1, ?2, NULL, '[]')
         ON CONFLICT (account_id) DO UPDATE SET requested_at = ?2, finished_at = NULL, steps = '[]'",
        params![id, now],
    )?;
    Ok(())
}

/// Stores what a test found; queued tests of the account are done with it.
pub fn finish_check(
    conn: &Connection,
    id: ChannelAccountId,
    steps: &[CheckStep],
    now: Timestamp,
) -> Result<()> {
    let steps = serde_json::to_string(steps)
        .map_err(|e| CoreError::Storage(format!("connection check: {e}")))?;
    crate::store::cached::execute(
        conn,
        "INSERT INTO connection_checks (account_id, requested_at, finished_at, steps)
         VALUES (?1, ?2, ?2, ?3)
         ON CONFLICT (account_id) DO UPDATE SET finished_at = ?2, steps = ?3",
        params![id, now, steps],
    )?;
    crate::store::cached::execute(conn,
        "UPDATE channel_tasks SET state = 'done' WHERE account_id = ?1 AND kind = 'check' AND state = 'pending'",
        [id],
    )?;
    Ok(())
}

/// The last test of an account, if it was ever tested.
pub fn check_of(conn: &Connection, id: ChannelAccountId) -> Result<Option<ConnectionCheck>> {
    let row: Option<(Timestamp, Option<Timestamp>, String)> = conn
        .query_row(
            "SELECT requested_at, finished_at, steps FROM connection_checks WHERE account_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(
        row.map(|(requested_at, finished_at, steps)| ConnectionCheck {
            requested_at,
            finished_at,
            steps: serde_json::from_str(&steps).unwrap_or_default(),
        }),
    )
}
