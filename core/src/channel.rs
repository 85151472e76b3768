//! Channel domain types shared by the core and the adapters: accounts and their secrets,
//! the events an adapter parsed from a provider, jobs for the outbox, and reply windows.

pub mod account;
pub mod card;
pub mod check;
pub mod choices;
pub mod email;
pub mod event;
pub mod mail;
pub mod mail_folders;
pub mod mail_format;
pub mod outbound;
pub mod pricing;
pub mod rich;
pub mod sanitize;
pub mod start;
pub mod template;
pub mod utf7;
pub mod webhook_aside;
pub mod window;

pub use account::{
    ChannelAccountChanges, ChannelAccountView, ChannelConfig, ChannelEndpoint, ChannelSecret,
    ChannelSecrets, LocalStorageView, NewChannelAccount,
};
pub use email::{EmailConfig, EmailEndpoint, NewEmailAccount};
pub use event::{
    AddressChange, ChannelEvent, DeliveryStatus, EchoEvent, HandoverEvent, HandoverKind,
    InboundAttachment, InboundEvent, MediaRef, Pricing, ProviderError, ReactionEvent,
    SetAsideEvent, StatusEvent, WatermarkEvent, PRICING_WORD_MAX, REACTION_MAX_CHARS,
    SET_ASIDE_RAW_MAX,
};
pub use outbound::{Choice, OutboundFile, OutboundJob, SendPayload};
pub use window::ReplyWindow;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A messaging channel; stored as its lowercase name (`channel_accounts.kind`,
/// `contact_identities.channel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    WhatsApp,
    Messenger,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsApp => "whatsapp",
            Self::Messenger => "messenger",
            Self::Email => "email",
        }
    }

    /// Reads back [`Channel::as_str`]; `None` for a name this build does not know.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "whatsapp" => Some(Self::WhatsApp),
            "messenger" => Some(Self::Messenger),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Which way a message went; stored as `in` / `out` (`messages.direction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }

    /// Reads back [`Direction::as_str`].
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "in" => Some(Self::In),
            "out" => Some(Self::Out),
            _ => None,
        }
    }
}

/// Reads a stored name with `parse`; an unknown one is a conversion error, not a panic.
fn from_stored<T>(value: ValueRef<'_>, parse: fn(&str) -> Option<T>) -> FromSqlResult<T> {
    let text = value.as_str()?;
    parse(text).ok_or_else(|| FromSqlError::Other(format!("unknown value {text:?}").into()))
}

impl ToSql for Channel {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Channel {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_stored(value, Self::parse)
    }
}

impl ToSql for Direction {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Direction {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        from_stored(value, Self::parse)
    }
}

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
