//! A small Graph API client: JSON calls with the bearer token, Meta's error envelope
//! decoded, and what to do about a failure (retry or tell the agent). The token travels
//! in the `Authorization` header only, never in a URL, so no error text can carry it.

use appcare_core::channel::{ChannelEndpoint, ChannelSecret, ProviderError};
use appcare_core::privacy::egress::EgressPolicy;
use serde_json::Value;
use std::time::Duration;

/// Meta's `{"error": {...}}` envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
}

/// Why a Graph call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("could not reach Meta ({detail})")]
    Transport { timeout: bool, detail: String },
    #[error("Meta answered HTTP {status}")]
    Http {
        status: u16,
        api: Option<ApiError>,
        retry_after: Option<u64>,
    },
    #[error("Meta's answer could not be read ({0})")]
    BadResponse(String),
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    /// Refused here before anything was sent (a file type Meta would not take, …).
    #[error("not sent: {0}")]
    NotSendable(String),
    /// Refused before connecting: the host is not on the workspace's allowlist.
    #[error("not sent: {host} is not on this workspace's allowed hosts (an admin adds it under Residency → Allowed outgoing connections)")]
    EgressRefused { host: String },
}

/// Meta's codes for rate limits and temporary trouble: worth another try later.
const RETRYABLE_CODES: &[i64] = &[
    1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131000, 131016, 131056, 133004,
];

impl GraphError {
    /// 429, 5xx, timeouts, and Meta's throttling codes are retried; the rest is final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Http { status, api, .. } => {
                *status == 429
                    || *status >= 500
                    || api
                        .as_ref()
                        .is_some_and(|a| RETRYABLE_CODES.contains(&a.code))
            }
            Self::BadResponse(_)
            | Self::TooLarge(_)
            | Self::NotSendable(_)
            | Self::EgressRefused { .. } => false,
        }
    }

    /// How long Meta asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Http {
                retry_after: Some(s),
                ..
            } => Some(Duration::from_secs(*s)),
            _ => None,
        }
    }

    /// Meta's code, if the answer carried one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Http { api: Some(a), .. } => Some(a.code),
            _ => None,
        }
    }

    /// For the agent: Meta's code and what it means, or what went wrong on the way.
    /// Meta's own words for a refusal ("Meta error 10: (#10) Only the primary receiver
    /// …"), for calls whose codes mean something else than for messages (the handover
    /// protocol); other failures as [`Self::explanation`].
    pub fn as_meta_said(&self) -> String {
        match self {
            Self::Http { api: Some(api), .. } if !api.message.trim().is_empty() => {
                format!("Meta error {}: {}", api.code, api.message.trim())
            }
            other => other.explanation(),
        }
    }

    pub fn explanation(&self) -> String {
        match self {
            Self::Http { api: Some(api), .. } => ProviderError {
                code: api.code,
                title: api.message.clone(),
            }
            .explanation(),
            other => {
                let mut text = other.to_string();
                if let Some(first) = text.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                text
            }
        }
    }
}

fn transport(e: reqwest::Error) -> GraphError {
    let timeout = e.is_timeout();
    let detail = if timeout {
        "timed out".to_string()
    } else if e.is_connect() {
        "connection failed".to_string()
    } else {
        // Without the URL, so an error never carries an address with ids in it.
        e.without_url().to_string()
    };
    GraphError::Transport { timeout, detail }
}

/// Decodes Meta's error envelope from a failed answer.
fn api_error(body: &[u8]) -> Option<ApiError> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?;
    Some(ApiError {
        code: error.get("code")?.as_i64()?,
        subcode: error.get("error_subcode").and_then(Value::as_i64),
        message: error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect(),
    })
}

/// The HTTP client for Meta: `timeout` per request, redirects only within one host
/// (another host must pass the allowlist).
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let same_host = attempt
                .previous()
                .first()
                .is_some_and(|first| first.host_str() == attempt.url().host_str());
            if attempt.previous().len() < 3 && same_host {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .build()
        .map_err(|e| format!("cannot start the HTTP client: {e}"))
}

/// One account's Graph API: base URL, version and token.
#[derive(Clone)]
pub struct Graph {
    http: reqwest::Client,
    base: String,
    version: String,
    token: ChannelSecret,
    policy: EgressPolicy,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// The largest JSON answer read from Meta.
const JSON_LIMIT: usize = 8 * 1024 * 1024;

impl Graph {
    pub fn new(http: &reqwest::Client, endpoint: &ChannelEndpoint, policy: &EgressPolicy) -> Self {
        Self {
            http: http.clone(),
            base: endpoint
                .config
                .graph_base_url
                .trim_end_matches('/')
                .to_string(),
            version: endpoint.config.api_version.clone(),
            token: endpoint.secrets.access_token.clone(),
            policy: policy.clone(),
        }
    }

    /// Refuses, before any connection, a URL whose host is not allowed.
    fn allowed(&self, url: &str) -> Result<(), GraphError> {
        self.policy
            .allows_url(url)
            .map_err(|host| GraphError::EgressRefused { host })
    }

    /// `{base}/{version}/{path}`.
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.base,
            self.version,
            path.trim_start_matches('/')
        )
    }

    /// Whether `url` is on the Graph API's own host (where the token may be sent).
    pub fn is_graph_host(&self, url: &str) -> bool {
        url == self.base || url.starts_with(&format!("{}/", self.base))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, GraphError> {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(self.token.expose())
            .json(body);
        self.json(request).await
    }

    /// A `multipart/form-data` POST (Messenger's Send API with a file in `filedata`).
    pub async fn post_form(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Result<Value, GraphError> {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(self.token.expose())
            .multipart(form);
        self.json(request).await
    }

    pub async fn get_json(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, GraphError> {
        let request = self
            .http
            .get(self.url(path))
            .bearer_auth(self.token.expose())
            .query(query);
        self.json(request).await
    }

    /// A `paging.next` URL as Meta gives it (already absolute).
    pub async fn get_absolute(&self, url: &str) -> Result<Value, GraphError> {
        if !self.is_graph_host(url) {
            return Err(GraphError::BadResponse(
                "a paging link to another host".into(),
            ));
        }
        self.json(self.http.get(url).bearer_auth(self.token.expose()))
            .await
    }

    /// Uploads a file (WhatsApp `POST /{phone-number-id}/media`); returns the media id.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        file_name: &str,
        mime_type: &str,
        data: Vec<u8>,
    ) -> Result<String, GraphError> {
        let part = reqwest::multipart::Part::bytes(data)
            .file_name(file_name.to_string())
            .mime_str(mime_type)
            .map_err(|_| GraphError::NotSendable("the file type is not valid".into()))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_string())
            .part("file", part);
        let request = self
            .http
            .post(self.url(&format!("{phone_number_id}/media")))
            .bearer_auth(self.token.expose())
            .multipart(form);
        let value = self.json(request).await?;
        value
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GraphError::NotSendable("Meta gave no id for the uploaded file".into()))
    }

    /// Downloads a file, up to `limit` bytes, with the token only when `bearer` is asked
    /// for (WhatsApp media URLs, which the Graph API itself handed us).
    pub async fn download(
        &self,
        url: &str,
        bearer: bool,
        limit: usize,
    ) -> Result<(Vec<u8>, String), GraphError> {
        let mut request = self.http.get(url);
        if bearer {
            request = request.bearer_auth(self.token.expose());
        }
        // Checked on the URL as the HTTP client parsed it, which is where it connects.
        let request = request.build().map_err(transport)?;
        self.allowed(request.url().as_str())?;
        let mut response = self.http.execute(request).await.map_err(transport)?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(GraphError::Http {
                status,
                api: None,
                retry_after: None,
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n as usize > limit)
        {
            return Err(GraphError::TooLarge(limit));
        }
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let mut data = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if data.len() + chunk.len() > limit {
                return Err(GraphError::TooLarge(limit));
            }
            data.extend_from_slice(&chunk);
        }
        Ok((data, mime))
    }

    async fn json(&self, request: reqwest::RequestBuilder) -> Result<Value, GraphError> {
        let request = request.build().map_err(transport)?;
        self.allowed(request.url().as_str())?;
        let mut response = self.http.execute(request).await.map_err(transport)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut body = Vec::new();
        // After a success status the request was accepted: a cut-off answer is not a
        // transport failure to retry.
        let cut = |e: reqwest::Error| {
            if status.is_success() {
                GraphError::BadResponse("the answer was cut off".into())
            } else {
                transport(e)
            }
        };
        while let Some(chunk) = response.chunk().await.map_err(cut)? {
            if body.len() + chunk.len() > JSON_LIMIT {
                return Err(GraphError::TooLarge(JSON_LIMIT));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(GraphError::Http {
                status: status.as_u16(),
                api: api_error(&body),
                retry_after,
            });
        }
        serde_json::from_slice(&body).map_err(|e| GraphError::BadResponse(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_errors_are_decoded_and_classified() {
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed"},"fbtrace_id":"A"}}"#;
        let err = GraphError::Http {
            status: 400,
            api: api_error(body),
            retry_after: None,
        };
        assert!(!err.is_retryable());
        assert_eq!(err.code(), Some(131047));
        assert_eq!(
            err.explanation(),
            "Meta error 131047: outside the 24-hour window: send a template"
        );
        let rate = br#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"B"}}"#;
        assert!(GraphError::Http {
            status: 400,
            api: api_error(rate),
            retry_after: None
        }
        .is_retryable());
        assert!(GraphError::Http {
            status: 503,
            api: None,
            retry_after: None
        }
        .is_retryable());
        assert!(GraphError::Transport {
            timeout: true,
            detail: "timed out".into()
        }
        .is_retryable());
        assert_eq!(
            GraphError::Transport {
                timeout: true,
                detail: "timed out".into()
            }
            .explanation(),
            "Could not reach Meta (timed out)"
        );
    }
}
