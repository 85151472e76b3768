//! A workspace wired to the fake Graph API: an enrolled admin, a WhatsApp number and a
//! Messenger page whose Graph address is the fake, the webhook receiver on a loopback
//! port, and (when asked) the channel runtime with short test delays.

use crate::meta::{FakeGraph, VERSION};
use crate::TestResult;
use appcare_channels::{webhook, ChannelRuntime, RuntimeOptions, WebhookOptions, WebhookState};
use appcare_core::auth::totp;
use appcare_core::channel::NewChannelAccount;
use appcare_core::ids::{ChannelAccountId, TeamId};
use appcare_core::workspace::Region;
use appcare_core::{
    CreateOptions, KeySource, Password, SessionToken, Timestamp, Workspace, WorkspaceDir,
};
use std::sync::Arc;
use std::time::Duration;

pub const ADMIN_PW: &str = "plum tractor window 42";
pub const PASSPHRASE: &str = "workspace passphrase for channel tests";
pub const ACCESS_TOKEN: &str = "EAAG-fake-access-token-0001";
pub const APP_SECRET: &str = "fake-app-secret-0123456789";
pub const VERIFY_TOKEN: &str = "verify-token-42";
pub const PHONE_ID: &str = "106540352242922";
pub const PAGE_ID: &str = "1122334455";
pub const WABA_ID: &str = "102290129340398";

pub struct ChannelWorld {
    pub dir: tempfile::TempDir,
    pub ws: Arc<Workspace>,
    pub admin: SessionToken,
    pub team: TeamId,
    pub whatsapp: ChannelAccountId,
    pub messenger: ChannelAccountId,
    pub fake: FakeGraph,
}

/// Creates the workspace in `region` (passphrase key) with both accounts connected.
pub async fn world(region: &str, messenger_options: (bool, bool)) -> TestResult<ChannelWorld> {
    let fake = FakeGraph::start(ACCESS_TOKEN).await;
    let dir = tempfile::tempdir()?;
    let now = Timestamp::now();
    let (ws, admin, _, team) = admin_workspace(dir.path(), region, now)?;
    let (human_agent, poll) = messenger_options;
    let account = |kind: &str, id: &str, waba: Option<&str>| NewChannelAccount {
        kind: kind.into(),
        name: format!("{kind} line"),
        external_id: id.into(),
        business_account_id: waba.map(str::to_string),
        access_token: ACCESS_TOKEN.into(),
        app_secret: APP_SECRET.into(),
        verify_token: VERIFY_TOKEN.into(),
        default_team: Some(team),
        human_agent,
        poll,
        graph_base_url: Some(fake.base_url.clone()),
        api_version: Some(VERSION.into()),
    };
    let whatsapp = ws
        .add_channel_account(&admin, &account("whatsapp", PHONE_ID, Some(WABA_ID)), now)?
        .id;
    let messenger = ws
        .add_channel_account(&admin, &account("messenger", PAGE_ID, None), now)?
        .id;
    Ok(ChannelWorld {
        dir,
        ws: Arc::new(ws),
        admin,
        team,
        whatsapp,
        messenger,
        fake,
    })
}

/// A passphrase workspace in `dir/workspace` (region `region`) with admin Maria enrolled
/// at `now`, signed in, and team Support: the workspace, her token, her authenticator
/// secret, the team.
pub fn admin_workspace(
    dir: &std::path::Path,
    region: &str,
    now: Timestamp,
) -> TestResult<(Workspace, SessionToken, Vec<u8>, TeamId)> {
    admin_workspace_keyed(
        dir,
        region,
        KeySource::Passphrase(Password::new(PASSPHRASE)),
        now,
    )
}

/// Like [`admin_workspace`], with the key where `key_source` says (the Secret Service for
/// a workspace the real window opens).
pub fn admin_workspace_keyed(
    dir: &std::path::Path,
    region: &str,
    key_source: KeySource,
    now: Timestamp,
) -> TestResult<(Workspace, SessionToken, Vec<u8>, TeamId)> {
    let (ws, _) = Workspace::create(
        &WorkspaceDir::new(dir.join("workspace")),
        CreateOptions {
            region: Region::parse(region)?,
            admin_username: "maria".into(),
            admin_display_name: "Maria Admin".into(),
            admin_password: Password::new(ADMIN_PW),
            key_source,
        },
        now,
    )?;
    let challenge = ws.begin_sign_in("maria", &Password::new(ADMIN_PW), now)?;
    let enrolment = ws.start_enrolment(&challenge.token, now)?;
    let secret = totp::secret_from_manual_key(&enrolment.manual_key).ok_or("bad key")?;
    ws.confirm_enrolment(
        &challenge.token,
        &totp::code_at(&secret, totp::step_of(now))?,
        now,
    )?;
    let admin = challenge.token;
    let team = ws.create_team(&admin, "Support", now)?.id;
    Ok((ws, admin, secret.to_vec(), team))
}

/// Short delays so retries happen within a test.
pub fn fast_options() -> RuntimeOptions {
    RuntimeOptions {
        tick: Duration::from_millis(100),
        http_timeout: Duration::from_secs(2),
        retry_base_seconds: 1,
        retry_max_seconds: 2,
        max_attempts: 4,
        media_max_bytes: 1024 * 1024,
        poll_interval: Duration::from_millis(300),
        maintenance_interval: Duration::from_secs(3600),
        mail: appcare_channels::email::sync::MailOptions::default(),
    }
}

/// Serves the webhook receiver on a free loopback port; returns its base URL.
pub async fn start_receiver(ws: Arc<Workspace>, options: WebhookOptions) -> TestResult<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let state = WebhookState::new(ws, options);
    tokio::spawn(async move {
        let _ = webhook::serve(listener, state, std::future::pending()).await;
    });
    Ok(url)
}

pub fn start_runtime(ws: Arc<Workspace>) -> TestResult<ChannelRuntime> {
    Ok(ChannelRuntime::start(ws, fast_options())?)
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `seconds`.
pub async fn eventually<T>(seconds: u64, mut check: impl FnMut() -> Option<T>) -> TestResult<T> {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(v) = check() {
            return Ok(v);
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("condition not met within {seconds} s").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One value from the store (tests look at rows the UI would show).
pub fn query_i64(ws: &Workspace, sql: &str) -> i64 {
    ws.store()
        .read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))?))
        .unwrap_or(-1)
}

pub fn query_text(ws: &Workspace, sql: &str) -> String {
    ws.store()
        .read(|c| Ok(c.query_row(sql, [], |r| r.get::<_, Option<String>>(0))?))
        .ok()
        .flatten()
        .unwrap_or_default()
}
