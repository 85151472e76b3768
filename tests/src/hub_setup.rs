//! A team hub for tests: a workspace with an enrolled admin, team Support and a WhatsApp
//! line, served over HTTPS (a certificate generated for the test) on a loopback port by
//! the hub's own router and listener, and remote clients pinned to its fingerprint.

use crate::channel_setup::{
    admin_workspace, ACCESS_TOKEN, APP_SECRET, PHONE_ID, VERIFY_TOKEN, WABA_ID,
};
use crate::TestResult;
use appcare_channels::listen::ListenLimits;
use appcare_channels::{webhook, WebhookOptions, WebhookState};
use appcare_client::{HubAddress, RemoteWorkspace};
use appcare_core::auth::{totp, Role};
use appcare_core::channel::NewChannelAccount;
use appcare_core::ids::{ChannelAccountId, ConversationId, TeamId, UserId};
use appcare_core::service::handoff::Versioned;
use appcare_core::service::ingest::InboundMessage;
use appcare_core::service::users::NewUser;
use appcare_core::{Password, SessionToken, Timestamp, Workspace, WorkspaceApi};
use appcare_hub::team::{self, Hub, TeamOptions};
use std::sync::Arc;

pub struct TestHub {
    pub dir: tempfile::TempDir,
    pub ws: Arc<Workspace>,
    /// The admin's in-process session.
    pub admin: SessionToken,
    pub team: TeamId,
    /// A second team, Billing, that sees none of Support's conversations.
    pub billing: TeamId,
    pub account: ChannelAccountId,
    pub address: HubAddress,
    pub fingerprint: String,
    pub hub: Hub,
    /// Shut down in the background on drop, so a hub can be dropped inside async tests.
    runtime: Option<tokio::runtime::Runtime>,
    made: std::sync::atomic::AtomicUsize,
}

/// Someone signed in through the hub.
pub struct Member {
    pub id: UserId,
    pub name: String,
    pub client: RemoteWorkspace,
    pub token: SessionToken,
    pub secret: Vec<u8>,
}

/// A user's own password, chosen at first sign-in (`enrol`).
pub fn password_for(name: &str) -> String {
    format!("seven blue kites {}", name.len() * 7919)
}

/// The password the admin types when creating a user (`create`); the user replaces it
/// with `password_for` at first sign-in.
pub fn initial_password_for(name: &str) -> String {
    format!("first pear lantern {}", name.len() * 7919)
}

impl TestHub {
    pub fn start() -> TestResult<Self> {
        Self::start_with(|_| {})
    }

    pub fn start_with(adjust: impl FnOnce(&mut TeamOptions)) -> TestResult<Self> {
        Self::start_on(0, adjust)
    }

    /// On loopback `port` (0: any free one), with its own new certificate.
    pub fn start_on(port: u16, adjust: impl FnOnce(&mut TeamOptions)) -> TestResult<Self> {
        Self::start_limited(port, adjust, ListenLimits::default())
    }

    /// Like [`Self::start_on`], with the listener's own connection limits.
    pub fn start_limited(
        port: u16,
        adjust: impl FnOnce(&mut TeamOptions),
        limits: ListenLimits,
    ) -> TestResult<Self> {
        let dir = tempfile::tempdir()?;
        let now = Timestamp::now();
        let (ws, admin, _, team) = admin_workspace(dir.path(), "DE", now)?;
        let account = ws
            .add_channel_account(
                &admin,
                &NewChannelAccount {
                    kind: "whatsapp".into(),
                    name: "Support line".into(),
                    external_id: PHONE_ID.into(),
                    business_account_id: Some(WABA_ID.into()),
                    access_token: ACCESS_TOKEN.into(),
                    app_secret: APP_SECRET.into(),
                    verify_token: VERIFY_TOKEN.into(),
                    default_team: Some(team),
                    human_agent: false,
                    poll: false,
                    graph_base_url: None,
                    api_version: None,
                },
                now,
            )?
            .id;
        let billing = ws.create_team(&admin, "Billing", now)?.id;
        let ws = Arc::new(ws);
        let cert = appcare_hub::tls::load_or_generate(&dir.path().join("hub"), None, &[])?;
        let mut options = TeamOptions::new(dir.path().join("scratch"));
        adjust(&mut options);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let acceptor = cert.acceptor()?;
        let (address, hub) = runtime.block_on(async {
            let hub = Hub::start(ws.clone(), options);
            let tcp = bind_loopback(port).await?;
            let port = tcp.local_addr()?.port();
            // Meta's webhooks arrive on the same port, as with `appcare serve`.
            let webhooks = WebhookState::new(ws.clone(), WebhookOptions::default());
            let app = team::measured(
                webhook::router(webhooks).merge(team::router(hub.clone())),
                &hub,
            );
            tokio::spawn(team::serve(
                tcp,
                Some(acceptor),
                app,
                limits,
                std::future::pending(),
            ));
            let address = HubAddress::parse(&format!("https://127.0.0.1:{port}"))?;
            TestResult::Ok((address, hub))
        })?;
        Ok(Self {
            dir,
            ws,
            admin,
            team,
            billing,
            account,
            address,
            fingerprint: cert.fingerprint,
            hub,
            runtime: Some(runtime),
            made: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// A client pinned to this hub's certificate.
    pub fn client(&self) -> RemoteWorkspace {
        RemoteWorkspace::new(self.address.clone(), &self.fingerprint)
    }

    /// A plain HTTPS client that trusts exactly this hub's generated certificate (for
    /// raw requests: webhooks, routes without the remote client).
    pub fn trusting_agent(&self) -> TestResult<ureq::Agent> {
        Ok(ureq::AgentBuilder::new()
            .tls_config(self.trusting_tls()?)
            .build())
    }

    /// TLS settings that trust exactly this hub's generated certificate.
    pub fn trusting_tls(&self) -> TestResult<Arc<rustls::ClientConfig>> {
        use rustls_pki_types::pem::PemObject;
        let pem = std::fs::read(self.dir.path().join("hub/hub-tls/cert.pem"))?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&pem) {
            roots.add(cert?)?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// Posts a customer's WhatsApp text to the hub's webhook, signed like Meta.
    pub fn customer_writes(
        &self,
        agent: &ureq::Agent,
        wa_id: &str,
        id: &str,
        body: &str,
    ) -> TestResult<u16> {
        let payload = crate::meta::samples::whatsapp_text(
            PHONE_ID,
            wa_id,
            "Webhook Customer",
            id,
            Timestamp::now().unix(),
            body,
        );
        let bytes = crate::meta::ascii_json(&payload);
        let signature = crate::meta::signature(APP_SECRET, &bytes);
        let response = agent
            .post(&format!("{}/webhooks/whatsapp", self.address.base()))
            .set("content-type", "application/json")
            .set("x-hub-signature-256", &signature)
            .send_bytes(&bytes);
        Ok(match response {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(status, _)) => status,
            Err(e) => return Err(e.into()),
        })
    }

    /// Creates `name` in team Support (in process, as the admin).
    pub fn create(&self, name: &str, role: Role) -> TestResult<UserId> {
        self.create_in(name, role, self.team)
    }

    pub fn create_in(&self, name: &str, role: Role, team: TeamId) -> TestResult<UserId> {
        Ok(self
            .ws
            .create_user(
                &self.admin,
                NewUser {
                    username: name.into(),
                    display_name: format!("{name} display"),
                    role,
                    password: Password::new(initial_password_for(name)),
                    teams: vec![team],
                },
                Timestamp::now(),
            )?
            .id)
    }

    /// Creates `name` and enrols them through the hub with a fresh remote client.
    pub fn member(&self, name: &str, role: Role) -> TestResult<Member> {
        self.member_in(name, role, self.team)
    }

    pub fn member_in(&self, name: &str, role: Role, team: TeamId) -> TestResult<Member> {
        let id = self.create_in(name, role, team)?;
        let client = self.client();
        let (token, secret) = enrol(&client, name)?;
        Ok(Member {
            id,
            name: name.into(),
            client,
            token,
            secret,
        })
    }

    /// `count` new customer conversations (a customer writes on WhatsApp), handed by the
    /// admin to `agent`, oldest first.
    pub fn conversations_for(
        &self,
        agent: UserId,
        count: usize,
    ) -> TestResult<Vec<ConversationId>> {
        Ok(self
            .customers_for(agent, count)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    }

    /// Like [`Self::conversations_for`], with each customer's WhatsApp id.
    pub fn customers_for(
        &self,
        agent: UserId,
        count: usize,
    ) -> TestResult<Vec<(ConversationId, String)>> {
        let now = Timestamp::now();
        let mut made = Vec::with_capacity(count);
        let mut customers = Vec::with_capacity(count);
        for _ in 0..count {
            let n = self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let who = format!("3161234{n:04}");
            let ingested = self.ws.ingest(
                InboundMessage {
                    account: self.account,
                    contact_external_id: &who,
                    contact_name: &format!("Customer {n}"),
                    external_id: Some(&format!("wamid.test{n}")),
                    subject: "",
                    body: "Hello, my order has not arrived.",
                    sent_at: now,
                    choice: None,
                    has_media: false,
                    attachments: vec![],
                },
                now,
            )?;
            made.push(ingested.conversation);
            customers.push((ingested.conversation, who));
        }
        let targets = made
            .iter()
            .map(|id| {
                let view = self.ws.open_conversation(&self.admin, *id, None, now)?;
                Ok(Versioned {
                    id: *id,
                    version: view.summary.version,
                })
            })
            .collect::<TestResult<Vec<_>>>()?;
        self.ws
            .reassign(&self.admin, &targets, Some(agent), "setup", now)?;
        Ok(customers)
    }

    /// Starts a channel runtime on this hub's workspace and has `/readyz` watch it.
    pub fn start_channel_runtime(&self) -> TestResult<appcare_channels::ChannelRuntime> {
        let runtime = self.runtime.as_ref().ok_or("the hub is stopped")?;
        let _inside = runtime.enter();
        let channels = appcare_channels::ChannelRuntime::start(
            self.ws.clone(),
            appcare_channels::RuntimeOptions::default(),
        )?;
        self.hub.watch_runtime(channels.probe());
        Ok(channels)
    }

    /// Stops a runtime from [`Self::start_channel_runtime`] and waits for its loops.
    pub fn stop_channel_runtime(&self, channels: appcare_channels::ChannelRuntime) -> TestResult {
        let runtime = self.runtime.as_ref().ok_or("the hub is stopped")?;
        runtime.block_on(channels.stop());
        Ok(())
    }

    pub fn port(&self) -> TestResult<u16> {
        Ok(self
            .address
            .base()
            .rsplit(':')
            .next()
            .ok_or("no port")?
            .parse()?)
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Binds a loopback port; a port just given up by a stopped hub may take a moment.
async fn bind_loopback(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let mut tries = 0;
    loop {
        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 && tries < 50 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

/// The password the admin typed, then the user's own (`password_for`), then enrolment
/// with a new authenticator, through `api`: the full session token and the
/// authenticator's secret.
pub fn enrol(api: &dyn WorkspaceApi, name: &str) -> TestResult<(SessionToken, Vec<u8>)> {
    let now = Timestamp::now();
    let challenge = api.begin_sign_in(name, &Password::new(initial_password_for(name)), now)?;
    api.set_new_password(&challenge.token, &Password::new(password_for(name)), now)?;
    let enrolment = api.start_enrolment(&challenge.token, now)?;
    let secret = totp::secret_from_manual_key(&enrolment.manual_key).ok_or("bad key")?;
    api.confirm_enrolment(
        &challenge.token,
        &totp::code_at(&secret, totp::step_of(now))?,
        now,
    )?;
    Ok((challenge.token, secret.to_vec()))
}

/// The code of the step after the current one (accepted with one step of drift, and
/// never a replay of the code just used to enrol or sign in).
pub fn next_code(secret: &[u8]) -> TestResult<String> {
    Ok(totp::code_at(secret, totp::step_of(Timestamp::now()) + 1)?.to_string())
}
