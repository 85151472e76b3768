//! Team mode in the real window: the first-run screen connects to a hub, shows the
//! fingerprint `serve` printed and trusts it; Bea signs in through the hub with
//! password and code; Alex, on another client, hands her a conversation and her
//! window's notice appears within a second with the handoff note. The hub then comes
//! back on the same port with another certificate: the window refuses to sign in, names
//! both fingerprints, and nothing reaches the new hub.
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
