//! Team mode in the real window: the first-run screen connects to a hub, shows the
//! fingerprint `serve` printed and trusts it; Bea signs in through the hub with
//! password and code; Alex, on another client, hands her a conversation and her
//! window's notice appears within a second with the handoff note. The hub then comes
//! back on the same port with another certificate: the window refuses to sign in, names
//! both fingerprints, and nothing reaches the new hub. No accidental double answer: while
//! Bea writes, her lead answers the customer from another client; Bea's window shows that
//! answer live, and her reply is still stopped with the choice: Keep, then her next send
//! goes; a second crossing, and Send anyway.
//!
//! Real parts: the app binary, WebKitWebDriver, Xvfb, the hub over HTTPS (rustls),
//! SQLCipher.

use appcare_core::auth::Role;
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::{Timestamp, WorkspaceApi};
use appcare_tests::hub_setup::{password_for, TestHub};
use appcare_tests::ui::{click, fill, fresh_code, text_content, wait_for};
use appcare_tests::{DesktopApp, TestResult};
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

const NOTE: &str = "Refund approved, please confirm with the customer.";

async fn sign_in(c: &Client, name: &str, secret: &[u8], used: i64) -> TestResult<i64> {
    wait_for(c, "#sign-in-form", 30).await?;
    fill(c, "#si-username", name).await?;
    fill(c, "#si-password", &password_for(name)).await?;
    click(c, "#si-submit").await?;
    let (code, step) = fresh_code(secret, used).await?;
    fill(c, "#code-input", &code).await?;
    click(c, "#code-submit").await?;
    Ok(step)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_works_through_a_pinned_hub_and_refuses_a_changed_certificate() -> TestResult {
    let hub = tokio::task::block_in_place(TestHub::start)?;
    let (alex, bea_id, bea_secret, used, conversation) = tokio::task::block_in_place(|| {
        let alex = hub.member("alex", Role::Agent)?;
        let bea_id = hub.create("bea", Role::Agent)?;
        // Bea enrols in process; the window signs her in later with a fresh code.
        let (_, secret) = appcare_tests::hub_setup::enrol(hub.ws.as_ref(), "bea")?;
        let used = appcare_core::auth::totp::step_of(Timestamp::now());
        let conversation = hub.conversations_for(alex.id, 1)?[0];
        TestResult::Ok((alex, bea_id, secret, used, conversation))
    })?;

    let app = DesktopApp::start().await?;
    let c = &app.client;
    let outcome = async {
        // First run offers the hub; the fingerprint shown is the one `serve` printed.
        click(c, "#hub-open").await?;
        fill(c, "#hub-url", hub.address.base()).await?;
        click(c, "#hub-check").await?;
        wait_for(c, "#hub-fingerprint", 15).await?;
        let shown = text_content(c, "#hub-fingerprint").await?;
        assert!(
            shown.contains(&hub.fingerprint),
            "{shown} vs {}",
            hub.fingerprint
        );
        app.screenshot("hub-fingerprint").await?;
        click(c, "#hub-trust").await?;
        let banner = wait_for(c, "#hub-banner", 15).await?.text().await?;
        assert!(banner.contains(hub.address.base()), "{banner}");

        let used = sign_in(c, "bea", &bea_secret, used).await?;
        wait_for(c, "#app-shell", 15).await?;

        // Alex hands over from his own client: Bea's window says so within a second.
        let started = tokio::task::block_in_place(|| {
            let version = alex
                .client
                .open_conversation(&alex.token, conversation, None, Timestamp::now())?
                .summary
                .version;
            let started = Instant::now();
            alex.client.transfer(
                &alex.token,
                Versioned {
                    id: conversation,
                    version,
                },
                TransferTarget::Agent(bea_id),
                NOTE,
                Timestamp::now(),
            )?;
            TestResult::Ok(started)
        })?;
        c.wait()
            .at_most(Duration::from_secs(1))
            .every(Duration::from_millis(50))
            .for_element(Locator::XPath(
                "//*[@id='toast'][contains(., 'handed you a conversation')]",
            ))
            .await?;
        let seen = started.elapsed();
        assert!(seen < Duration::from_secs(1), "the notice took {seen:?}");
        click(c, "#toast-action").await?;
        let note = wait_for(c, "#handoff-note", 10).await?.text().await?;
        assert!(note.contains(NOTE), "{note}");
        app.screenshot("hub-handoff-received").await?;
        click(c, "#sign-out-button").await?;
        wait_for(c, "#sign-in-form", 10).await?;

        // The hub comes back on the same address with another certificate.
        let port = hub.port()?;
        let old = hub.fingerprint.clone();
        drop(hub);
        let replaced = tokio::task::block_in_place(|| TestHub::start_on(port, |_| {}))?;
        assert_ne!(replaced.fingerprint, old);
        fill(c, "#si-username", "bea").await?;
        fill(c, "#si-password", &password_for("bea")).await?;
        click(c, "#si-submit").await?;
        let warning = wait_for(c, "#hub-warning", 15).await?.text().await?;
        assert!(warning.contains("certificate has changed"), "{warning}");
        assert!(
            warning.contains(&old) && warning.contains(&replaced.fingerprint),
            "{warning}"
        );
        app.screenshot("hub-certificate-changed").await?;
        // Nothing reached the new hub: no sign-in was attempted there.
        let attempts = tokio::task::block_in_place(|| {
            replaced
                .ws
                .recent_audit(&replaced.admin, Some("login_failed"), 10, Timestamp::now())
        })?;
        assert!(attempts.is_empty());
        wait_for(c, "#hub-reconnect", 5).await?;
        let _ = used;
        TestResult::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("hub-e2e-failure").await;
    }
    app.stop().await;
    outcome
}

/// The first-run screen connects to `hub` and trusts its fingerprint.
async fn connect(c: &Client, hub: &TestHub) -> TestResult {
    click(c, "#hub-open").await?;
    fill(c, "#hub-url", hub.address.base()).await?;
    click(c, "#hub-check").await?;
    wait_for(c, "#hub-fingerprint", 15).await?;
    click(c, "#hub-trust").await?;
    wait_for(c, "#hub-banner", 15).await?;
    Ok(())
}

/// Waits until the element `css` holds `words`.
async fn until_contains(c: &Client, css: &str, words: &str, seconds: u64) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let shown = text_content(c, css).await.unwrap_or_default();
        if shown.contains(words) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{css} never showed {words:?}; it shows {shown:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the double-answer choice is on screen.
async fn crossing_shown(c: &Client) -> TestResult<bool> {
    let hidden = c
        .execute(
            "const e = document.querySelector('#double-answer'); return !e || e.hidden;",
            vec![],
        )
        .await?;
    Ok(hidden.as_bool() == Some(false))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_crossing_a_colleagues_answer_is_stopped_with_a_choice() -> TestResult {
    const DRAFT: &str = "Your parcel leaves our warehouse today.";
    const LEAD_SAYS: &str = "Lena here: a replacement is on its way.";
    const LEAD_AGAIN: &str = "Lena again: tracking follows by mail.";
    const MORE: &str = "The courier comes before noon.";
    let hub = tokio::task::block_in_place(TestHub::start)?;
    let (lena, bea_secret, used, conversation) = tokio::task::block_in_place(|| {
        let lena = hub.member("lena", Role::Lead)?;
        let bea = hub.create("bea", Role::Agent)?;
        let (_, secret) = appcare_tests::hub_setup::enrol(hub.ws.as_ref(), "bea")?;
        let used = appcare_core::auth::totp::step_of(Timestamp::now());
        let conversation = hub.conversations_for(bea, 1)?[0];
        TestResult::Ok((lena, secret, used, conversation))
    })?;
    let ours = |ws: &dyn WorkspaceApi| -> TestResult<Vec<String>> {
        Ok(ws
            .open_conversation(&lena.token, conversation, None, Timestamp::now())?
            .messages
            .into_iter()
            .filter(|m| m.direction == "out")
            .map(|m| m.body)
            .collect())
    };
    let lena_answers = |words: &str| {
        tokio::task::block_in_place(|| {
            lena.client
                .reply(&lena.token, conversation, words, None, Timestamp::now())
                .map(drop)
        })
    };

    let app = DesktopApp::start().await?;
    let c = &app.client;
    let outcome = async {
        connect(c, &hub).await?;
        sign_in(c, "bea", &bea_secret, used).await?;
        wait_for(c, "#app-shell", 15).await?;
        click(c, "#conversation-list [data-conversation-id]").await?;
        wait_for(c, "#composer-text", 10).await?;
        fill(c, "#composer-text", DRAFT).await?;

        // Lena answers from her own client while Bea writes; Bea's window shows it live.
        lena_answers(LEAD_SAYS)?;
        until_contains(c, "#messages", LEAD_SAYS, 10).await?;
        click(c, "#composer-send").await?;
        wait_for(c, "#double-answer-message", 10).await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !crossing_shown(c).await? {
            if Instant::now() > deadline {
                return Err("the double-answer choice never showed".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let said = text_content(c, "#double-answer-message").await?;
        app.screenshot("double-answer-choice").await?;
        let sent = tokio::task::block_in_place(|| ours(&lena.client))?;
        if !said.contains("lena display") || sent != [LEAD_SAYS] {
            return Err(format!("the choice says {said:?}; sent {sent:?}").into());
        }

        // Keep as draft: the words stay; sending again now goes (she has seen the answer).
        click(c, "#double-answer-keep").await?;
        let kept = c
            .execute(
                "return document.querySelector('#composer-text').value;",
                vec![],
            )
            .await?;
        if kept.as_str() != Some(DRAFT) || crossing_shown(c).await? {
            return Err(format!("after Keep the draft is {kept} and the choice is gone").into());
        }
        click(c, "#composer-send").await?;
        until_contains(c, "#messages", DRAFT, 10).await?;
        let sent = tokio::task::block_in_place(|| ours(&lena.client))?;
        if sent != [LEAD_SAYS, DRAFT] {
            return Err(format!("sent once after Keep: {sent:?}").into());
        }

        // Lena writes again while Bea writes more: stopped again, and Bea sends anyway.
        fill(c, "#composer-text", MORE).await?;
        lena_answers(LEAD_AGAIN)?;
        until_contains(c, "#messages", LEAD_AGAIN, 10).await?;
        click(c, "#composer-send").await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !crossing_shown(c).await? {
            if Instant::now() > deadline {
                return Err("the second crossing never showed".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        click(c, "#double-answer-send").await?;
        until_contains(c, "#messages", MORE, 10).await?;
        let sent = tokio::task::block_in_place(|| ours(&lena.client))?;
        if sent != [LEAD_SAYS, DRAFT, LEAD_AGAIN, MORE] {
            return Err(format!("sent once each, after the choice: {sent:?}").into());
        }
        TestResult::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("double-answer-failure").await;
    }
    app.stop().await;
    outcome
}
