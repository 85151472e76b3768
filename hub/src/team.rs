//! The team API: the workspace served to many desktops under `/api/v1`. Every call of
//! the core contract is `POST /api/v1/<call>` (generated from `workspace_calls!`, as is
//! the OpenAPI document at `/api/v1/openapi.json`), `GET /api/v1/events` is the push
//! stream. Errors are `{code, message}`. The core checks every session and role; the hub
//! adds the bearer token's presence check and sign-in rate limits.

mod calls;
mod error;
pub mod fuzzing;
mod limits;
pub mod metrics;
pub mod openapi;
mod operator;
pub mod push;
mod session;

pub use error::HttpError;
pub use limits::{Limit, SignInLimits};
pub use metrics::Metrics;
pub use operator::MetricsToken;
pub use push::EventLog;

use appcare_core::Workspace;
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;

/// How the team API behaves; the defaults suit a production hub.
#[derive(Clone, Debug)]
pub struct TeamOptions {
    /// Failed sign-ins an account may have from one address in the window before that
    /// address must wait for it (other addresses are not held up).
    pub account_limit: Limit,
    /// Failed sign-ins one network address may have in the window.
    pub address_limit: Limit,
    /// First sign-in steps (each an Argon2 hash) one address may begin in the window,
    /// failed or not: enough for a whole office behind one address.
    pub attempt_limit: Limit,
    /// Password checks the hub runs at once (each holds 64 MiB for Argon2).
    pub concurrent_password_checks: usize,
    /// Other core calls the hub runs at once; the rest wait their turn in arrival
    /// order, so under load the slowest request waits about as long as the average.
    pub concurrent_calls: usize,
    /// Large request bodies (over 64 KiB: attachments) read at once, each up to 40 MiB;
    /// beyond it a request is answered 503 with Retry-After, its body unread.
    pub concurrent_large_bodies: usize,
    /// Events the hub keeps for clients that reconnect.
    pub push_backlog: usize,
    /// Where exports are put together before they are sent to the client.
    pub scratch_dir: PathBuf,
    /// The bearer token `/metrics` asks for; without one `/metrics` is off.
    pub metrics_token: Option<MetricsToken>,
}

impl TeamOptions {
    pub fn new(scratch_dir: PathBuf) -> Self {
        Self {
            account_limit: Limit::per_minutes(5, 5),
            address_limit: Limit::per_minutes(30, 5),
            attempt_limit: Limit::per_minutes(120, 5),
            concurrent_password_checks: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(2, 4),
            concurrent_calls: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(2, 8),
            concurrent_large_bodies: 8,
            push_backlog: 10_000,
            scratch_dir,
            metrics_token: None,
        }
    }
}

/// The state every team route shares.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    workspace: Arc<Workspace>,
    limits: SignInLimits,
    /// Held until the hash itself is done, not only while the request waits for it.
    password_checks: Arc<tokio::sync::Semaphore>,
    /// Turns for every other core call, handed out first come, first served.
    call_turns: Arc<tokio::sync::Semaphore>,
    /// Large request bodies being read.
    large_bodies: Arc<tokio::sync::Semaphore>,
    log: Arc<EventLog>,
    scratch_dir: PathBuf,
    closing: tokio::sync::watch::Sender<bool>,
    /// The token hash of a session just locked or signed out here, so its push stream
    /// ends at once rather than at its next check.
    session_pokes: tokio::sync::broadcast::Sender<[u8; 32]>,
    metrics: Arc<Metrics>,
    metrics_token: Option<MetricsToken>,
    /// The channel runtime serving this workspace, once started.
    runtime: std::sync::OnceLock<appcare_channels::RuntimeProbe>,
}

impl Hub {
    /// Starts numbering the workspace's events for push streams (needs a Tokio runtime).
    /// Exports a crash left half-sent in the scratch folder are deleted first: they hold
    /// customer data unencrypted.
    pub fn start(workspace: Arc<Workspace>, options: TeamOptions) -> Self {
        clear_scratch(&options.scratch_dir);
        let log = EventLog::start(&workspace, options.push_backlog);
        Self {
            inner: Arc::new(HubInner {
                workspace,
                limits: SignInLimits::new(
                    options.account_limit,
                    options.address_limit,
                    options.attempt_limit,
                ),
                password_checks: Arc::new(tokio::sync::Semaphore::new(
                    options.concurrent_password_checks.max(1),
                )),
                call_turns: Arc::new(tokio::sync::Semaphore::new(options.concurrent_calls.max(1))),
                large_bodies: Arc::new(tokio::sync::Semaphore::new(
                    options.concurrent_large_bodies.max(1),
                )),
                log,
                scratch_dir: options.scratch_dir,
                closing: tokio::sync::watch::channel(false).0,
                session_pokes: tokio::sync::broadcast::channel(256).0,
                metrics: Arc::new(Metrics::default()),
                metrics_token: options.metrics_token,
                runtime: std::sync::OnceLock::new(),
            }),
        }
    }

    pub fn workspace(&self) -> &Arc<Workspace> {
        &self.inner.workspace
    }

    pub fn log(&self) -> &Arc<EventLog> {
        &self.inner.log
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    pub(crate) fn metrics_token(&self) -> Option<&MetricsToken> {
        self.inner.metrics_token.as_ref()
    }

    /// The channel runtime `/readyz` watches (the first one given is kept).
    pub fn watch_runtime(&self, probe: appcare_channels::RuntimeProbe) {
        let _ = self.inner.runtime.set(probe);
    }

    /// Whether the watched channel runtime runs; false before one is given.
    pub fn runtime_alive(&self) -> bool {
        self.inner
            .runtime
            .get()
            .is_some_and(appcare_channels::RuntimeProbe::alive)
    }

    /// Ends every push stream (on shutdown: clients reconnect and resume later), so the
    /// server's graceful stop does not wait for them.
    pub fn close_streams(&self) {
        self.inner.closing.send_replace(true);
    }

    pub(crate) fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Tells the push streams that the session with `token` changed stage.
    pub(crate) fn poke_session(&self, token: &appcare_core::SessionToken) {
        let _ = self.inner.session_pokes.send(token.hash());
    }

    pub(crate) fn session_pokes(&self) -> tokio::sync::broadcast::Receiver<[u8; 32]> {
        self.inner.session_pokes.subscribe()
    }
}

/// Deletes the exports (`export-*` folders) a crash left in the scratch folder.
fn clear_scratch(scratch: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("export-") {
            if let Err(err) = std::fs::remove_dir_all(entry.path()) {
                eprintln!("appcare: could not delete a left-over export: {err}");
            }
        }
    }
}

/// Serves `app` on `listener` (through `tls` when given) with each request's peer
/// address (for the sign-in limits) and each request logged ([`logged`]) until
/// `shutdown` completes, then lets requests in flight finish. Connections are capped
/// and every read has a deadline ([`appcare_channels::listen`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: appcare_channels::listen::ListenLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    appcare_channels::listen::serve(listener, tls, logged(app), limits, shutdown).await
}

/// Logs every request of `app` under a request id (a span, so whatever the handler
/// logs carries it too): method, route, status and time taken. Failures (5xx) at error
/// with their code (what failed, at debug: it may name a file or table), refusals (401,
/// 403, 429) at info, the rest at debug. A failure's answer names the request id, so a
/// client's report finds the log line. The route is the matched pattern
/// (`/api/v1/reply`), never the path a client sent, its query string or its body.
pub fn logged(app: Router) -> Router {
    app.layer(axum::middleware::from_fn(log_request))
}

async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument;
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let method = request.method().clone();
    let route = route_of(&request);
    let span = tracing::info_span!("request", id);
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let _entered = span.enter();
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    let detail = response.extensions().get::<error::Logged>().cloned();
    let code = detail.as_ref().map(|d| d.code.as_str());
    match status {
        500.. => {
            tracing::error!(%method, %route, status, ms, code, "request failed");
            if let Some(message) = detail.as_ref().and_then(|d| d.message.as_deref()) {
                tracing::debug!(error = message, "what failed");
            }
        }
        401 | 403 | 429 => {
            tracing::info!(%method, %route, status, ms, code, "request refused");
        }
        _ => tracing::debug!(%method, %route, status, ms, code, "request"),
    }
    if detail.as_ref().is_some_and(|d| d.message.is_some()) {
        // A failure: the client gets its code and the request id, nothing else.
        let body = serde_json::json!({
            "code": code.unwrap_or("storage"),
            "message": format!("{} Request {id}.", error::INTERNAL_ERROR),
        });
        *response.body_mut() = axum::body::Body::from(body.to_string());
        response
            .headers_mut()
            .remove(axum::http::header::CONTENT_LENGTH);
    }
    response
}

/// The matched route pattern (`/api/v1/reply`), never the path a client sent.
fn route_of(request: &axum::extract::Request) -> String {
    request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned())
}

/// Counts every request of `app` in the hub's [`Metrics`] by method, matched route
/// pattern and status, with its latency.
pub fn measured(app: Router, hub: &Hub) -> Router {
    app.layer(axum::middleware::from_fn_with_state(
        hub.metrics().clone(),
        measure_request,
    ))
}

async fn measure_request(
    axum::extract::State(metrics): axum::extract::State<Arc<Metrics>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let route = route_of(&request);
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// The `/api/v1` routes and the operator's `/healthz`, `/readyz` and `/metrics`.
pub fn router(hub: Hub) -> Router {
    let routes = Router::new()
        .route("/healthz", get(operator::healthz))
        .route("/readyz", get(operator::readyz))
        .route("/metrics", get(operator::metrics))
        .route("/api/v1/hello", get(hello))
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/events", get(push::stream));
    calls::routes(routes)
        .fallback(|| async { HttpError::not_found().body_unread() })
        .with_state(hub)
}

/// Who answers here: lets a desktop check it found a hub before it trusts the
/// certificate. Names the workspace's folder only; no data.
async fn hello(
    axum::extract::State(hub): axum::extract::State<Hub>,
) -> axum::Json<serde_json::Value> {
    let folder = hub
        .workspace()
        .dir()
        .root()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    axum::Json(serde_json::json!({
        "service": "appcare-hub",
        "api": "v1",
        "version": env!("CARGO_PKG_VERSION"),
        "workspace": folder,
    }))
}
