//! Who is asking: the bearer token (refused at once when missing) and the peer address
//! the sign-in limits count by.

use super::HttpError;
use appcare_core::{CoreError, SessionToken};
use axum::extract::connect_info::Connected;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::serve::IncomingStream;
use std::net::{IpAddr, SocketAddr};

/// The session token from `Authorization: Bearer …`.
pub struct Bearer(pub SessionToken);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256);
        match token {
            Some(token) => Ok(Self(SessionToken::from_client(token))),
            None => Err(CoreError::NotSignedIn.into()),
        }
    }
}

/// The client's address, as the listener saw it.
#[derive(Clone, Copy, Debug)]
pub struct PeerAddr(pub SocketAddr);

impl PeerAddr {
    pub fn ip(&self) -> IpAddr {
        self.0.ip()
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

/// The peer address, or loopback when the router is served without connection info.
pub struct Peer(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let addr = parts
            .extensions
            .get::<axum::extract::ConnectInfo<PeerAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST));
        Ok(Self(addr))
    }
}
