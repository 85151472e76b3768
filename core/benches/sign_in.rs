//! How long a refused first sign-in step takes for an unknown username beside a known
//! one with a wrong password (issue 18, finding 10: the two must be indistinguishable in
//! time too). Attempts alternate unknown / known-wrong / known-right so both see the same
//! machine load; each known attempt uses another user, so no failure counter or lock-out
//! changes the work. Prints medians and the unknown ÷ known ratio (goal: 0.9 to 1.1).
//! Run: `cargo bench -p appcare-core --bench sign_in`; under `cargo test` a smoke run of
//! 3 rounds.
//!
//! Real parts: SQLCipher, Argon2id.

use appcare_core::auth::Role;
use appcare_core::service::users::NewUser;
use appcare_core::workspace::Region;
use appcare_core::{CreateOptions, KeySource, Password, Timestamp, Workspace, WorkspaceDir};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const ADMIN_PW: &str = "plum tractor window 42";
const USER_PW: &str = "orange bicycle seven 7";

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort_unstable();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let rounds = if std::env::args().any(|a| a == "--bench") {
        41
    } else {
        3
    };
    let dir = tempfile::tempdir()?;
    let now = Timestamp::now();
    let (ws, _) = Workspace::create(
        &WorkspaceDir::new(dir.path().join("ws")),
        CreateOptions {
            region: Region::parse("DE")?,
            admin_username: "admin".into(),
            admin_display_name: "Admin".into(),
            admin_password: Password::new(ADMIN_PW),
            key_source: KeySource::Passphrase(Password::new("benchmark passphrase")),
        },
        now,
    )?;
    let admin = {
        let c = ws.begin_sign_in("admin", &Password::new(ADMIN_PW), now)?;
        let e = ws.start_enrolment(&c.token, now)?;
        let secret =
            appcare_core::auth::totp::secret_from_manual_key(&e.manual_key).ok_or("bad key")?;
        let step = appcare_core::auth::totp::step_of(now);
        ws.confirm_enrolment(
            &c.token,
            &appcare_core::auth::totp::code_at(&secret, step)?,
            now,
        )?;
        c.token
    };
    for i in 0..rounds * 2 {
        ws.create_user(
            &admin,
            NewUser {
                username: format!("agent{i}"),
                display_name: format!("Agent {i}"),
                role: Role::Agent,
                password: Password::new(USER_PW),
                teams: vec![],
            },
            now,
        )?;
    }
    let (mut unknown, mut wrong, mut right) = (Vec::new(), Vec::new(), Vec::new());
    let wrong_pw = Password::new("not the password at all");
    for i in 0..rounds {
        let started = Instant::now();
        let refused = ws
            .begin_sign_in(&format!("nobody{i}"), &wrong_pw, now)
            .is_err();
        unknown.push(started.elapsed());
        let started = Instant::now();
        let also = ws
            .begin_sign_in(&format!("agent{}", 2 * i), &wrong_pw, now)
            .is_err();
        wrong.push(started.elapsed());
        assert!(refused && also, "both refused");
        let started = Instant::now();
        ws.begin_sign_in(&format!("agent{}", 2 * i + 1), &Password::new(USER_PW), now)?;
        right.push(started.elapsed());
    }
    let (u, w, r) = (median(unknown), median(wrong), median(right));
    println!(
        "first sign-in step, median of {rounds}: unknown user {u:.1} ms, known user with a \
         wrong password {w:.1} ms, known user with the right password {r:.1} ms; \
         unknown / wrong = {:.3}",
        u / w
    );
    Ok(())
}
