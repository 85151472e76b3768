//! A message waiting in the outbox, as the channel runtime receives it to send: text, a
//! template, a file, a place or contact cards, or a question with answers to tap.

use crate::channel::rich::RichContent;
use crate::channel::template::ButtonValue;
use crate::channel::Channel;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use serde::Deserialize;

/// What to send.
#[derive(Clone, PartialEq, Eq)]
pub enum SendPayload {
    Text {
        body: String,
    },
    /// An approved WhatsApp template with its body parameters in order, its header's
    /// value or file, and the values of its buttons that take one.
    Template {
        name: String,
        language: String,
        parameters: Vec<String>,
        header: Vec<String>,
        /// The header's format (`image`, `video`, `document`) and its file.
        header_file: Option<(String, OutboundFile)>,
        buttons: Vec<ButtonValue>,
    },
    /// A place or contact cards (WhatsApp).
    Card(RichContent),
    /// A file with an optional caption.
    Media {
        caption: String,
        file: OutboundFile,
    },
    /// An e-mail with files, formatted, or of its own (a forward): its text, any number
    /// of files, and the HTML of a formatted reply (sent as `multipart/alternative`).
    Mail {
        body: String,
        files: Vec<OutboundFile>,
        html: Option<String>,
    },
    /// A question with answers the customer taps (WhatsApp: a list message; Messenger:
    /// quick replies; e-mail: the text alone, which names them).
    Choices {
        body: String,
        /// The words on the button that opens a WhatsApp list.
        button: String,
        choices: Vec<Choice>,
    },
}

/// One answer offered: the id it carries back when tapped, and its words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub title: String,
}

/// A file an agent attached to a reply.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboundFile {
    pub file_name: String,
    pub mime_type: String,
    pub data: Vec<u8>,
}

/// The file as the desktop sends it: base64 in JSON.
#[derive(Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "OutboundAttachment"))]
pub struct OutboundAttachment {
    pub file_name: String,
    pub mime_type: String,
    pub data_base64: String,
}

crate::redacted_debug!(SendPayload, OutboundFile, OutboundAttachment);

/// One send the runtime must make.
#[derive(Clone, Debug)]
pub struct OutboundJob {
    pub message: MessageId,
    pub conversation: ConversationId,
    pub account: ChannelAccountId,
    pub channel: Channel,
    /// The contact's address on the channel (wa_id, PSID).
    pub to: String,
    pub payload: SendPayload,
    /// Messenger: send as `MESSAGE_TAG` with this tag (`HUMAN_AGENT`).
    pub tag: Option<String>,
    /// Attempts so far, this one included.
    pub attempt: i64,
    /// E-mail: the reply's sender, subject and threading headers.
    pub email: Option<crate::channel::mail::ReplyHeaders>,
    /// The provider's id of the customer's message this reply answers (shown quoted).
    pub reply_to: Option<String>,
}
