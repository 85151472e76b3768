//! The team hub over real HTTPS on loopback: a handoff reaches the colleague's push
//! stream within a second and her client shows the note; a lead reassigning twenty
//! conversations updates every Support client and no Billing one; a client that
//! reconnects with its last number gets every event it missed, in order, none twice,
//! and one too far behind is told to reload (`resync`); a stream that saw no event
//! resumes from its `ready` number without a gap; events of conversations a session may
//! not see are not sent, and an admin made agent stops getting other teams' events;
//! locking or signing out ends the stream within two seconds; every route of the
//! OpenAPI document refuses no token, a made-up token and a half-signed-in session with
//! 401 (only the public routes and the sign-in steps differ); errors cross as a code
//! and a plain message, a wrong argument named without echoing it; sign-in is limited
//! per account and per address (429 with the wait), and first steps per address even
//! when each succeeds; a large body with a token no session has is refused unread, a
//! signed-in one stopped at the limit with 413; a changed certificate is refused with
//! both fingerprints and nothing sent; plaintext exports left by a crash are deleted at
//! start.
//!
//! Real parts: the hub's own router and TLS listener with a generated certificate, the
//! remote client, rustls, SQLCipher.

use appcare_client::{probe_hub, PushMessage, RemoteWorkspace};
use appcare_core::api::{Access, CALLS};
use appcare_core::auth::Role;
use appcare_core::events::Event;
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::InboxQuery;
use appcare_core::{ErrorCode, Password, Timestamp, WorkspaceApi};
use appcare_tests::hub_setup::{initial_password_for, TestHub};
use appcare_tests::push_watch::{listen, wait_for};
use appcare_tests::TestResult;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn versioned(
    api: &dyn WorkspaceApi,
    token: &appcare_core::SessionToken,
    id: appcare_core::ConversationId,
) -> TestResult<Versioned> {
    let view = api.open_conversation(token, id, None, Timestamp::now())?;
    Ok(Versioned {
        id,
        version: view.summary.version,
    })
}

#[test]
fn a_handoff_reaches_the_colleagues_client_within_a_second_with_its_note() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let bea = hub.member("bea", Role::Agent)?;
    let conversation = hub.conversations_for(alex.id, 1)?[0];
    let bea_events = listen(bea.client.events(&bea.token, None)?);

    let sent = Instant::now();
    let target = versioned(&alex.client, &alex.token, conversation)?;
    alex.client.transfer(
        &alex.token,
        target,
        TransferTarget::Agent(bea.id),
        "Customer wants a refund; order 4411 checked.",
        Timestamp::now(),
    )?;
    let (event, _) = wait_for(
        &bea_events,
        Duration::from_secs(1),
        |e| matches!(e, Event::Assigned { conversation: c, .. } if *c == conversation),
    )?;
    let Event::Assigned {
        to_user,
        by,
        handoff,
        ..
    } = event
    else {
        unreachable!()
    };
    assert_eq!((to_user, by, handoff), (Some(bea.id), alex.id, true));
    // Bea's client shows the conversation with the note, all within the second.
    let view = bea
        .client
        .open_conversation(&bea.token, conversation, None, Timestamp::now())?;
    let note = view.handoff.ok_or("no handoff note")?;
    assert_eq!(note.body, "Customer wants a refund; order 4411 checked.");
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );
    let inbox =
        bea.client
            .list_conversations(&bea.token, &InboxQuery::default(), Timestamp::now())?;
    assert!(inbox.rows.iter().any(|c| c.id == conversation));
    Ok(())
}

#[test]
fn a_lead_reassigning_twenty_updates_every_affected_client() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let bea = hub.member("bea", Role::Agent)?;
    let carl = hub.member("carl", Role::Agent)?;
    let lena = hub.member("lena", Role::Lead)?;
    let dora = hub.member_in("dora", Role::Agent, hub.billing)?;
    let from_alex = hub.conversations_for(alex.id, 10)?;
    let from_bea = hub.conversations_for(bea.id, 10)?;
    let streams = [
        ("alex", listen(alex.client.events(&alex.token, None)?)),
        ("bea", listen(bea.client.events(&bea.token, None)?)),
        ("carl", listen(carl.client.events(&carl.token, None)?)),
        ("lena", listen(lena.client.events(&lena.token, None)?)),
    ];
    let doras = listen(dora.client.events(&dora.token, None)?);
    let mut all = from_alex.clone();
    all.extend(&from_bea);
    let targets = all
        .iter()
        .map(|id| versioned(&lena.client, &lena.token, *id))
        .collect::<TestResult<Vec<_>>>()?;
    let moved = lena.client.reassign(
        &lena.token,
        &targets,
        Some(carl.id),
        "Alex and Bea are in training this afternoon.",
        Timestamp::now(),
    )?;
    assert_eq!(moved, 20);
    // Everyone in Support sees the team's conversations, so every one of them updates.
    for (name, rx) in &streams {
        let expected = &all;
        let mut seen = std::collections::BTreeSet::new();
        while seen.len() < expected.len() {
            let (event, _) = wait_for(
                rx,
                Duration::from_secs(2),
                |e| matches!(e, Event::Assigned { to_user, .. } if *to_user == Some(carl.id)),
            )
            .map_err(|e| format!("{name}: {e} ({} of {})", seen.len(), expected.len()))?;
            if let Event::Assigned { conversation, .. } = event {
                seen.insert(conversation);
            }
        }
        let expected: std::collections::BTreeSet<_> = expected.iter().copied().collect();
        assert_eq!(seen, expected, "{name} got every move");
    }
    // Dora, in Billing, sees none of Support's conversations, so none of the moves.
    assert!(
        wait_for(&doras, Duration::from_millis(500), |e| matches!(
            e,
            Event::Assigned { .. }
        ))
        .is_err(),
        "a Billing agent was told about Support's conversations"
    );
    let carls =
        carl.client
            .list_conversations(&carl.token, &InboxQuery::default(), Timestamp::now())?;
    assert_eq!(
        carls.rows.iter().filter(|c| all.contains(&c.id)).count(),
        20
    );
    Ok(())
}

#[test]
fn a_client_that_reconnects_gets_every_event_it_missed_once() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let bea = hub.member("bea", Role::Agent)?;
    let conversations = hub.conversations_for(alex.id, 6)?;
    let mut stream = bea.client.events(&bea.token, None)?;
    // One handoff while connected: Bea's last seen number.
    let first = versioned(&alex.client, &alex.token, conversations[0])?;
    alex.client.transfer(
        &alex.token,
        first,
        TransferTarget::Agent(bea.id),
        "first",
        Timestamp::now(),
    )?;
    let last_seen = loop {
        match stream.next()?.ok_or("stream closed")? {
            PushMessage::Event {
                id,
                event: Event::Assigned { conversation, .. },
            } if conversation == conversations[0] => break id,
            _ => continue,
        }
    };
    drop(stream);
    // Five more while Bea is away.
    for id in &conversations[1..] {
        let target = versioned(&alex.client, &alex.token, *id)?;
        alex.client.transfer(
            &alex.token,
            target,
            TransferTarget::Agent(bea.id),
            "while away",
            Timestamp::now(),
        )?;
    }
    let rx = listen(bea.client.events(&bea.token, Some(last_seen))?);
    let mut got = Vec::new();
    let mut ids = Vec::new();
    while let Ok(message) = rx.recv_timeout(Duration::from_millis(1500)) {
        match message {
            PushMessage::Event {
                id,
                event: Event::Assigned { conversation, .. },
            } => {
                ids.push(id);
                got.push(conversation);
            }
            PushMessage::Event { id, .. } => ids.push(id),
            PushMessage::Ready { id } => assert_eq!(id, last_seen, "resumes where it stopped"),
            other => return Err(format!("unexpected {other:?}").into()),
        }
    }
    assert_eq!(
        got,
        conversations[1..].to_vec(),
        "each missed handoff, in order, once"
    );
    assert!(
        ids.iter().all(|id| *id > last_seen),
        "nothing from before the disconnect"
    );
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique, ids, "no event twice");
    Ok(())
}

#[test]
fn a_client_too_far_behind_is_told_to_reload() -> TestResult {
    let hub = TestHub::start_with(|o| o.push_backlog = 3)?;
    let alex = hub.member("alex", Role::Agent)?;
    let conversations = hub.conversations_for(alex.id, 1)?;
    let latest = hub.hub.log().latest();
    for label in ["a", "b", "c", "d", "e"] {
        alex.client.set_labels(
            &alex.token,
            conversations[0],
            &[label.to_string()],
            Timestamp::now(),
        )?;
    }
    let mut stream = alex.client.events(&alex.token, Some(latest))?;
    assert_eq!(stream.next()?, Some(PushMessage::Ready { id: latest }));
    match stream.next()? {
        Some(PushMessage::Resync { id }) => assert!(id > latest),
        other => return Err(format!("expected resync, got {other:?}").into()),
    }
    Ok(())
}

#[test]
fn a_client_sees_only_events_of_conversations_it_may_see() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let dora = hub.member_in("dora", Role::Agent, hub.billing)?;
    let alexs = hub.conversations_for(alex.id, 1)?[0];
    let doras = hub.conversations_for(dora.id, 1)?[0];
    let rx = listen(dora.client.events(&dora.token, None)?);
    alex.client
        .add_note(&alex.token, alexs, "private to Support", Timestamp::now())?;
    dora.client
        .add_note(&dora.token, doras, "dora's own", Timestamp::now())?;
    let (event, _) = wait_for(&rx, Duration::from_secs(2), |e| {
        matches!(e, Event::NoteAdded { .. })
    })?;
    assert_eq!(
        event,
        Event::NoteAdded {
            conversation: doras
        },
        "Support's note is not Billing's to see"
    );
    Ok(())
}

fn post(agent: &ureq::Agent, url: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = agent.post(url);
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    match request.send_string("{}") {
        Ok(r) => (r.status(), r.into_json().unwrap_or_default()),
        Err(ureq::Error::Status(status, r)) => (status, r.into_json().unwrap_or_default()),
        Err(e) => (0, serde_json::json!({ "transport": e.to_string() })),
    }
}

#[test]
fn every_route_refuses_callers_without_a_full_session() -> TestResult {
    let hub = TestHub::start()?;
    hub.create("alex", Role::Agent)?;
    let client = hub.client();
    // Half signed in: the password only (the one the admin gave; not yet replaced).
    let half = client.begin_sign_in(
        "alex",
        &Password::new(initial_password_for("alex")),
        Timestamp::now(),
    )?;
    let agent = hub.trusting_agent()?;
    let base = hub.address.base();
    let document: serde_json::Value = agent
        .get(&format!("{base}/api/v1/openapi.json"))
        .call()?
        .into_json()?;
    let paths = document["paths"].as_object().ok_or("no paths")?;
    assert!(paths.len() > 60, "{} routes", paths.len());
    let mut public = Vec::new();
    for (path, item) in paths {
        let (method, operation) = item
            .as_object()
            .and_then(|o| o.iter().next())
            .ok_or("empty path")?;
        let scheme = operation["security"]
            .as_array()
            .and_then(|s| s.first())
            .and_then(|s| s.as_object())
            .and_then(|s| s.keys().next().cloned());
        let url = format!("{base}{path}");
        let call = |token: Option<&str>| -> (u16, serde_json::Value) {
            if method == "get" {
                let mut request = agent.get(&url);
                if let Some(t) = token {
                    request = request.set("Authorization", &format!("Bearer {t}"));
                }
                match request.call() {
                    Ok(r) => (r.status(), serde_json::Value::Null),
                    Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or_default()),
                    Err(e) => (0, serde_json::json!(e.to_string())),
                }
            } else {
                post(&agent, &url, token)
            }
        };
        match scheme.as_deref() {
            None => public.push(path.clone()),
            Some("session") => {
                for (label, token) in [
                    ("no token", None),
                    ("a made-up token", Some("bm90LWEtcmVhbC10b2tlbg")),
                    ("a half-signed-in session", Some(half.token.expose())),
                ] {
                    let (status, body) = call(token);
                    assert_eq!(status, 401, "{path} with {label}: {body}");
                    assert_eq!(body["code"], "not_signed_in", "{path} with {label}: {body}");
                }
            }
            Some("pendingSession") => {
                let (status, body) = call(None);
                assert_eq!(status, 401, "{path} without a token: {body}");
            }
            Some(other) => return Err(format!("{path}: unknown scheme {other}").into()),
        }
    }
    public.sort();
    assert_eq!(
        public,
        [
            "/api/v1/begin_sign_in",
            "/api/v1/hello",
            "/api/v1/openapi.json"
        ],
        "only these need no session"
    );
    Ok(())
}

/// Every call of the table has its route, documented with the access its line declares,
/// and no route is documented that the table does not have.
#[test]
fn every_call_of_the_table_is_routed_and_documented_with_its_access() -> TestResult {
    let hub = TestHub::start()?;
    let agent = hub.trusting_agent()?;
    let base = hub.address.base();
    let document: serde_json::Value = agent
        .get(&format!("{base}/api/v1/openapi.json"))
        .call()?
        .into_json()?;
    let paths = document["paths"].as_object().ok_or("no paths")?;
    let posted = paths
        .values()
        .filter(|item| item.get("post").is_some())
        .count();
    assert_eq!(posted, CALLS.len(), "documented calls and the table differ");
    for call in CALLS {
        let path = format!("/api/v1/{}", call.name);
        let scheme = paths[&path]["post"]["security"][0]
            .as_object()
            .and_then(|s| s.keys().next().cloned());
        let expected = match call.access {
            Access::Open => None,
            Access::SignInStep => Some("pendingSession"),
            Access::Session(_) => Some("session"),
        };
        assert_eq!(scheme.as_deref(), expected, "{path}");
        // Without a token: refused for its access, never unknown.
        let (status, body) = post(&agent, &format!("{base}{path}"), None);
        assert_ne!(status, 404, "{path} has no route: {body}");
        if call.takes_token {
            assert_eq!(status, 401, "{path}: {body}");
        }
    }
    Ok(())
}

#[test]
fn errors_cross_the_wire_as_code_and_plain_message() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let err = alex
        .client
        .list_users(&alex.token, Timestamp::now())
        .expect_err("agents cannot list users");
    assert_eq!(err.code(), ErrorCode::Forbidden);
    assert!(
        err.to_string().contains("Your role does not allow this"),
        "{err}"
    );
    let agent = hub.trusting_agent()?;
    let url = format!("{}/api/v1/reply", hub.address.base());
    let response = agent
        .post(&url)
        .set("Authorization", &format!("Bearer {}", alex.token.expose()))
        .send_string(r#"{"id": "not a number", "body": "secret customer words"}"#);
    let Err(ureq::Error::Status(status, response)) = response else {
        return Err("a wrong argument was accepted".into());
    };
    let body: serde_json::Value = response.into_json()?;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_input"))
    );
    assert!(
        !body.to_string().contains("secret customer words"),
        "{body}"
    );
    let unknown = agent
        .post(&format!("{}/api/v1/no_such_call", hub.address.base()))
        .send_string("{}");
    assert!(matches!(unknown, Err(ureq::Error::Status(404, _))));
    Ok(())
}

#[test]
fn sign_in_is_rate_limited_per_account_and_per_address() -> TestResult {
    let hub = TestHub::start_with(|o| {
        o.account_limit = appcare_hub::team::Limit::per_minutes(3, 5);
        o.address_limit = appcare_hub::team::Limit::per_minutes(5, 5);
    })?;
    hub.create("alex", Role::Agent)?;
    hub.create("bea", Role::Agent)?;
    let client = hub.client();
    let now = Timestamp::now();
    // A wrong password is refused at the password step (the same words for any account).
    let fail = |name: &str| -> TestResult {
        let err = client
            .begin_sign_in(name, &Password::new("wrong guess 1234"), now)
            .expect_err("wrong password");
        assert_eq!(err.code(), ErrorCode::SignInFailed);
        Ok(())
    };
    for _ in 0..3 {
        fail("alex")?;
    }
    // Alex's account is now held back, even with the right password.
    let err = client
        .begin_sign_in("alex", &Password::new(initial_password_for("alex")), now)
        .expect_err("limited");
    assert_eq!(err.code(), ErrorCode::RateLimited, "{err}");
    assert!(err.to_string().contains("Wait"), "{err}");
    // Bea from the same address still may, until the address's limit is reached.
    client.begin_sign_in("bea", &Password::new(initial_password_for("bea")), now)?;
    for _ in 0..2 {
        fail("bea")?;
    }
    let err = client
        .begin_sign_in("bea", &Password::new(initial_password_for("bea")), now)
        .expect_err("address limited");
    assert_eq!(err.code(), ErrorCode::RateLimited);
    Ok(())
}

#[test]
fn a_changed_certificate_is_refused_with_a_clear_warning() -> TestResult {
    let first = TestHub::start()?;
    let second = TestHub::start()?;
    // The first connection shows the fingerprint the user is asked to trust.
    let probe = probe_hub(&first.address)?;
    assert_eq!(probe.fingerprint, first.fingerprint);
    // Later the same address shows another certificate (here: another hub's).
    let pinned_to_first = RemoteWorkspace::new(second.address.clone(), &first.fingerprint);
    let err = pinned_to_first
        .begin_sign_in("maria", &Password::new("anything at all"), Timestamp::now())
        .expect_err("refused");
    assert_eq!(err.code(), ErrorCode::CertificateChanged);
    let message = err.to_string();
    assert!(
        message.contains(&first.fingerprint) && message.contains(&second.fingerprint),
        "{message}"
    );
    assert!(message.contains("Nothing was sent"), "{message}");
    // Nothing reached the second hub: no failed sign-in was recorded for Maria.
    let audit =
        second
            .ws
            .recent_audit(&second.admin, Some("login_failed"), 10, Timestamp::now())?;
    assert!(audit.is_empty());
    Ok(())
}

#[test]
fn a_client_that_saw_no_event_yet_still_resumes_without_a_gap() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let bea = hub.member("bea", Role::Agent)?;
    let conversations = hub.conversations_for(alex.id, 2)?;
    // Bea's stream opens and drops before any event: `ready` says where it stood.
    let first = listen(bea.client.events(&bea.token, None)?);
    let PushMessage::Ready { id: stood } = first.recv_timeout(Duration::from_secs(5))? else {
        return Err("the stream did not start with ready".into());
    };
    drop(first);
    for id in &conversations {
        let target = versioned(&alex.client, &alex.token, *id)?;
        alex.client.transfer(
            &alex.token,
            target,
            TransferTarget::Agent(bea.id),
            "while the stream was down",
            Timestamp::now(),
        )?;
    }
    let rx = listen(bea.client.events(&bea.token, Some(stood))?);
    let mut got = Vec::new();
    while got.len() < conversations.len() {
        let (event, _) = wait_for(&rx, Duration::from_secs(2), |e| {
            matches!(e, Event::Assigned { .. })
        })?;
        if let Event::Assigned { conversation, .. } = event {
            got.push(conversation);
        }
    }
    assert_eq!(got, conversations);
    Ok(())
}

/// The stream's next message other than `ready`, within `limit`.
fn next_after_ready(rx: &mpsc::Receiver<PushMessage>, limit: Duration) -> TestResult<PushMessage> {
    let start = Instant::now();
    loop {
        let left = limit.checked_sub(start.elapsed()).ok_or("nothing came")?;
        match rx.recv_timeout(left)? {
            PushMessage::Ready { .. } => continue,
            other => return Ok(other),
        }
    }
}

#[test]
fn locking_or_signing_out_ends_the_push_stream_at_once() -> TestResult {
    let hub = TestHub::start()?;
    let alex = hub.member("alex", Role::Agent)?;
    let bea = hub.member("bea", Role::Agent)?;
    let alexs = listen(alex.client.events(&alex.token, None)?);
    let beas = listen(bea.client.events(&bea.token, None)?);
    alex.client.lock(&alex.token, Timestamp::now())?;
    // Well before the stream's own 20-second check (5 s leaves room for a loaded machine).
    assert_eq!(
        next_after_ready(&alexs, Duration::from_secs(5))?,
        PushMessage::Ended
    );
    bea.client.sign_out(&bea.token, Timestamp::now())?;
    assert_eq!(
        next_after_ready(&beas, Duration::from_secs(5))?,
        PushMessage::Ended
    );
    Ok(())
}

#[test]
fn an_admin_made_agent_stops_receiving_other_teams_events() -> TestResult {
    let hub = TestHub::start()?;
    // Maya is in Billing; Alex's conversation is Support's.
    let maya = hub.member_in("maya", Role::Admin, hub.billing)?;
    let alex = hub.member("alex", Role::Agent)?;
    let alexs = hub.conversations_for(alex.id, 1)?[0];
    let rx = listen(maya.client.events(&maya.token, None)?);
    alex.client
        .add_note(&alex.token, alexs, "before", Timestamp::now())?;
    wait_for(
        &rx,
        Duration::from_secs(2),
        |e| matches!(e, Event::NoteAdded { conversation } if *conversation == alexs),
    )
    .map_err(|e| format!("an admin sees every team: {e}"))?;
    // The demotion and the next note follow each other at once, so they may reach the
    // stream together: the note must be judged with Maya's new role all the same.
    hub.ws
        .set_role(&hub.admin, maya.id, Role::Agent, Timestamp::now())?;
    alex.client
        .add_note(&alex.token, alexs, "after", Timestamp::now())?;
    wait_for(
        &rx,
        Duration::from_secs(5),
        |e| matches!(e, Event::UserChanged { user } if *user == maya.id),
    )?;
    assert!(
        wait_for(&rx, Duration::from_millis(1500), |e| matches!(
            e,
            Event::NoteAdded { .. }
        ))
        .is_err(),
        "Maya, now a Billing agent, still got Support's note"
    );
    Ok(())
}

/// Sends `chunks` × 64 KiB of body to the hub's router (no size announced, so the hub
/// cannot tell it is small) and counts how much of it the hub read.
fn post_counting(
    hub: &TestHub,
    call: &str,
    token: &str,
    chunks: usize,
) -> TestResult<(u16, serde_json::Value, usize, bool)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;
    let read = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = read.clone();
    let body = futures_util::stream::iter((0..chunks).map(move |i| {
        counter.fetch_add(64 * 1024, Ordering::SeqCst);
        let chunk = if i == 0 { b'[' } else { b' ' };
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![chunk; 64 * 1024]))
    }));
    let request = axum::http::Request::post(format!("/api/v1/{call}"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from_stream(body))?;
    let router = appcare_hub::team::router(hub.hub.clone());
    let runtime = tokio::runtime::Runtime::new()?;
    let (status, body, closes) = runtime.block_on(async move {
        let response = router.oneshot(request).await?;
        let status = response.status().as_u16();
        let closes = response
            .headers()
            .get("connection")
            .is_some_and(|v| v == "close");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
        TestResult::Ok((status, serde_json::from_slice(&bytes)?, closes))
    })?;
    Ok((status, body, read.load(Ordering::SeqCst), closes))
}

#[test]
fn a_large_body_with_a_token_no_session_has_is_refused_unread() -> TestResult {
    let hub = TestHub::start()?;
    // 2 MiB from a stranger: refused before a byte of it is read.
    let (status, body, read, closes) =
        post_counting(&hub, "list_conversations", "bm90LWEtcmVhbC10b2tlbg", 32)?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("not_signed_in"))
    );
    assert_eq!(read, 0, "the hub read a stranger's body");
    assert!(closes, "the unread body's connection must not be reused");
    // A signed-in agent's oversized body: read only up to the call's limit (1 MiB),
    // then refused by size, in the API's own error shape.
    let alex = hub.member("alex", Role::Agent)?;
    let (status, body, read, _) =
        post_counting(&hub, "list_conversations", alex.token.expose(), 32)?;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("invalid_input")),
        "{body}"
    );
    assert!(
        (1024 * 1024..32 * 64 * 1024).contains(&read),
        "{read} bytes read: not stopped at the limit"
    );
    Ok(())
}

/// Issue 18, finding 8: a pending sign-in (a right password, before the code) is no
/// licence to make the hub buffer a large body: only a signed-in session's large body is
/// read. (A wrong password gets no pending sign-in at all since issue 19.)
#[test]
fn a_large_body_with_a_pending_sign_in_token_is_refused_unread() -> TestResult {
    let hub = TestHub::start()?;
    hub.create("alex", Role::Agent)?;
    let client = hub.client();
    let pending = client.begin_sign_in(
        "alex",
        &Password::new(initial_password_for("alex")),
        Timestamp::now(),
    )?;
    let (status, body, read, closes) =
        post_counting(&hub, "reply_with_attachment", pending.token.expose(), 32)?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("not_signed_in")),
        "{body}"
    );
    assert_eq!(read, 0, "the hub read a pending sign-in's body");
    assert!(closes, "the unread body's connection must close");
    Ok(())
}

#[test]
fn first_sign_in_steps_are_limited_per_address_even_when_each_succeeds() -> TestResult {
    let hub = TestHub::start_with(|o| {
        o.attempt_limit = appcare_hub::team::Limit::per_minutes(4, 5);
    })?;
    hub.create("alex", Role::Agent)?;
    let client = hub.client();
    for _ in 0..4 {
        client.begin_sign_in(
            "alex",
            &Password::new(initial_password_for("alex")),
            Timestamp::now(),
        )?;
    }
    let err = client
        .begin_sign_in(
            "alex",
            &Password::new(initial_password_for("alex")),
            Timestamp::now(),
        )
        .expect_err("limited");
    assert_eq!(err.code(), ErrorCode::RateLimited, "{err}");
    Ok(())
}

#[test]
fn exports_left_behind_by_a_crash_are_deleted_when_the_hub_starts() -> TestResult {
    let mut left = None;
    let hub = TestHub::start_with(|o| {
        let folder = o.scratch_dir.join("export-crashed");
        let file = folder.join("messages.json");
        let written =
            std::fs::create_dir_all(&folder).and_then(|()| std::fs::write(&file, "customer words"));
        left = Some((file, written));
    })?;
    let (file, written) = left.ok_or("the options were not adjusted")?;
    written?;
    assert!(!file.exists(), "a plaintext export outlived the restart");
    drop(hub);
    Ok(())
}

/// Listener limits short enough for a test: one second for each deadline.
fn short_limits(max_connections: usize) -> appcare_channels::listen::ListenLimits {
    appcare_channels::listen::ListenLimits {
        max_connections,
        tls_handshake: Duration::from_secs(1),
        header: Duration::from_secs(1),
        body_idle: Duration::from_secs(1),
    }
}

type TlsConnection = rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>;

/// A TLS connection to the hub with its handshake done, nothing sent yet.
fn tls_connection(hub: &TestHub) -> TestResult<TlsConnection> {
    let tcp = std::net::TcpStream::connect(("127.0.0.1", hub.port()?))?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1")?;
    let conn = rustls::ClientConnection::new(hub.trusting_tls()?, name)?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

/// How long until the hub closes the connection `reader` reads (whatever it answers
/// first), or `None` when it is still open after `limit`.
fn closed_within(
    reader: &mut impl std::io::Read,
    socket: &std::net::TcpStream,
    limit: Duration,
) -> TestResult<Option<Duration>> {
    let started = Instant::now();
    socket.set_read_timeout(Some(limit))?;
    let mut buf = [0u8; 4096];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(Some(started.elapsed())),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None)
            }
            Err(_) => return Ok(Some(started.elapsed())),
        }
        if started.elapsed() > limit {
            return Ok(None);
        }
    }
}

/// Issue 18, finding 8: a client that connects and sends nothing (no TLS handshake, or
/// nothing after it), or half a request's headers, or half its body, is disconnected
/// after the listener's deadline; a normal call still works.
#[test]
fn a_connection_that_sends_nothing_or_half_a_request_is_closed_in_time() -> TestResult {
    use std::io::Write;
    let hub = TestHub::start_limited(0, |_| {}, short_limits(64))?;
    let patience = Duration::from_secs(6);
    // No TLS handshake at all.
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", hub.port()?))?;
    let socket = raw.try_clone()?;
    let took = closed_within(&mut raw, &socket, patience)?;
    assert!(
        took.is_some(),
        "a silent connection was held past the handshake deadline"
    );
    // TLS done, then silence.
    let mut silent = tls_connection(&hub)?;
    let socket = silent.sock.try_clone()?;
    let took = closed_within(&mut silent, &socket, patience)?;
    assert!(
        took.is_some(),
        "a silent TLS connection was held past the header deadline"
    );
    // Half a header.
    let mut half = tls_connection(&hub)?;
    half.write_all(b"POST /api/v1/list_conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthor")?;
    half.flush()?;
    let socket = half.sock.try_clone()?;
    let took = closed_within(&mut half, &socket, patience)?;
    assert!(
        took.is_some(),
        "half a header was waited for past the deadline"
    );
    // Half a webhook body (read before any check: Meta signs the whole body).
    let mut body = tls_connection(&hub)?;
    body.write_all(
        b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"object\":",
    )?;
    body.flush()?;
    let socket = body.sock.try_clone()?;
    let took = closed_within(&mut body, &socket, patience)?;
    assert!(
        took.is_some(),
        "half a body was waited for past the deadline"
    );
    // A normal call is unaffected.
    let agent = hub.trusting_agent()?;
    let hello = agent
        .get(&format!("{}/api/v1/hello", hub.address.base()))
        .call()?;
    assert_eq!(hello.status(), 200);
    Ok(())
}

/// Issue 18, finding 8: with N connections held open, the N+1th is closed at once; once
/// one of the N goes, calls are served again.
#[test]
fn a_connection_beyond_the_cap_is_closed_while_the_others_are_held() -> TestResult {
    let cap = 3;
    let mut limits = short_limits(cap);
    // Long deadlines here: the held connections must stay open during the test.
    limits.header = Duration::from_secs(30);
    limits.tls_handshake = Duration::from_secs(30);
    let hub = TestHub::start_limited(0, |_| {}, limits)?;
    let mut held = (0..cap)
        .map(|_| tls_connection(&hub))
        .collect::<TestResult<Vec<_>>>()?;
    let started = Instant::now();
    let beyond = tls_connection(&hub);
    assert!(
        beyond.is_err(),
        "connection {} beyond the cap was served",
        cap + 1
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the connection beyond the cap was left waiting, not closed"
    );
    // The held ones are still open.
    for stream in &mut held {
        let socket = stream.sock.try_clone()?;
        assert_eq!(
            closed_within(stream, &socket, Duration::from_millis(200))?,
            None,
            "a held connection was closed"
        );
    }
    held.pop();
    let agent = hub.trusting_agent()?;
    let mut served = false;
    for _ in 0..50 {
        match agent
            .get(&format!("{}/api/v1/hello", hub.address.base()))
            .call()
        {
            Ok(r) if r.status() == 200 => {
                served = true;
                break;
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    assert!(served, "no call was served after a held connection closed");
    Ok(())
}

/// Issue 18, finding 8: only so many large bodies are read at once, even for signed-in
/// sessions; one more is answered 503 with Retry-After, without being read.
#[test]
fn large_bodies_beyond_the_limit_are_refused_with_retry_after() -> TestResult {
    use std::io::Write;
    let mut limits = short_limits(64);
    limits.body_idle = Duration::from_secs(30);
    limits.header = Duration::from_secs(30);
    let hub = TestHub::start_limited(0, |o| o.concurrent_large_bodies = 1, limits)?;
    let alex = hub.member("alex", Role::Agent)?;
    let head = format!(
        "POST /api/v1/reply_with_attachment HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        alex.token.expose(),
        2 * 1024 * 1024
    );
    // The first large body: half of it sent, the rest held back.
    let mut first = tls_connection(&hub)?;
    first.write_all(head.as_bytes())?;
    first.write_all(&vec![b' '; 256 * 1024])?;
    first.flush()?;
    std::thread::sleep(Duration::from_millis(500));
    // The second is refused at once.
    let mut second = tls_connection(&hub)?;
    second.write_all(head.as_bytes())?;
    second.flush()?;
    let mut answer = Vec::new();
    let socket = second.sock.try_clone()?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match std::io::Read::read(&mut second, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: "), "{answer}");
    drop(first);
    // Once the first is gone, a large body is read again (and judged on its merits).
    std::thread::sleep(Duration::from_millis(300));
    let (status, body, _, _) =
        post_counting(&hub, "reply_with_attachment", alex.token.expose(), 2)?;
    assert_ne!(status, 503, "{body}");
    Ok(())
}

/// Posts `body` to `call` with `token`: the status, the answer as JSON and the headers'
/// `retry-after`.
fn post_json(
    hub: &TestHub,
    call: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> TestResult<(u16, serde_json::Value)> {
    let agent = hub.trusting_agent()?;
    let mut request = agent.post(&format!("{}/api/v1/{call}", hub.address.base()));
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    Ok(match request.send_json(body) {
        Ok(r) => (r.status(), r.into_json().unwrap_or_default()),
        Err(ureq::Error::Status(status, r)) => (status, r.into_json().unwrap_or_default()),
        Err(e) => return Err(e.into()),
    })
}

/// Issue 18, finding 15: connecting an account that is already connected is a 409 in
/// plain words, not a 500 with the storage's words; and a failure (500) tells the
/// client only "internal error" with the request id the log has, never what broke.
#[test]
fn a_duplicate_account_is_a_conflict_and_a_failure_names_only_its_request() -> TestResult {
    // Exports fail on this hub (its scratch folder lies under a file).
    let blocker = tempfile::NamedTempFile::new()?;
    let scratch = blocker.path().join("scratch");
    let hub = TestHub::start_with(move |o| o.scratch_dir = scratch)?;
    let admin = hub.admin.expose().to_owned();
    let (status, body) = post_json(
        &hub,
        "create_channel_account",
        Some(&admin),
        &serde_json::json!({
            "kind": "whatsapp",
            "name": "Second line",
            "external_id": appcare_tests::channel_setup::PHONE_ID,
            "default_team": null,
        }),
    )?;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert_eq!(body["message"], "This account is already connected.");
    let (status, body) = post_json(
        &hub,
        "export_audit",
        Some(&admin),
        &serde_json::json!({ "filter": { "limit": 10 } }),
    )?;
    assert_eq!(status, 500, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Internal error. Request ") && !message.contains("export"),
        "{body}"
    );
    assert!(!body.to_string().contains("scratch"), "{body}");
    Ok(())
}
