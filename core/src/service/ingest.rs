//! Where customers' messages enter: the one function every channel adapter calls, and
//! the admin call that connects a channel account. Ingest is idempotent on the channel's
//! message id (Meta and IMAP deliver at least once) and may auto-assign new conversations.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::{Channel, Direction, InboundAttachment};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ContactId, ConversationId, MessageId, TeamId, UserId};
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::messages::{self, NewMessage};
use crate::store::{settings, users as user_store};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

pub const AUTO_ASSIGN_CAP: &str = "auto_assign_cap";

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelAccountSummary {
    pub id: ChannelAccountId,
    pub kind: String,
    pub name: String,
    pub default_team: Option<TeamId>,
}

fn channel_of(kind: &str) -> Option<Channel> {
    match kind {
        "whatsapp" => Some(Channel::WhatsApp),
        "messenger" => Some(Channel::Messenger),
        "email" => Some(Channel::Email),
        _ => None,
    }
}

fn find_contact(
    conn: &Connection,
    channel: Channel,
    external_id: &str,
) -> Result<Option<ContactId>> {
    Ok(conn
        .query_row(
            "SELECT contact_id FROM contact_identities WHERE channel = ?1 AND external_id = ?2",
            params![channel.as_str(), external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Round robin among available, enabled members of `team` with fewer than `cap` open
/// conversations, starting after the one chosen last time.
fn pick_agent(conn: &Connection, team: TeamId, cap: i64) -> Result<Option<UserId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, (SELECT count(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending'))
         FROM users u JOIN team_members m ON m.user_id = u.id
         WHERE m.team_id = ?1 AND u.disabled = 0 AND u.availability = 'available' AND u.role IN ('agent', 'lead')
         ORDER BY u.id",
    )?;
    let candidates: Vec<(UserId, i64)> = stmt
        .query_map([team], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let key = format!("rr_last:{team}");
    let last = settings::get_i64(conn, &key, 0)?;
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
        settings::set(conn, &key, &user.get().to_string())?;
    }
    Ok(chosen)
}

/// Stores one inbound message inside `tx`; the caller publishes the returned events after
/// the commit. Shared by [`Workspace::ingest`] and the channel runtime's batches.
pub(crate) fn ingest_in(
    tx: &Connection,
    message: &InboundMessage<'_>,
    now: Timestamp,
) -> Result<(Ingested, Vec<Event>)> {
    ingest_into(tx, message, Thread::OpenForContact, now)
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
    let opt_out = crate::privacy::opt_out::is_opt_out(message.subject, message.body);
    // An e-mail subject is customer text too: masked like the body before it is stored.
    let subject = if crate::service::admin::masking_on(tx)? {
        crate::privacy::mask::mask_sensitive(message.subject).0
    } else {
        message.subject.to_string()
    };
    if let Some(ext) = message.external_id {
        let existing: Option<(MessageId, ConversationId)> = tx
            .query_row(
                "SELECT id, conversation_id FROM messages WHERE external_id = ?1",
                [ext],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((message, conversation)) = existing {
            let ingested = Ingested {
                conversation,
                message,
                duplicate: true,
                new_conversation: false,
                assigned_to: None,
            };
            return Ok((ingested, Vec::new()));
        }
    }
    let (kind, default_team): (String, Option<TeamId>) = tx
        .query_row(
            "SELECT kind, default_team_id FROM channel_accounts WHERE id = ?1",
            [message.account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(CoreError::NotFound {
            what: "The channel account",
        })?;
    let channel = channel_of(&kind).ok_or(CoreError::NotFound {
        what: "The channel",
    })?;
    let contact = match find_contact(tx, channel, message.contact_external_id)? {
        Some(c) => c,
        None => messages::insert_contact(
            tx,
            message.contact_name,
            channel,
            message.contact_external_id,
            now,
        )?,
    };
    let open: Option<ConversationId> = match thread {
        Thread::Existing(id) => Some(id),
        Thread::New => None,
        Thread::OpenForContact => tx
                .query_row(
                    "SELECT id FROM conversations WHERE channel_account_id = ?1 AND contact_id = ?2 AND status != 'resolved'
                     ORDER BY id DESC LIMIT 1",
                    params![message.account, contact],
                    |r| r.get(0),
                )
                .optional()?,
    };
    let mut events = Vec::new();
    let mut assigned_to = None;
    let (conversation, new_conversation) = match open {
        Some(id) => (id, false),
        None => {
            let id = messages::insert_conversation(tx, message.account, contact, message.sent_at)?;
            tx.execute(
                "UPDATE conversations SET team_id = ?2, subject = ?3 WHERE id = ?1",
                params![id, default_team, subject],
            )?;
            let cap = settings::get_i64(tx, AUTO_ASSIGN_CAP, 0)?;
            if let (Some(team), true) = (default_team, cap > 0) {
                if let Some(agent) = pick_agent(tx, team, cap)? {
                    tx.execute(
                                "UPDATE conversations SET assignee_id = ?2, version = version + 1 WHERE id = ?1",
                                params![id, agent],
                            )?;
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
    // Payment data is masked before it reaches the table or the search index.
    let (body, masked) = if crate::service::admin::masking_on(tx)? {
        crate::privacy::mask::mask_sensitive(message.body)
    } else {
        (message.body.to_string(), false)
    };
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
    if opt_out {
        conv_store::set_do_not_contact(tx, contact, true)?;
        audit::append(
            tx,
            AuditEvent::new(
                AuditKind::ContactOptedOut,
                None,
                format!("contact:{contact}"),
                now,
            )
            .detail(serde_json::json!({ "by": "customer", "conversation": conversation })),
        )?;
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
        },
    );
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

impl Workspace {
    /// Stores one inbound message: finds or creates the contact and the open conversation,
    /// stores the text and attachments (inside the encrypted store), and publishes events.
    /// Delivering the same `external_id` again changes nothing and says `duplicate`.
    pub fn ingest(&self, message: InboundMessage<'_>, now: Timestamp) -> Result<Ingested> {
        let (ingested, events) = self.store.write(|tx| ingest_in(tx, &message, now))?;
        for e in events {
            self.publish(e);
        }
        Ok(ingested)
    }

    /// Admins connect a channel account; its conversations go to `default_team`'s queue.
    /// (Credentials and adapters arrive with the channel work.)
    pub fn create_channel_account(
        &self,
        token: &SessionToken,
        kind: &str,
        name: &str,
        external_id: &str,
        default_team: Option<TeamId>,
        now: Timestamp,
    ) -> Result<ChannelAccountSummary> {
        let caller = self.authorize(token, now, Role::Admin, "connect channel accounts")?;
        let channel = channel_of(kind)
            .ok_or_else(|| CoreError::invalid("channel", "choose whatsapp, messenger or email"))?;
        let name = name.trim();
        if name.is_empty() || external_id.trim().is_empty() {
            return Err(CoreError::invalid(
                "channel account",
                "give a name and the account's id",
            ));
        }
        self.store.write(|tx| {
            if let Some(team) = default_team {
                if !user_store::team_exists(tx, team)? {
                    return Err(CoreError::NotFound { what: "The team" });
                }
            }
            let id = messages::insert_channel_account(tx, channel, name, external_id.trim(), now)?;
            tx.execute(
                "UPDATE channel_accounts SET default_team_id = ?2 WHERE id = ?1",
                params![id, default_team],
            )?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ChannelAccountAdded,
                    Some(caller.user),
                    format!("channel_account:{id}"),
                    now,
                )
                .detail(serde_json::json!({ "kind": kind })),
            )?;
            Ok(ChannelAccountSummary {
                id,
                kind: kind.to_string(),
                name: name.to_string(),
                default_team,
            })
        })
    }
}
