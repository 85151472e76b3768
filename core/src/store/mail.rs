//! SQL for the e-mail channel: accounts, per-folder sync state, threading headers,
//! reply-to tokens and mail set aside.

use crate::channel::email::{
    EmailAccountView, EmailConfig, EmailEndpoint, EmailSecrets, MailFolderView, SetAsideView,
    ValidEmailAccount,
};
use crate::channel::mail::{FolderSync, MailApplied, SyncPhase};
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, ConversationId, MessageId, TeamId};
use crate::time::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

fn storage(e: serde_json::Error) -> CoreError {
    CoreError::Storage(format!("e-mail settings: {e}"))
}

/// `messages.external_id` of an e-mail: account and Message-ID, so the same mail in two
/// support mailboxes is two messages, and the same mail twice in one is one.
pub fn external_id(account: ChannelAccountId, header_id: &str) -> String {
    format!("mail:{account}:{header_id}")
}

pub(crate) fn insert_account(
    conn: &Connection,
    account: &ValidEmailAccount,
    default_team: Option<TeamId>,
    now: Timestamp,
) -> Result<ChannelAccountId> {
    let secrets = Zeroizing::new(serde_json::to_vec(&account.secrets).map_err(storage)?);
    let config = serde_json::to_string(&account.config).map_err(storage)?;
    // A removed mailbox whose history was kept comes back with the new settings.
    if let Some(id) =
        crate::store::account_lifecycle::removed_match(conn, "email", &account.config.address)?
    {
        let with = crate::store::account_lifecycle::Revival {
            name: &account.name,
            credentials: &secrets,
            config: &config,
            default_team,
        };
        crate::store::account_lifecycle::revive(conn, id, &with)?;
        crate::store::cached::execute(
            conn,
            "INSERT OR IGNORE INTO mail_folders (account_id, folder) VALUES (?1, ?2)",
            params![id, account.config.folder],
        )?;
        return Ok(id);
    }
    let exists: bool = crate::store::cached::query_row(
        conn,
        "SELECT count(*) > 0 FROM channel_accounts WHERE kind = 'email' AND external_id = ?1",
        [&account.config.address],
        |r| r.get(0),
    )?;
    if exists {
        return Err(CoreError::Conflict(
            "This address is already connected; remove it first to change its settings.".into(),
        ));
    }
    crate::store::cached::execute(conn,
        "INSERT INTO channel_accounts (kind, name, external_id, credentials, config, created_at, default_team_id)
         VALUES ('email', ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            account.name,
            account.config.address,
            secrets.as_slice(),
            config,
            now,
            default_team
        ],
    )?;
    let id = ChannelAccountId::new(conn.last_insert_rowid());
    crate::store::cached::execute(
        conn,
        "INSERT INTO mail_folders (account_id, folder) VALUES (?1, ?2)",
        params![id, account.config.folder],
    )?;
    Ok(id)
}

/// The e-mail settings of one account.
pub fn config_of(conn: &Connection, account: ChannelAccountId) -> Result<EmailConfig> {
    let text: String = conn
        .query_row(
            "SELECT config FROM channel_accounts WHERE id = ?1 AND kind = 'email'",
            [account],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(CoreError::NotFound {
            what: "The e-mail account",
        })?;
    serde_json::from_str(&text).map_err(|_| {
        CoreError::invalid(
            "e-mail account",
            "its settings are incomplete; connect it again",
        )
    })
}

/// The e-mail settings and password of one connected account.
pub fn settings_and_password(
    conn: &Connection,
    account: ChannelAccountId,
) -> Result<(EmailConfig, EmailSecrets)> {
    let config = config_of(conn, account)?;
    let credentials: Zeroizing<Vec<u8>> = Zeroizing::new(crate::store::cached::query_row(
        conn,
        "SELECT credentials FROM channel_accounts WHERE id = ?1 AND kind = 'email'",
        [account],
        |r| r.get(0),
    )?);
    let secrets = serde_json::from_slice::<EmailSecrets>(&credentials).map_err(|_| {
        CoreError::invalid("password", "this mailbox has no password stored; type it")
    })?;
    Ok((config, secrets))
}

/// Replaces a mailbox's settings and password (its name, team and the rest stay).
pub fn update_settings(
    conn: &Connection,
    account: ChannelAccountId,
    config: &EmailConfig,
    secrets: &EmailSecrets,
) -> Result<()> {
    let credentials = Zeroizing::new(
        serde_json::to_vec(secrets)
            .map_err(|_| CoreError::invalid("password", "the password could not be stored"))?,
    );
    let config = serde_json::to_string(config)
        .map_err(|_| CoreError::invalid("e-mail account", "the settings could not be stored"))?;
    crate::store::cached::execute(conn,
        "UPDATE channel_accounts SET config = ?2, credentials = ?3 WHERE id = ?1 AND kind = 'email'",
        rusqlite::params![account, config, credentials.as_slice()],
    )?;
    Ok(())
}

/// Connected e-mail accounts in use (not disabled) with their passwords.
pub fn endpoints(conn: &Connection) -> Result<Vec<EmailEndpoint>> {
    endpoints_where(conn, "disabled_at IS NULL", None)
}

/// One connected mailbox with its password, disabled or not (for "Test connection").
pub fn endpoint_of(conn: &Connection, id: ChannelAccountId) -> Result<Option<EmailEndpoint>> {
    Ok(endpoints_where(conn, "id = ?1", Some(id))?.pop())
}

fn endpoints_where(
    conn: &Connection,
    filter: &str,
    id: Option<ChannelAccountId>,
) -> Result<Vec<EmailEndpoint>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, config, credentials FROM channel_accounts
         WHERE kind = 'email' AND length(credentials) > 0 AND {filter} ORDER BY id"
    ))?;
    let bound: Vec<ChannelAccountId> = id.into_iter().collect();
    let rows = stmt.query_map(rusqlite::params_from_iter(bound), |r| {
        Ok((
            r.get::<_, ChannelAccountId>(0)?,
            r.get::<_, String>(1)?,
            Zeroizing::new(r.get::<_, Vec<u8>>(2)?),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, config, credentials) = row?;
        let (Ok(config), Ok(secrets)) = (
            serde_json::from_str::<EmailConfig>(&config),
            serde_json::from_slice::<EmailSecrets>(&credentials),
        ) else {
            tracing::warn!(
                account = id.get(),
                "e-mail account settings unreadable; skipped"
            );
            continue;
        };
        out.push(EmailEndpoint {
            id,
            config,
            password: secrets.password,
        });
    }
    Ok(out)
}

pub fn folder_state(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
) -> Result<FolderSync> {
    let row: Option<(i64, i64)> = conn
        .query_row(
            "SELECT uidvalidity, uidnext FROM mail_folders WHERE account_id = ?1 AND folder = ?2",
            params![account, folder],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (uidvalidity, uidnext) = row.unwrap_or((0, 1));
    Ok(FolderSync {
        uidvalidity: u32::try_from(uidvalidity).unwrap_or(0),
        uidnext: u32::try_from(uidnext).unwrap_or(1).max(1),
    })
}

fn ensure_folder(conn: &Connection, account: ChannelAccountId, folder: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT OR IGNORE INTO mail_folders (account_id, folder) VALUES (?1, ?2)",
        params![account, folder],
    )?;
    Ok(())
}

pub fn reset_folder(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    uidvalidity: u32,
) -> Result<()> {
    ensure_folder(conn, account, folder)?;
    crate::store::cached::execute(
        conn,
        "UPDATE mail_folders SET uidvalidity = ?3, uidnext = 1, total = 0, done = 0
         WHERE account_id = ?1 AND folder = ?2",
        params![account, folder, uidvalidity],
    )?;
    Ok(())
}

pub fn set_phase(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    phase: SyncPhase<'_>,
    now: Timestamp,
) -> Result<()> {
    ensure_folder(conn, account, folder)?;
    let (state, error) = match phase {
        SyncPhase::Connecting => ("connecting", ""),
        SyncPhase::Syncing { total, done } => {
            crate::store::cached::execute(conn,
                "UPDATE mail_folders SET total = ?3, done = ?4 WHERE account_id = ?1 AND folder = ?2",
                params![account, folder, total as i64, done as i64],
            )?;
            ("syncing", "")
        }
        SyncPhase::Idle => ("idle", ""),
        SyncPhase::Polling => ("polling", ""),
        SyncPhase::Error(reason) => ("error", reason),
    };
    let synced = matches!(phase, SyncPhase::Idle | SyncPhase::Polling);
    crate::store::cached::execute(
        conn,
        "UPDATE mail_folders SET state = ?3,
             last_error = CASE WHEN ?3 = 'error' THEN ?4 WHEN ?5 THEN '' ELSE last_error END,
             synced_at = CASE WHEN ?5 THEN ?6 ELSE synced_at END
         WHERE account_id = ?1 AND folder = ?2",
        params![account, folder, state, error, synced, now],
    )?;
    Ok(())
}

/// Moves `uidnext` forward (never back) and counts `fetched` messages as done.
pub fn advance(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    uidnext: u32,
    fetched: u64,
) -> Result<()> {
    ensure_folder(conn, account, folder)?;
    crate::store::cached::execute(
        conn,
        "UPDATE mail_folders SET uidnext = max(uidnext, ?3), done = done + ?4
         WHERE account_id = ?1 AND folder = ?2",
        params![account, folder, uidnext, fetched as i64],
    )?;
    Ok(())
}

/// How `mail_seen` named mail before content keys: a plain hash of the Message-ID.
fn id_only_hash(header_id: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(header_id.as_bytes()).to_vec()
}

fn seen_hash(conn: &Connection, key: &str) -> Result<Vec<u8>> {
    let secret = crate::store::settings::tombstone_key(conn)?;
    Ok(crate::store::tombstones::keyed_hash(
        &secret,
        &format!("mail:{key}"),
    ))
}

/// Whether the sync has dealt with the mail `key` (Message-ID and content digest, or a
/// hash of unreadable bytes) in this account before. Keyed hashes: no Message-ID or
/// digest can be confirmed from the table.
pub fn seen(conn: &Connection, account: ChannelAccountId, key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) > 0 FROM mail_seen WHERE account_id = ?1 AND id_hash = ?2",
        )?
        .query_row(params![account, seen_hash(conn, key)?], |r| r.get(0))?)
}

/// Whether a mail with this Message-ID was dealt with before mail was keyed by content.
pub fn seen_by_id_only(
    conn: &Connection,
    account: ChannelAccountId,
    header_id: &str,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) > 0 FROM mail_seen WHERE account_id = ?1 AND id_hash = ?2",
        )?
        .query_row(params![account, id_only_hash(header_id)], |r| r.get(0))?)
}

pub fn mark_seen(conn: &Connection, account: ChannelAccountId, key: &str) -> Result<()> {
    crate::store::cached::execute(
        conn,
        "INSERT OR IGNORE INTO mail_seen (account_id, id_hash) VALUES (?1, ?2)",
        params![account, seen_hash(conn, key)?],
    )?;
    Ok(())
}

/// The text of the message stored under `external_id`, if any.
pub fn body_of(conn: &Connection, external_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT body FROM messages WHERE external_id = ?1",
            [external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Whether `address` is an e-mail address of the contact of `conversation`.
pub fn is_contact_address(
    conn: &Connection,
    conversation: ConversationId,
    address: &str,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) > 0 FROM conversations c
             JOIN contact_identities i ON i.contact_id = c.contact_id
             WHERE c.id = ?1 AND i.channel = 'email' AND i.external_id = ?2",
        )?
        .query_row(
            params![conversation, address.trim().to_ascii_lowercase()],
            |r| r.get(0),
        )?)
}

/// Adds one batch to a folder's counts: `offered` mail, of which each was stored (as a
/// message, a bounce or an automatic reply's note), set aside, or a duplicate.
pub fn count(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    offered: u64,
    applied: &MailApplied,
) -> Result<()> {
    let stored = applied.messages + applied.bounces + applied.auto_replies;
    crate::store::cached::execute(
        conn,
        "UPDATE mail_folders SET offered = offered + ?3, stored = stored + ?4,
             set_aside = set_aside + ?5, duplicates = duplicates + ?6
         WHERE account_id = ?1 AND folder = ?2",
        params![
            account,
            folder,
            offered as i64,
            stored as i64,
            applied.set_aside as i64,
            applied.duplicates as i64
        ],
    )?;
    Ok(())
}

/// What [`set_aside`] records.
pub struct Aside<'a> {
    pub reason: &'a str,
    pub from_address: &'a str,
    pub subject: &'a str,
    pub size: u64,
    pub raw: Option<&'a [u8]>,
}

pub fn set_aside(
    conn: &Connection,
    account: ChannelAccountId,
    folder: &str,
    uidvalidity: u32,
    uid: u32,
    aside: &Aside<'_>,
    now: Timestamp,
) -> Result<()> {
    let subject: String = aside.subject.chars().take(300).collect();
    let reason: String = aside.reason.chars().take(500).collect();
    crate::store::cached::execute(conn,
        "INSERT OR IGNORE INTO mail_set_aside
             (account_id, folder, uidvalidity, uid, reason, from_address, subject, size, raw, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            account,
            folder,
            uidvalidity,
            uid,
            reason,
            aside.from_address,
            subject,
            aside.size as i64,
            aside.raw,
            now
        ],
    )?;
    Ok(())
}

pub fn set_aside_views(conn: &Connection, account: ChannelAccountId) -> Result<Vec<SetAsideView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, folder, uid, reason, from_address, subject, size, created_at,
                EXISTS (SELECT 1 FROM channel_tasks t WHERE t.account_id = mail_set_aside.account_id
                          AND t.kind = 'retry_mail' AND t.state = 'pending'
                          AND json_extract(t.payload, '$.id') = mail_set_aside.id)
         FROM mail_set_aside WHERE account_id = ?1 ORDER BY id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map([account], |r| {
        Ok(SetAsideView {
            id: r.get(0)?,
            folder: r.get(1)?,
            uid: r.get(2)?,
            reason: r.get(3)?,
            from_address: r.get(4)?,
            subject: r.get(5)?,
            size: r.get(6)?,
            created_at: r.get(7)?,
            retrying: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Threading headers of one e-mail message.
pub struct Header<'a> {
    pub message: MessageId,
    pub account: ChannelAccountId,
    pub header_id: &'a str,
    pub in_reply_to: &'a [String],
    pub references: &'a [String],
    pub html: Option<&'a str>,
    /// The sender's `Date:` (shown only); `None` for our own replies.
    pub header_date: Option<Timestamp>,
}

pub fn insert_header(conn: &Connection, header: &Header<'_>) -> Result<()> {
    crate::store::cached::execute(conn,
        "INSERT INTO email_messages (message_id, account_id, header_id, in_reply_to, refs, html, header_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            header.message,
            header.account,
            header.header_id,
            header.in_reply_to.join(" "),
            header.references.join(" "),
            header.html,
            header.header_date
        ],
    )?;
    Ok(())
}

/// Our Message-ID (or the mail's) for a stored message.
pub fn header_of(conn: &Connection, message: MessageId) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT header_id FROM email_messages WHERE message_id = ?1",
            [message],
            |r| r.get(0),
        )
        .optional()?)
}

/// The message of this account with Message-ID `header_id`, and its conversation.
pub fn message_by_header(
    conn: &Connection,
    account: ChannelAccountId,
    header_id: &str,
) -> Result<Option<(MessageId, ConversationId)>> {
    Ok(conn
        .query_row(
            "SELECT m.id, m.conversation_id FROM email_messages e JOIN messages m ON m.id = e.message_id
             WHERE e.account_id = ?1 AND e.header_id = ?2 ORDER BY m.id DESC LIMIT 1",
            params![account, header_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// A mail's own id and the ids it names: what a reply to it is threaded by.
pub struct ParentHeader {
    pub id: String,
    pub references: Vec<String>,
    pub in_reply_to: Vec<String>,
}

/// The newest customer mail of a conversation.
pub fn last_inbound_header(
    conn: &Connection,
    conversation: ConversationId,
) -> Result<Option<ParentHeader>> {
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT e.header_id, e.refs, e.in_reply_to FROM email_messages e JOIN messages m ON m.id = e.message_id
             WHERE m.conversation_id = ?1 AND m.direction = 'in' ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            [conversation],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let split = |s: &str| s.split_whitespace().map(str::to_string).collect();
    Ok(row.map(|(id, refs, irt)| ParentHeader {
        id,
        references: split(&refs),
        in_reply_to: split(&irt),
    }))
}

/// The newest mail of a conversation from `sender`: its message, text and time.
pub fn last_text_from(
    conn: &Connection,
    conversation: ConversationId,
    sender: &str,
) -> Result<Option<(MessageId, String, Timestamp)>> {
    Ok(conn
        .query_row(
            "SELECT m.id, m.body, m.created_at FROM messages m
             JOIN email_addresses a ON a.message_id = m.id AND a.role = 'from' AND a.address = ?2
             WHERE m.conversation_id = ?1 AND m.direction = 'in'
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
            params![conversation, sender],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// The conversation's reply-to token, made on first use.
pub fn thread_token(conn: &Connection, conversation: ConversationId) -> Result<String> {
    let existing: Option<String> = conn
        .query_row(
            "SELECT token FROM email_threads WHERE conversation_id = ?1",
            [conversation],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(token) = existing {
        return Ok(token);
    }
    let token = crate::secret::random_token(16);
    crate::store::cached::execute(
        conn,
        "INSERT INTO email_threads (conversation_id, token) VALUES (?1, ?2)",
        params![conversation, token],
    )?;
    Ok(token)
}

pub fn conversation_by_token(
    conn: &Connection,
    account: ChannelAccountId,
    token: &str,
) -> Result<Option<ConversationId>> {
    Ok(conn
        .query_row(
            "SELECT t.conversation_id FROM email_threads t JOIN conversations c ON c.id = t.conversation_id
             WHERE t.token = ?1 AND c.channel_account_id = ?2",
            params![token.to_ascii_lowercase(), account],
            |r| r.get(0),
        )
        .optional()?)
}

/// The e-mail part of an account's admin view.
pub fn account_view(
    conn: &Connection,
    account: ChannelAccountId,
) -> Result<Option<EmailAccountView>> {
    let Ok(config) = config_of(conn, account) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT folder, state, total, done, last_error, synced_at, offered, stored, set_aside, duplicates
         FROM mail_folders
         WHERE account_id = ?1 ORDER BY folder",
    )?;
    let folders = stmt
        .query_map([account], |r| {
            Ok(MailFolderView {
                folder: r.get(0)?,
                state: r.get(1)?,
                total: r.get(2)?,
                done: r.get(3)?,
                last_error: r.get(4)?,
                synced_at: r.get(5)?,
                offered: r.get(6)?,
                stored: r.get(7)?,
                set_aside: r.get(8)?,
                duplicates: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let set_aside: i64 = crate::store::cached::query_row(
        conn,
        "SELECT count(*) FROM mail_set_aside WHERE account_id = ?1",
        [account],
        |r| r.get(0),
    )?;
    Ok(Some(EmailAccountView {
        imap: config.imap.describe(),
        smtp: config.smtp.describe(),
        address: config.address,
        folder: config.folder,
        sent_folder: config.sent_folder,
        folders,
        set_aside,
        signature: config.signature,
    }))
}

/// Rewrites an e-mail account's public settings.
pub fn set_config(
    conn: &Connection,
    account: ChannelAccountId,
    config: &EmailConfig,
) -> Result<()> {
    let text = serde_json::to_string(config).map_err(storage)?;
    crate::store::cached::execute(
        conn,
        "UPDATE channel_accounts SET config = ?2 WHERE id = ?1 AND kind = 'email'",
        params![account, text],
    )?;
    Ok(())
}

/// The sanitised HTML of an e-mail message (`None` when it had only text).
pub fn html_of(conn: &Connection, message: MessageId) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT html FROM email_messages WHERE message_id = ?1",
            [message],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}
