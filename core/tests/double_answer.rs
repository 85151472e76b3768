//! No accidental double answer (issue 20 item 4): a reply that carries what the agent saw
//! when they opened the conversation is stopped, and nothing is queued, when a colleague
//! took the conversation or wrote to the customer since; the agent's own replies and a
//! hand-over to them do not stop it; a reply without the guard ("send anyway") goes out
//! where the caller may still answer.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::ids::ConversationId;
use appcare_core::secret::SessionToken;
use appcare_core::service::handoff::Versioned;
use appcare_core::service::outgoing::ReplyGuard;
use appcare_core::{ErrorCode, Timestamp};
use common::*;

/// What `token`'s window holds after opening `id`: its version and newest message.
fn opened(t: &Team, token: &SessionToken, id: ConversationId, now: Timestamp) -> ReplyGuard {
    let view = t
        .ctx
        .ws
        .open_conversation(token, id, None, now)
        .expect("open");
    ReplyGuard {
        version: view.summary.version,
        last_message: view.messages.last().map(|m| m.id),
    }
}

fn message_count(t: &Team, id: ConversationId, now: Timestamp) -> usize {
    t.ctx
        .ws
        .open_conversation(&t.admin, id, None, now)
        .expect("open")
        .messages
        .len()
}

fn support_conversation(t: &Team, who: &str, now: Timestamp) -> ConversationId {
    customer_writes(
        &t.ctx.ws,
        t.support_account,
        who,
        &format!("wamid.{who}"),
        "Where is my parcel?",
        now,
    )
}

#[test]
fn a_colleague_who_took_it_first_stops_an_agents_reply_and_nothing_is_queued() {
    let t = team();
    let now = t.ctx.now;
    let id = support_conversation(&t, "4915200000001", now);
    let alex_saw = opened(&t, &t.alex.1, id, now);
    let bea_saw = opened(&t, &t.bea.1, id, now);

    let ws = &t.ctx.ws;
    ws.reply(&t.alex.1, id, "On it", Some(alex_saw), now)
        .expect("alex answers first");
    let before = message_count(&t, id, now);
    let err = ws
        .reply(&t.bea.1, id, "Let me check", Some(bea_saw), now)
        .expect_err("bea is stopped");
    assert_eq!(err.code(), ErrorCode::TakenMeanwhile);
    let text = err.to_string();
    assert!(text.contains("alex display"), "names the colleague: {text}");
    assert!(!text.contains("parcel"), "no customer text: {text}");
    assert_eq!(message_count(&t, id, now), before, "nothing was queued");
    // An agent cannot send anyway into a colleague's conversation.
    let anyway = ws.reply(&t.bea.1, id, "Let me check", None, now);
    assert_eq!(anyway.err().map(|e| e.code()), Some(ErrorCode::Forbidden));
}

#[test]
fn a_lead_is_stopped_by_an_agents_answer_and_may_send_anyway() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = support_conversation(&t, "4915200000002", now);
    ws.reply(&t.alex.1, id, "On it", None, now)
        .expect("alex takes it");
    let lena_saw = opened(&t, &t.lena.1, id, now);
    ws.reply(&t.alex.1, id, "Found it: it ships today", None, now)
        .expect("alex answers again");

    let err = ws
        .reply(&t.lena.1, id, "Checking", Some(lena_saw), now)
        .expect_err("lena is stopped");
    assert_eq!(err.code(), ErrorCode::AnsweredMeanwhile);
    assert!(err.to_string().contains("wrote to the customer"));
    let before = message_count(&t, id, now);
    ws.reply(&t.lena.1, id, "Checking", None, now)
        .expect("send anyway");
    assert_eq!(message_count(&t, id, now), before + 1);
    // Once she has seen the new state, her guard lets her reply.
    let fresh = opened(&t, &t.lena.1, id, now);
    ws.reply(&t.lena.1, id, "Done", Some(fresh), now)
        .expect("nothing new since she looked");
}

#[test]
fn a_take_by_a_lead_after_opening_stops_the_reply_and_names_the_lead() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = support_conversation(&t, "4915200000003", now);
    let alex_saw = opened(&t, &t.alex.1, id, now);
    let version = opened(&t, &t.lena.1, id, now).version;
    ws.take(&t.lena.1, Versioned { id, version }, now)
        .expect("lena takes it");
    let err = ws
        .reply(&t.alex.1, id, "Hello", Some(alex_saw), now)
        .expect_err("alex is stopped");
    assert_eq!(err.code(), ErrorCode::TakenMeanwhile);
    assert!(err.to_string().contains("lena display"), "{err}");
    // The admin, who may answer anywhere, is offered to send anyway.
    let admin_saw = ReplyGuard {
        version: alex_saw.version,
        last_message: alex_saw.last_message,
    };
    let err = ws
        .reply(&t.admin, id, "Hello", Some(admin_saw), now)
        .expect_err("admin is stopped");
    assert_eq!(err.code(), ErrorCode::AnsweredMeanwhile);
    assert!(err.to_string().contains("took this conversation"), "{err}");
}

#[test]
fn own_replies_and_a_hand_over_to_me_do_not_stop_my_reply() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = support_conversation(&t, "4915200000004", now);
    let saw = opened(&t, &t.alex.1, id, now);
    // The first reply takes the conversation (its version moves); the next ones, still
    // carrying what Alex saw when he opened it, are not stopped by his own changes.
    for text in ["One", "Two", "Three"] {
        ws.reply(&t.alex.1, id, text, Some(saw), now)
            .expect("own replies");
    }
    // A lead hands it back to Alex after Bea opened it: Bea is stopped, Alex is not.
    let bea_saw = opened(&t, &t.bea.1, id, now);
    let version = opened(&t, &t.lena.1, id, now).version;
    ws.reassign(
        &t.lena.1,
        &[Versioned { id, version }],
        Some(t.bea.0),
        "",
        now,
    )
    .expect("to bea");
    let version = opened(&t, &t.lena.1, id, now).version;
    ws.reassign(
        &t.lena.1,
        &[Versioned { id, version }],
        Some(t.alex.0),
        "",
        now,
    )
    .expect("back to alex");
    ws.reply(&t.alex.1, id, "Four", Some(saw), now)
        .expect("a hand-over to me is no colleague's answer");
    let err = ws
        .reply(&t.bea.1, id, "Hi", Some(bea_saw), now)
        .expect_err("bea no longer has it");
    assert_eq!(err.code(), ErrorCode::TakenMeanwhile);
}
