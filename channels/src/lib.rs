//! Appcare Inbox channel adapters: WhatsApp Cloud API and Messenger behind one trait, the
//! e-mail channel (IMAP sync, SMTP replies), the webhook receiver both the desktop and
//! the hub serve, and the channel runtime that sends the outbox, syncs mailboxes,
//! downloads media, runs provider tasks and polls Messenger.
//!
//! Nothing here knows a window exists. Everything stored goes through
//! [`appcare_core::Workspace::delivery`].

pub mod adapter;
pub mod check;
pub mod email;
pub mod failpoint;
pub mod fuzzing;
pub mod graph;
pub mod listen;
pub mod messenger;
pub mod parse;
pub mod runtime;
pub mod signature;
pub mod time;
pub mod webhook;
pub mod whatsapp;
pub mod whatsapp_content;
pub mod whatsapp_inbound;

pub use adapter::{adapter_for, ChannelAdapter};
pub use runtime::{ChannelRuntime, RuntimeOptions, RuntimeProbe};
pub use webhook::{WebhookOptions, WebhookState};
