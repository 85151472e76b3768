//! A customer's reaction from a webhook: attached to the message it names (replaced as
//! the customer changes it, removed when they take it back). It is not a message: it
//! neither counts as unread nor opens, reopens or moves a conversation. A reaction to a
//! message not stored here is set aside with the reason, never dropped.

use super::set_aside;
use crate::channel::{ReactionEvent, SetAsideEvent};
use crate::error::Result;
use crate::events::Event;
use crate::service::delivery::Applied;
use crate::service::steps::status_changed;
use crate::store::{message_status, reactions, receipts};
use crate::time::Timestamp;
use rusqlite::Connection;

pub(super) fn apply(
    tx: &Connection,
    r: &ReactionEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let key = format!("reaction:{}:{}", r.account, r.external_id);
    if !receipts::record(tx, &key, now)? {
        applied.duplicates += 1;
        return Ok(());
    }
    let Some((message, conversation)) =
        message_status::in_account_by_external_id(tx, r.account, &r.target_external_id)?
    else {
        let raw = serde_json::json!({ "from": r.contact_external_id, "id": r.external_id,
            "message_id": r.target_external_id, "emoji": r.emoji, "timestamp": r.at.unix() });
        let aside = SetAsideEvent::new(r.account, "a reaction to a message not stored here", &raw);
        return set_aside(tx, &aside, now, applied, published);
    };
    // An empty emoji takes it back; either way a change older than the stored one
    // (Meta does not promise order) changes nothing.
    let changed = reactions::set(tx, message, true, None, &r.emoji, r.at)?;
    tracing::info!(%conversation, %message, changed, "customer's reaction applied");
    // Stored (on its message): a message-like event counts where messages do.
    applied.messages += 1;
    if changed {
        published.push(status_changed(conversation, message));
    }
    Ok(())
}
