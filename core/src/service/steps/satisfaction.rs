//! Customer satisfaction inside a transaction: marking a resolved conversation's survey
//! due, sending the surveys whose time has come (never to someone who asked not to be
//! contacted, never outside the reply window, never from sample accounts, once per
//! conversation), and storing a customer's answer in the surveyed conversation without
//! reopening it.

use super::{insert_inbound, InboundMessage, Ingested, Thread};
use crate::channel::window::reply_window;
use crate::channel::{Channel, Choice, Direction};
use crate::error::Result;
use crate::events::Event;
use crate::ids::{ContactId, ConversationId};
use crate::reports::satisfaction::{
    choice_id, choice_title, parse_choice, parse_rating, survey_text, ANSWER_SECONDS, CHOICES,
    SURVEY_DELAY_SECONDS,
};
use crate::store::messages::{self, NewMessage};
use crate::store::satisfaction::{self as store, DueSurvey};
use crate::store::{
    channel_accounts, contacts, conversations as conv_store, message_status, outbox,
};
use crate::time::Timestamp;
use rusqlite::Connection;

/// Marks `conversation`'s survey due a short while after its resolution at `now`, when
/// its account asks one and it was never surveyed.
pub(crate) fn schedule(
    tx: &Connection,
    conversation: ConversationId,
    now: Timestamp,
) -> Result<()> {
    store::schedule(tx, conversation, now.plus_seconds(SURVEY_DELAY_SECONDS))
}

/// Queues every survey due at `now`; returns the events of the queued messages.
pub(crate) fn send_due(tx: &Connection, now: Timestamp) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for due in store::take_due(tx, now)? {
        match question_for(tx, &due, now)? {
            Some((channel, question)) => events.push(queue(tx, &due, channel, &question, now)?),
            None => store::drop_due(tx, due.conversation)?,
        }
    }
    Ok(events)
}

/// The channel and question of a due survey, or `None` when it must not be sent.
fn question_for(
    tx: &Connection,
    due: &DueSurvey,
    now: Timestamp,
) -> Result<Option<(Channel, String)>> {
    let Some(question) = store::question(tx, due.account)? else {
        return Ok(None);
    };
    let Some(channel) = Channel::parse(&due.channel) else {
        return Ok(None);
    };
    if channel_accounts::config_of(tx, due.account)?.1.sample {
        return Ok(None);
    }
    if let Some((_, true)) = contacts::name_and_opt_out(tx, due.contact)? {
        return Ok(None);
    }
    // A survey is no agent's answer: never with a tag that stretches the window.
    if reply_window(channel, due.last_customer_message_at, false, now).is_some_and(|w| !w.open) {
        return Ok(None);
    }
    Ok(Some((channel, question)))
}

fn queue(
    tx: &Connection,
    due: &DueSurvey,
    channel: Channel,
    question: &str,
    now: Timestamp,
) -> Result<Event> {
    let survey = store::insert_survey(tx, due, now)?;
    let message = messages::insert_message(
        tx,
        &NewMessage {
            conversation: due.conversation,
            external_id: None,
            direction: Direction::Out,
            body: &survey_text(channel, question),
            created_at: now,
        },
    )?;
    message_status::queue_automatic(tx, message)?;
    store::set_question_message(tx, survey, message)?;
    let payload = match channel {
        Channel::Email => serde_json::json!({ "kind": "text", "tag": null, "automatic": "survey" }),
        _ => {
            let choices: Vec<Choice> = CHOICES
                .iter()
                .map(|(rating, _)| Choice {
                    id: choice_id(survey, *rating),
                    title: choice_title(*rating),
                })
                .collect();
            serde_json::json!({
                "kind": "choices", "tag": null, "automatic": "survey",
                "button": "Rate", "choices": choices,
            })
        }
    };
    outbox::insert(tx, message, now, &payload.to_string())?;
    tracing::info!(
        conversation = due.conversation.get(),
        message = message.get(),
        survey,
        "satisfaction survey queued"
    );
    Ok(Event::ReplyQueued {
        conversation: due.conversation,
        message,
    })
}

/// Stores `message` as the answer to a survey of `contact` when it is one: a tapped
/// choice of an unanswered survey of theirs, or a number from 1 to 5 typed to the
/// resolved conversation the survey came from (e-mail: the thread it joins; chat: their
/// newest conversation here, when nothing newer is open). The message is kept in that
/// conversation, which stays resolved and unread-free. `None`: an ordinary message.
pub(crate) fn answer(
    tx: &Connection,
    message: &InboundMessage<'_>,
    contact: ContactId,
    thread: Thread,
    now: Timestamp,
) -> Result<Option<(Ingested, Vec<Event>)>> {
    // A message with files is something to look at: it never goes unseen as a rating.
    if message.has_media || !message.attachments.is_empty() {
        return Ok(None);
    }
    let since = now.plus_seconds(-ANSWER_SECONDS);
    let tapped = message.choice.and_then(parse_choice);
    let (pending, rating) = match tapped {
        Some((survey, rating)) => (
            store::pending_by_id(tx, survey, message.account, contact, since)?,
            rating,
        ),
        None => {
            let Some((rating, _)) = parse_rating(message.body) else {
                return Ok(None);
            };
            let pending = match thread {
                Thread::Existing(id) => store::pending_of_conversation(tx, id, contact, since)?,
                Thread::New => None,
                Thread::OpenForContact => {
                    match conv_store::open_for_contact(tx, message.account, contact)? {
                        Some(_) => None,
                        None => store::pending_for_contact(tx, message.account, contact, since)?,
                    }
                }
            };
            (pending, rating)
        }
    };
    let Some((survey, conversation)) = pending else {
        return Ok(None);
    };
    // Masked like any customer message (the comment is read from the stored text).
    let (id, body) = insert_inbound(tx, conversation, message)?;
    conv_store::note_survey_answer(tx, conversation, message.sent_at)?;
    let comment = match tapped {
        Some(_) => None,
        None => parse_rating(&body).and_then(|(_, comment)| comment),
    };
    store::record_answer(tx, survey, rating, comment.as_deref(), id, message.sent_at)?;
    tracing::info!(
        conversation = conversation.get(),
        message = id.get(),
        survey,
        "satisfaction answer stored"
    );
    Ok(Some((
        Ingested {
            conversation,
            message: id,
            duplicate: false,
            new_conversation: false,
            assigned_to: None,
        },
        vec![Event::ConversationUpdated { conversation }],
    )))
}
