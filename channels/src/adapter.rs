//! The one trait every channel adapter implements: parse a webhook body into events
//! (messages, statuses, watermarks, handovers), send an outbox job, fetch a file; and
//! its one implementation, [`Adapter`], for the channels of Meta's Graph API.

use crate::graph::{Graph, GraphError};
use crate::parse::WebhookAccount;
use crate::whatsapp::MediaError;
use appcare_core::channel::{Channel, ChannelEndpoint, ChannelEvent, MediaRef, OutboundJob};
use serde_json::Value;
use std::future::Future;

pub trait ChannelAdapter: Send + Sync {
    /// The `object` a verified webhook body of this channel carries.
    fn webhook_object(&self) -> &'static str;

    /// Events in a verified body, for the accounts that body may address.
    fn parse_webhook(&self, body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent>;

    /// Sends one job; returns the provider's message id.
    fn send(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        job: &OutboundJob,
    ) -> impl Future<Output = Result<String, GraphError>> + Send;

    /// Downloads a file announced by a webhook: its bytes and media type.
    fn fetch_media(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        media: &MediaRef,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<u8>, String), MediaError>> + Send;
}

/// The adapter of each channel this crate speaks over Meta's Graph API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adapter {
    WhatsApp,
    Messenger,
}

pub fn adapter_for(channel: Channel) -> Option<Adapter> {
    match channel {
        Channel::WhatsApp => Some(Adapter::WhatsApp),
        Channel::Messenger => Some(Adapter::Messenger),
        Channel::Email => None,
    }
}

impl ChannelAdapter for Adapter {
    fn webhook_object(&self) -> &'static str {
        match self {
            Self::WhatsApp => "whatsapp_business_account",
            Self::Messenger => "page",
        }
    }

    fn parse_webhook(&self, body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent> {
        match self {
            Self::WhatsApp => crate::whatsapp::parse_webhook(body, accounts),
            Self::Messenger => crate::messenger::parse_webhook(body, accounts),
        }
    }

    async fn send(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        job: &OutboundJob,
    ) -> Result<String, GraphError> {
        match self {
            Self::WhatsApp => crate::whatsapp::send(graph, &endpoint.external_id, job).await,
            Self::Messenger => crate::messenger::send(graph, &endpoint.external_id, job).await,
        }
    }

    async fn fetch_media(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        media: &MediaRef,
        limit: usize,
    ) -> Result<(Vec<u8>, String), MediaError> {
        match self {
            Self::WhatsApp => {
                crate::whatsapp::fetch_media(graph, &endpoint.external_id, media, limit).await
            }
            Self::Messenger => messenger_attachment(graph, media, limit).await,
        }
    }
}

/// A Messenger attachment: the URL comes from the customer's message, so https to a
/// named host only (no address on this network), never with the token, and the egress
/// allowlist (Meta's CDN hosts by default) decides the rest.
async fn messenger_attachment(
    graph: &Graph,
    media: &MediaRef,
    limit: usize,
) -> Result<(Vec<u8>, String), MediaError> {
    let url = media.media_id.as_str();
    let host = appcare_core::privacy::egress::host_of(url).unwrap_or_default();
    let named = !host.is_empty()
        && host.parse::<std::net::IpAddr>().is_err()
        && host != "localhost"
        && !host.ends_with(".localhost");
    if !url.starts_with("https://") || !named {
        return Err(MediaError::Graph(GraphError::BadResponse(
            "the attachment link is not an https address of a named host".into(),
        )));
    }
    graph
        .download(url, false, limit)
        .await
        .map_err(MediaError::Graph)
}
