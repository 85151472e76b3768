//! @mentions in notes (issue 20 item 5): a note that names a colleague tells them (an
//! event) and puts the conversation in their Mentions view, no one else's; naming someone
//! who may not see the conversation refuses the note, which is not added; an address or an
//! unknown name is only text.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::events::Event;
use appcare_core::service::inbox::{InboxQuery, InboxView};
use appcare_core::ErrorCode;
use common::*;

fn mentions_of(t: &Team, token: &appcare_core::SessionToken) -> Vec<appcare_core::ConversationId> {
    t.ctx
        .ws
        .list_conversations(
            token,
            &InboxQuery {
                view: Some(InboxView::Mentions),
                ..InboxQuery::default()
            },
            t.ctx.now,
        )
        .expect("mentions")
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn a_mention_tells_the_colleague_and_lists_the_conversation_under_their_mentions() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000200",
        "wamid.m1",
        "Hi",
        now,
    );
    let other = customer_writes(
        ws,
        t.support_account,
        "4915200000201",
        "wamid.m2",
        "Hi",
        now,
    );
    let mut events = ws.subscribe();
    ws.add_note(
        &t.lena.1,
        id,
        "@alex can you call her? (mail ana@example.com, not @nobody.)",
        now,
    )
    .expect("note");
    let mut mentioned = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let Event::Mentioned {
            conversation,
            user,
            by,
        } = e
        {
            mentioned.push((conversation, user, by));
        }
    }
    assert_eq!(mentioned, vec![(id, t.alex.0, t.lena.0)]);
    assert_eq!(mentions_of(&t, &t.alex.1), vec![id]);
    assert!(mentions_of(&t, &t.bea.1).is_empty());
    assert!(!mentions_of(&t, &t.alex.1).contains(&other));
}

#[test]
fn naming_someone_who_may_not_see_the_conversation_refuses_the_note() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000202",
        "wamid.m3",
        "Hi",
        now,
    );
    let notes = |ws: &appcare_core::Workspace| {
        ws.open_conversation(&t.admin, id, None, now)
            .expect("open")
            .notes
            .len()
    };
    let before = notes(ws);
    // Carl is in Billing: the Support conversation does not exist for him.
    let err = ws
        .add_note(&t.lena.1, id, "@carl do you know this customer?", now)
        .expect_err("refused");
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("carl display cannot see"), "{err}");
    assert_eq!(notes(ws), before, "the note was not added");
    assert!(mentions_of(&t, &t.carl.1).is_empty());
}
