//! The webhook receiver: `GET` answers Meta's `hub.challenge` handshake, `POST` checks
//! `X-Hub-Signature-256` over the raw bytes, parses, and answers 200 only after the events
//! are committed. Concurrent requests are committed together by one writer thread (group
//! commit), so each waits for one transaction instead of queueing for its own.

use crate::adapter::{adapter_for, ChannelAdapter};
use crate::parse::WebhookAccount;
use appcare_core::channel::{Channel, ChannelEndpoint, ChannelEvent};
use appcare_core::service::delivery::Applied;
use appcare_core::{Timestamp, Workspace};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

#[derive(Clone, Debug)]
pub struct WebhookOptions {
    /// Larger bodies are refused with 413 (WhatsApp documents up to 3 MB).
    pub body_limit: usize,
    /// How many waiting requests one transaction may take.
    pub max_group: usize,
    /// Bodies over 64 KiB (or of unknown size) read at once, each up to `body_limit`:
    /// Meta's are small, so a crowd of large ones is someone else's. Beyond it: 503 with
    /// Retry-After, unread (Meta delivers again).
    pub concurrent_large_bodies: usize,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        Self {
            body_limit: 4 * 1024 * 1024,
            max_group: 512,
            concurrent_large_bodies: 16,
        }
    }
}

struct WriteRequest {
    events: Vec<ChannelEvent>,
    reply: oneshot::Sender<Result<Applied, String>>,
}

struct Inner {
    ws: Arc<Workspace>,
    writer: mpsc::Sender<WriteRequest>,
    /// When read, at which accounts generation, and what.
    accounts: Mutex<(Option<Instant>, u64, Arc<Vec<ChannelEndpoint>>)>,
    options: WebhookOptions,
    large_bodies: Arc<tokio::sync::Semaphore>,
}

/// Shared state of the receiver; cheap to clone.
#[derive(Clone)]
pub struct WebhookState {
    inner: Arc<Inner>,
}

impl WebhookState {
    /// Starts the writer thread. It stops when the last clone of the state is dropped.
    pub fn new(ws: Arc<Workspace>, options: WebhookOptions) -> Self {
        let (writer, requests) = mpsc::channel::<WriteRequest>(4096);
        let writer_ws = ws.clone();
        let max_group = options.max_group.max(1);
        std::thread::Builder::new()
            .name("webhook-writer".into())
            .spawn(move || write_loop(&writer_ws, requests, max_group))
            .unwrap_or_else(|e| panic!("cannot start the webhook writer thread: {e}"));
        Self {
            inner: Arc::new(Inner {
                ws,
                writer,
                accounts: Mutex::new((None, 0, Arc::new(Vec::new()))),
                large_bodies: Arc::new(tokio::sync::Semaphore::new(
                    options.concurrent_large_bodies.max(1),
                )),
                options,
            }),
        }
    }

    /// Connected accounts, re-read at most once a second, and at once after any change
    /// (a rotated app secret stops verifying the next request).
    fn accounts(&self) -> Arc<Vec<ChannelEndpoint>> {
        let mut cache = self
            .inner
            .accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let generation = self.inner.ws.channels_generation();
        let stale = cache.1 != generation
            || cache
                .0
                .is_none_or(|at| at.elapsed() > Duration::from_secs(1));
        if stale {
            match self.inner.ws.delivery().endpoints() {
                Ok(list) => *cache = (Some(Instant::now()), generation, Arc::new(list)),
                Err(e) => tracing::error!(error = %e, "channel accounts could not be read"),
            }
        }
        cache.2.clone()
    }
}

fn write_loop(ws: &Workspace, mut requests: mpsc::Receiver<WriteRequest>, max_group: usize) {
    while let Some(first) = requests.blocking_recv() {
        let mut group = vec![first];
        while group.len() < max_group {
            match requests.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let mut events = Vec::new();
        let mut replies = Vec::with_capacity(group.len());
        for request in group {
            events.extend(request.events);
            replies.push(request.reply);
        }
        crate::failpoint::hit(crate::failpoint::WEBHOOK_BEFORE_COMMIT);
        let result = ws
            .delivery()
            .apply(&events, Timestamp::now())
            .map_err(|e| e.to_string());
        crate::failpoint::hit(crate::failpoint::WEBHOOK_AFTER_COMMIT);
        if let Err(e) = &result {
            tracing::error!(error = %e, "webhook events not stored; Meta will deliver them again");
        }
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    }
}

/// `/webhooks/whatsapp` and `/webhooks/messenger`.
pub fn router(state: WebhookState) -> Router {
    let limit = state.inner.options.body_limit;
    Router::new()
        .route(
            "/webhooks/whatsapp",
            get(|s, q| verify(Channel::WhatsApp, s, q))
                .post(|s, h, b| receive(Channel::WhatsApp, s, h, b)),
        )
        .route(
            "/webhooks/messenger",
            get(|s, q| verify(Channel::Messenger, s, q))
                .post(|s, h, b| receive(Channel::Messenger, s, h, b)),
        )
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_large_bodies,
        ))
        .with_state(state)
}

/// A body up to this size is read without being counted.
const SMALL_BODY: u64 = 64 * 1024;

/// Lets only `concurrent_large_bodies` large bodies be read at once; the rest are
/// answered 503 with Retry-After before a byte is read.
async fn count_large_bodies(
    State(state): State<WebhookState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let small = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|length| length <= SMALL_BODY);
    if small || request.method() == axum::http::Method::GET {
        return next.run(request).await;
    }
    let Ok(_permit) = state.inner.large_bodies.clone().try_acquire_owned() else {
        tracing::warn!("webhook refused unread: too many large bodies at once");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "5"), ("connection", "close")],
            "busy; deliver again",
        )
            .into_response();
    };
    next.run(request).await
}

/// Serves the receiver on `listener` until `shutdown` completes; requests in flight
/// finish. Connections are capped and timed ([`crate::listen`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebhookState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::listen::serve(
        listener,
        None,
        router(state),
        crate::listen::ListenLimits::default(),
        shutdown,
    )
    .await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

async fn verify(
    channel: Channel,
    State(state): State<WebhookState>,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let mode = query.get("hub.mode").map(String::as_str);
    let token = query
        .get("hub.verify_token")
        .map(String::as_str)
        .unwrap_or_default();
    let challenge = query
        .get("hub.challenge")
        .map(String::as_str)
        .unwrap_or_default();
    let accounts = state.accounts();
    let known = accounts.iter().any(|a| {
        a.channel == channel
            && !a.secrets.verify_token.expose().is_empty()
            && constant_time_eq(a.secrets.verify_token.expose().as_bytes(), token.as_bytes())
    });
    if mode == Some("subscribe") && known && !challenge.is_empty() && challenge.len() <= 256 {
        (StatusCode::OK, challenge.to_string())
    } else {
        tracing::warn!(channel = channel.as_str(), "webhook verification refused");
        (StatusCode::FORBIDDEN, "verification refused".into())
    }
}

async fn receive(
    channel: Channel,
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let Some(adapter) = adapter_for(channel) else {
        return (StatusCode::NOT_FOUND, "unknown channel");
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let accounts = state.accounts();
    // Accounts whose app secret signed this body; only they may be addressed by it.
    let signed_for: Vec<WebhookAccount> = accounts
        .iter()
        .filter(|a| a.channel == channel)
        .filter(|a| {
            crate::signature::verify(a.secrets.app_secret.expose().as_bytes(), signature, &body)
        })
        .map(|a| WebhookAccount {
            id: a.id,
            external_id: a.external_id.clone(),
        })
        .collect();
    if signed_for.is_empty() {
        tracing::warn!(
            channel = channel.as_str(),
            "webhook with a missing or wrong signature refused"
        );
        return (StatusCode::UNAUTHORIZED, "signature missing or wrong");
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let object = value
        .get("object")
        .and_then(|o| o.as_str())
        .unwrap_or_default();
    if object != adapter.webhook_object() {
        tracing::info!(channel = channel.as_str(), object, "webhook object ignored");
        return (StatusCode::OK, "EVENT_RECEIVED");
    }
    let events = adapter.parse_webhook(&value, &signed_for);
    if events.is_empty() {
        return (StatusCode::OK, "EVENT_RECEIVED");
    }
    let (reply, answer) = oneshot::channel();
    if state
        .inner
        .writer
        .send(WriteRequest { events, reply })
        .await
        .is_err()
    {
        return (StatusCode::SERVICE_UNAVAILABLE, "the store is closed");
    }
    match answer.await {
        Ok(Ok(_)) => (StatusCode::OK, "EVENT_RECEIVED"),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "not stored; deliver again",
        ),
    }
}
