//! Handoff in the real window, on a prepared workspace (keyring, a team, agents Alex
//! and Bea, a WhatsApp conversation with a photo): Alex opens it, writes a private note
//! and transfers it to Bea with a handoff note, and it leaves his Mine view; Bea signs
//! in on the same desktop, finds it in Mine with the banner "Handed over by Alex Agent:
//! …", and opens the photo (decoded from a blob URL under the CSP).
//!
//! Real parts: the app binary, WebKitWebDriver, Xvfb, the Secret Service.

use appcare_core::auth::{totp, Role};
use appcare_core::channel::InboundAttachment;
use appcare_core::service::ingest::InboundMessage;
use appcare_core::service::users::NewUser;
use appcare_core::workspace::Region;
use appcare_core::{
    CreateOptions, KeySource, Password, SessionToken, Timestamp, Workspace, WorkspaceDir,
};
use appcare_tests::ui::{click, fill, fresh_code, wait_for};
use appcare_tests::{DesktopApp, TestResult};
use fantoccini::{Client, Locator};
use std::time::Duration;

const ADMIN_PW: &str = "plum tractor window 42";
const AGENT_PW: &str = "orange bicycle seven 7";
/// The password the admin types for the agent, who chooses `AGENT_PW` at first sign-in.
const AGENT_FIRST_PW: &str = "first pear lantern seven 7";
const HANDOFF: &str = "Customer needs express shipping for order 4411";

/// An enrolled user's authenticator secret and the step of its last accepted code.
struct Person {
    secret: Vec<u8>,
    used: i64,
}

fn enrol(
    ws: &Workspace,
    name: &str,
    pw: &str,
    now: Timestamp,
) -> TestResult<(SessionToken, Person)> {
    // The agent, made by the admin, signs in first with the password the admin typed
    // and chooses her own.
    let first = if pw == AGENT_PW { AGENT_FIRST_PW } else { pw };
    let c = ws.begin_sign_in(name, &Password::new(first), now)?;
    if first != pw {
        ws.set_new_password(&c.token, &Password::new(pw), now)?;
    }
    let e = ws.start_enrolment(&c.token, now)?;
    let secret = totp::secret_from_manual_key(&e.manual_key)
        .ok_or("bad key")?
        .to_vec();
    let step = totp::step_of(now);
    ws.confirm_enrolment(&c.token, &totp::code_at(&secret, step)?, now)?;
    Ok((c.token, Person { secret, used: step }))
}

/// A workspace (key in the real Secret Service) with a Support team, agents Alex and Bea,
/// and one customer conversation waiting in the queue.
fn prepare(root: &std::path::Path) -> TestResult<(Person, Person)> {
    let now = Timestamp::now();
    let (ws, _) = Workspace::create(
        &WorkspaceDir::new(root.join("workspace")),
        CreateOptions {
            region: Region::parse("GB")?,
            admin_username: "maria".into(),
            admin_display_name: "Maria Admin".into(),
            admin_password: Password::new(ADMIN_PW),
            key_source: KeySource::Keyring,
        },
        now,
    )?;
    let (admin, _) = enrol(&ws, "maria", ADMIN_PW, now)?;
    let team = ws.create_team(&admin, "Support", now)?.id;
    for (name, display) in [("alex", "Alex Agent"), ("bea", "Bea Agent")] {
        ws.create_user(
            &admin,
            NewUser {
                username: name.into(),
                display_name: display.into(),
                role: Role::Agent,
                password: Password::new(AGENT_FIRST_PW),
                teams: vec![team],
            },
            now,
        )?;
    }
    let (_, alex) = enrol(&ws, "alex", AGENT_PW, now)?;
    let (_, bea) = enrol(&ws, "bea", AGENT_PW, now)?;
    let account = ws.create_channel_account(
        &admin,
        "whatsapp",
        "Support line",
        "106540352242922",
        Some(team),
        now,
    )?;
    ws.ingest(
        InboundMessage {
            account: account.id,
            contact_external_id: "16505551234",
            contact_name: "Sheena Nelson",
            external_id: Some("wamid.e2e.1"),
            subject: "",
            body: "Does it come in another color?",
            sent_at: now,
            choice: None,
            has_media: false,
            attachments: vec![InboundAttachment {
                file_name: "photo.png".into(),
                mime_type: "image/png".into(),
                data: include_bytes!("../../icons/32x32.png").to_vec(),
            }],
        },
        now,
    )?;
    Ok((alex, bea))
}

async fn sign_in(c: &Client, name: &str, person: &mut Person) -> TestResult {
    wait_for(c, "#sign-in-form", 30).await?;
    fill(c, "#si-username", name).await?;
    fill(c, "#si-password", AGENT_PW).await?;
    click(c, "#si-submit").await?;
    let (code, step) = fresh_code(&person.secret, person.used).await?;
    person.used = step;
    fill(c, "#code-input", &code).await?;
    click(c, "#code-submit").await?;
    wait_for(c, "#app-shell", 15).await?;
    Ok(())
}

async fn scenario(app: &DesktopApp, mut alex: Person, mut bea: Person) -> TestResult {
    let c = &app.client;
    sign_in(c, "alex", &mut alex).await?;
    click(c, "#nav-inbox").await?;
    click(c, "#view-unassigned").await?;
    click(c, "#conversation-list [data-conversation-id]").await?;
    wait_for(c, "#conversation", 10).await?;
    let page = c.source().await?;
    assert!(
        page.contains("Does it come in another color?"),
        "the customer's message is shown"
    );

    // A private note, then the transfer with a handoff note.
    click(c, "#composer-mode-note").await?;
    fill(c, "#composer-text", "Asked stock team about colours").await?;
    click(c, "#composer-send").await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[contains(@class,'note')][contains(., 'Asked stock team about colours')]",
        ))
        .await?;
    click(c, "#transfer-button").await?;
    wait_for(c, "#transfer-dialog", 10).await?;
    let target = wait_for(c, "#transfer-target", 10).await?;
    let options = target.find_all(Locator::Css("option")).await?;
    let mut bea_value = None;
    for o in options {
        if o.text().await?.contains("Bea") {
            bea_value = o.attr("value").await?;
        }
    }
    target
        .select_by_value(&bea_value.ok_or("Bea is not offered as a transfer target")?)
        .await?;
    fill(c, "#transfer-note", HANDOFF).await?;
    click(c, "#transfer-submit").await?;
    app.screenshot("handoff-transferred").await?;

    // Alex's Mine view no longer holds it.
    click(c, "#view-mine").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mine = c
        .find_all(Locator::Css("#conversation-list [data-conversation-id]"))
        .await?;
    assert!(mine.is_empty(), "the conversation left Alex's Mine view");
    click(c, "#sign-out-button").await?;

    // Bea finds it in Mine, with the handoff note at the top.
    sign_in(c, "bea", &mut bea).await?;
    click(c, "#nav-inbox").await?;
    click(c, "#view-mine").await?;
    click(c, "#conversation-list [data-conversation-id]").await?;
    let banner = wait_for(c, "#handoff-note", 10).await?.text().await?;
    assert!(banner.contains(HANDOFF), "{banner}");
    assert!(banner.contains("Alex Agent"), "{banner}");

    // The customer's photo opens on demand, decrypted from the store into a blob URL.
    click(c, ".attachment-open").await?;
    wait_for(c, "#attachment-image", 10).await?;
    let width = c
        .execute(
            "return document.getElementById('attachment-image').naturalWidth;",
            vec![],
        )
        .await?;
    let mut width = width.as_i64().unwrap_or(0);
    for _ in 0..20 {
        if width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        width = c
            .execute(
                "return document.getElementById('attachment-image').naturalWidth;",
                vec![],
            )
            .await?
            .as_i64()
            .unwrap_or(0);
    }
    assert_eq!(width, 32, "the image decoded in the window");
    click(c, "#attachment-close").await?;
    app.screenshot("handoff-received").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_hands_a_conversation_to_a_colleague_with_a_note_in_the_real_window() -> TestResult
{
    let data = tempfile::tempdir()?;
    let (alex, bea) = prepare(data.path())?;
    let app = DesktopApp::start_in(data).await?;
    let outcome = scenario(&app, alex, bea).await;
    if let Err(err) = &outcome {
        let shot = app.screenshot("handoff-e2e-failure").await;
        eprintln!("end-to-end failure: {err}; screenshot: {shot:?}");
    }
    app.stop().await;
    outcome
}
