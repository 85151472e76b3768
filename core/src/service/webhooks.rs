//! The channel runtime's webhook batches: each parsed event (a customer's message, a
//! delivery status, a Messenger watermark or echo, a bot's handover) applied in the
//! batch's transaction. The rules (statuses only move forward, what a handover does)
//! live here; the SQL in `store`.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::channel::{
    Channel, ChannelEvent, DeliveryStatus, Direction, EchoEvent, HandoverEvent, StatusEvent,
    WatermarkEvent,
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
};
use crate::time::Timestamp;
use rusqlite::Connection;

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
                        tracing::warn!(error = %e, "channel event skipped");
                        applied.ignored += 1;
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
            let message = InboundMessage {
                account: m.account,
                contact_external_id: &m.contact_external_id,
                contact_name: &m.contact_name,
                external_id: Some(&m.external_id),
                subject: "",
                body: &m.body,
                sent_at: m.sent_at,
                attachments: Vec::new(),
            };
            let (ingested, events) = steps::ingest_in(tx, &message, now)?;
            if ingested.duplicate {
                applied.duplicates += 1;
                return Ok(());
            }
            for file in &m.media {
                media::insert(tx, ingested.message, file, now)?;
            }
            // Messenger webhooks carry only the PSID: ask Meta for the name once.
            if ingested.new_conversation && m.contact_name == m.contact_external_id {
                let (channel, _) = channel_accounts::config_of(tx, m.account)?;
                if channel == Channel::Messenger {
                    tasks::insert(
                        tx,
                        m.account,
                        "profile",
                        &serde_json::json!({ "psid": m.contact_external_id }),
                        now,
                    )?;
                }
            }
            applied.messages += 1;
            published.extend(events);
        }
        ChannelEvent::Status(s) => apply_status(tx, s, applied, published)?,
        ChannelEvent::Watermark(w) => apply_watermark(tx, w, applied, published)?,
        ChannelEvent::Echo(e) => apply_echo(tx, e, applied, published)?,
        ChannelEvent::Handover(h) => apply_handover(tx, h, now, applied, published)?,
    }
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
    if message_status::external_id_taken(tx, &e.external_id)?
        || steps::erased_before(tx, e.account, &e.external_id)?
    {
        applied.duplicates += 1;
        return Ok(());
    }
    // Sent from elsewhere (Page Inbox, a phone): shown in the conversation if we know it.
    let Some(conversation) =
        conv_store::for_messenger_contact(tx, e.account, &e.contact_external_id)?
    else {
        applied.ignored += 1;
        return Ok(());
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
    let key = format!(
        "handover:{}:{}:{}",
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
    let from = h
        .previous_app_id
        .as_deref()
        .map(|a| format!(" (app {a})"))
        .unwrap_or_default();
    let metadata = h.metadata.trim();
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
