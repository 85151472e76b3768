//! What an adapter parsed out of a provider's webhook or poll: messages, our own sends
//! seen from elsewhere (echoes), delivery statuses, read watermarks and bot handovers.
//! All owned, so a parsed batch can be handed to the store's writer in one piece.

use crate::ids::{ChannelAccountId, MessageId};
use crate::time::Timestamp;

/// Where a message stands on the provider's side. Statuses only move forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }

    /// WhatsApp's names; `played` (a voice message listened to) counts as read.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "sent" => Some(Self::Sent),
            "delivered" => Some(Self::Delivered),
            "read" | "played" => Some(Self::Read),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// Order of the stored `messages.status` values of outbound messages: a status update
/// applies only when it ranks above what is stored. A failure ranks above sending but
/// below delivered (a message the customer received cannot fail any more).
pub fn status_rank(status: &str) -> i32 {
    match status {
        "queued" => 0,
        "sending" | "unconfirmed" => 1,
        "sent" => 2,
        "failed" => 3,
        "delivered" => 4,
        "read" => 5,
        _ => 0,
    }
}

/// Media announced with a message, downloaded later by the channel runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRef {
    pub media_id: String,
    pub file_name: String,
    pub mime_type: String,
    /// Hex SHA-256 announced by the provider; empty when not given.
    pub sha256: String,
}

/// A customer's message.
#[derive(Clone, PartialEq, Eq)]
pub struct InboundEvent {
    pub account: ChannelAccountId,
    pub contact_external_id: String,
    pub contact_name: String,
    pub external_id: String,
    pub body: String,
    pub sent_at: Timestamp,
    pub media: Vec<MediaRef>,
    /// Other addresses of the same contact on this channel, linked to it (WhatsApp: the
    /// business-scoped user id when the phone number is `contact_external_id`).
    pub contact_aliases: Vec<String>,
    /// The provider's id of the message this one answers (WhatsApp `context.id`,
    /// Messenger `reply_to.mid`), which may be one of ours.
    pub reply_to: Option<String>,
    /// The id of the button or list row the customer tapped (WhatsApp `button_reply`,
    /// `list_reply`, a template's quick-reply payload; Messenger `quick_reply.payload`, a
    /// postback's payload), bounded in length.
    pub choice: Option<String>,
    /// What the message holds besides its text, shown as what it is.
    pub content: Option<crate::channel::rich::RichContent>,
}

/// A customer's reaction to a message (WhatsApp `reaction`, Messenger `reaction`): it
/// attaches to the message it names and is not a message itself. An empty `emoji`
/// removes the customer's reaction.
#[derive(Clone, PartialEq, Eq)]
pub struct ReactionEvent {
    pub account: ChannelAccountId,
    pub contact_external_id: String,
    /// The reaction's own id, so a re-delivery is a duplicate.
    pub external_id: String,
    /// The provider's id of the message reacted to.
    pub target_external_id: String,
    pub emoji: String,
    pub at: Timestamp,
}

/// Longest reaction kept (an emoji with its modifiers is a few code points).
pub const REACTION_MAX_CHARS: usize = 16;

/// A message the business sent from somewhere else (Messenger `message_echoes`), or our
/// own send reported back.
#[derive(Clone, PartialEq, Eq)]
pub struct EchoEvent {
    pub account: ChannelAccountId,
    pub contact_external_id: String,
    pub external_id: String,
    pub body: String,
    pub sent_at: Timestamp,
    /// Set when the echo carries our reference (we sent it from this workspace).
    pub our_message: Option<MessageId>,
}

/// A provider's error on a message: its code and its title (no customer text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderError {
    pub code: i64,
    pub title: String,
}

impl ProviderError {
    /// Meta's code with a plain explanation of what the agent can do.
    pub fn explanation(&self) -> String {
        let plain = match self.code {
            131047 => "outside the 24-hour window: send a template",
            130429 => "Meta's sending limit was reached; it was retried and still refused",
            131026 => "the number cannot receive WhatsApp messages (not on WhatsApp, terms not accepted, or an old app)",
            131049 => "Meta held it back to keep engagement healthy; try again later or another way",
            131056 => "too many messages to this customer in a short time; wait before sending again",
            131048 => "Meta limited sending because of spam reports",
            131052 | 131053 => "the file could not be transferred",
            132000 => "the template's values do not match its placeholders",
            132001 => "the template does not exist or is not approved",
            10 => "outside the allowed window: the customer must write first (or use the HUMAN_AGENT tag)",
            190 => "the access token is no longer valid: an admin must paste a new one",
            100 => "Meta refused the request as invalid",
            _ => "",
        };
        let title = self.title.trim();
        match (plain.is_empty(), title.is_empty()) {
            (false, _) => format!("Meta error {}: {plain}", self.code),
            (true, false) => format!("Meta error {}: {title}", self.code),
            (true, true) => format!("Meta error {}", self.code),
        }
    }
}

/// A delivery status of one of our messages (WhatsApp `statuses[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusEvent {
    pub account: ChannelAccountId,
    pub external_id: String,
    pub our_message: Option<MessageId>,
    pub status: DeliveryStatus,
    pub at: Timestamp,
    pub error: Option<ProviderError>,
    /// What Meta charges for the message (WhatsApp `pricing`), when the status says.
    pub pricing: Option<Pricing>,
}

/// The longest pricing word kept (model, type, category); longer ones are cut.
pub const PRICING_WORD_MAX: usize = 32;

/// WhatsApp's `pricing` block of a status: whether the message is billed, under which
/// model (`PMP`, per message; `CBP`, per conversation), of which type (`regular`,
/// `free_customer_service`, `free_entry_point`) and category (`marketing`, `utility`,
/// `authentication`, `service`, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pricing {
    pub billable: bool,
    pub model: String,
    pub kind: String,
    pub category: String,
}

/// Messenger delivery/read watermark: every message we sent to this contact up to
/// `up_to` was delivered (or read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatermarkEvent {
    pub account: ChannelAccountId,
    pub contact_external_id: String,
    pub status: DeliveryStatus,
    pub up_to: Timestamp,
}

/// A handover webhook of a Messenger conversation: a bot app passed thread control to us,
/// took it back, or asks for it.
#[derive(Clone, PartialEq, Eq)]
pub struct HandoverEvent {
    pub account: ChannelAccountId,
    pub contact_external_id: String,
    /// The other app: the one that passed the thread, took it, or asks for it.
    pub previous_app_id: Option<String>,
    pub metadata: String,
    pub at: Timestamp,
    pub kind: HandoverKind,
}

/// What a handover webhook says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandoverKind {
    /// `pass_thread_control`: the thread is the team's now.
    Passed,
    /// `take_thread_control`: another app took the thread from us.
    Taken,
    /// `request_thread_control`: another app asks us for the thread.
    Requested,
}

/// A customer's new address (WhatsApp `system` message `user_changed_number`): `new`
/// is linked to the contact known by `old`, and the change is noted in its conversation.
#[derive(Clone, PartialEq, Eq)]
pub struct AddressChange {
    pub account: ChannelAccountId,
    /// The provider's id of the notice, so a re-delivery is a duplicate.
    pub external_id: String,
    pub old: String,
    pub new: String,
    /// What the provider says happened, shown in the conversation.
    pub note: String,
    pub at: Timestamp,
}

/// An item of a webhook the app cannot store as what it is: kept for an admin with the
/// reason and the item's raw JSON (bounded), never answered 200 and forgotten.
#[derive(Clone, PartialEq, Eq)]
pub struct SetAsideEvent {
    pub account: ChannelAccountId,
    pub reason: String,
    pub raw: String,
}

/// Longest raw item kept when an item is set aside; longer ones are cut with a note.
pub const SET_ASIDE_RAW_MAX: usize = 64 * 1024;

impl SetAsideEvent {
    /// `item` kept as JSON text, cut at [`SET_ASIDE_RAW_MAX`] bytes with a note.
    pub fn new(
        account: ChannelAccountId,
        reason: impl Into<String>,
        item: &serde_json::Value,
    ) -> Self {
        let mut raw = item.to_string();
        if raw.len() > SET_ASIDE_RAW_MAX {
            let total = raw.len();
            let mut cut = SET_ASIDE_RAW_MAX;
            while !raw.is_char_boundary(cut) {
                cut -= 1;
            }
            raw.truncate(cut);
            raw.push_str(&format!(
                "\n[cut here: the item had {total} bytes; the first {cut} are kept]"
            ));
        }
        Self {
            account,
            reason: reason.into(),
            raw,
        }
    }
}

/// One parsed event.
#[derive(Clone, PartialEq, Eq)]
pub enum ChannelEvent {
    Message(InboundEvent),
    Echo(EchoEvent),
    Status(StatusEvent),
    Watermark(WatermarkEvent),
    Handover(HandoverEvent),
    AddressChange(AddressChange),
    Reaction(ReactionEvent),
    SetAside(SetAsideEvent),
}

crate::redacted_debug!(
    InboundEvent,
    EchoEvent,
    HandoverEvent,
    AddressChange,
    ReactionEvent,
    SetAsideEvent
);

impl std::fmt::Debug for ChannelEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Message(m) => m.fmt(f),
            Self::Echo(e) => e.fmt(f),
            Self::Status(s) => s.fmt(f),
            Self::Watermark(w) => w.fmt(f),
            Self::Handover(h) => h.fmt(f),
            Self::AddressChange(a) => a.fmt(f),
            Self::Reaction(r) => r.fmt(f),
            Self::SetAside(s) => s.fmt(f),
        }
    }
}

/// A file that came with a message.
pub struct InboundAttachment {
    pub file_name: String,
    pub mime_type: String,
    pub data: Vec<u8>,
}
