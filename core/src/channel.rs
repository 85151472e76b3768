//! Channel domain types shared by the core and the adapters: accounts and their secrets,
//! the events an adapter parsed from a provider, jobs for the outbox, and reply windows.

pub mod account;
pub mod email;
pub mod event;
pub mod mail;
pub mod outbound;
pub mod template;
pub mod window;

pub use crate::store::messages::Channel;
pub use account::{
    ChannelAccountView, ChannelConfig, ChannelEndpoint, ChannelSecret, ChannelSecrets,
    LocalStorageView, NewChannelAccount,
};
pub use email::{EmailConfig, EmailEndpoint, NewEmailAccount};
pub use event::{
    ChannelEvent, DeliveryStatus, EchoEvent, HandoverEvent, InboundEvent, MediaRef, ProviderError,
    StatusEvent, WatermarkEvent,
};
pub use outbound::{OutboundFile, OutboundJob, SendPayload};
pub use window::ReplyWindow;

/// The reference we attach to a send (`biz_opaque_callback_data`, Messenger `metadata`)
/// so a status or echo can be matched to our message even before its provider id is known.
pub fn our_reference(message: crate::MessageId) -> String {
    format!("appcare:{message}")
}

/// Reads back [`our_reference`].
pub fn parse_our_reference(text: &str) -> Option<crate::MessageId> {
    let id = text.strip_prefix("appcare:")?.parse::<i64>().ok()?;
    (id > 0).then(|| crate::MessageId::new(id))
}
