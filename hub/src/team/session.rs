//! Who is asking: the bearer token (refused at once when missing, and before a large
//! body is read unless it is a signed-in session's, and only so many large bodies at
//! once) and the peer address the sign-in limits count by.

use super::{HttpError, Hub};
use appcare_core::{CoreError, SessionToken};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The session token from `Authorization: Bearer …`.
pub struct Bearer(pub SessionToken);

/// A body up to this size is read before the core checks the session; a larger one (or
/// one of unknown size) only for a signed-in session's token: not for a pending sign-in,
/// which anyone gets for any username.
const READ_BEFORE_CHECK: u64 = 64 * 1024;

/// When to try again after a 503 because too many large bodies were being read.
const LARGE_BODY_RETRY_SECONDS: u64 = 5;

/// One of the large bodies the hub reads at once (`TeamOptions::concurrent_large_bodies`).
#[derive(Clone)]
struct LargeBody(#[allow(dead_code)] Arc<tokio::sync::OwnedSemaphorePermit>);

impl FromRequestParts<Hub> for Bearer {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .map(SessionToken::from_client)
            .ok_or_else(|| HttpError::from(CoreError::NotSignedIn).body_unread())?;
        let small = parts
            .headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|length| length <= READ_BEFORE_CHECK);
        if !small {
            let workspace = hub.workspace().clone();
            let check = token.clone();
            let signed_in =
                tokio::task::spawn_blocking(move || workspace.session_is_signed_in(&check))
                    .await
                    .map_err(|_| CoreError::Storage("the request was interrupted".into()))
                    .and_then(|signed_in| signed_in)
                    .map_err(|err| HttpError::from(err).body_unread())?;
            if !signed_in {
                return Err(HttpError::from(CoreError::NotSignedIn).body_unread());
            }
            // Counted while it is read: the permit goes with the request, which the body
            // extractor consumes and drops once the body is in.
            let permit = hub
                .inner
                .large_bodies
                .clone()
                .try_acquire_owned()
                .map_err(|_| HttpError::busy(LARGE_BODY_RETRY_SECONDS))?;
            parts.extensions.insert(LargeBody(Arc::new(permit)));
        }
        Ok(Self(token))
    }
}

/// The peer address, or loopback when the router is served without connection info.
pub struct Peer(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST));
        Ok(Self(addr))
    }
}

/// A request's body as bytes, within the route's size limit; over it, 413 as
/// `{code, message}` like every other error.
pub struct Body(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Body {
    type Rejection = HttpError;

    async fn from_request(
        mut request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, HttpError> {
        // Held until the body is in (the extractor below drops the request's parts first).
        let _large = request.extensions_mut().remove::<LargeBody>();
        match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(HttpError::too_large())
            }
            Err(_) => Err(HttpError::bad_request(
                "request",
                "the body could not be read",
            )),
        }
    }
}
