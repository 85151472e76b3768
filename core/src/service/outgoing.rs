//! What agents send: replies (text, a file with a caption, or a question with answers to
//! tap), approved templates outside
//! the customer-service window, and "send again" for a failed or unconfirmed message.
//! Every send goes into the outbox first; the channel runtime sends it from there.

use crate::auth::Role;
use crate::channel::choices::ChoicesReply;
use crate::channel::mail::MailAddress;
use crate::channel::outbound::Choice;
use crate::channel::outbound::OutboundAttachment;
use crate::channel::rich::RichContent;
use crate::channel::template::{self, ButtonValue, TemplateExtras, TemplateMessage, TemplateView};
use crate::channel::window::{reply_window, HUMAN_AGENT_TAG};
use crate::channel::{Channel, Direction};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::secret::SessionToken;
use crate::service::drafts::DraftMode;
use crate::service::inbox::{AttachmentInfo, MessageView};
use crate::service::mail_recipients::{check_mail, record_outbound, views_of, MailDraft};
use crate::service::steps::{self, check_text};
use crate::service::Caller;
use crate::store::conversations::{self as conv_store, ConversationRowData};
use crate::store::messages::{self, NewMessage};
use crate::store::users as user_store;
use crate::store::{channel_accounts, drafts, message_status, outbox, settings};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use base64::Engine;
use rusqlite::Connection;

/// The longest reply, in characters (WhatsApp's limit for a text message).
pub const REPLY_MAX_CHARS: usize = 4096;
/// The largest file an agent can attach (WhatsApp's video and audio limit).
pub const ATTACHMENT_MAX_BYTES: usize = 16 * 1024 * 1024;
/// The longest caption under a file, in characters (WhatsApp's limit).
pub const CAPTION_MAX_CHARS: usize = 1024;
/// The longest value of one template parameter, in characters.
pub const TEMPLATE_VALUE_MAX_CHARS: usize = template::VALUE_MAX_CHARS;

/// What the agent saw when they opened the conversation. A reply that carries it is
/// stopped when, since then, a colleague took the conversation (its version moved and it
/// is assigned to someone else) or wrote to the customer (a reply newer than
/// `last_message` by someone else). A reply without it ("send anyway", scripts) is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReplyGuard {
    /// The conversation's version when the agent opened it.
    pub version: i64,
    /// The newest message the agent had in front of them, if any.
    pub last_message: Option<MessageId>,
}

/// The provider's id of `quoted`, a chat message of `conversation`; refused otherwise.
fn quoted_external_id(
    conn: &Connection,
    conversation: ConversationId,
    quoted: MessageId,
) -> Result<String> {
    let not_here = CoreError::NotFound {
        what: "The message you reply to",
    };
    if crate::store::message_status::conversation_of(conn, quoted)? != conversation {
        return Err(not_here);
    }
    let target = crate::store::reactions::target_of(conn, quoted)?.ok_or(not_here)?;
    match (target.kind.as_str(), target.external_id) {
        ("whatsapp" | "messenger", Some(external)) => Ok(external),
        _ => Err(CoreError::invalid(
            "quote",
            "you can answer a single message on WhatsApp or Messenger, once the channel has it",
        )),
    }
}

/// Stops a reply that would cross a colleague's: see [`ReplyGuard`].
fn check_guard(
    conn: &Connection,
    caller: &Caller,
    row: &ConversationRowData,
    guard: Option<ReplyGuard>,
) -> Result<()> {
    let Some(guard) = guard else {
        return Ok(());
    };
    if let Some(assignee) = row.assignee_id.filter(|a| *a != caller.user) {
        if row.version != guard.version {
            let who = user_store::require(conn, assignee)?.display_name;
            return Err(if caller.may_act_on(row) {
                CoreError::AnsweredMeanwhile {
                    who,
                    what: "took this conversation",
                }
            } else {
                CoreError::TakenMeanwhile { who }
            });
        }
    }
    if let Some(who) =
        messages::answered_by_other_since(conn, row.id, guard.last_message, caller.user)?
    {
        return Err(CoreError::AnsweredMeanwhile {
            who,
            what: "wrote to the customer",
        });
    }
    Ok(())
}

/// An e-mail reply as `reply_mail` hands it over.
pub(crate) struct MailOut {
    pub text: String,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    /// Files (name, type, bytes), checked against what the server takes.
    pub files: Vec<(String, String, Vec<u8>)>,
    pub formatted: bool,
    pub quote_history: bool,
}

/// What an agent asked to send, checked.
enum Outgoing {
    Text(String),
    /// An e-mail reply with copies (a plain `Text` reply in an e-mail conversation has none).
    Mail(MailOut),
    File {
        caption: String,
        file_name: String,
        mime_type: String,
        data: Vec<u8>,
    },
    Template {
        rendered: String,
        name: String,
        language: String,
        parameters: Vec<String>,
        header: Vec<String>,
        /// The header's format and its file (name, type, bytes).
        header_file: Option<(String, FileParts)>,
        buttons: Vec<ButtonValue>,
    },
    /// A place or contact cards, checked.
    Card(RichContent),
    /// Answers the customer taps (checked against the channel's limits when queued).
    Choices(ChoicesReply),
}

/// A file's name, type and bytes.
type FileParts = (String, String, Vec<u8>);

pub(crate) fn decode_attachment(a: &OutboundAttachment) -> Result<(String, String, Vec<u8>)> {
    let name: String = a
        .file_name
        .trim()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(200)
        .collect();
    if name.is_empty() {
        return Err(CoreError::invalid("attachment", "the file needs a name"));
    }
    let mime = a.mime_type.trim();
    let mime = if mime.is_empty() {
        "application/octet-stream"
    } else {
        mime
    };
    if !mime.contains('/') || mime.len() > 100 || mime.contains(char::is_whitespace) {
        return Err(CoreError::invalid(
            "attachment",
            "the file type is not recognised",
        ));
    }
    if a.data_base64.len() > ATTACHMENT_MAX_BYTES / 3 * 4 + 8 {
        return Err(CoreError::invalid(
            "attachment",
            "files up to 16 MB can be sent",
        ));
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(a.data_base64.trim())
        .map_err(|_| CoreError::invalid("attachment", "the file could not be read"))?;
    if data.is_empty() {
        return Err(CoreError::invalid("attachment", "the file is empty"));
    }
    if data.len() > ATTACHMENT_MAX_BYTES {
        return Err(CoreError::invalid(
            "attachment",
            "files up to 16 MB can be sent",
        ));
    }
    Ok((name, mime.to_string(), data))
}

/// Refuses a free-form send the channel would refuse; says which Messenger tag to use.
fn free_form_tag(
    conn: &Connection,
    row: &ConversationRowData,
    account: ChannelAccountId,
    now: Timestamp,
) -> Result<Option<&'static str>> {
    let (channel, config) = channel_accounts::config_of(conn, account)?;
    let Some(window) = reply_window(
        channel,
        row.last_customer_message_at,
        config.human_agent,
        now,
    ) else {
        return Ok(None);
    };
    if window.open {
        return Ok(window.tagged.then_some(HUMAN_AGENT_TAG));
    }
    Err(CoreError::Conflict(match channel {
        Channel::WhatsApp => "The customer's last message was more than 24 hours ago, so WhatsApp \
             only accepts an approved template now. Choose a template to send."
            .into(),
        _ if config.human_agent => "The customer's last message was more than 7 days ago, so \
             Messenger accepts no reply until the customer writes again."
            .into(),
        _ => "The customer's last message was more than 24 hours ago, so Messenger accepts no \
             reply until the customer writes again (this page has no HUMAN_AGENT permission)."
            .into(),
    }))
}

impl Workspace {
    /// Queues a text reply in the outbox of the conversation's channel. Replying to an
    /// unassigned conversation takes it. With `guard`, a reply that would cross a
    /// colleague's (see [`ReplyGuard`]) is stopped and not queued.
    pub fn reply(
        &self,
        token: &SessionToken,
        id: ConversationId,
        body: &str,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        let body = check_text("reply", body, REPLY_MAX_CHARS)?;
        self.queue_outgoing(&caller, id, Outgoing::Text(body), guard, None, now)
    }

    /// [`Workspace::reply`] answering one message of the conversation, which the customer
    /// sees quoted (WhatsApp `context.message_id`, Messenger `reply_to.mid`).
    pub fn reply_quoting(
        &self,
        token: &SessionToken,
        id: ConversationId,
        quoted: MessageId,
        body: &str,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        let body = check_text("reply", body, REPLY_MAX_CHARS)?;
        self.queue_outgoing(&caller, id, Outgoing::Text(body), guard, Some(quoted), now)
    }

    /// Queues a question with answers the customer taps: WhatsApp reply buttons or a
    /// list, Messenger quick replies (see [`ChoicesReply`]). Like a text reply otherwise.
    pub fn reply_choices(
        &self,
        token: &SessionToken,
        id: ConversationId,
        reply: &ChoicesReply,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        self.queue_outgoing(
            &caller,
            id,
            Outgoing::Choices(reply.clone()),
            guard,
            None,
            now,
        )
    }

    /// Queues a reply with a file (and an optional caption on WhatsApp; Messenger sends
    /// a file without words).
    pub fn reply_with_attachment(
        &self,
        token: &SessionToken,
        id: ConversationId,
        caption: &str,
        attachment: &OutboundAttachment,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        let caption = caption.trim();
        if caption.chars().count() > CAPTION_MAX_CHARS {
            return Err(CoreError::invalid(
                "caption",
                "keep it under 1024 characters",
            ));
        }
        let (file_name, mime_type, data) = decode_attachment(attachment)?;
        let outgoing = Outgoing::File {
            caption: caption.to_string(),
            file_name,
            mime_type,
            data,
        };
        self.queue_outgoing(&caller, id, outgoing, guard, None, now)
    }

    /// The approved templates of the conversation's WhatsApp number.
    pub fn list_templates(
        &self,
        token: &SessionToken,
        id: ConversationId,
        now: Timestamp,
    ) -> Result<Vec<TemplateView>> {
        let caller = self.authorize(token, now, Role::Agent, "read templates")?;
        self.store.read(|c| {
            conv_store::visible(c, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            channel_accounts::templates_of(c, conv_store::account_of(c, id)?)
        })
    }

    /// Queues an approved WhatsApp template, filled with `parameters` in order.
    pub fn send_template(
        &self,
        token: &SessionToken,
        id: ConversationId,
        name: &str,
        language: &str,
        parameters: &[String],
        now: Timestamp,
    ) -> Result<MessageView> {
        let message = TemplateMessage {
            name: name.to_string(),
            language: language.to_string(),
            parameters: parameters.to_vec(),
            extras: TemplateExtras::default(),
        };
        self.send_template_message(token, id, &message, now)
    }

    /// Sends an approved template with its header's value or file and its buttons' values.
    pub fn send_template_message(
        &self,
        token: &SessionToken,
        id: ConversationId,
        message: &TemplateMessage,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "send templates")?;
        let found = self.store.read(|c| {
            conv_store::visible(c, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            let account = conv_store::account_of(c, id)?;
            Ok(channel_accounts::templates_of(c, account)?
                .into_iter()
                .find(|t| t.name == message.name && t.language == message.language))
        })?;
        let template = found.ok_or_else(|| {
            CoreError::invalid(
                "template",
                "choose one of the approved templates of this number",
            )
        })?;
        self.queue_template(
            &caller,
            id,
            template,
            &message.parameters,
            &message.extras,
            now,
        )
    }

    /// Queues `template` filled with `parameters` and `extras` (checked) in conversation `id`.
    pub(crate) fn queue_template(
        &self,
        caller: &Caller,
        id: ConversationId,
        template: TemplateView,
        parameters: &[String],
        extras: &TemplateExtras,
        now: Timestamp,
    ) -> Result<MessageView> {
        if parameters
            .iter()
            .chain(&extras.header)
            .chain(&extras.buttons)
            .any(|p| p.chars().count() > TEMPLATE_VALUE_MAX_CHARS)
        {
            return Err(CoreError::invalid(
                "template",
                "keep each value under 1024 characters",
            ));
        }
        let filled = template::fill_all(&template, parameters, extras)?;
        let header_file = match (&extras.header_file, &template.header) {
            (Some(file), Some(header)) => Some((header.format.clone(), decode_attachment(file)?)),
            _ => None,
        };
        let outgoing = Outgoing::Template {
            rendered: filled.rendered,
            name: template.name,
            language: template.language,
            parameters: parameters.iter().map(|p| p.trim().to_string()).collect(),
            header: filled.header,
            header_file,
            buttons: filled.buttons,
        };
        self.queue_outgoing(caller, id, outgoing, None, None, now)
    }

    /// Sends a place or contact cards in WhatsApp conversation `id`.
    pub fn send_card(
        &self,
        token: &SessionToken,
        id: ConversationId,
        card: &RichContent,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        let card = crate::channel::card::checked(card)?;
        self.queue_outgoing(&caller, id, Outgoing::Card(card), guard, None, now)
    }

    /// Puts a failed or unconfirmed message back in the outbox: the agent's decision,
    /// since an unconfirmed message may already have reached the customer.
    pub fn retry_message(
        &self,
        token: &SessionToken,
        message: MessageId,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "send messages again")?;
        let (view, conversation) = self.store.write(|tx| {
            let (conversation, state, status) =
                outbox::send_state(tx, message).map_err(|_| CoreError::NotFound {
                    what: "The message",
                })?;
            let row = conv_store::visible(tx, caller.viewer(), conversation)?.ok_or(
                CoreError::NotFound {
                    what: "The message",
                },
            )?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "send in a conversation assigned to someone else",
                });
            }
            if row.do_not_contact {
                return Err(do_not_contact(&row));
            }
            crate::service::channel_lifecycle::check_enabled(
                tx,
                conv_store::account_of(tx, conversation)?,
            )?;
            if !matches!(state.as_deref(), Some("failed" | "unconfirmed"))
                || !matches!(status.as_str(), "failed" | "unconfirmed")
            {
                return Err(CoreError::Conflict(
                    "Only a failed or unconfirmed message can be sent again.".into(),
                ));
            }
            outbox::requeue(tx, message, now)?;
            message_status::requeue(tx, message)?;
            crate::audit::append(
                tx,
                crate::audit::AuditEvent::new(
                    crate::audit::AuditKind::MessageSentAgain,
                    Some(caller.user),
                    format!("message:{message}"),
                    now,
                )
                .detail(serde_json::json!({ "conversation": conversation, "was": state })),
            )?;
            let view = steps::message_view(tx, message)?;
            Ok((view, conversation))
        })?;
        self.publish(Event::MessageStatusChanged {
            conversation,
            message,
        });
        Ok(view)
    }
}

impl Workspace {
    /// Queues an e-mail reply with copies: see [`Workspace::reply_mail`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn queue_mail(
        &self,
        caller: &Caller,
        id: ConversationId,
        mail: MailOut,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        self.queue_outgoing(caller, id, Outgoing::Mail(mail), guard, None, now)
    }
}

/// Refuses files that together are more than the mailbox's server takes in one mail.
fn check_mail_files(
    conn: &Connection,
    account: ChannelAccountId,
    files: &[(String, String, Vec<u8>)],
) -> Result<()> {
    let total: i64 = files.iter().map(|(_, _, d)| d.len() as i64).sum();
    if total == 0 {
        return Ok(());
    }
    let allowed = crate::channel::mail::files_allowed(
        channel_accounts::state_of(conn, account)?.mail_size_limit,
    );
    if total > allowed {
        return Err(CoreError::invalid(
            "attachment",
            format!(
                "the files are {} together; this mailbox sends at most {} of files in one mail",
                megabytes(total),
                megabytes(allowed)
            ),
        ));
    }
    Ok(())
}

/// "12.4 MB".
fn megabytes(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn do_not_contact(row: &ConversationRowData) -> CoreError {
    CoreError::Conflict(format!(
        "{} asked not to be contacted, so replies are refused. A lead or admin can lift \
         this if the customer asks again.",
        row.contact_name
    ))
}

impl Workspace {
    fn queue_outgoing(
        &self,
        caller: &Caller,
        id: ConversationId,
        outgoing: Outgoing,
        guard: Option<ReplyGuard>,
        quote: Option<MessageId>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let (message, events) = self.store.write(|tx| {
            let row = conv_store::visible(tx, caller.viewer(), id)?
                .ok_or(CoreError::NotFound { what: "The conversation" })?;
            check_guard(tx, caller, &row, guard)?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "reply in a conversation assigned to someone else",
                });
            }
            if row.do_not_contact {
                return Err(do_not_contact(&row));
            }
            let account = conv_store::account_of(tx, id)?;
            let (channel, config) = channel_accounts::config_of(tx, account)?;
            crate::service::channel_lifecycle::check_enabled(tx, account)?;
            if matches!(outgoing, Outgoing::Template { .. }) {
                crate::service::consent::check_opt_in(tx, account, Some(row.contact_id))?;
            }
            // An e-mail reply: checked copies, signed text, its recipients kept.
            let mail = match (&outgoing, channel) {
                (Outgoing::Text(text), Channel::Email) => {
                    Some(check_mail(tx, &row, caller.user, &MailDraft::plain(text))?)
                }
                (Outgoing::Mail(out), Channel::Email) => {
                    check_mail_files(tx, account, &out.files)?;
                    let draft = MailDraft {
                        text: &out.text,
                        cc: &out.cc,
                        bcc: &out.bcc,
                        formatted: out.formatted,
                        quote_history: out.quote_history,
                    };
                    Some(check_mail(tx, &row, caller.user, &draft)?)
                }
                (Outgoing::Mail(_), _) => {
                    return Err(CoreError::invalid("cc", "copies are for e-mail conversations"))
                }
                _ => None,
            };
            if config.sample {
                return Err(CoreError::Conflict(
                    crate::service::sample::SAMPLE_REPLY.into(),
                ));
            }
            let choices = match &outgoing {
                Outgoing::Choices(reply) => Some(reply.checked(channel)?),
                _ => None,
            };
            let tag = match &outgoing {
                Outgoing::Template { .. } => {
                    if channel != Channel::WhatsApp {
                        return Err(CoreError::invalid("template", "templates are for WhatsApp"));
                    }
                    None
                }
                Outgoing::File { caption, .. } => {
                    match channel {
                        Channel::WhatsApp => {}
                        // Messenger's Send API carries a file or words, not both.
                        Channel::Messenger if caption.is_empty() => {}
                        Channel::Messenger => {
                            return Err(CoreError::invalid(
                                "caption",
                                "Messenger sends a file without words: send the file alone, then the words as their own reply",
                            ))
                        }
                        Channel::Email => {
                            return Err(CoreError::invalid(
                                "attachment",
                                "attach files to an e-mail reply with the reply itself (reply_mail)",
                            ))
                        }
                    }
                    free_form_tag(tx, &row, account, now)?
                }
                Outgoing::Card(_) => {
                    if channel != Channel::WhatsApp {
                        return Err(CoreError::invalid(
                            "card",
                            "places and contact cards are sent on WhatsApp",
                        ));
                    }
                    free_form_tag(tx, &row, account, now)?
                }
                Outgoing::Text(_) | Outgoing::Mail { .. } | Outgoing::Choices(_) => {
                    free_form_tag(tx, &row, account, now)?
                }
            };
            let masking = settings::masking(tx)?;
            let mask = |text: &str| steps::mask_if(masking, text);
            // A formatted e-mail reply's HTML, as it will be kept and sent.
            let mut reply_html = mail.as_ref().and_then(|m| m.html.clone());
            // Payment data is masked in our own replies too, before it is stored or sent.
            let (body, masked, payload) = match (&outgoing, &mail) {
                (Outgoing::Choices(_), _) => {
                    let checked = choices.as_ref().ok_or_else(|| {
                        CoreError::Storage("the answers to tap were not checked".into())
                    })?;
                    let (body, masked) = mask(&checked.shown());
                    let offered: Vec<Choice> = checked
                        .choices
                        .iter()
                        .map(|c| Choice { id: c.id.clone(), title: mask(&c.title).0 })
                        .collect();
                    let payload = serde_json::json!({
                        "kind": "choices", "tag": tag, "text": mask(&checked.body).0,
                        "button": checked.button, "choices": offered,
                    });
                    (body, masked, payload)
                }
                (_, Some(mail)) => {
                    // Each piece was masked before it was signed and rendered. What only the
                    // rendering made findable (`4111\-1111…` unescaped) is masked here, and
                    // such a reply goes plain, so no part carries what the other hides.
                    let (body, found) = mask(&mail.body);
                    let masked = found || mail.masked;
                    if found {
                        reply_html = None;
                    }
                    let addresses = |list: &[MailAddress]| -> Vec<String> {
                        list.iter().map(|a| a.address.clone()).collect()
                    };
                    // With files or formatted, the runtime sends a mail of several parts.
                    let kind = match &outgoing {
                        Outgoing::Mail(out) if !out.files.is_empty() => "mail",
                        _ if reply_html.is_some() => "mail",
                        _ => "text",
                    };
                    let payload = serde_json::json!({
                        "kind": kind, "tag": tag, "cc": addresses(&mail.cc), "bcc": addresses(&mail.bcc)
                    });
                    (body, masked, payload)
                }
                (Outgoing::Text(text) | Outgoing::Mail(MailOut { text, .. }), None) => {
                    let (body, masked) = mask(text);
                    (body, masked, serde_json::json!({ "kind": "text", "tag": tag }))
                }
                (Outgoing::File { caption, .. }, None) => {
                    let (body, masked) = mask(caption);
                    (body, masked, serde_json::json!({ "kind": "media", "tag": tag }))
                }
                (
                    Outgoing::Template { rendered, name, language, parameters, header, header_file, buttons },
                    None,
                ) => {
                    let (body, masked) = mask(rendered);
                    let parameters: Vec<String> = parameters.iter().map(|p| mask(p).0).collect();
                    let header: Vec<String> = header.iter().map(|p| mask(p).0).collect();
                    let buttons: Vec<ButtonValue> = buttons
                        .iter()
                        .map(|b| ButtonValue { value: mask(&b.value).0, ..b.clone() })
                        .collect();
                    let payload = serde_json::json!({
                        "kind": "template", "name": name, "language": language,
                        "parameters": parameters, "header": header, "buttons": buttons,
                        "header_format": header_file.as_ref().map(|(format, _)| format),
                    });
                    (body, masked, payload)
                }
                (Outgoing::Card(card), None) => {
                    let (body, masked) = mask(&crate::channel::card::text(card));
                    (body, masked, serde_json::json!({ "kind": "card", "tag": tag }))
                }
            };
            // A quoted message must be one of this conversation's, known at the channel.
            let quoted = match quote {
                Some(q) => Some(quoted_external_id(tx, id, q)?),
                None => None,
            };
            let mut payload = payload;
            if let Some(external) = &quoted {
                payload["reply_to"] = serde_json::json!(external);
            }
            let mut events = Vec::new();
            if row.assignee_id.is_none() {
                let team = row.team_id;
                let version = row.version;
                events.push(steps::apply_move(
                    tx,
                    caller.user,
                    version,
                    &steps::Move {
                        row,
                        to_user: Some(caller.user),
                        to_team: team,
                        note: None,
                    },
                    now,
                )?);
            }
            let message = messages::insert_message(
                tx,
                &NewMessage {
                    conversation: id,
                    external_id: None,
                    direction: Direction::Out,
                    body: &body,
                    created_at: now,
                },
            )?;
            message_status::queue_reply(tx, message, caller.user)?;
            conv_store::note_agent_reply(tx, id, caller.user, now)?;
            if let Some(mail) = &mail {
                record_outbound(tx, message, mail)?;
                if let Some(html) = &reply_html {
                    steps::keep_reply_html(tx, account, message, html)?;
                }
            }
            if let Some(external) = &quoted {
                crate::store::reactions::set_reply_to(tx, message, external)?;
            }
            let mut attachments = Vec::new();
            let files: Vec<(&String, &String, &Vec<u8>)> = match &outgoing {
                Outgoing::File { file_name, mime_type, data, .. } => vec![(file_name, mime_type, data)],
                Outgoing::Mail(out) => out.files.iter().map(|(n, m, d)| (n, m, d)).collect(),
                Outgoing::Template { header_file: Some((_, (n, m, d))), .. } => vec![(n, m, d)],
                _ => Vec::new(),
            };
            // A card is kept as what it is, so the window shows it as it shows the customer's.
            let content = match &outgoing {
                Outgoing::Card(card) => Some(card.map_text(&|t: &str| mask(t).0)),
                _ => None,
            };
            if let Some(content) = &content {
                crate::store::message_content::set(tx, message, content)?;
            }
            for (file_name, mime_type, data) in files {
                let attachment =
                    messages::insert_attachment(tx, message, file_name, mime_type, data, now)?;
                attachments.push(AttachmentInfo {
                    id: attachment,
                    file_name: file_name.clone(),
                    mime_type: mime_type.clone(),
                    size: data.len() as i64,
                });
            }
            outbox::insert(tx, message, now, &payload.to_string())?;
            // What was written is sent: the caller's reply draft goes in the same transaction.
            if !matches!(outgoing, Outgoing::Template { .. }) {
                drafts::delete(tx, caller.user, id, DraftMode::Reply.as_str())?;
            }
            if masked {
                conv_store::set_message_masked(tx, message)?;
            }
            conv_store::touch_activity(tx, id, now, false)?;
            events.push(Event::ReplyQueued { conversation: id, message });
            let author = user_store::require(tx, caller.user)?.display_name;
            Ok((
                MessageView {
                    id: message,
                    direction: "out".into(),
                    author: Some(author),
                    body,
                    status: "queued".into(),
                    failure: None,
                    at: now,
                    attachments,
                    masked,
                    has_html: reply_html.is_some(),
                    written_at: None,
                    quote: match quoted {
                        Some(_) => crate::service::message_parts::MessageParts::load(tx, &[message])?
                            .quote(message),
                        None => None,
                    },
                    reactions: Vec::new(),
                    mail: match &mail {
                        Some(_) => views_of(tx, &[message])?.pop().map(|(_, v)| v),
                        None => None,
                    },
                    content,
                },
                events,
            ))
        })?;
        for e in events {
            self.publish(e);
        }
        Ok(message)
    }
}
