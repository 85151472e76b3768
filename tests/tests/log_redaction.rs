//! No customer text, token, code, password or key reaches a log line. A hub runs in this
//! process with the `appcare` binary's log format at `trace`, into a file; a real flow
//! plants unique markers (a customer's message and name, a reply, a note, a search, a
//! password, authenticator and recovery codes, the session token, webhook and access
//! secrets, a backup passphrase, a path and query of an unknown route) and the log is
//! searched for each. The log must also hold the lines that show it works (the request
//! lines, a sign-in failure, a sign-in, a refused webhook, a failure with its request
//! id), so the test cannot pass on an empty log.

use appcare_core::auth::Role;
use appcare_core::channel::NewChannelAccount;
use appcare_core::service::admin::AuditFilter;
use appcare_core::{Password, Timestamp, WorkspaceApi};
use appcare_tests::channel_setup::{ACCESS_TOKEN, ADMIN_PW, APP_SECRET, PASSPHRASE, VERIFY_TOKEN};
use appcare_tests::hub_setup::{next_code, password_for, TestHub};
use appcare_tests::TestResult;
use std::sync::Arc;

const BODY: &str = "Marker body: my parcel 4471-QX never came";
const CUSTOMER_ID: &str = "31687654321";
const REPLY: &str = "Marker reply: we resend parcel 9932-ZK today";
const NOTE: &str = "Marker note: customer sounded upset 5521";
const SEARCH: &str = "markersearch7781";
const WRONG_PASSWORD: &str = "marker wrong password 6612";
const UNKNOWN_USER: &str = "marker-unknown-user-3390";
const RECOVERY: &str = "MRKR-RCVR-8810";
const NEW_ACCESS_TOKEN: &str = "EAAG-marker-access-token-7713";
const NEW_APP_SECRET: &str = "marker-app-secret-5519";
const NEW_VERIFY_TOKEN: &str = "marker-verify-token-2284";
const BACKUP_PASSPHRASE: &str = "marker backup passphrase 4408";
const ROUTE_PATH: &str = "markerpath3317";
const ROUTE_QUERY: &str = "markerquery6604";
const FORGED_BODY: &str = "Marker forged webhook text 1207";

#[test]
fn no_secret_or_customer_text_reaches_the_log() -> TestResult {
    let logs = tempfile::tempdir()?;
    let log_path = logs.path().join("hub.log");
    let file = Arc::new(std::fs::File::create(&log_path)?);
    // The format journald gets (no timestamps: their digits could look like a code).
    appcare_hub::logging::install(
        appcare_hub::logging::filter(Some("trace"), "trace")?,
        file,
        true,
        false,
    );

    // Exports fail on this hub (its scratch folder lies under a file): a 500 to log.
    let blocker = tempfile::NamedTempFile::new()?;
    let scratch = blocker.path().join("scratch");
    let hub = TestHub::start_with(move |o| o.scratch_dir = scratch)?;
    let agent = hub.trusting_agent()?;
    let now = Timestamp::now;

    // A member enrols, signs in once with a wrong password and once rightly.
    let member = hub.member("dana", Role::Agent)?;
    let code = next_code(&member.secret)?;
    assert!(member
        .client
        .begin_sign_in("dana", &Password::new(WRONG_PASSWORD), now())
        .is_err());
    assert!(member
        .client
        .begin_sign_in(UNKNOWN_USER, &Password::new(WRONG_PASSWORD), now())
        .is_err());
    // A recovery code tried on a pending sign-in (right password) that is not hers.
    let pending =
        member
            .client
            .begin_sign_in("dana", &Password::new(password_for("dana")), now())?;
    assert!(member
        .client
        .submit_recovery_code(&pending.token, RECOVERY, now())
        .is_err());
    let right = member
        .client
        .begin_sign_in("dana", &Password::new(password_for("dana")), now())?;
    member.client.submit_code(&right.token, &code, now())?;
    let token = right.token;

    // A customer writes through the webhook, the member replies, notes and searches.
    assert_eq!(
        hub.customer_writes(&agent, CUSTOMER_ID, "wamid.marker1", BODY)?,
        200
    );
    let conversation = hub.customers_for(member.id, 1)?[0].0;
    member
        .client
        .reply(&token, conversation, REPLY, None, now())
        .map(|_| ())?;
    member
        .client
        .add_note(&token, conversation, NOTE, now())
        .map(|_| ())?;
    member.client.search(&token, SEARCH, now())?;

    // A forged webhook, an unknown route with a query, a call with a field it does not take.
    let forged = agent
        .post(&format!("{}/webhooks/whatsapp", hub.address.base()))
        .set("content-type", "application/json")
        .set(
            "x-hub-signature-256",
            &format!("sha256={}", "ab".repeat(32)),
        )
        .send_string(&format!("{{\"object\":\"{FORGED_BODY}\"}}"));
    assert!(matches!(forged, Err(ureq::Error::Status(401, _))));
    let lost = agent
        .post(&format!(
            "{}/api/v1/{ROUTE_PATH}?q={ROUTE_QUERY}",
            hub.address.base()
        ))
        .send_string("{}");
    assert!(matches!(lost, Err(ureq::Error::Status(404, _))));
    let extra = agent
        .post(&format!("{}/api/v1/search", hub.address.base()))
        .set("authorization", &format!("Bearer {}", token.expose()))
        .send_string(&format!("{{\"text\":\"{SEARCH}\",\"{ROUTE_QUERY}\":1}}"));
    assert!(matches!(extra, Err(ureq::Error::Status(422, _))));

    // The admin, through the hub: a line with secrets, a backup key, a failed export.
    let admin = hub.client();
    admin.add_channel_account(
        &hub.admin,
        &NewChannelAccount {
            kind: "whatsapp".into(),
            name: "Second line".into(),
            external_id: "106540352249999".into(),
            business_account_id: None,
            access_token: NEW_ACCESS_TOKEN.into(),
            app_secret: NEW_APP_SECRET.into(),
            verify_token: NEW_VERIFY_TOKEN.into(),
            default_team: Some(hub.team),
            human_agent: false,
            poll: false,
            graph_base_url: None,
            api_version: None,
        },
        now(),
    )?;
    let backups = hub.dir.path().join("backups");
    std::fs::create_dir_all(&backups)?;
    let _ = admin.set_backup_schedule(
        &hub.admin,
        backups.to_str(),
        24,
        3,
        Some(&Password::new(BACKUP_PASSPHRASE)),
        now(),
    );
    let export = admin.export_audit(
        &hub.admin,
        &AuditFilter::default(),
        &hub.dir.path().join("audit-export"),
        now(),
    );
    assert!(export.is_err(), "the export cannot be put together");

    let tokens = [token.expose().to_owned(), hub.admin.expose().to_owned()];
    drop(hub);
    let log = std::fs::read_to_string(&log_path)?;

    let markers = [
        BODY,
        "parcel",
        CUSTOMER_ID,
        "Webhook Customer",
        REPLY,
        NOTE,
        SEARCH,
        WRONG_PASSWORD,
        &password_for("dana"),
        ADMIN_PW,
        PASSPHRASE,
        UNKNOWN_USER,
        RECOVERY,
        &code,
        ACCESS_TOKEN,
        APP_SECRET,
        VERIFY_TOKEN,
        NEW_ACCESS_TOKEN,
        NEW_APP_SECRET,
        NEW_VERIFY_TOKEN,
        BACKUP_PASSPHRASE,
        ROUTE_PATH,
        ROUTE_QUERY,
        FORGED_BODY,
        &tokens[0],
        &tokens[1],
    ];
    for marker in markers {
        for line in log.lines() {
            assert!(
                !line.contains(marker),
                "a log line holds {marker:?}: {line}"
            );
        }
    }
    // Not even the start of a token (a prefix printed "for reference" is a leak too).
    for token in &tokens {
        let head = &token[..token.len().min(12)];
        assert!(!log.contains(head), "a log line holds a token's start");
    }

    // And the log says what happened, each line under its request's id.
    let has = |parts: &[&str]| log.lines().any(|l| parts.iter().all(|p| l.contains(p)));
    let user = format!("user={}", member.id.get());
    let expected: &[&[&str]] = &[
        &[
            "<6>",
            "request{id=",
            "request refused",
            "route=/api/v1/begin_sign_in",
            "status=401",
            "sign_in_failed",
        ],
        &["<4>", "request{id=", "sign-in failed", &user, "reason="],
        &["<4>", "sign-in failed", "user=\"unknown\""],
        &["<6>", "request{id=", "signed in", &user, "method=\"totp\""],
        &["<7>", "request{id=", "route=/api/v1/reply", "status=200"],
        &["<7>", "route=/webhooks/whatsapp", "status=200"],
        &[
            "<4>",
            "request{id=",
            "webhook with a missing or wrong signature refused",
        ],
        &["<7>", "route=(no route)", "status=404"],
        &["<7>", "route=/api/v1/search", "status=422", "invalid_input"],
        &[
            "<3>",
            "request{id=",
            "request failed",
            "route=/api/v1/export_audit",
            "status=500",
            "code=\"storage\"",
        ],
        // What failed (it may name a file) only at debug, under the same request.
        &["<7>", "request{id=", "what failed", "preparing the export"],
    ];
    // ...never in the error line itself (issue 18, review).
    assert!(
        !log.lines()
            .any(|l| l.starts_with("<3>") && l.contains("preparing the export")),
        "a failure's words were logged at error level:\n{log}"
    );
    for parts in expected {
        assert!(has(parts), "no log line with {parts:?} in:\n{log}");
    }
    Ok(())
}
