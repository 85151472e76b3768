//! Sign-in through the team hub against the findings of issue 18: a body the hub cannot
//! read is refused like any failed sign-in (401, not 422); an unknown username looks
//! like a known one with a wrong password through the hub too; guesses sent through the
//! hub lock out their own address only, never the user on the hub's own desktop.
//!
//! Real parts: the hub's router and TLS listener on loopback, rustls, SQLCipher.

use appcare_core::auth::Role;
use appcare_core::{ErrorCode, Password, Timestamp, WorkspaceApi};
use appcare_tests::hub_setup::{next_code, password_for, TestHub};
use appcare_tests::TestResult;

/// Finding 10: whatever is wrong with a sign-in body, the answer is the sign-in
/// failure, never a description of the arguments.
#[test]
fn a_sign_in_body_the_hub_cannot_read_fails_like_a_sign_in() -> TestResult {
    let hub = TestHub::start()?;
    hub.create("alex", Role::Agent)?;
    let agent = hub.trusting_agent()?;
    let url = format!("{}/api/v1/begin_sign_in", hub.address.base());
    for body in [
        "not json at all",
        "[]",
        r#"{"username": 5, "password": "a wrong guess 1234"}"#,
        r#"{"username": "alex"}"#,
        r#"{"username": "nobody", "password": 7}"#,
        r#"{"username": "alex", "password": "a wrong guess 1234", "extra": 1}"#,
    ] {
        let answer = agent.post(&url).send_string(body);
        let Err(ureq::Error::Status(status, response)) = answer else {
            return Err(format!("{body}: accepted").into());
        };
        let json: serde_json::Value = response.into_json()?;
        assert_eq!(
            (status, json["code"].as_str()),
            (401, Some("sign_in_failed")),
            "{body}: {json}"
        );
    }
    Ok(())
}

/// Finding 10: through the hub, an unknown username and a wrong password answer alike,
/// step by step.
#[test]
fn an_unknown_user_looks_like_a_wrong_password_through_the_hub() -> TestResult {
    let hub = TestHub::start()?;
    hub.create("alex", Role::Agent)?;
    let client = hub.client();
    let now = Timestamp::now();
    let mut said = Vec::new();
    for name in ["nobody", "alex"] {
        let challenge = client.begin_sign_in(name, &Password::new("a wrong guess 1234"), now)?;
        let state = client.session_state(&challenge.token, now)?;
        let code = client
            .submit_code(&challenge.token, "123456", now)
            .map_err(|e| e.code());
        let enrol = client
            .start_enrolment(&challenge.token, now)
            .map(|_| ())
            .map_err(|e| e.code());
        let after = client.session_state(&challenge.token, now)?;
        said.push(format!(
            "{:?} {state:?} {code:?} {enrol:?} {after:?}",
            challenge.next
        ));
    }
    assert_eq!(said[0], said[1]);
    assert!(said[0].contains("NeedsCode"), "{said:?}");
    assert!(said[0].contains(&format!("{:?}", ErrorCode::SignInFailed)));
    Ok(())
}

/// Finding 12: wrong passwords sent through the hub lock out the address they came
/// from; the user signs in on the hub's own desktop all the same.
#[test]
fn guesses_through_the_hub_do_not_lock_out_the_local_desktop() -> TestResult {
    let hub = TestHub::start_with(|o| {
        // The hub's own limits are not what this is about.
        o.account_limit = appcare_hub::team::Limit::per_minutes(1000, 5);
        o.address_limit = appcare_hub::team::Limit::per_minutes(1000, 5);
    })?;
    let alex = hub.member("alex", Role::Agent)?;
    let now = Timestamp::now();
    for _ in 0..appcare_core::auth::lockout::FREE_ATTEMPTS * 2 {
        let challenge =
            alex.client
                .begin_sign_in("alex", &Password::new("a wrong guess 1234"), now)?;
        let failed = alex.client.submit_code(&challenge.token, "123456", now);
        assert!(failed.is_err());
    }
    // From the guesser's address even the right password and code are refused.
    let from_there =
        alex.client
            .begin_sign_in("alex", &Password::new(password_for("alex")), now)?;
    let refused = alex
        .client
        .submit_code(&from_there.token, &next_code(&alex.secret)?, now);
    assert_eq!(
        refused.map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::SignInFailed)
    );
    // On the hub's own desktop (in-process: the local source) Alex signs in.
    let here = hub
        .ws
        .begin_sign_in("alex", &Password::new(password_for("alex")), now)?;
    hub.ws
        .submit_code(&here.token, &next_code(&alex.secret)?, now)?;
    Ok(())
}
