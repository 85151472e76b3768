//! Presence and mentions through the team hub (issue 20 items 3 and 5): a colleague sees
//! within a second, on her push stream, that Alex opened a conversation and is typing a
//! reply, and her own call answers who is there by name; an agent of another team gets
//! nothing of it; her note naming Alex reaches his stream.
//!
//! Real parts: the hub's router and TLS listener on loopback, the remote client, rustls,
//! SQLCipher.

use appcare_core::auth::Role;
use appcare_core::events::Event;
use appcare_core::service::presence::Activity;
use appcare_core::{Timestamp, WorkspaceApi};
use appcare_tests::hub_setup::TestHub;
use appcare_tests::push_watch::{listen, wait_for};
use appcare_tests::TestResult;
use std::time::Duration;

#[test]
fn a_colleague_sees_viewing_and_typing_within_a_second_another_team_nothing_and_a_mention_arrives(
) -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let lena = hub.member("lena", Role::Lead)?;
    let carl = hub.member_in("carl", Role::Agent, hub.billing)?;
    let conversation = hub.conversations_for(alex.id, 1)?[0];
    let lena_events = listen(lena.client.events(&lena.token, None)?);
    let carl_events = listen(carl.client.events(&carl.token, None)?);

    let is = |activity: Activity| {
        move |e: &Event| {
            matches!(e, Event::Presence { conversation: c, user, activity: a }
                if *c == conversation && *user == alex.id && *a == activity)
        }
    };
    alex.client.set_presence(
        &alex.token,
        conversation,
        Activity::Viewing,
        Timestamp::now(),
    )?;
    let (_, delay) = wait_for(&lena_events, Duration::from_secs(1), is(Activity::Viewing))?;
    assert!(delay < Duration::from_secs(1), "{delay:?}");
    alex.client.set_presence(
        &alex.token,
        conversation,
        Activity::TypingReply,
        Timestamp::now(),
    )?;
    wait_for(
        &lena_events,
        Duration::from_secs(1),
        is(Activity::TypingReply),
    )?;
    let there = lena.client.set_presence(
        &lena.token,
        conversation,
        Activity::Viewing,
        Timestamp::now(),
    )?;
    assert_eq!(there.len(), 1);
    assert_eq!(
        (there[0].user, there[0].name.as_str(), there[0].activity),
        (alex.id, "alex display", Activity::TypingReply)
    );

    // Carl hears of a settings change (every session does) but of nobody on Support's
    // conversation: the marker arrives with no presence before it.
    let settings = hub.ws.inbox_settings(&hub.admin, Timestamp::now())?;
    hub.ws
        .set_inbox_settings(&hub.admin, settings, Timestamp::now())?;
    let (first, _) = wait_for(&carl_events, Duration::from_secs(2), |e| {
        matches!(e, Event::Presence { .. } | Event::SettingsChanged)
    })?;
    assert_eq!(first, Event::SettingsChanged, "carl was told of presence");

    // Lena's note names Alex: his stream hears of it within a second.
    let alex_events = listen(alex.client.events(&alex.token, None)?);
    lena.client.add_note(
        &lena.token,
        conversation,
        "@alex the customer called, please ring back",
        Timestamp::now(),
    )?;
    let (event, _) = wait_for(&alex_events, Duration::from_secs(1), |e| {
        matches!(e, Event::Mentioned { .. })
    })?;
    assert_eq!(
        event,
        Event::Mentioned {
            conversation,
            user: alex.id,
            by: lena.id
        }
    );
    Ok(())
}
