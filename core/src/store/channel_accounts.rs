//! SQL for channel accounts: secrets and settings as JSON inside the encrypted store,
//! provider-side state, and approved templates.

use crate::channel::account::{AccountState, ValidAccount};
use crate::channel::template::TemplateView;
use crate::channel::Channel;
use crate::channel::{ChannelAccountView, ChannelConfig, ChannelEndpoint, ChannelSecrets};
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, TeamId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

pub(crate) fn insert(
    conn: &Connection,
    account: &ValidAccount,
    default_team: Option<TeamId>,
    now: Timestamp,
) -> Result<ChannelAccountId> {
    let secrets = Zeroizing::new(serde_json::to_vec(&account.secrets).map_err(storage)?);
    let config = serde_json::to_string(&account.config).map_err(storage)?;
    // A removed account whose history was kept comes back with the new secrets.
    if let Some(id) = crate::store::account_lifecycle::removed_match(
        conn,
        account.channel.as_str(),
        &account.external_id,
    )? {
        let with = crate::store::account_lifecycle::Revival {
            name: &account.name,
            credentials: &secrets,
            config: &config,
            default_team,
        };
        crate::store::account_lifecycle::revive(conn, id, &with)?;
        return Ok(id);
    }
    let exists: bool = crate::store::cached::query_row(
        conn,
        "SELECT count(*) > 0 FROM channel_accounts WHERE kind = ?1 AND external_id = ?2",
        params![account.channel.as_str(), account.external_id],
        |r| r.get(0),
    )?;
    if exists {
        return Err(CoreError::Conflict(
            "This account is already connected; remove it first to change its secrets.".into(),
        ));
    }
    crate::store::cached::execute(conn,
        "INSERT INTO channel_accounts (kind, name, external_id, credentials, config, created_at, default_team_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            account.channel.as_str(),
            account.name,
            account.external_id,
            secrets.as_slice(),
            config,
            now,
            default_team
        ],
    )?;
    Ok(ChannelAccountId::new(conn.last_insert_rowid()))
}

fn storage(e: serde_json::Error) -> CoreError {
    CoreError::Storage(format!("channel settings: {e}"))
}

/// The accounts that have secrets, for the channel runtime and the webhook receiver.
pub fn endpoints(conn: &Connection) -> Result<Vec<ChannelEndpoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, external_id, config, credentials, disabled_at IS NOT NULL FROM channel_accounts
         WHERE length(credentials) > 0 AND kind != 'email' ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, ChannelAccountId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            Zeroizing::new(r.get::<_, Vec<u8>>(4)?),
            r.get::<_, bool>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, external_id, config, credentials, disabled) = row?;
        let Some(channel) = Channel::parse(&kind) else {
            continue;
        };
        let Ok(secrets) = serde_json::from_slice::<ChannelSecrets>(&credentials) else {
            tracing::warn!(
                account = id.get(),
                "channel account secrets unreadable; skipped"
            );
            continue;
        };
        out.push(ChannelEndpoint {
            id,
            channel,
            external_id,
            config: ChannelConfig::from_json(&config),
            secrets,
            disabled,
        });
    }
    Ok(out)
}

/// The channel and settings of one account.
pub fn config_of(conn: &Connection, id: ChannelAccountId) -> Result<(Channel, ChannelConfig)> {
    let (kind, config): (String, String) = conn
        .query_row(
            "SELECT kind, config FROM channel_accounts WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(CoreError::NotFound {
            what: "The channel account",
        })?;
    let channel = Channel::parse(&kind).ok_or(CoreError::NotFound {
        what: "The channel",
    })?;
    Ok((channel, ChannelConfig::from_json(&config)))
}

pub fn state_of(conn: &Connection, id: ChannelAccountId) -> Result<AccountState> {
    let text: Option<String> = conn
        .query_row(
            "SELECT state FROM channel_accounts WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

pub fn set_state(conn: &Connection, id: ChannelAccountId, state: &AccountState) -> Result<()> {
    let text = serde_json::to_string(state).map_err(storage)?;
    crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET state = ?2 WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

/// Changes an account's name, default team and settings (its secrets stay).
pub fn update(
    conn: &Connection,
    id: ChannelAccountId,
    name: &str,
    default_team: Option<TeamId>,
    config: &ChannelConfig,
) -> Result<()> {
    let config = serde_json::to_string(config).map_err(storage)?;
    let changed = crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET name = ?2, default_team_id = ?3, config = ?4 WHERE id = ?1",
        params![id, name, default_team, config],
    )?;
    if changed == 0 {
        return Err(CoreError::NotFound {
            what: "The channel account",
        });
    }
    Ok(())
}

/// The secrets of a connected WhatsApp or Messenger account.
pub fn secrets_of(conn: &Connection, id: ChannelAccountId) -> Result<ChannelSecrets> {
    let credentials: Option<Zeroizing<Vec<u8>>> = conn
        .query_row(
            "SELECT credentials FROM channel_accounts WHERE id = ?1 AND kind != 'email'",
            [id],
            |r| Ok(Zeroizing::new(r.get::<_, Vec<u8>>(0)?)),
        )
        .optional()?;
    let credentials = credentials.ok_or(CoreError::NotFound {
        what: "The channel account",
    })?;
    serde_json::from_slice(&credentials).map_err(|_| {
        CoreError::invalid(
            "access token",
            "this account was never connected; connect it with its secrets first",
        )
    })
}

/// Replaces the secrets of a WhatsApp or Messenger account.
pub fn set_secrets(
    conn: &Connection,
    id: ChannelAccountId,
    secrets: &ChannelSecrets,
) -> Result<()> {
    let credentials = Zeroizing::new(serde_json::to_vec(secrets).map_err(storage)?);
    crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET credentials = ?2 WHERE id = ?1 AND kind != 'email'",
        params![id, credentials.as_slice()],
    )?;
    Ok(())
}

/// Renames an account and sets its default team, leaving its config as it is (a
/// mailbox's servers and signature).
pub fn set_name_and_team(
    conn: &Connection,
    id: ChannelAccountId,
    name: &str,
    default_team: Option<TeamId>,
) -> Result<()> {
    let changed = crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET name = ?2, default_team_id = ?3 WHERE id = ?1",
        params![id, name, default_team],
    )?;
    if changed == 0 {
        return Err(CoreError::NotFound {
            what: "The channel account",
        });
    }
    Ok(())
}

pub fn views(conn: &Connection) -> Result<Vec<ChannelAccountView>> {
    let ids: Vec<ChannelAccountId> = conn
        .prepare_cached(
            "SELECT id FROM channel_accounts WHERE removed_at IS NULL ORDER BY kind, name, id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| view(conn, id)).collect()
}

pub fn view(conn: &Connection, id: ChannelAccountId) -> Result<ChannelAccountView> {
    let (kind, name, external_id, config, credentials, default_team): (
        String,
        String,
        String,
        String,
        Zeroizing<Vec<u8>>,
        Option<TeamId>,
    ) = conn
        .query_row(
            "SELECT kind, name, external_id, config, credentials, default_team_id FROM channel_accounts WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    Zeroizing::new(r.get::<_, Vec<u8>>(4)?),
                    r.get(5)?,
                ))
            },
        )
        .optional()?
        .ok_or(CoreError::NotFound { what: "The channel account" })?;
    let config = ChannelConfig::from_json(&config);
    // A password shows no characters at all, only that one is stored.
    let token_hint = if kind == "email" {
        serde_json::from_slice::<crate::channel::email::EmailSecrets>(&credentials)
            .map(|_| "stored, never shown".to_string())
    } else {
        serde_json::from_slice::<ChannelSecrets>(&credentials).map(|s| s.access_token.hint())
    }
    .unwrap_or_else(|_| "not connected".into());
    let email = if kind == "email" {
        crate::store::mail::account_view(conn, id)?
    } else {
        None
    };
    let state = state_of(conn, id)?;
    let templates: i64 = crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM channel_templates WHERE account_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let (disabled_at, _) = crate::store::account_lifecycle::state(conn, id)?;
    let (require_opt_in, privacy_notice) = crate::store::consent::account_settings(conn, id)?;
    Ok(ChannelAccountView {
        disabled: disabled_at.is_some(),
        check: crate::store::account_lifecycle::check_of(conn, id)?,
        id,
        webhook_path: format!("/webhooks/{kind}"),
        kind,
        name,
        external_id,
        business_account_id: config.business_account_id,
        default_team,
        token_hint,
        human_agent: config.human_agent,
        poll: config.poll,
        read_receipts: config.read_receipts,
        graph_base_url: config.graph_base_url,
        api_version: config.api_version,
        local_storage: state.local_storage,
        templates,
        last_error: state.last_error,
        email,
        out_of_hours_reply: crate::store::reports::out_of_hours_reply(conn, id)?,
        satisfaction_question: crate::store::satisfaction::question(conn, id)?,
        require_opt_in,
        privacy_notice,
    })
}

pub fn replace_templates(
    conn: &Connection,
    id: ChannelAccountId,
    templates: &[TemplateView],
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "DELETE FROM channel_templates WHERE account_id = ?1",
        [id],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO channel_templates (account_id, name, language, category, body, parameters, parts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for t in templates {
        let parts = serde_json::json!({ "header": t.header, "buttons": t.buttons }).to_string();
        stmt.execute(params![
            id,
            t.name,
            t.language,
            t.category,
            t.body,
            t.parameters,
            parts
        ])?;
    }
    Ok(())
}

/// A template's header and buttons as stored; none when unreadable (a newer build's).
#[derive(serde::Deserialize, Default)]
struct TemplateParts {
    #[serde(default)]
    header: Option<crate::channel::template::TemplateHeader>,
    #[serde(default)]
    buttons: Vec<crate::channel::template::TemplateButton>,
}

pub fn templates_of(conn: &Connection, id: ChannelAccountId) -> Result<Vec<TemplateView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, language, category, body, parameters, parts FROM channel_templates
         WHERE account_id = ?1 ORDER BY name, language",
    )?;
    let rows = stmt.query_map([id], |r| {
        let parts: String = r.get(5)?;
        let parts: TemplateParts = serde_json::from_str(&parts).unwrap_or_default();
        Ok(TemplateView {
            name: r.get(0)?,
            language: r.get(1)?,
            category: r.get(2)?,
            body: r.get(3)?,
            parameters: r.get(4)?,
            header: parts.header,
            buttons: parts.buttons,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An account's kind and default team.
pub fn kind_and_team(
    conn: &Connection,
    id: ChannelAccountId,
) -> Result<Option<(String, Option<TeamId>)>> {
    Ok(conn
        .query_row(
            "SELECT kind, default_team_id FROM channel_accounts WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn set_default_team(
    conn: &Connection,
    id: ChannelAccountId,
    team: Option<TeamId>,
) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET default_team_id = ?2 WHERE id = ?1",
        params![id, team],
    )?;
    Ok(())
}

/// Marks an account as sample data (see `ChannelConfig::sample`).
pub fn mark_sample(conn: &Connection, id: ChannelAccountId) -> Result<()> {
    crate::store::cached::execute(conn,
        "UPDATE channel_accounts SET config = json_set(coalesce(nullif(config, ''), '{}'), '$.sample', json('true'))
         WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Whether the workspace already has sample accounts.
pub fn has_sample(conn: &Connection) -> Result<bool> {
    Ok(crate::store::cached::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM channel_accounts WHERE json_extract(config, '$.sample') = 1)",
        [],
        |r| r.get(0),
    )?)
}
