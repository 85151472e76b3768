//! Errors as the team API sends them: an HTTP status and `{code, message}` in plain words.

use appcare_core::{CoreError, ErrorCode};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refused or failed request.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub retry_after: Option<u64>,
    /// The request's body was left unread: the connection closes after this answer, and
    /// says so, so the client does not send its next request on it.
    pub close: bool,
}

impl HttpError {
    pub fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: ErrorCode::NotFound,
            message: "There is no such call in the team API (see /api/v1/openapi.json).".into(),
            retry_after: None,
            close: false,
        }
    }

    /// The same refusal, answered before the body was read.
    pub fn body_unread(mut self) -> Self {
        self.close = true;
        self
    }

    /// The body is over the call's size limit: 413 with the usual `{code, message}`.
    pub fn too_large() -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: ErrorCode::InvalidInput,
            message: "The request is larger than this call takes.".into(),
            retry_after: None,
            close: true,
        }
    }

    /// Too many large bodies are being read: 503, unread, with when to try again.
    pub fn busy(retry_after: u64) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: ErrorCode::RateLimited,
            message:
                "The hub is receiving many large requests at once. Try again in a few seconds."
                    .into(),
            retry_after: Some(retry_after),
            close: true,
        }
    }

    pub fn bad_request(field: &'static str, reason: &str) -> Self {
        CoreError::InvalidInput {
            field,
            reason: reason.into(),
        }
        .into()
    }
}

/// The HTTP status for each error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::SignInFailed
        | ErrorCode::NotSignedIn
        | ErrorCode::SessionLocked
        | ErrorCode::SessionExpired => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::InvalidInput | ErrorCode::WeakPassword => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Conflict
        | ErrorCode::WorkspaceExists
        | ErrorCode::AnsweredMeanwhile
        | ErrorCode::TakenMeanwhile => StatusCode::CONFLICT,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<CoreError> for HttpError {
    fn from(err: CoreError) -> Self {
        let retry_after = match &err {
            CoreError::RateLimited {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        };
        let code = err.code();
        Self {
            status: status_of(code),
            code,
            message: err.to_string(),
            retry_after,
            close: false,
        }
    }
}

/// What the request log learns of an error answer (a response extension): its code, and
/// for a failure (500) its message, which names what broke, never a customer's data.
#[derive(Clone, Debug)]
pub(crate) struct Logged {
    pub code: LoggedCode,
    pub message: Option<String>,
}

/// An error code as the answer spells it (`sign_in_failed`).
#[derive(Clone, Debug)]
pub(crate) struct LoggedCode(String);

impl LoggedCode {
    fn of(code: ErrorCode) -> Self {
        Self(
            serde_json::to_value(code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        // A failure's own words (which may name files or tables) go to the log only;
        // the client hears "internal error" and the request id ([`super::logged`]).
        let failed = self.status == StatusCode::INTERNAL_SERVER_ERROR;
        let logged = Logged {
            code: LoggedCode::of(self.code),
            message: failed.then(|| self.message.clone()),
        };
        let message = if failed {
            INTERNAL_ERROR.to_owned()
        } else {
            self.message
        };
        let body = axum::Json(serde_json::json!({
            "code": self.code,
            "message": message,
        }));
        let mut response = (self.status, body).into_response();
        if self.close {
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
        }
        response.extensions_mut().insert(logged);
        response
    }
}

/// What a client hears of a failure (500), before the request log adds the request id.
pub(crate) const INTERNAL_ERROR: &str = "Internal error.";
