//! The channel runtime's webhook batches: each parsed event (a customer's message, a
//! delivery status, a Messenger watermark or echo, a bot's handover) applied in the
//! batch's transaction. The rules (statuses only move forward, what a handover does)
//! live here; the SQL in `store`.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::channel::{
    AddressChange, Channel, ChannelEvent, DeliveryStatus, Direction, EchoEvent, HandoverEvent,
    HandoverKind, SetAsideEvent, StatusEvent, WatermarkEvent,
};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::service::delivery::{Applied, Delivery};
use crate::service::steps::{self, InboundMessage};
use crate::service::steps::{set_external_id, status_changed};
use crate::store::conversations as conv_store;
use crate::store::Savepoint;
use crate::store::{
    channel_accounts, contacts, media, message_status, messages, outbox, receipts, tasks,
    webhook_set_aside,
};
use crate::time::Timestamp;
use rusqlite::Connection;

mod reactions;

impl Delivery<'_> {
    /// Stores one parsed webhook batch in a single transaction. An event that names an
    /// unknown account or message is skipped (and counted); a storage error rolls the
    /// whole batch back so the provider delivers it again.
    pub fn apply(&self, events: &[ChannelEvent], now: Timestamp) -> Result<Applied> {
        let (applied, published) = self.ws.store.write(|tx| {
            let mut applied = Applied::default();
            let mut published = Vec::new();
            for event in events {
                let savepoint = Savepoint::begin(tx, "channel_event")?;
                match apply_one(tx, event, now, &mut applied, &mut published) {
                    Ok(()) => savepoint.release()?,
                    Err(e @ (CoreError::NotFound { .. } | CoreError::InvalidInput { .. })) => {
                        savepoint.undo()?;
                        // A customer's message that cannot be stored is kept for an
                        // admin, not dropped; other events are counted as ignored.
                        let kept = match refused_message(event, &e) {
                            Some(aside) => {
                                match set_aside(tx, &aside, now, &mut applied, &mut published) {
                                    Ok(()) => true,
                                    Err(CoreError::NotFound { .. }) => false,
                                    Err(e) => return Err(e),
                                }
                            }
                            None => false,
                        };
                        if !kept {
                            tracing::warn!(error = %e, "channel event skipped");
                            applied.ignored += 1;
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok((applied, published))
        })?;
        for e in published {
            self.ws.publish(e);
        }
        Ok(applied)
    }
}

fn apply_one(
    tx: &Connection,
    event: &ChannelEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    match event {
        ChannelEvent::Message(m) => {
            if steps::erased_before(tx, m.account, &m.external_id)? {
                applied.duplicates += 1;
                return Ok(());
            }
            let (channel, _) = channel_accounts::config_of(tx, m.account)?;
            // A contact known by any of its addresses is found by all of them.
            link_addresses(tx, channel, &m.contact_external_id, &m.contact_aliases)?;
            let message = InboundMessage {
                account: m.account,
                contact_external_id: &m.contact_external_id,
                contact_name: &m.contact_name,
                external_id: Some(&m.external_id),
                subject: "",
                body: &m.body,
                sent_at: m.sent_at,
                choice: m.choice.as_deref(),
                has_media: !m.media.is_empty(),
                attachments: Vec::new(),
            };
            let (ingested, events) = steps::ingest_in(tx, &message, now)?;
            if ingested.duplicate {
                applied.duplicates += 1;
                return Ok(());
            }
            link_addresses(tx, channel, &m.contact_external_id, &m.contact_aliases)?;
            if let Some(quoted) = &m.reply_to {
                crate::store::reactions::set_reply_to(tx, ingested.message, quoted)?;
            }
            if let Some(content) = &m.content {
                // Payment data in what it holds is masked like its text.
                let kept = if crate::store::settings::masking(tx)? {
                    content.map_text(&|t| steps::mask_if(true, t).0)
                } else {
                    content.clone()
                };
                if &kept != content {
                    conv_store::set_message_masked(tx, ingested.message)?;
                }
                crate::store::message_content::set(tx, ingested.message, &kept)?;
            }
            for file in &m.media {
                media::insert(tx, ingested.message, file, now)?;
            }
            // Messenger webhooks carry only the PSID: ask Meta for the name once.
            if ingested.new_conversation
                && m.contact_name == m.contact_external_id
                && channel == Channel::Messenger
            {
                tasks::insert(
                    tx,
                    m.account,
                    "profile",
                    &serde_json::json!({ "psid": m.contact_external_id }),
                    now,
                )?;
            }
            applied.messages += 1;
            published.extend(events);
        }
        ChannelEvent::Status(s) => apply_status(tx, s, applied, published)?,
        ChannelEvent::Watermark(w) => apply_watermark(tx, w, applied, published)?,
        ChannelEvent::Echo(e) => apply_echo(tx, e, now, applied, published)?,
        ChannelEvent::Handover(h) => apply_handover(tx, h, now, applied, published)?,
        ChannelEvent::AddressChange(a) => apply_address_change(tx, a, now, applied, published)?,
        ChannelEvent::Reaction(r) => reactions::apply(tx, r, now, applied, published)?,
        ChannelEvent::SetAside(s) => set_aside(tx, s, now, applied, published)?,
    }
    Ok(())
}

/// A customer's message the store refused (too long, an account gone), as an item to
/// set aside with the reason.
fn refused_message(event: &ChannelEvent, error: &CoreError) -> Option<SetAsideEvent> {
    let ChannelEvent::Message(m) = event else {
        return None;
    };
    let raw = serde_json::json!({ "from": m.contact_external_id, "name": m.contact_name,
        "id": m.external_id, "timestamp": m.sent_at.unix(), "text": m.body });
    Some(SetAsideEvent::new(
        m.account,
        format!("the message could not be stored: {error}"),
        &raw,
    ))
}

/// Links every address of a message's sender to one contact: the first of them already
/// known here, if any (an address that belongs to another contact stays there).
fn link_addresses(
    tx: &Connection,
    channel: Channel,
    primary: &str,
    aliases: &[String],
) -> Result<()> {
    let all = || std::iter::once(primary).chain(aliases.iter().map(String::as_str));
    let mut known = None;
    for address in all() {
        if let Some(contact) = contacts::find(tx, channel, address)? {
            known = Some(contact);
            break;
        }
    }
    let Some(contact) = known else {
        return Ok(());
    };
    for address in all().filter(|a| !a.is_empty()) {
        contacts::link(tx, contact, channel, address)?;
    }
    Ok(())
}

/// Keeps an item the app cannot store as what it is, for an admin; the same item
/// delivered again is a duplicate.
pub(super) fn set_aside(
    tx: &Connection,
    s: &SetAsideEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let (channel, _) = channel_accounts::config_of(tx, s.account)?;
    if webhook_set_aside::insert(tx, s.account, channel.as_str(), &s.reason, &s.raw, now)? {
        tracing::warn!(account = %s.account, channel = channel.as_str(), "webhook item set aside for an admin");
        applied.set_aside += 1;
        published.push(Event::ChannelsChanged);
    } else {
        applied.duplicates += 1;
    }
    Ok(())
}

/// A customer's new number: linked to the contact the old one names, and noted in its
/// conversation. A change for a customer not known here is set aside.
fn apply_address_change(
    tx: &Connection,
    a: &AddressChange,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let key = format!("address:{}:{}", a.account, a.external_id);
    if !receipts::record(tx, &key, now)? {
        applied.duplicates += 1;
        return Ok(());
    }
    let (channel, _) = channel_accounts::config_of(tx, a.account)?;
    let Some(contact) = contacts::find(tx, channel, &a.old)? else {
        let raw =
            serde_json::json!({ "id": a.external_id, "from": a.old, "new": a.new, "note": a.note });
        let aside = SetAsideEvent::new(
            a.account,
            "a change of address for a customer not known here",
            &raw,
        );
        return set_aside(tx, &aside, now, applied, published);
    };
    contacts::link(tx, contact, channel, &a.new)?;
    if let Some(conversation) = conv_store::for_contact_address(tx, a.account, &a.old)? {
        let note = match a.note.trim() {
            "" => format!("The customer's address changed to {}.", a.new),
            note => format!(
                "The customer's address changed to {}. WhatsApp says: {note}",
                a.new
            ),
        };
        conv_store::insert_system_note(tx, conversation, &note, false, a.at)?;
        published.push(Event::NoteAdded { conversation });
    }
    applied.messages += 1;
    Ok(())
}

/// A status reported by the provider. Statuses only move forward, with one exception:
/// a failure we recorded ourselves before the provider gave the message an id (a lost
/// answer, a give-up) is overridden when the provider says it has the message.
fn provider_status(
    conn: &Connection,
    message: MessageId,
    status: DeliveryStatus,
    failure: Option<&str>,
    had_provider_id: bool,
) -> Result<bool> {
    let current = message_status::status_of(conn, message)?;
    let local_failure = current == "failed" && !had_provider_id;
    let allowed = match status {
        DeliveryStatus::Sent => {
            matches!(current.as_str(), "queued" | "sending" | "unconfirmed") || local_failure
        }
        DeliveryStatus::Failed => matches!(
            current.as_str(),
            "queued" | "sending" | "unconfirmed" | "sent"
        ),
        DeliveryStatus::Delivered => {
            matches!(
                current.as_str(),
                "queued" | "sending" | "unconfirmed" | "sent"
            ) || local_failure
        }
        DeliveryStatus::Read => {
            matches!(
                current.as_str(),
                "queued" | "sending" | "unconfirmed" | "sent" | "delivered"
            ) || local_failure
        }
    };
    if !allowed {
        return Ok(false);
    }
    message_status::set_status(
        conn,
        message,
        status.as_str(),
        failure.filter(|_| status == DeliveryStatus::Failed),
    )?;
    Ok(true)
}

/// Our outbound message with this provider id, or with our reference in this account.
fn find_ours(
    conn: &Connection,
    account: ChannelAccountId,
    external_id: &str,
    our_message: Option<MessageId>,
) -> Result<Option<(MessageId, ConversationId)>> {
    let by_external = message_status::ours_by_external_id(conn, account, external_id)?;
    if by_external.is_some() {
        return Ok(by_external);
    }
    let Some(ours) = our_message else {
        return Ok(None);
    };
    message_status::ours_by_id(conn, account, ours)
}

fn apply_status(
    tx: &Connection,
    s: &StatusEvent,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let Some((message, conversation)) = find_ours(tx, s.account, &s.external_id, s.our_message)?
    else {
        applied.ignored += 1;
        return Ok(());
    };
    let had_provider_id = message_status::has_external_id(tx, message)?;
    set_external_id(tx, message, &s.external_id)?;
    if let Some(pricing) = &s.pricing {
        crate::store::pricing::record(tx, message, pricing)?;
    }
    let failure = s.error.as_ref().map(|e| e.explanation());
    let changed = provider_status(tx, message, s.status, failure.as_deref(), had_provider_id)?;
    match s.status {
        DeliveryStatus::Failed if changed => {
            outbox::mark_failed(tx, message, &failure.unwrap_or_default())?;
        }
        DeliveryStatus::Failed => {}
        // The provider has it: a pending retry, an in-flight or unconfirmed send, or a
        // failure we recorded ourselves is settled, so nothing sends it again.
        _ => outbox::settle(tx, message)?,
    }
    applied.statuses += 1;
    if changed {
        published.push(status_changed(conversation, message));
    } else {
        applied.duplicates += 1;
    }
    Ok(())
}

fn apply_watermark(
    tx: &Connection,
    w: &WatermarkEvent,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    // Only messages Meta gave an id (so they surely reached it) are moved by a watermark.
    let below: &[&str] = match w.status {
        DeliveryStatus::Read => &["sent", "delivered"],
        _ => &["sent"],
    };
    let changed = message_status::apply_watermark(
        tx,
        w.account,
        &w.contact_external_id,
        w.status.as_str(),
        w.up_to,
        below,
    )?;
    for (message, conversation) in changed {
        outbox::settle(tx, message)?;
        published.push(status_changed(conversation, message));
    }
    applied.statuses += 1;
    Ok(())
}

fn apply_echo(
    tx: &Connection,
    e: &EchoEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    if let Some((message, conversation)) = find_ours(tx, e.account, &e.external_id, e.our_message)?
    {
        let had_provider_id = message_status::has_external_id(tx, message)?;
        set_external_id(tx, message, &e.external_id)?;
        outbox::settle(tx, message)?;
        if provider_status(tx, message, DeliveryStatus::Sent, None, had_provider_id)? {
            published.push(status_changed(conversation, message));
        } else {
            applied.duplicates += 1;
        }
        return Ok(());
    }
    if message_status::external_id_taken(tx, e.account, &e.external_id)?
        || steps::erased_before(tx, e.account, &e.external_id)?
    {
        applied.duplicates += 1;
        return Ok(());
    }
    // Sent from elsewhere (Page Inbox, the WhatsApp Business app): shown in the
    // conversation if we know it, else set aside with what it said.
    let Some(conversation) =
        conv_store::for_contact_address(tx, e.account, &e.contact_external_id)?
    else {
        let raw = serde_json::json!({ "to": e.contact_external_id, "id": e.external_id,
            "timestamp": e.sent_at.unix(), "text": e.body });
        let aside = SetAsideEvent::new(
            e.account,
            "a message the business sent from elsewhere to a customer with no conversation here",
            &raw,
        );
        return set_aside(tx, &aside, now, applied, published);
    };
    let message = messages::insert_message(
        tx,
        &messages::NewMessage {
            conversation,
            external_id: Some(&e.external_id),
            direction: Direction::Out,
            body: &e.body,
            created_at: e.sent_at,
        },
    )?;
    message_status::mark_sent(tx, message)?;
    conv_store::touch_activity(tx, conversation, e.sent_at, false)?;
    applied.messages += 1;
    published.push(status_changed(conversation, message));
    Ok(())
}

fn apply_handover(
    tx: &Connection,
    h: &HandoverEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    // A pass keeps the key it always had; a take or request has its own.
    let what = match h.kind {
        HandoverKind::Passed => "",
        HandoverKind::Taken => ":taken",
        HandoverKind::Requested => ":requested",
    };
    let key = format!(
        "handover:{}:{}:{}{what}",
        h.account,
        h.contact_external_id,
        h.at.unix()
    );
    if !receipts::record(tx, &key, now)? {
        applied.duplicates += 1;
        return Ok(());
    }
    let (channel, _) = channel_accounts::config_of(tx, h.account)?;
    if channel != Channel::Messenger {
        return Err(CoreError::invalid(
            "handover",
            "only Messenger threads are handed over",
        ));
    }
    if h.kind != HandoverKind::Passed {
        return other_app_wants_the_thread(tx, h, applied, published);
    }
    let contact = match contacts::find(tx, Channel::Messenger, &h.contact_external_id)? {
        Some(c) => c,
        None => messages::insert_contact(
            tx,
            &h.contact_external_id,
            Channel::Messenger,
            &h.contact_external_id,
            h.at,
        )?,
    };
    let conversation = match conv_store::open_for_contact(tx, h.account, contact)? {
        Some(id) => id,
        None => {
            let id = messages::insert_conversation(tx, h.account, contact, h.at)?;
            conv_store::set_team_from_account(tx, id, h.account)?;
            id
        }
    };
    // Into the queue: unassigned and open, remembering which app to hand back to.
    conv_store::queue_handed_over(tx, conversation, h.previous_app_id.as_deref(), h.at)?;
    let (from, metadata) = (app_words(h), h.metadata.trim());
    let body = if metadata.is_empty() {
        format!("The bot{from} handed this conversation to the team.")
    } else {
        format!("The bot{from} handed this conversation to the team. Bot's note: {metadata}")
    };
    conv_store::insert_system_note(tx, conversation, &body, true, h.at)?;
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ThreadHandedOver,
            None,
            format!("conversation:{conversation}"),
            now,
        )
        .detail(serde_json::json!({ "from_app": h.previous_app_id })),
    )?;
    applied.messages += 1;
    published.push(Event::ConversationUpdated { conversation });
    published.push(Event::NoteAdded { conversation });
    Ok(())
}

/// Another app took the thread from us, or asks for it: noted in the customer's open
/// conversation (else their latest in this account, not reopened); a take also forgets the
/// bot to hand back to. A thread this workspace never had a conversation for holds no
/// customer content: counted as ignored.
fn other_app_wants_the_thread(
    tx: &Connection,
    h: &HandoverEvent,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let conversation = match contacts::find(tx, Channel::Messenger, &h.contact_external_id)? {
        Some(contact) => match conv_store::open_for_contact(tx, h.account, contact)? {
            Some(open) => Some(open),
            None => conv_store::latest_for_contact(tx, h.account, contact)?,
        },
        None => None,
    };
    let Some(conversation) = conversation else {
        tracing::info!(
            account = h.account.get(),
            "a handover for a thread with no conversation here ignored"
        );
        applied.ignored += 1;
        return Ok(());
    };
    let (app, metadata) = (app_words(h), h.metadata.trim());
    let note = if metadata.is_empty() {
        String::new()
    } else {
        format!(" Its note: {metadata}")
    };
    let body = match h.kind {
        HandoverKind::Taken => {
            conv_store::clear_handover(tx, conversation)?;
            format!("A bot{app} took this conversation from the team; replies may not reach the customer until it is passed back.{note}")
        }
        // Resolving the conversation then passes the thread to the app that asked.
        _ => match h.previous_app_id.as_deref() {
            Some(asking) => {
                conv_store::set_handover_app(tx, conversation, asking)?;
                format!("A bot{app} asks for this conversation; resolving it passes the conversation to the bot.{note}")
            }
            None => format!("A bot asks for this conversation.{note}"),
        },
    };
    conv_store::insert_system_note(tx, conversation, &body, false, h.at)?;
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ThreadHandedOver,
            None,
            format!("conversation:{conversation}"),
            h.at,
        )
        .detail(serde_json::json!({
            "app": h.previous_app_id,
            "kind": if h.kind == HandoverKind::Taken { "taken" } else { "requested" },
        })),
    )?;
    applied.messages += 1;
    published.push(Event::ConversationUpdated { conversation });
    published.push(Event::NoteAdded { conversation });
    Ok(())
}

/// " (app 1517776481860111)" for the other app of a handover, or nothing.
fn app_words(h: &HandoverEvent) -> String {
    h.previous_app_id
        .as_deref()
        .map(|a| format!(" (app {a})"))
        .unwrap_or_default()
}
