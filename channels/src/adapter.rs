//! The one trait every channel adapter implements: parse a webhook body into events
//! (messages, statuses, watermarks, handovers), send an outbox job, fetch a file.

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

pub struct WhatsAppAdapter;
pub struct MessengerAdapter;

impl ChannelAdapter for WhatsAppAdapter {
    fn webhook_object(&self) -> &'static str {
        "whatsapp_business_account"
    }

    fn parse_webhook(&self, body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent> {
        crate::whatsapp::parse_webhook(body, accounts)
    }

    async fn send(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        job: &OutboundJob,
    ) -> Result<String, GraphError> {
        crate::whatsapp::send(graph, &endpoint.external_id, job).await
    }

    async fn fetch_media(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        media: &MediaRef,
        limit: usize,
    ) -> Result<(Vec<u8>, String), MediaError> {
        crate::whatsapp::fetch_media(graph, &endpoint.external_id, media, limit).await
    }
}

impl ChannelAdapter for MessengerAdapter {
    fn webhook_object(&self) -> &'static str {
        "page"
    }

    fn parse_webhook(&self, body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent> {
        crate::messenger::parse_webhook(body, accounts)
    }

    async fn send(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        job: &OutboundJob,
    ) -> Result<String, GraphError> {
        crate::messenger::send(graph, &endpoint.external_id, job).await
    }

    async fn fetch_media(
        &self,
        graph: &Graph,
        _endpoint: &ChannelEndpoint,
        media: &MediaRef,
        limit: usize,
    ) -> Result<(Vec<u8>, String), MediaError> {
        // The URL comes from the customer's message: https to a named host only (no
        // address on this network), never with the token, and the egress allowlist
        // (Meta's CDN hosts by default) decides the rest.
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
}

/// The adapter of a channel, when this crate has one.
pub enum Adapter {
    WhatsApp(WhatsAppAdapter),
    Messenger(MessengerAdapter),
}

pub fn adapter_for(channel: Channel) -> Option<Adapter> {
    match channel {
        Channel::WhatsApp => Some(Adapter::WhatsApp(WhatsAppAdapter)),
        Channel::Messenger => Some(Adapter::Messenger(MessengerAdapter)),
        Channel::Email => None,
    }
}

impl Adapter {
    pub fn parse_webhook(&self, body: &Value, accounts: &[WebhookAccount]) -> Vec<ChannelEvent> {
        match self {
            Self::WhatsApp(a) => a.parse_webhook(body, accounts),
            Self::Messenger(a) => a.parse_webhook(body, accounts),
        }
    }

    pub fn webhook_object(&self) -> &'static str {
        match self {
            Self::WhatsApp(a) => a.webhook_object(),
            Self::Messenger(a) => a.webhook_object(),
        }
    }

    pub async fn send(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        job: &OutboundJob,
    ) -> Result<String, GraphError> {
        match self {
            Self::WhatsApp(a) => a.send(graph, endpoint, job).await,
            Self::Messenger(a) => a.send(graph, endpoint, job).await,
        }
    }

    pub async fn fetch_media(
        &self,
        graph: &Graph,
        endpoint: &ChannelEndpoint,
        media: &MediaRef,
        limit: usize,
    ) -> Result<(Vec<u8>, String), MediaError> {
        match self {
            Self::WhatsApp(a) => a.fetch_media(graph, endpoint, media, limit).await,
            Self::Messenger(a) => a.fetch_media(graph, endpoint, media, limit).await,
        }
    }
}
