//! An account's privacy notice: sent once to each customer who writes on WhatsApp or
//! Messenger (so inside the reply window), only for a message that just arrived, never to
//! someone who asked not to be contacted, never from sample accounts. Queued in the
//! outbox like the out-of-hours reply, with no agent as its author.

use crate::channel::Channel;
use crate::error::Result;
use crate::events::Event;
use crate::ids::{ChannelAccountId, ContactId, ConversationId};
use crate::store::{channel_accounts, consent, contacts, conversations as conv_store};
use crate::time::Timestamp;
use rusqlite::Connection;

/// A customer message older than this when stored gets no notice (a poll or re-delivery
/// of old messages is not someone writing now).
const FRESH_SECONDS: i64 = 15 * 60;

/// Queues the notice for the customer of `conversation` when they have not had it from
/// `account`; returns the event of the queued message.
pub(crate) fn send_once(
    tx: &Connection,
    account: ChannelAccountId,
    conversation: ConversationId,
    contact: ContactId,
    received: Timestamp,
    now: Timestamp,
) -> Result<Option<Event>> {
    let (_, Some(body)) = consent::account_settings(tx, account)? else {
        return Ok(None);
    };
    let (channel, config) = channel_accounts::config_of(tx, account)?;
    if channel == Channel::Email || config.sample || now.seconds_since(received) > FRESH_SECONDS {
        return Ok(None);
    }
    if conv_store::contact_of(tx, conversation)? != contact {
        return Ok(None);
    }
    if let Some((_, true)) = contacts::name_and_opt_out(tx, contact)? {
        return Ok(None);
    }
    if !consent::claim_notice(tx, account, contact, now)? {
        return Ok(None);
    }
    super::out_of_hours::queue_automatic_text(tx, conversation, &body, "privacy_notice", now)
        .map(Some)
}
