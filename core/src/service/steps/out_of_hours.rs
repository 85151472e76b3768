//! The reply an account sends when a customer writes outside the team's business hours:
//! once per conversation, only to the conversation's own customer and a message that just
//! arrived (not mail read in a first sync), never to someone who asked not to be
//! contacted, never from sample accounts.
//! Queued in the outbox like an agent's reply, with no agent as its author (so reports do
//! not count it as a first response).

use crate::channel::Direction;
use crate::error::Result;
use crate::events::Event;
use crate::ids::{ChannelAccountId, ContactId, ConversationId};
use crate::store::messages::{self, NewMessage};
use crate::store::reports as report_store;
use crate::store::{
    channel_accounts, contacts, conversations as conv_store, message_status, outbox,
};
use crate::time::Timestamp;
use rusqlite::Connection;

/// A customer message older than this when stored gets no automatic reply.
const FRESH_SECONDS: i64 = 15 * 60;

/// Queues the out-of-hours reply for a customer message of `conversation` received at
/// `received` when everything says so; returns the event of the queued reply.
pub(crate) fn reply_if_closed(
    tx: &Connection,
    account: ChannelAccountId,
    conversation: ConversationId,
    contact: ContactId,
    received: Timestamp,
    now: Timestamp,
) -> Result<Option<Event>> {
    let Some(body) = report_store::out_of_hours_reply(tx, account)? else {
        return Ok(None);
    };
    if now.seconds_since(received) > FRESH_SECONDS
        || channel_accounts::config_of(tx, account)?.1.sample
    {
        return Ok(None);
    }
    // Only the conversation's own customer gets it (not someone copied in who wrote),
    // and never one who asked not to be contacted.
    if conv_store::contact_of(tx, conversation)? != contact {
        return Ok(None);
    }
    if let Some((_, true)) = contacts::name_and_opt_out(tx, contact)? {
        return Ok(None);
    }
    let Some(team) = conv_store::team_of(tx, conversation)? else {
        return Ok(None);
    };
    let Some(hours) = report_store::hours_of(tx, team)?.and_then(|h| h.checked().ok()) else {
        return Ok(None);
    };
    if hours.is_open_at(received) || !report_store::claim_out_of_hours_reply(tx, conversation, now)?
    {
        return Ok(None);
    }
    queue_automatic_text(tx, conversation, &body, "out_of_hours", now).map(Some)
}

/// Queues `body` in `conversation` as an automatic text (no agent as its author, so
/// reports do not count it as a first response), marked `automatic: kind` in the outbox;
/// returns the event of the queued message.
pub(crate) fn queue_automatic_text(
    tx: &Connection,
    conversation: ConversationId,
    body: &str,
    kind: &str,
    now: Timestamp,
) -> Result<Event> {
    let message = messages::insert_message(
        tx,
        &NewMessage {
            conversation,
            external_id: None,
            direction: Direction::Out,
            body,
            created_at: now,
        },
    )?;
    message_status::queue_automatic(tx, message)?;
    outbox::insert(
        tx,
        message,
        now,
        &serde_json::json!({ "kind": "text", "tag": null, "automatic": kind }).to_string(),
    )?;
    tracing::info!(
        conversation = conversation.get(),
        message = message.get(),
        kind,
        "automatic message queued"
    );
    Ok(Event::ReplyQueued {
        conversation,
        message,
    })
}
