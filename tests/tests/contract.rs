//! One contract, two implementations of `WorkspaceApi`: the in-process workspace
//! (embedded mode) and the remote client through a hub over HTTPS (team mode). The same
//! scenario runs on each, on a fresh workspace, and must give the same transcript:
//! sign-in (a wrong password fails at the code step), enrolment, the inbox, search, a
//! reply, bad input, a note, labels, handoff with a note, a stale transfer
//! (`conflict`), role refusals, a lead's reassignment, team load, lock and unlock, an
//! export written on the caller's side, and sign-out.
//!
//! Real parts: the hub's router and TLS listener on loopback, rustls, SQLCipher.

use appcare_core::auth::Role;
use appcare_core::error::Result as CoreResult;
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::InboxQuery;
use appcare_core::{ErrorCode, Password, SessionToken, Timestamp, WorkspaceApi};
use appcare_tests::hub_setup::{enrol, next_code, TestHub};
use appcare_tests::TestResult;

/// What a call did, in a form both implementations must agree on.
fn outcome<T>(result: &CoreResult<T>, ok: impl FnOnce(&T) -> String) -> String {
    match result {
        Ok(value) => format!("ok {}", ok(value)),
        Err(err) => format!("error {:?}", err.code()),
    }
}

fn version(
    api: &dyn WorkspaceApi,
    token: &SessionToken,
    id: appcare_core::ConversationId,
) -> TestResult<Versioned> {
    let view = api.open_conversation(token, id, None, Timestamp::now())?;
    Ok(Versioned {
        id,
        version: view.summary.version,
    })
}

/// The scenario; `hub` only prepares the workspace (users, a customer's conversation).
fn scenario(api: &dyn WorkspaceApi, hub: &TestHub) -> TestResult<Vec<String>> {
    let mut log = Vec::new();
    let now = Timestamp::now;
    let alex_id = hub.create("alex", Role::Agent)?;
    let bea_id = hub.create("bea", Role::Agent)?;
    hub.create("lena", Role::Lead)?;
    let conversation = hub.conversations_for(alex_id, 1)?[0];

    // Sign-in: a wrong password fails at the code step, without saying which was wrong.
    let challenge = api.begin_sign_in("alex", &Password::new("not the password"), now())?;
    log.push(outcome(
        &api.submit_code(&challenge.token, "123456", now()),
        |_| String::new(),
    ));
    let (alex, alex_secret) = enrol(api, "alex")?;
    log.push(outcome(&api.session_state(&alex, now()), |s| {
        format!("{s:?}")
    }));
    log.push(outcome(&api.session_info(&alex, now()), |i| {
        format!("{} {:?}", i.username, i.role)
    }));
    let (bea, _) = enrol(api, "bea")?;
    let (lena, _) = enrol(api, "lena")?;

    // The inbox and the conversation, with the customer's words.
    log.push(outcome(
        &api.list_conversations(&alex, &InboxQuery::default(), now()),
        |p| {
            format!(
                "{} rows, has ours: {}",
                p.rows.len(),
                p.rows.iter().any(|r| r.id == conversation)
            )
        },
    ));
    let view = api.open_conversation(&alex, conversation, None, now())?;
    log.push(format!("first message: {}", view.messages[0].body));
    log.push(outcome(&api.search(&alex, "arrived", now()), |hits| {
        format!("{} hits", hits.len())
    }));

    // Replies and notes; bad input changes nothing.
    log.push(outcome(
        &api.reply(&alex, conversation, "We are on it.", now()),
        |m| format!("{} {} {}", m.direction, m.status, m.body),
    ));
    log.push(outcome(
        &api.reply(&alex, conversation, "   ", now()),
        |_| String::new(),
    ));
    log.push(outcome(
        &api.add_note(&alex, conversation, "Checked the courier.", now()),
        |n| n.body.clone(),
    ));
    log.push(outcome(
        &api.set_labels(&alex, conversation, &["refund".to_string()], now()),
        |l| l.join(","),
    ));

    // Handoff with a note; a transfer from a stale version is refused.
    let stale = version(api, &alex, conversation)?;
    log.push(outcome(
        &api.transfer(
            &alex,
            stale,
            TransferTarget::Agent(bea_id),
            "Over to you: refund approved.",
            now(),
        ),
        |s| format!("assignee is bea: {}", s.assignee_id == Some(bea_id)),
    ));
    // Alex no longer holds it; the lead may act on it, but not from the old version.
    log.push(outcome(
        &api.transfer(&alex, stale, TransferTarget::Agent(bea_id), "again", now()),
        |_| String::new(),
    ));
    log.push(outcome(
        &api.transfer(&lena, stale, TransferTarget::Agent(alex_id), "stale", now()),
        |_| String::new(),
    ));
    let for_bea = api.open_conversation(&bea, conversation, None, now())?;
    log.push(format!(
        "handoff note: {:?}",
        for_bea.handoff.map(|n| n.body)
    ));

    // Roles: agents cannot reassign or list users; a lead reassigns.
    let current = version(api, &bea, conversation)?;
    log.push(outcome(
        &api.reassign(&alex, &[current], Some(alex_id), "", now()),
        |n| n.to_string(),
    ));
    log.push(outcome(&api.list_users(&alex, now()), |u| {
        u.len().to_string()
    }));
    log.push(outcome(
        &api.reassign(&lena, &[current], Some(alex_id), "Back to Alex.", now()),
        |n| n.to_string(),
    ));
    log.push(outcome(&api.team_load(&lena, now()), |l| {
        format!("{} agents", l.agents.len())
    }));

    // Lock: every call waits for the code; unlock with the next one.
    log.push(outcome(&api.lock(&alex, now()), |_| String::new()));
    log.push(outcome(
        &api.list_conversations(&alex, &InboxQuery::default(), now()),
        |_| String::new(),
    ));
    log.push(outcome(
        &api.unlock(&alex, &next_code(&alex_secret)?, now()),
        |i| i.username.clone(),
    ));
    log.push(outcome(&api.session_state(&alex, now()), |s| {
        format!("{s:?}")
    }));

    // An admin's export lands where the caller is.
    let destination = tempfile::tempdir()?;
    let exported = api.export_contact(
        &hub.admin,
        view.summary.contact_id,
        true,
        destination.path(),
        now(),
    )?;
    let folder = std::path::Path::new(&exported.folder);
    log.push(format!(
        "export: inside destination {}, {} conversation(s), files: {}",
        folder.starts_with(destination.path()),
        exported.conversations,
        std::fs::read_dir(folder)?.count() > 0
    ));

    // Sign-out ends the session.
    log.push(outcome(&api.sign_out(&alex, now()), |_| String::new()));
    log.push(outcome(&api.overview(&alex, now()), |_| String::new()));
    Ok(log)
}

#[test]
fn in_process_and_remote_workspaces_keep_the_same_contract() -> TestResult {
    let local_hub = TestHub::start()?;
    let local = scenario(local_hub.ws.as_ref(), &local_hub)?;
    let remote_hub = TestHub::start()?;
    let remote = scenario(&remote_hub.client(), &remote_hub)?;
    let expected_codes = [
        format!("error {:?}", ErrorCode::SignInFailed),
        format!("error {:?}", ErrorCode::InvalidInput),
        format!("error {:?}", ErrorCode::Conflict),
        format!("error {:?}", ErrorCode::Forbidden),
        format!("error {:?}", ErrorCode::SessionLocked),
    ];
    for code in &expected_codes {
        assert!(
            local.contains(code),
            "the scenario exercises {code}: {local:#?}"
        );
    }
    assert!(local.contains(&"ok Active".to_string()), "{local:#?}");
    assert!(
        local
            .iter()
            .any(|l| l == "handoff note: Some(\"Over to you: refund approved.\")"),
        "{local:#?}"
    );
    assert_eq!(local, remote, "embedded and team mode differ");
    Ok(())
}
