//! Desktop notifications (issue 20 item 6): which events notify whom (a new conversation
//! assigned to me, a customer's reply on my conversation, a mention, a handoff; never my
//! own doings), each switchable per person, and what a notification may say (channel and
//! first name, refused for a conversation the person may not see).
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::events::Event;
use appcare_core::ids::UserId;
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::notifications::{notice_for, Notice, NotificationSettings};
use appcare_core::ErrorCode;
use common::*;

/// The notices the events published so far make for `me`.
fn notices(
    events: &mut appcare_core::events::EventReceiver,
    me: UserId,
    wanted: &NotificationSettings,
) -> Vec<Notice> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let Some((notice, _)) = notice_for(&e, me, wanted) {
            out.push(notice);
        }
    }
    out
}

#[test]
fn each_kind_notifies_its_person_once_and_never_for_their_own_doing() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let all = NotificationSettings::ALL;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000300",
        "wamid.n1",
        "Hi",
        now,
    );
    let mut events = ws.subscribe();
    let version = ws
        .open_conversation(&t.lena.1, id, None, now)
        .expect("open")
        .summary
        .version;
    ws.reassign(
        &t.lena.1,
        &[Versioned { id, version }],
        Some(t.alex.0),
        "",
        now,
    )
    .expect("lena gives it to alex");
    assert_eq!(
        notices(&mut events, t.alex.0, &all),
        vec![Notice::NewConversation]
    );

    customer_writes(
        ws,
        t.support_account,
        "4915200000300",
        "wamid.n2",
        "Still there?",
        now,
    );
    assert_eq!(
        notices(&mut events, t.alex.0, &all),
        vec![Notice::CustomerReply]
    );
    assert!(notices(&mut events, t.bea.0, &all).is_empty());

    ws.add_note(&t.lena.1, id, "@alex she is waiting", now)
        .expect("note");
    assert_eq!(
        notices(&mut events, t.alex.0, &all),
        vec![Notice::Mention { by: t.lena.0 }]
    );

    let version = ws
        .open_conversation(&t.alex.1, id, None, now)
        .expect("open")
        .summary
        .version;
    ws.transfer(
        &t.alex.1,
        Versioned { id, version },
        TransferTarget::Agent(t.bea.0),
        "Over to you",
        now,
    )
    .expect("handoff");
    let for_bea: Vec<_> = {
        let mut out = Vec::new();
        while let Ok(e) = events.try_recv() {
            if let Some((n, _)) = notice_for(&e, t.bea.0, &all) {
                out.push(n);
            }
            assert!(
                notice_for(&e, t.alex.0, &all).is_none(),
                "alex's own handoff"
            );
        }
        out
    };
    assert_eq!(for_bea, vec![Notice::Handoff { by: t.alex.0 }]);
}

#[test]
fn choices_are_per_person_and_silence_their_kind() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    assert_eq!(
        ws.notification_settings(&t.alex.1, now).expect("read"),
        NotificationSettings::ALL
    );
    let quiet = NotificationSettings {
        customer_reply: false,
        ..NotificationSettings::ALL
    };
    ws.set_notification_settings(&t.alex.1, quiet, now)
        .expect("saved");
    assert_eq!(
        ws.notification_settings(&t.alex.1, now).expect("read"),
        quiet
    );
    assert_eq!(
        ws.notification_settings(&t.bea.1, now).expect("read"),
        NotificationSettings::ALL
    );
    // The SLA breach choice is kept apart from the other four: it round-trips too.
    let no_sla = NotificationSettings {
        sla_breach: false,
        ..quiet
    };
    ws.set_notification_settings(&t.alex.1, no_sla, now)
        .expect("saved");
    assert_eq!(
        ws.notification_settings(&t.alex.1, now).expect("read"),
        no_sla
    );
    ws.set_notification_settings(&t.alex.1, quiet, now)
        .expect("saved");
    let reply = Event::MessageReceived {
        conversation: appcare_core::ConversationId::new(1),
        message: appcare_core::MessageId::new(1),
        assignee: Some(t.alex.0),
    };
    assert!(notice_for(&reply, t.alex.0, &quiet).is_none());
    assert!(notice_for(&reply, t.alex.0, &NotificationSettings::ALL).is_some());
}

#[test]
fn a_notification_names_the_channel_and_first_name_for_those_who_may_see_it() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000301",
        "wamid.n3",
        "Hi",
        now,
    );
    ws.rename_contact(
        &t.admin,
        ws.open_conversation(&t.admin, id, None, now)
            .expect("open")
            .summary
            .contact_id,
        "Ana Souza",
        now,
    )
    .expect("named");
    let subject = ws.notice_subject(&t.alex.1, id, now).expect("subject");
    assert_eq!(
        (subject.channel.as_str(), subject.first_name.as_str()),
        ("WhatsApp", "Ana")
    );
    let refused = ws.notice_subject(&t.carl.1, id, now);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::NotFound));
}
