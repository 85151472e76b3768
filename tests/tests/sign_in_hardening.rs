//! Sign-in through the team hub against the findings of issue 18: a body the hub cannot
//! read is refused like any failed sign-in (401, not 422); an unknown username looks
//! like a known one with a wrong password through the hub too; guesses sent through the
//! hub lock out their own address only, never the user on the hub's own desktop;
//! passwords are chosen, changed and reset through the hub (finding 11).
//!
//! Real parts: the hub's router and TLS listener on loopback, rustls, SQLCipher.

use appcare_core::auth::totp;
use appcare_core::auth::Role;
use appcare_core::service::login::{NextStep, SessionStage};
use appcare_core::{ErrorCode, Password, Timestamp, WorkspaceApi};
use appcare_tests::hub_setup::{initial_password_for, next_code, password_for, TestHub};
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

/// Finding 10 (and issue 19): through the hub, an unknown username and a wrong password
/// are refused alike, at the password step, in words that do not ask for a code.
#[test]
fn an_unknown_user_looks_like_a_wrong_password_through_the_hub() -> TestResult {
    let hub = TestHub::start()?;
    hub.create("alex", Role::Agent)?;
    let client = hub.client();
    let now = Timestamp::now();
    let mut said = Vec::new();
    for name in ["nobody", "alex"] {
        let refused = client
            .begin_sign_in(name, &Password::new("a wrong guess 1234"), now)
            .expect_err("refused");
        said.push((refused.code(), refused.to_string()));
    }
    assert_eq!(said[0], said[1]);
    assert_eq!(said[0].0, ErrorCode::SignInFailed);
    assert!(said[0].1.contains("username or password"), "{said:?}");
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
        let failed = alex
            .client
            .begin_sign_in("alex", &Password::new("a wrong guess 1234"), now);
        assert!(failed.is_err());
    }
    // From the guesser's address even the right password is refused.
    let refused = alex
        .client
        .begin_sign_in("alex", &Password::new(password_for("alex")), now);
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

/// Finding 11, through the hub: a new member chooses her own password before she may
/// enrol; she changes it with the current one and a code, which ends her other session;
/// an admin's forced reset ends her sessions and her next sign-in is not active until
/// she has chosen a new one.
#[test]
fn passwords_are_chosen_changed_and_reset_through_the_hub() -> TestResult {
    let hub = TestHub::start()?;
    let id = hub.create("alex", Role::Agent)?;
    let client = hub.client();
    let now = Timestamp::now;
    let first =
        client.begin_sign_in("alex", &Password::new(initial_password_for("alex")), now())?;
    assert_eq!(first.next, NextStep::NewPassword);
    let refused = client.start_enrolment(&first.token, now());
    assert!(refused.is_err(), "enrolment before a new password");
    let own = Password::new(password_for("alex"));
    assert_eq!(
        client.set_new_password(&first.token, &own, now())?,
        SessionStage::NeedsEnrolment
    );
    let enrolment = client.start_enrolment(&first.token, now())?;
    let secret = totp::secret_from_manual_key(&enrolment.manual_key).ok_or("key")?;
    let code = totp::code_at(&secret, totp::step_of(now()))?;
    let (_, recovery) = client.confirm_enrolment(&first.token, &code, now())?;
    let here = first.token;

    // A second session (with a recovery code, so the next code stays unused).
    let other = client.begin_sign_in("alex", &own, now())?;
    client.submit_recovery_code(&other.token, &recovery.codes[0], now())?;
    let new = Password::new("quiet harbour lamp 81");
    client.change_password(&here, &own, &next_code(&secret)?, &new, now())?;
    assert!(client.overview(&here, now()).is_ok());
    let ended = client.overview(&other.token, now());
    assert_eq!(
        ended.map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::SessionExpired)
    );

    // The admin asks for a new password: alex's session ends at once.
    let marked = client.require_password_change(&hub.admin, id, now())?;
    assert!(marked.must_change_password);
    let ended = client.overview(&here, now());
    assert_eq!(
        ended.map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::SessionExpired)
    );
    let again = client.begin_sign_in("alex", &new, now())?;
    client.submit_recovery_code(&again.token, &recovery.codes[1], now())?;
    assert_eq!(
        client.session_state(&again.token, now())?,
        SessionStage::NeedsNewPassword
    );
    let half = client.overview(&again.token, now());
    assert_eq!(
        half.map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::NotSignedIn)
    );
    assert_eq!(
        client.set_new_password(&again.token, &Password::new("calm river stone 55"), now())?,
        SessionStage::Active
    );
    assert!(client.overview(&again.token, now()).is_ok());
    Ok(())
}
