//! Routes for whoever runs the hub; none needs a session and none reveals data:
//! `/healthz` (the process answers), `/readyz` (the store answers, the audit chain's
//! head is readable, the channel runtime runs; 503 otherwise) and `/metrics`
//! (Prometheus text, only with the metrics token the hub was started with).

use super::{HttpError, Hub};
use appcare_core::{CoreError, ErrorCode, Timestamp};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use zeroize::Zeroizing;

/// The bearer token `/metrics` asks for (from `--metrics-token-file`). Never printed.
#[derive(Clone)]
pub struct MetricsToken(Zeroizing<String>);

/// The shortest metrics token accepted.
pub const METRICS_TOKEN_MIN: usize = 16;

impl MetricsToken {
    /// The token in `text` (surrounding whitespace dropped), if it is long enough.
    pub fn new(text: &str) -> Result<Self, String> {
        let token = text.trim();
        if token.len() < METRICS_TOKEN_MIN || token.len() > 256 {
            return Err(format!(
                "the metrics token must be {METRICS_TOKEN_MIN} to 256 characters"
            ));
        }
        Ok(Self(Zeroizing::new(token.to_owned())))
    }

    fn matches(&self, given: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_bytes().ct_eq(given.as_bytes()).into()
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

pub async fn readyz(State(hub): State<Hub>) -> (StatusCode, Json<serde_json::Value>) {
    let workspace = hub.workspace().clone();
    let readiness = tokio::task::spawn_blocking(move || workspace.readiness())
        .await
        .ok();
    let store = readiness.is_some_and(|r| r.store);
    let audit = readiness.is_some_and(|r| r.audit_head);
    let runtime = hub.runtime_alive();
    let ready = store && audit && runtime;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    if !ready {
        tracing::warn!(store, audit, runtime, "readiness check failed");
    }
    (
        status,
        Json(serde_json::json!({
            "ready": ready,
            "checks": { "store": store, "audit_chain_head": audit, "channel_runtime": runtime },
        })),
    )
}

pub async fn metrics(State(hub): State<Hub>, headers: HeaderMap) -> Response {
    let Some(expected) = hub.metrics_token() else {
        return HttpError {
            status: StatusCode::NOT_FOUND,
            code: ErrorCode::NotFound,
            message: "Metrics are off: start the hub with --metrics-token-file.".into(),
            retry_after: None,
            close: false,
        }
        .into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if !expected.matches(given) {
        return HttpError::from(CoreError::NotSignedIn).into_response();
    }
    let workspace = hub.workspace().clone();
    let figures = tokio::task::spawn_blocking(move || workspace.operator_figures(Timestamp::now()))
        .await
        .ok()
        .and_then(|r| {
            r.map_err(|e| tracing::warn!(code = ?e.code(), "store figures unavailable"))
                .ok()
        });
    let text = hub.metrics().render(figures.as_ref(), hub.runtime_alive());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
