//! Transaction steps more than one service module takes: storing an inbound message,
//! moving a conversation, a message's view and status changes, a reply's mail headers,
//! connecting a channel account, the reply outside business hours (`out_of_hours`),
//! satisfaction surveys and their answers (`satisfaction`). Each
//! runs inside the caller's transaction and returns
//! the events to publish after the commit. Service modules call these, never each
//! other's private helpers; this module calls no other service module.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::event::status_rank;
use crate::channel::mail::{reply_references, reply_subject, ReplyHeaders};
use crate::channel::{Channel, ChannelAccountView, Direction, InboundAttachment};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, MessageId, TeamId, UserId};
use crate::privacy::egress::EgressPolicy;
use crate::secret::SessionToken;
use crate::service::inbox::{AttachmentInfo, MessageView};
use crate::store::conversations::{self as conv_store, ConversationRowData};
use crate::store::messages::{self, NewMessage};
use crate::store::{
    channel_accounts, contacts, mail as mail_store, message_status, settings, users as user_store,
};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

mod out_of_hours;
mod privacy_notice;
pub(crate) mod satisfaction;

/// A trimmed, non-empty text of at most `max` characters.
pub(crate) fn check_text(field: &'static str, text: &str, max: usize) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::invalid(field, "write something first"));
    }
    if text.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format!("keep it under {max} characters"),
        ));
    }
    Ok(text.to_string())
}

/// Masks payment data in `text` when the workspace masks it; says whether it did.
pub(crate) fn mask_if(masking: bool, text: &str) -> (String, bool) {
    if masking {
        crate::privacy::mask::mask_sensitive(text)
    } else {
        (text.to_string(), false)
    }
}

// ---- Connecting a channel account ----

/// Who connects an account, to which team, and what the audit row says about it.
pub(crate) struct Connect<'a> {
    pub by: UserId,
    pub default_team: Option<TeamId>,
    pub audit_detail: serde_json::Value,
    /// Refuses the account when the workspace's allowlist does not cover its servers.
    pub egress: &'a dyn Fn(&EgressPolicy) -> Result<()>,
}

/// The connect path every kind of account takes: the team must exist, the servers must
/// be allowed, then `insert` stores the account and the connection is audited.
pub(crate) fn connect_account(
    tx: &Connection,
    connect: &Connect<'_>,
    insert: impl FnOnce(&Connection) -> Result<ChannelAccountId>,
    now: Timestamp,
) -> Result<ChannelAccountId> {
    if let Some(team) = connect.default_team {
        if !user_store::team_exists(tx, team)? {
            return Err(CoreError::NotFound { what: "The team" });
        }
    }
    (connect.egress)(&settings::egress_policy(tx)?)?;
    let id = insert(tx)?;
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ChannelAccountAdded,
            Some(connect.by),
            format!("channel_account:{id}"),
            now,
        )
        .detail(connect.audit_detail.clone()),
    )?;
    Ok(id)
}

/// An account as an admin asked for it, checked: what [`connect_account`] needs.
pub(crate) struct Checked<V> {
    pub valid: V,
    pub default_team: Option<TeamId>,
    pub audit_detail: serde_json::Value,
}

/// The admin call for accounts with secrets (Meta, mail): the caller's role is checked,
/// then `check` validates the request, and [`connect_account`] runs `egress` and
/// `insert`. Answers with the account's view; the channel screens are told.
pub(crate) fn connect_with_view<V>(
    ws: &Workspace,
    token: &SessionToken,
    now: Timestamp,
    check: impl FnOnce() -> Result<Checked<V>>,
    egress: impl Fn(&V, &EgressPolicy) -> Result<()>,
    insert: impl FnOnce(&Connection, &V) -> Result<ChannelAccountId>,
) -> Result<ChannelAccountView> {
    let caller = ws.authorize(token, now, Role::Admin, "connect channel accounts")?;
    let checked = check()?;
    let connect = Connect {
        by: caller.user,
        default_team: checked.default_team,
        audit_detail: checked.audit_detail,
        egress: &|policy| egress(&checked.valid, policy),
    };
    let view = ws.store.write(|tx| {
        let id = connect_account(tx, &connect, |tx| insert(tx, &checked.valid), now)?;
        channel_accounts::view(tx, id)
    })?;
    ws.publish(Event::ChannelsChanged);
    Ok(view)
}

/// No host check (accounts whose servers are not known yet).
pub(crate) fn any_host(_: &EgressPolicy) -> Result<()> {
    Ok(())
}

// ---- Ingest ----

/// A customer's message as an adapter parsed it.
pub struct InboundMessage<'a> {
    pub account: ChannelAccountId,
    pub contact_external_id: &'a str,
    pub contact_name: &'a str,
    /// The channel's id for the message (WhatsApp `id`, Messenger `mid`, Message-ID).
    pub external_id: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
    pub sent_at: Timestamp,
    /// The id of the button or list row the customer tapped, if they tapped one.
    pub choice: Option<&'a str>,
    /// Files the provider announced with it, fetched later (WhatsApp and Messenger media).
    pub has_media: bool,
    pub attachments: Vec<InboundAttachment>,
}

impl std::fmt::Debug for InboundMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboundMessage")
            .field("account", &self.account)
            .field("attachments", &self.attachments.len())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ingested {
    pub conversation: ConversationId,
    pub message: MessageId,
    pub duplicate: bool,
    pub new_conversation: bool,
    pub assigned_to: Option<UserId>,
}

/// Which conversation an inbound message joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Thread {
    /// Chat channels: the contact's open conversation, or a new one.
    OpenForContact,
    /// E-mail threaded by its headers or reply-to token (reopened if resolved).
    Existing(ConversationId),
    /// E-mail that starts a new thread.
    New,
}

/// Round robin among available, enabled members of `team` with fewer than `cap` open
/// conversations, starting after the one chosen last time.
fn pick_agent(conn: &Connection, team: TeamId, cap: i64) -> Result<Option<UserId>> {
    let candidates = user_store::auto_assign_candidates(conn, team)?;
    let last = settings::round_robin_last(conn, team)?;
    let eligible: Vec<UserId> = candidates
        .iter()
        .filter(|(_, open)| *open < cap)
        .map(|(u, _)| *u)
        .collect();
    let chosen = eligible
        .iter()
        .find(|u| u.get() > last)
        .or_else(|| eligible.first())
        .copied();
    if let Some(user) = chosen {
        settings::set_round_robin_last(conn, team, user)?;
    }
    Ok(chosen)
}

/// Whether the message `external_id` of `account` was erased on request: a tombstone
/// says so, and a re-delivery (Meta's retry, a Messenger poll) is not stored again.
/// Ingest calls this before storing a channel's message; it counts as a duplicate.
pub(crate) fn erased_before(
    tx: &Connection,
    account: ChannelAccountId,
    external_id: &str,
) -> Result<bool> {
    crate::store::tombstones::is_erased(tx, account, external_id)
}

/// The message already stored for this one: the same provider id in the same account
/// (and so the same channel). The same id in another account is another message.
fn earlier_copy(tx: &Connection, message: &InboundMessage<'_>) -> Result<Option<Ingested>> {
    let Some(ext) = message.external_id else {
        return Ok(None);
    };
    Ok(
        message_status::in_account_by_external_id(tx, message.account, ext)?.map(
            |(message, conversation)| Ingested {
                conversation,
                message,
                duplicate: true,
                new_conversation: false,
                assigned_to: None,
            },
        ),
    )
}

/// Stores the customer's `message` in `conversation`, payment data masked before it
/// reaches the table or the search index; returns its id and the text as stored.
pub(crate) fn insert_inbound(
    tx: &Connection,
    conversation: ConversationId,
    message: &InboundMessage<'_>,
) -> Result<(MessageId, String)> {
    let (body, masked) = mask_if(settings::masking(tx)?, message.body);
    let id = messages::insert_message(
        tx,
        &NewMessage {
            conversation,
            external_id: message.external_id,
            direction: Direction::In,
            body: &body,
            created_at: message.sent_at,
        },
    )?;
    if masked {
        conv_store::set_message_masked(tx, id)?;
    }
    Ok((id, body))
}

/// Stores one inbound message inside `tx` in the contact's open conversation; the caller
/// publishes the returned events after the commit.
pub(crate) fn ingest_in(
    tx: &Connection,
    message: &InboundMessage<'_>,
    now: Timestamp,
) -> Result<(Ingested, Vec<Event>)> {
    ingest_into(tx, message, Thread::OpenForContact, now)
}

/// [`ingest_in`] with the conversation chosen by the caller.
pub(crate) fn ingest_into(
    tx: &Connection,
    message: &InboundMessage<'_>,
    thread: Thread,
    now: Timestamp,
) -> Result<(Ingested, Vec<Event>)> {
    if message.body.chars().count() > 100_000 {
        return Err(CoreError::invalid(
            "message",
            "longer than 100,000 characters",
        ));
    }
    // The keyword lists are read only for a message short enough to be one.
    let keywords = if crate::privacy::consent::may_be_keyword(message.body) {
        settings::consent_keywords(tx)?
    } else {
        Vec::new()
    };
    let keyword = crate::privacy::consent::keyword_in(message.subject, message.body, &keywords);
    // An e-mail subject is customer text too: masked like the body before it is stored.
    let subject = mask_if(settings::masking(tx)?, message.subject).0;
    if let Some(ingested) = earlier_copy(tx, message)? {
        return Ok((ingested, Vec::new()));
    }
    let (kind, default_team) =
        channel_accounts::kind_and_team(tx, message.account)?.ok_or(CoreError::NotFound {
            what: "The channel account",
        })?;
    let channel = Channel::parse(&kind).ok_or(CoreError::NotFound {
        what: "The channel",
    })?;
    let contact = match contacts::find(tx, channel, message.contact_external_id)? {
        Some(c) => c,
        None => messages::insert_contact(
            tx,
            message.contact_name,
            channel,
            message.contact_external_id,
            now,
        )?,
    };
    // An answer to a satisfaction survey joins the surveyed conversation, unopened (a
    // stop or start keyword is never taken for one).
    if keyword.is_none() {
        if let Some(answered) = satisfaction::answer(tx, message, contact, thread, now)? {
            return Ok(answered);
        }
    }
    let open: Option<ConversationId> = match thread {
        Thread::Existing(id) => Some(id),
        Thread::New => None,
        Thread::OpenForContact => conv_store::open_for_contact(tx, message.account, contact)?,
    };
    let mut events = Vec::new();
    let mut assigned_to = None;
    // Who has the conversation now (for the event; a new one: whoever it was given to).
    let mut assignee = None;
    let (conversation, new_conversation) = match open {
        Some(id) => {
            assignee = conv_store::assignee_of(tx, id)?;
            (id, false)
        }
        None => {
            let id = messages::insert_conversation(tx, message.account, contact, message.sent_at)?;
            conv_store::set_team_and_subject(tx, id, default_team, &subject)?;
            let cap = settings::auto_assign_cap(tx)?;
            if let (Some(team), true) = (default_team, cap > 0) {
                if let Some(agent) = pick_agent(tx, team, cap)? {
                    conv_store::auto_assign(tx, id, agent)?;
                    assigned_to = Some(agent);
                    events.push(Event::Assigned {
                        conversation: id,
                        from: None,
                        to_user: Some(agent),
                        to_team: Some(team),
                        by: agent,
                        handoff: false,
                    });
                }
            }
            (id, true)
        }
    };
    let (id, _) = insert_inbound(tx, conversation, message)?;
    if let Some(keyword) = keyword {
        // STOP: do not contact, consent refused; START: contact again, consent given.
        let stop = keyword == crate::privacy::consent::Keyword::Stop;
        conv_store::set_do_not_contact(tx, contact, stop)?;
        audit::append(
            tx,
            AuditEvent::new(
                AuditKind::ContactOptedOut,
                None,
                format!("contact:{contact}"),
                now,
            )
            .detail(serde_json::json!({
                "by": "customer", "conversation": conversation, "do_not_contact": stop
            })),
        )?;
        crate::service::consent::apply_keyword(tx, contact, channel, keyword, now)?;
    }
    for a in &message.attachments {
        messages::insert_attachment(tx, id, &a.file_name, &a.mime_type, &a.data, now)?;
    }
    conv_store::touch_activity(tx, conversation, message.sent_at, true)?;
    events.insert(
        0,
        Event::MessageReceived {
            conversation,
            message: id,
            assignee: assignee.or(assigned_to),
        },
    );
    if let Some(event) = out_of_hours::reply_if_closed(
        tx,
        message.account,
        conversation,
        contact,
        message.sent_at,
        now,
    )? {
        events.push(event);
    }
    if let Some(event) = privacy_notice::send_once(
        tx,
        message.account,
        conversation,
        contact,
        message.sent_at,
        now,
    )? {
        events.push(event);
    }
    Ok((
        Ingested {
            conversation,
            message: id,
            duplicate: false,
            new_conversation,
            assigned_to,
        },
        events,
    ))
}

// ---- Moving conversations ----

pub(crate) struct Move {
    pub row: ConversationRowData,
    pub to_user: Option<UserId>,
    pub to_team: Option<TeamId>,
    pub note: Option<String>,
}

/// Applies one assignment change inside `tx`: version check, note, history, audit.
pub(crate) fn apply_move(
    tx: &Connection,
    by: UserId,
    expected: i64,
    m: &Move,
    now: Timestamp,
) -> Result<Event> {
    let id = m.row.id;
    if !conv_store::set_assignment(tx, id, expected, m.to_user, m.to_team)? {
        let who = conv_store::last_changed_by(tx, id)?.unwrap_or_else(|| "someone".into());
        return Err(CoreError::Conflict(format!(
            "{who} changed this conversation meanwhile; reload it and try again."
        )));
    }
    let note_id = match &m.note {
        Some(text) => Some(conv_store::insert_note(tx, id, by, text, true, now)?),
        None => None,
    };
    conv_store::record_assignment(
        tx,
        id,
        m.row.assignee_id,
        m.to_user,
        m.to_team,
        by,
        note_id,
        now,
    )?;
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ConversationAssigned,
            Some(by),
            format!("conversation:{id}"),
            now,
        )
        .detail(serde_json::json!({
            "from": m.row.assignee_id,
            "to_user": m.to_user,
            "to_team": m.to_team,
            "note_id": note_id,
        })),
    )?;
    Ok(Event::Assigned {
        conversation: id,
        from: m.row.assignee_id,
        to_user: m.to_user,
        to_team: m.to_team,
        by,
        handoff: m.note.is_some(),
    })
}

/// Returns every open conversation of `user` to its team's queue (away, disabled),
/// unless the workspace keeps them with their person.
pub(crate) fn return_all_to_queue(
    tx: &Connection,
    user: UserId,
    by: UserId,
    now: Timestamp,
) -> Result<Vec<Event>> {
    if !settings::return_on_away(tx)? {
        return Ok(Vec::new());
    }
    let mut events = Vec::new();
    for (id, version, _) in conv_store::open_assigned_to(tx, user)? {
        let row = conv_store::visible(
            tx,
            conv_store::Viewer {
                user: by,
                sees_everything: true,
            },
            id,
        )?
        .ok_or(CoreError::NotFound {
            what: "The conversation",
        })?;
        let team = row.team_id;
        events.push(apply_move(
            tx,
            by,
            version,
            &Move {
                row,
                to_user: None,
                to_team: team,
                note: None,
            },
            now,
        )?);
    }
    Ok(events)
}

// ---- Messages ----

/// One message with its attachments, as the agent sees it.
pub(crate) fn message_view(conn: &Connection, id: MessageId) -> Result<MessageView> {
    let m = conv_store::message_by_id(conn, id)?;
    let attachments = conv_store::attachments_of(conn, &[id])?
        .into_iter()
        .map(|a| AttachmentInfo {
            id: a.id,
            file_name: a.file_name,
            mime_type: a.mime_type,
            size: a.size,
        })
        .collect();
    let parts = crate::service::message_parts::MessageParts::load(conn, &[id])?;
    Ok(MessageView::from_data(m, attachments, &parts))
}

/// What the agent's window hears when a message's delivery status changed.
pub(crate) fn status_changed(conversation: ConversationId, message: MessageId) -> Event {
    Event::MessageStatusChanged {
        conversation,
        message,
    }
}

/// Records the provider's id unless it is empty, the message has one or another
/// message holds it.
pub(crate) fn set_external_id(
    conn: &Connection,
    message: MessageId,
    external_id: &str,
) -> Result<()> {
    if external_id.is_empty() {
        return Ok(());
    }
    message_status::set_external_id(conn, message, external_id)
}

/// Sets `status` when it ranks above the stored one; returns whether it changed.
pub(crate) fn raise_status(
    conn: &Connection,
    message: MessageId,
    status: &str,
    failure: Option<&str>,
) -> Result<bool> {
    let current = message_status::status_of(conn, message)?;
    if status_rank(status) <= status_rank(&current) {
        return Ok(false);
    }
    message_status::set_status(conn, message, status, failure)?;
    Ok(true)
}

/// Our reply's Message-ID, made and kept with the reply's HTML (if formatted).
fn new_reply_header(
    tx: &Connection,
    config: &crate::channel::EmailConfig,
    account: ChannelAccountId,
    message: MessageId,
    html: Option<&str>,
) -> Result<String> {
    let id = format!(
        "appcare.{message}.{}@{}",
        crate::secret::random_token(12),
        config.domain()
    );
    mail_store::insert_header(
        tx,
        &mail_store::Header {
            message,
            account,
            header_id: &id,
            in_reply_to: &[],
            references: &[],
            html,
            header_date: None,
        },
    )?;
    Ok(id)
}

/// Keeps a formatted reply's HTML with the reply (sent with it, shown by "Show formatted").
pub(crate) fn keep_reply_html(
    tx: &Connection,
    account: ChannelAccountId,
    message: MessageId,
    html: &str,
) -> Result<()> {
    let config =
        mail_store::config_of(tx, account).unwrap_or_else(|_| crate::channel::EmailConfig::unset());
    new_reply_header(tx, &config, account, message, Some(html)).map(|_| ())
}

/// Sender, subject and threading headers for our reply `message`. Its Message-ID is
/// made once and kept, so a retried send carries the same id.
pub(crate) fn reply_headers(
    tx: &Connection,
    account: ChannelAccountId,
    conversation: ConversationId,
    message: MessageId,
) -> Result<ReplyHeaders> {
    let config = mail_store::config_of(tx, account)?;
    let token = mail_store::thread_token(tx, conversation)?;
    let message_id = match mail_store::header_of(tx, message)? {
        Some(header) => header,
        None => new_reply_header(tx, &config, account, message, None)?,
    };
    let subject = conv_store::subject_of(tx, conversation)?;
    let parent = mail_store::last_inbound_header(tx, conversation)?;
    let (in_reply_to, references) = match parent {
        Some(parent) => {
            let references = reply_references(&parent.id, &parent.references, &parent.in_reply_to);
            (Some(parent.id), references)
        }
        None => (None, Vec::new()),
    };
    Ok(ReplyHeaders {
        from_address: config.address.clone(),
        from_name: config.display_name.clone(),
        reply_to: config.reply_to(&token),
        subject: reply_subject(&subject),
        message_id,
        in_reply_to,
        references,
        cc: Vec::new(),
        bcc: Vec::new(),
    })
}

/// The audit row of an admin's change to a channel account's settings: which settings,
/// never their values.
pub(crate) fn audit_account_changed(
    tx: &Connection,
    by: UserId,
    account: ChannelAccountId,
    changed: &[&str],
    now: Timestamp,
) -> Result<()> {
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ChannelAccountUpdated,
            Some(by),
            format!("channel_account:{account}"),
            now,
        )
        .detail(serde_json::json!({ "changed": changed })),
    )?;
    Ok(())
}
