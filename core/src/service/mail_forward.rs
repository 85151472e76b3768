//! Forwarding e-mail: one message of an e-mail conversation, or the whole conversation,
//! to an address with a note, as a new thread (`Fwd:`, no In-Reply-To or References,
//! the plain mailbox address to answer to), with the forwarded messages' files attached.
//! The conversation shows who it was forwarded to; the forward is no reply to the
//! customer (no SLA clock moves, reply-all never learns the address). Audited.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::mail_format::plain_reply;
use crate::channel::Channel;
use crate::channel::Direction;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ConversationId, MessageId};
use crate::secret::SessionToken;
use crate::service::inbox::{AttachmentInfo, MessageView};
use crate::service::mail_recipients::{check_copies, signature_for};
use crate::service::outgoing::REPLY_MAX_CHARS;
use crate::service::steps;
use crate::store::messages::{self, NewMessage};
use crate::store::{
    channel_accounts, conversations as conv_store, forwards, mail as mail_store, message_status,
    outbox, settings, users as user_store,
};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// The most messages one forward carries.
pub const MAX_FORWARDED_MESSAGES: i64 = 500;
/// The most text one forward carries, in characters.
pub const MAX_FORWARD_CHARS: usize = 500_000;
/// The most bytes of files one forward carries (most mail servers refuse larger mail).
pub const MAX_FORWARD_FILE_BYTES: i64 = 20 * 1024 * 1024;

/// What to forward, to whom, with what note.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailForward {
    /// One e-mail address.
    pub to: String,
    /// Written above the forwarded mail; may be empty.
    #[cfg_attr(feature = "schema", schemars(length(max = REPLY_MAX_CHARS)))]
    pub note: String,
    /// One message of the conversation; `None`: the whole conversation.
    pub message: Option<MessageId>,
}

crate::redacted_debug!(MailForward);

impl Workspace {
    /// Forwards one message of e-mail conversation `id`, or all of it, to `forward.to`
    /// (see the module). Anyone who may act on the conversation; audited.
    pub fn forward_mail(
        &self,
        token: &SessionToken,
        id: ConversationId,
        forward: &MailForward,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "forward mail")?;
        let note = forward.note.trim().to_string();
        if note.chars().count() > REPLY_MAX_CHARS {
            return Err(CoreError::invalid(
                "note",
                format!("keep the note under {REPLY_MAX_CHARS} characters"),
            ));
        }
        let (view, events) = self.store.write(|tx| {
            let row = conv_store::visible(tx, caller.viewer(), id)?
                .ok_or(CoreError::NotFound { what: "The conversation" })?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "forward a conversation assigned to someone else",
                });
            }
            let account = conv_store::account_of(tx, id)?;
            let (channel, account_config) = channel_accounts::config_of(tx, account)?;
            crate::service::channel_lifecycle::check_enabled(tx, account)?;
            if channel != Channel::Email {
                return Err(CoreError::invalid(
                    "to",
                    "only e-mail conversations can be forwarded",
                ));
            }
            if account_config.sample {
                return Err(CoreError::Conflict(
                    crate::service::sample::SAMPLE_REPLY.into(),
                ));
            }
            let config = mail_store::config_of(tx, account)?;
            let to = check_copies(tx, &config, "to", std::slice::from_ref(&forward.to), None, &[])?
                .pop()
                .ok_or_else(|| CoreError::invalid("to", "write the address to forward to"))?
                .address;
            let parts = forwards::messages(tx, id, forward.message, MAX_FORWARDED_MESSAGES + 1)?;
            if parts.is_empty() {
                return Err(CoreError::NotFound { what: "The message" });
            }
            if parts.len() as i64 > MAX_FORWARDED_MESSAGES {
                return Err(CoreError::invalid(
                    "message",
                    format!("a forward carries at most {MAX_FORWARDED_MESSAGES} messages; forward one message instead"),
                ));
            }
            let files = forwards::files_of(tx, &parts.iter().map(|p| p.id).collect::<Vec<_>>())?;
            if files.iter().map(|(_, size)| size).sum::<i64>() > MAX_FORWARD_FILE_BYTES {
                return Err(CoreError::invalid(
                    "message",
                    "the files are over 20 MB together, more than mail servers take; forward one message instead",
                ));
            }
            let subject = conv_store::subject_of(tx, id)?;
            let customer = match outbox::customer_address(tx, id)? {
                Some(address) => format!("{} <{address}>", row.contact_name),
                None => row.contact_name.clone(),
            };
            // The note, signed as a reply is, above what is forwarded.
            let agent = user_store::require(tx, caller.user)?.display_name;
            let signature = signature_for(&config, &agent, row.team_name.as_deref());
            let mut text = match signature {
                Some(signature) if note.is_empty() => format!("-- \n{signature}"),
                signature => plain_reply(&note, signature.as_deref(), None),
            };
            for part in &parts {
                let from = if part.inbound {
                    part.from.clone().unwrap_or_else(|| customer.clone())
                } else {
                    format!("{} <{}>", config.display_name, config.address)
                };
                text.push_str(&format!(
                    "\n\n---------- Forwarded message ----------\nFrom: {from}\nDate: {}\nSubject: {subject}\n\n{}",
                    part.at.to_rfc3339(),
                    part.body
                ));
            }
            if text.chars().count() > MAX_FORWARD_CHARS {
                return Err(CoreError::invalid(
                    "message",
                    "the conversation is too long to forward at once; forward one message instead",
                ));
            }
            let masking = settings::masking(tx)?;
            let (text, _) = steps::mask_if(masking, &text);
            let what = match forward.message {
                Some(_) => "one message",
                None => "the whole conversation",
            };
            let shown = match note.is_empty() {
                true => format!("Forwarded {what} to {to}."),
                false => format!("Forwarded {what} to {to}:\n\n{note}"),
            };
            let (shown, masked) = steps::mask_if(masking, &shown);
            let message = messages::insert_message(
                tx,
                &NewMessage {
                    conversation: id,
                    external_id: None,
                    direction: Direction::Out,
                    body: &shown,
                    created_at: now,
                },
            )?;
            message_status::queue_reply(tx, message, caller.user)?;
            if masked {
                conv_store::set_message_masked(tx, message)?;
            }
            let subject = match subject.trim() {
                "" => "Fwd: (no subject)".to_string(),
                s => format!("Fwd: {s}"),
            };
            let payload = serde_json::json!({
                "kind": "forward", "to": to, "subject": subject, "text": text,
                "files": files.iter().map(|(file, _)| file).collect::<Vec<_>>(),
            });
            outbox::insert(tx, message, now, &payload.to_string())?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::MailForwarded,
                    Some(caller.user),
                    format!("conversation:{id}"),
                    now,
                )
                .detail(serde_json::json!({
                    "message": forward.message,
                    "messages": parts.len(),
                    "files": files.len(),
                })),
            )?;
            let author = user_store::require(tx, caller.user)?.display_name;
            let view = MessageView {
                id: message,
                direction: "out".into(),
                author: Some(author),
                body: shown,
                status: "queued".into(),
                failure: None,
                at: now,
                attachments: Vec::<AttachmentInfo>::new(),
                masked,
                has_html: false,
                written_at: None,
                quote: None,
                reactions: Vec::new(),
                mail: None,
                content: None,
            };
            Ok((
                view,
                vec![Event::ReplyQueued {
                    conversation: id,
                    message,
                }],
            ))
        })?;
        tracing::info!(
            conversation = id.get(),
            message = view.id.get(),
            "mail forwarded"
        );
        for e in events {
            self.publish(e);
        }
        Ok(view)
    }
}
