//! Who an e-mail reply goes to besides the customer, and what is signed under it: the
//! addresses kept from each mail of a thread, reply-all (everyone on the thread but our
//! own addresses), Cc and Bcc checked (valid, not us, not someone who asked not to be
//! contacted), and the mailbox's signature with the agent's name and team.

use crate::auth::Role;
use crate::channel::account::ChannelAccountView;
use crate::channel::email::{normalize_address, EmailConfig};
use crate::channel::mail::{MailAddress, ParsedMail};
use crate::channel::mail_format;
use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::secret::SessionToken;
use crate::service::inbox::MessageView;
use crate::service::outgoing::ReplyGuard;
use crate::service::steps;
use crate::store::mail_addresses::{self, Role as AddressRole};
use crate::store::{channel_accounts, contacts, conversations as conv_store, mail as mail_store};
use crate::store::{messages, outbox, users as user_store};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// At most this many addresses in Cc, and in Bcc, of one reply.
pub const MAX_COPIES: usize = 20;
/// The longest signature a mailbox can have.
pub const SIGNATURE_MAX_CHARS: usize = 2000;

/// An e-mail reply: its text and who else gets it. The customer is always `To`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailReply {
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = crate::service::outgoing::REPLY_MAX_CHARS), regex(pattern = r"\S"))
    )]
    pub body: String,
    /// Addresses copied in, seen by everyone.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_COPIES)))]
    pub cc: Vec<String>,
    /// Addresses copied in blind.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_COPIES)))]
    pub bcc: Vec<String>,
    /// Files sent with the reply, together within what the mailbox's server takes
    /// ([`MailReplyContext::files_limit`]).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = crate::channel::mail::MAX_REPLY_FILES))
    )]
    pub attachments: Vec<crate::channel::outbound::OutboundAttachment>,
    /// `body` is written with the composer's marks (`**bold**`, `*italic*`,
    /// `[words](https://link)`, `- ` and `1. ` lists, `> ` quotes) and goes as HTML with a
    /// faithful plain-text part.
    #[serde(default)]
    pub formatted: bool,
    /// The customer's last mail goes quoted below the reply and its signature.
    #[serde(default)]
    pub quote_history: bool,
}

/// What the composer of an e-mail conversation shows before sending.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailReplyContext {
    /// The customer's address: every reply goes to it.
    pub to: Option<String>,
    /// What "Reply all" puts in Cc: everyone else on the thread, our addresses left out.
    pub reply_all: Vec<String>,
    /// The mailbox's signature as it will be added under this agent's reply.
    pub signature: Option<String>,
    /// How many bytes of files one reply may carry (from the server's `SIZE`).
    #[serde(default = "default_files_limit")]
    pub files_limit: i64,
    /// The largest mail the mailbox's server takes, when it said (bytes; 0: no limit).
    pub server_limit: Option<i64>,
}

/// What a hub that does not say allows (the most any reply carries).
fn default_files_limit() -> i64 {
    crate::channel::mail::DEFAULT_FILES_LIMIT
}

/// Who a mail was from and to, shown above it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailAddressesView {
    pub from: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Ours only: a customer's mail never shows who else got it blind.
    pub bcc: Vec<String>,
    /// A customer's mail since deleted or moved in the mailbox (kept here all the same).
    #[serde(default)]
    pub gone_from_mailbox: bool,
}

crate::redacted_debug!(MailReply, MailReplyContext, MailAddressesView);

/// Whether `address` is the mailbox itself or one of its `+token` reply addresses.
pub(crate) fn is_ours(config: &EmailConfig, address: &str) -> bool {
    address == config.address || config.token_in(address).is_some()
}

/// Keeps the sender, To and Cc of a customer's stored mail, and makes sure everyone
/// copied in is a contact (so a privacy request finds them).
pub(crate) fn record_inbound(
    tx: &Connection,
    config: &EmailConfig,
    message: MessageId,
    mail: &ParsedMail,
    now: Timestamp,
) -> Result<()> {
    let from = MailAddress {
        address: mail.from_address.clone(),
        name: mail.from_name.chars().take(200).collect(),
    };
    mail_addresses::insert(tx, message, AddressRole::From, std::slice::from_ref(&from))?;
    mail_addresses::insert(tx, message, AddressRole::To, &mail.to)?;
    mail_addresses::insert(tx, message, AddressRole::Cc, &mail.cc)?;
    for a in mail.to.iter().chain(&mail.cc) {
        if is_ours(config, &a.address) || a.address == from.address {
            continue;
        }
        if contacts::find(tx, Channel::Email, &a.address)?.is_none() {
            let name = if a.name.trim().is_empty() {
                &a.address
            } else {
                &a.name
            };
            messages::insert_contact(tx, name, Channel::Email, &a.address, now)?;
        }
    }
    Ok(())
}

/// `addresses` checked for `field` (`cc` or `bcc`): valid, each once, not our own
/// mailbox, not the customer (already `To`), and nobody who asked not to be contacted.
pub(crate) fn check_copies(
    tx: &Connection,
    config: &EmailConfig,
    field: &'static str,
    addresses: &[String],
    customer: Option<&str>,
    already: &[MailAddress],
) -> Result<Vec<MailAddress>> {
    let mut out: Vec<MailAddress> = Vec::new();
    for raw in addresses.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        let shown: String = raw.chars().take(80).collect();
        let address = normalize_address(raw).ok_or_else(|| {
            CoreError::invalid(field, format!("“{shown}” is not an e-mail address"))
        })?;
        if is_ours(config, &address) {
            return Err(CoreError::invalid(
                field,
                format!("{address} is this mailbox itself; remove it"),
            ));
        }
        if Some(address.as_str()) == customer
            || out.iter().chain(already).any(|a| a.address == address)
        {
            continue;
        }
        if let Some(contact) = contacts::find(tx, Channel::Email, &address)? {
            if let Some((_, true)) = contacts::name_and_opt_out(tx, contact)? {
                return Err(CoreError::invalid(
                    field,
                    format!("{address} asked not to be contacted; remove them"),
                ));
            }
        }
        out.push(MailAddress {
            address,
            name: String::new(),
        });
    }
    if out.len() > MAX_COPIES {
        return Err(CoreError::invalid(
            field,
            format!("copy at most {MAX_COPIES} addresses"),
        ));
    }
    Ok(out)
}

/// The mailbox's signature with `{agent}` and `{team}` filled in; `None` when it has
/// none.
pub(crate) fn signature_for(
    config: &EmailConfig,
    agent: &str,
    team: Option<&str>,
) -> Option<String> {
    let signature = config.signature.trim();
    (!signature.is_empty()).then(|| {
        signature
            .replace("{agent}", agent)
            .replace("{team}", team.unwrap_or_default())
    })
}

/// An e-mail reply as the agent wrote it, before it is checked.
pub(crate) struct MailDraft<'a> {
    pub text: &'a str,
    pub cc: &'a [String],
    pub bcc: &'a [String],
    /// Written with the composer's marks: sent as HTML with a plain-text part.
    pub formatted: bool,
    /// The customer's last mail quoted below.
    pub quote_history: bool,
}

impl<'a> MailDraft<'a> {
    /// A plain reply without copies.
    pub fn plain(text: &'a str) -> Self {
        Self {
            text,
            cc: &[],
            bcc: &[],
            formatted: false,
            quote_history: false,
        }
    }
}

/// An e-mail reply, checked and ready to queue: the signed text (payment data masked
/// where the workspace masks it), its HTML when formatted, and the copies.
pub(crate) struct CheckedMail {
    pub body: String,
    pub html: Option<String>,
    pub masked: bool,
    pub to: Option<MailAddress>,
    pub cc: Vec<MailAddress>,
    pub bcc: Vec<MailAddress>,
}

/// Checks the copies of a reply in `row` by `agent`, signs it, quotes the customer's last
/// mail when asked, and renders it when formatted.
pub(crate) fn check_mail(
    tx: &Connection,
    row: &conv_store::ConversationRowData,
    agent: crate::ids::UserId,
    draft: &MailDraft<'_>,
) -> Result<CheckedMail> {
    let account = conv_store::account_of(tx, row.id)?;
    // An account never connected to a server (sample data, scripts) has no settings:
    // its replies are queued as before and fail at sending with the reason (plain: no
    // Message-ID can be made for it yet).
    let (config, configured) = match mail_store::config_of(tx, account) {
        Ok(config) => (config, true),
        Err(_) => (EmailConfig::unset(), false),
    };
    let customer = outbox::customer_address(tx, row.id)?;
    let cc = check_copies(tx, &config, "cc", draft.cc, customer.as_deref(), &[])?;
    let bcc = check_copies(tx, &config, "bcc", draft.bcc, customer.as_deref(), &cc)?;
    let name = user_store::require(tx, agent)?.display_name;
    // Payment data is masked in every piece before it is rendered, so both parts agree.
    let masking = crate::store::settings::masking(tx)?;
    let mut masked = false;
    let mut mask = |text: &str| {
        let (text, hit) = steps::mask_if(masking, text);
        masked |= hit;
        text
    };
    let signature = signature_for(&config, &name, row.team_name.as_deref()).map(|s| mask(&s));
    let quote = match (draft.quote_history, customer.as_deref()) {
        (true, Some(customer)) => last_mail_quoted(tx, row, customer)?.map(|mut quote| {
            quote.text = mask(&quote.text);
            quote
        }),
        _ => None,
    };
    let text = mask(draft.text);
    let (body, html) = match draft.formatted && configured {
        true => {
            let out = mail_format::render(&text, signature.as_deref(), quote.as_ref());
            let html = crate::channel::sanitize::sanitize_html(&out.html);
            (out.plain, (!html.is_empty()).then_some(html))
        }
        false => (
            mail_format::plain_reply(&text, signature.as_deref(), quote.as_ref()),
            None,
        ),
    };
    Ok(CheckedMail {
        body,
        html,
        masked,
        to: customer.map(|address| MailAddress {
            address,
            name: String::new(),
        }),
        cc,
        bcc,
    })
}

/// The newest mail the conversation's customer wrote (not one of the people copied in),
/// quoted with who wrote it and when.
fn last_mail_quoted(
    tx: &Connection,
    row: &conv_store::ConversationRowData,
    customer: &str,
) -> Result<Option<mail_format::QuotedMail>> {
    let Some((message, text, at)) = mail_store::last_text_from(tx, row.id, customer)? else {
        return Ok(None);
    };
    let from = views_of(tx, &[message])?
        .pop()
        .and_then(|(_, view)| view.from)
        .unwrap_or_else(|| row.contact_name.clone());
    Ok(Some(mail_format::QuotedMail::new(&from, at, &text)))
}

/// Keeps who a reply of ours goes to.
pub(crate) fn record_outbound(
    tx: &Connection,
    message: MessageId,
    mail: &CheckedMail,
) -> Result<()> {
    if let Some(to) = &mail.to {
        mail_addresses::insert(tx, message, AddressRole::To, std::slice::from_ref(to))?;
    }
    mail_addresses::insert(tx, message, AddressRole::Cc, &mail.cc)?;
    mail_addresses::insert(tx, message, AddressRole::Bcc, &mail.bcc)
}

/// The addresses of each of `messages` that has some.
pub(crate) fn views_of(
    conn: &Connection,
    messages: &[MessageId],
) -> Result<Vec<(MessageId, MailAddressesView)>> {
    let mut out: Vec<(MessageId, MailAddressesView)> = Vec::new();
    for row in mail_addresses::of_messages(conn, messages)? {
        if out.last().map(|(m, _)| *m) != Some(row.message) {
            out.push((
                row.message,
                MailAddressesView {
                    from: None,
                    to: Vec::new(),
                    cc: Vec::new(),
                    bcc: Vec::new(),
                    gone_from_mailbox: false,
                },
            ));
        }
        let Some((_, view)) = out.last_mut() else {
            continue;
        };
        let shown = if row.name.is_empty() {
            row.address
        } else {
            format!("{} <{}>", row.name, row.address)
        };
        match row.role {
            AddressRole::From => view.from = Some(shown),
            AddressRole::To => view.to.push(shown),
            AddressRole::Cc => view.cc.push(shown),
            AddressRole::Bcc => view.bcc.push(shown),
        }
    }
    let gone = crate::store::mail_uids::gone(conn, messages)?;
    for (message, view) in &mut out {
        view.gone_from_mailbox = gone.contains(message);
    }
    Ok(out)
}

impl Workspace {
    /// Who a reply in e-mail conversation `id` goes to, who "Reply all" adds, and the
    /// signature that will be added under it.
    pub fn mail_reply_context(
        &self,
        token: &SessionToken,
        id: ConversationId,
        now: Timestamp,
    ) -> Result<MailReplyContext> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        self.store.read(|conn| {
            let row =
                conv_store::visible(conn, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                    what: "The conversation",
                })?;
            let account = conv_store::account_of(conn, id)?;
            if channel_accounts::config_of(conn, account)?.0 != Channel::Email {
                return Err(CoreError::invalid(
                    "conversation",
                    "copies and signatures are for e-mail conversations",
                ));
            }
            let config = mail_store::config_of(conn, account)?;
            let to = outbox::customer_address(conn, id)?;
            let mut reply_all = Vec::new();
            for a in mail_addresses::on_thread_all(conn, id)? {
                if is_ours(&config, &a.address) || Some(&a.address) == to.as_ref() {
                    continue;
                }
                // Someone who asked not to be contacted is not offered (a send would refuse).
                let opted_out = match contacts::find(conn, Channel::Email, &a.address)? {
                    Some(c) => matches!(contacts::name_and_opt_out(conn, c)?, Some((_, true))),
                    None => false,
                };
                if !opted_out && reply_all.len() < MAX_COPIES {
                    reply_all.push(a.address);
                }
            }
            let name = user_store::require(conn, caller.user)?.display_name;
            let server_limit = channel_accounts::state_of(conn, account)?.mail_size_limit;
            Ok(MailReplyContext {
                to,
                reply_all,
                signature: signature_for(&config, &name, row.team_name.as_deref()),
                files_limit: crate::channel::mail::files_allowed(server_limit),
                server_limit,
            })
        })
    }

    /// Sets the signature added under every reply from e-mail account `id` (`{agent}`
    /// and `{team}` are filled in when a reply is written); empty removes it.
    pub fn set_mail_signature(
        &self,
        token: &SessionToken,
        id: ChannelAccountId,
        signature: &str,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let signature = signature.trim().replace("\r\n", "\n");
        if signature.chars().count() > SIGNATURE_MAX_CHARS {
            return Err(CoreError::invalid(
                "signature",
                format!("keep the signature under {SIGNATURE_MAX_CHARS} characters"),
            ));
        }
        if signature
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(CoreError::invalid(
                "signature",
                "the signature holds characters that cannot be sent in a mail",
            ));
        }
        let view = self.store.write(|tx| {
            let mut config = mail_store::config_of(tx, id)?;
            config.signature = signature;
            mail_store::set_config(tx, id, &config)?;
            steps::audit_account_changed(tx, caller.user, id, &["signature"], now)?;
            channel_accounts::view(tx, id)
        })?;
        tracing::info!(account = id.get(), "mail signature changed");
        self.publish(crate::events::Event::ChannelsChanged);
        Ok(view)
    }

    /// Queues an e-mail reply to the customer with copies (Cc, Bcc) and the mailbox's
    /// signature; like [`Workspace::reply`] otherwise.
    pub fn reply_mail(
        &self,
        token: &SessionToken,
        id: ConversationId,
        reply: &MailReply,
        guard: Option<ReplyGuard>,
        now: Timestamp,
    ) -> Result<MessageView> {
        let caller = self.authorize(token, now, Role::Agent, "reply")?;
        // Files may go without words (the signature still goes under them).
        let body = if reply.body.trim().is_empty() && !reply.attachments.is_empty() {
            String::new()
        } else {
            crate::service::steps::check_text(
                "reply",
                &reply.body,
                crate::service::outgoing::REPLY_MAX_CHARS,
            )?
        };
        if reply.attachments.len() > crate::channel::mail::MAX_REPLY_FILES {
            return Err(CoreError::invalid(
                "attachment",
                format!(
                    "attach at most {} files to one reply",
                    crate::channel::mail::MAX_REPLY_FILES
                ),
            ));
        }
        let files = reply
            .attachments
            .iter()
            .map(crate::service::outgoing::decode_attachment)
            .collect::<Result<Vec<_>>>()?;
        let mail = crate::service::outgoing::MailOut {
            text: body,
            cc: reply.cc.clone(),
            bcc: reply.bcc.clone(),
            files,
            formatted: reply.formatted,
            quote_history: reply.quote_history,
        };
        self.queue_mail(&caller, id, mail, guard, now)
    }
}
