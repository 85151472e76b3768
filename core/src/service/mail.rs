//! The e-mail channel's side of the workspace: admins connect a support mailbox and see
//! the mail the sync set aside; agents read a mail's sanitised HTML; the IMAP sync stores
//! batches (threading each mail into its conversation) and the outbox asks for a reply's
//! threading headers.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::email::{EmailEndpoint, NewEmailAccount, SetAsideView};
use crate::channel::mail::{FolderSync, MailApplied, MailItem, MailKind, ParsedMail, SyncPhase};
use crate::channel::ChannelAccountView;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::secret::SessionToken;
use crate::service::delivery::Delivery;
use crate::service::steps::{self, Checked, InboundMessage, Thread};
use crate::store::conversations as conv_store;
use crate::store::mail_uids::{self, MailPlace};
use crate::store::Savepoint;
use crate::store::{channel_accounts, mail as mail_store, message_status, outbox, settings};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

/// Raw mail kept with a set-aside record up to this size; bigger ones stay in the mailbox.
pub const SET_ASIDE_RAW_LIMIT: usize = 2 * 1024 * 1024;

impl Workspace {
    /// Connects a support mailbox. Its servers must be on the workspace's allowed hosts
    /// (loopback always is); the password goes into the encrypted store, never back out.
    pub fn add_email_account(
        &self,
        token: &SessionToken,
        account: &NewEmailAccount,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        steps::connect_with_view(
            self,
            token,
            now,
            || {
                let valid = account.validate()?;
                Ok(Checked {
                    audit_detail: serde_json::json!({
                        "kind": "email",
                        "imap": valid.config.imap.host,
                        "smtp": valid.config.smtp.host,
                    }),
                    default_team: account.default_team,
                    valid,
                })
            },
            |valid, policy| {
                for (field, host) in [
                    ("IMAP server", &valid.config.imap.host),
                    ("SMTP server", &valid.config.smtp.host),
                ] {
                    if !policy.allows_host(host) {
                        return Err(CoreError::invalid(
                            field,
                            format!("{host} is not on this workspace's allowed hosts; an admin adds it under Residency → Allowed outgoing connections first"),
                        ));
                    }
                }
                Ok(())
            },
            |tx, valid| mail_store::insert_account(tx, valid, account.default_team, now),
        )
    }

    /// Mail of one account the sync could not store, newest first, with the reason.
    pub fn set_aside_mail(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        now: Timestamp,
    ) -> Result<Vec<SetAsideView>> {
        self.authorize(token, now, Role::Admin, "see mail set aside")?;
        self.store
            .read(|conn| mail_store::set_aside_views(conn, account))
    }

    /// The sanitised HTML of an e-mail message the caller may see (`None` when the mail
    /// had only text). It never contains scripts or remote loads; the window shows it in
    /// a frame with no access to the app.
    pub fn email_html(
        &self,
        token: &SessionToken,
        message: MessageId,
        now: Timestamp,
    ) -> Result<Option<String>> {
        let caller = self.authorize(token, now, Role::Agent, "read messages")?;
        self.store.read(|conn| {
            let not_found = || CoreError::NotFound {
                what: "The message",
            };
            let conversation =
                message_status::conversation_of(conn, message).map_err(|_| not_found())?;
            crate::store::conversations::visible(conn, caller.viewer(), conversation)?
                .ok_or_else(not_found)?;
            mail_store::html_of(conn, message)
        })
    }
}

impl Delivery<'_> {
    /// Connected e-mail accounts with their passwords.
    pub fn email_endpoints(&self) -> Result<Vec<EmailEndpoint>> {
        self.ws.store.read(mail_store::endpoints)
    }

    /// The stored sync state of a folder (zeros before the first sync).
    pub fn mail_folder(&self, account: ChannelAccountId, folder: &str) -> Result<FolderSync> {
        self.ws
            .store
            .read(|conn| mail_store::folder_state(conn, account, folder))
    }

    /// The server reports a new UIDVALIDITY: every UID we knew is void. Sync starts
    /// again from UID 1; Message-IDs keep what is already stored from being stored twice.
    pub fn reset_mail_folder(
        &self,
        account: ChannelAccountId,
        folder: &str,
        uidvalidity: u32,
        now: Timestamp,
    ) -> Result<()> {
        self.ws.store.write(|tx| {
            let before = mail_store::folder_state(tx, account, folder)?;
            mail_store::reset_folder(tx, account, folder, uidvalidity)?;
            if before.uidvalidity != 0 {
                audit::append(
                    tx,
                    AuditEvent::new(
                        AuditKind::MailFolderReset,
                        None,
                        format!("channel_account:{account}"),
                        now,
                    )
                    .detail(serde_json::json!({
                        "folder": folder,
                        "old_uidvalidity": before.uidvalidity,
                        "new_uidvalidity": uidvalidity,
                    })),
                )?;
            }
            Ok(())
        })
    }

    /// A copy in Sent went through: a problem reported about earlier copies is over.
    pub fn clear_sent_copy_error(&self, account: ChannelAccountId) -> Result<()> {
        let changed = self.ws.store.write(|tx| {
            let mut state = channel_accounts::state_of(tx, account)?;
            let was_sent_copy = state
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("Sent folder"));
            if was_sent_copy {
                state.last_error = None;
                channel_accounts::set_state(tx, account, &state)?;
            }
            Ok(was_sent_copy)
        })?;
        if changed {
            self.ws.publish(Event::ChannelsChanged);
        }
        Ok(())
    }

    /// Records what the sync of a folder is doing, for the progress bar.
    pub fn mail_progress(
        &self,
        account: ChannelAccountId,
        folder: &str,
        phase: SyncPhase<'_>,
        now: Timestamp,
    ) -> Result<()> {
        self.ws
            .store
            .write(|tx| mail_store::set_phase(tx, account, folder, phase, now))?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Stores one batch of a folder in a single transaction: each mail is threaded into
    /// its conversation (or set aside), and the folder's `uidnext` moves past the batch
    /// in the same commit, so a crash neither loses nor repeats a mail.
    pub fn apply_mail(
        &self,
        account: ChannelAccountId,
        folder: &str,
        uidvalidity: u32,
        items: &[MailItem],
        now: Timestamp,
    ) -> Result<MailApplied> {
        let (applied, events) = self.ws.store.write(|tx| {
            let config = mail_store::config_of(tx, account)?;
            let masking = settings::masking(tx)?;
            let mut applied = MailApplied::default();
            let mut events = Vec::new();
            let mut next = mail_store::folder_state(tx, account, folder)?.uidnext;
            let sent_folder = is_sent_folder(tx, account, &config, folder)?;
            for item in items {
                next = next.max(item.uid().saturating_add(1));
                match item {
                    MailItem::Parsed { uid, mail } => {
                        // The same mail only when Message-ID and content agree; a reused
                        // Message-ID with other content is another mail.
                        let key = content_key(mail);
                        if mail_store::seen(tx, account, &key)?
                            || seen_before_upgrade(tx, account, mail)?
                        {
                            // Mail moved between synced folders: its new place is kept.
                            relocate(tx, account, mail, folder, uidvalidity, *uid)?;
                            applied.duplicates += 1;
                            continue;
                        }
                        let savepoint = Savepoint::begin(tx, "mail_item")?;
                        let origin = Origin {
                            place: MailPlace {
                                folder: folder.to_string(),
                                uidvalidity,
                                uid: *uid,
                            },
                            sent_folder,
                        };
                        match store_mail(
                            tx,
                            account,
                            &config,
                            mail,
                            &origin,
                            now,
                            &mut applied,
                            &mut events,
                        ) {
                            Ok(()) => savepoint.release()?,
                            Err(
                                e @ (CoreError::InvalidInput { .. } | CoreError::NotFound { .. }),
                            ) => {
                                savepoint.undo()?;
                                let reason = match &e {
                                    CoreError::InvalidInput { reason, .. } => reason.clone(),
                                    other => format!("it could not be stored: {other}"),
                                };
                                mail_store::set_aside(
                                    tx,
                                    account,
                                    folder,
                                    uidvalidity,
                                    *uid,
                                    &mail_store::Aside {
                                        reason: &reason,
                                        from_address: &mail.from_address,
                                        subject: &masked(masking, &mail.subject),
                                        size: mail.text.len() as u64,
                                        raw: None,
                                    },
                                    now,
                                )?;
                                applied.set_aside += 1;
                            }
                            Err(e) => return Err(e),
                        }
                        mail_store::mark_seen(tx, account, &key)?;
                    }
                    MailItem::SetAside {
                        uid,
                        size,
                        reason,
                        from_address,
                        subject,
                        raw,
                        key,
                    } => {
                        if let Some(key) = key {
                            if mail_store::seen(tx, account, key)? {
                                applied.duplicates += 1;
                                continue;
                            }
                            mail_store::mark_seen(tx, account, key)?;
                        }
                        mail_store::set_aside(
                            tx,
                            account,
                            folder,
                            uidvalidity,
                            *uid,
                            &mail_store::Aside {
                                reason,
                                from_address,
                                subject: &masked(masking, subject),
                                size: *size,
                                raw: raw.as_deref().filter(|r| r.len() <= SET_ASIDE_RAW_LIMIT),
                            },
                            now,
                        )?;
                        applied.set_aside += 1;
                    }
                }
            }
            mail_store::advance(tx, account, folder, next, items.len() as u64)?;
            mail_store::count(tx, account, folder, items.len() as u64, &applied)?;
            Ok((applied, events))
        })?;
        for e in events {
            self.ws.publish(e);
        }
        // The progress bar moves with each batch.
        self.ws.publish(Event::ChannelsChanged);
        Ok(applied)
    }
}

/// What identifies one mail across syncs: its Message-ID and a digest of its content.
pub(super) fn content_key(mail: &ParsedMail) -> String {
    format!("{}\n{}", mail.header_id, mail.digest)
}

/// Mail the sync dealt with before it keyed mail by content too (only its Message-ID
/// was hashed): the same mail unless a message stored under that id says otherwise.
fn seen_before_upgrade(
    tx: &Connection,
    account: ChannelAccountId,
    mail: &ParsedMail,
) -> Result<bool> {
    if !mail_store::seen_by_id_only(tx, account, &mail.header_id)? {
        return Ok(false);
    }
    let stored = mail_store::body_of(tx, &mail_store::external_id(account, &mail.header_id))?;
    Ok(match stored {
        Some(body) => body == masked(settings::masking(tx)?, &mail.text),
        None => true,
    })
}

pub(super) fn masked(on: bool, text: &str) -> String {
    if on {
        crate::privacy::mask::mask_sensitive(text).0
    } else {
        text.to_string()
    }
}

/// The conversation a mail belongs to: the token in a `+token` recipient, then the
/// In-Reply-To ids, then the References from the newest back. With `sender`, only a
/// conversation of that sender's contact, or one the sender was on (copied in, say),
/// counts: knowing a token or a Message-ID does not let a stranger write into someone
/// else's conversation.
fn find_thread(
    conn: &Connection,
    account: ChannelAccountId,
    config: &crate::channel::EmailConfig,
    mail: &ParsedMail,
    sender: Option<&str>,
) -> Result<Option<ConversationId>> {
    let belongs = |conversation: ConversationId| -> Result<bool> {
        match sender {
            Some(address) => Ok(mail_store::is_contact_address(conn, conversation, address)?
                || (!crate::service::mail_recipients::is_ours(config, address)
                    && crate::store::mail_addresses::on_thread(conn, conversation, address)?)),
            None => Ok(true),
        }
    };
    for recipient in &mail.recipients {
        if let Some(token) = config.token_in(recipient) {
            if let Some(id) = mail_store::conversation_by_token(conn, account, token)? {
                if belongs(id)? {
                    return Ok(Some(id));
                }
            }
        }
    }
    let candidates = mail.in_reply_to.iter().chain(mail.references.iter().rev());
    for id in candidates {
        if let Some((_, conversation)) = mail_store::message_by_header(conn, account, id)? {
            if belongs(conversation)? {
                return Ok(Some(conversation));
            }
        }
    }
    Ok(None)
}

/// Whether `folder` holds the mailbox's sent mail: the Sent folder of its settings, or
/// the folder the server marks `\Sent`.
pub(super) fn is_sent_folder(
    tx: &Connection,
    account: ChannelAccountId,
    config: &crate::channel::EmailConfig,
    folder: &str,
) -> Result<bool> {
    // The main folder is where customers' mail arrives, whatever else it is set as.
    if folder == config.folder {
        return Ok(false);
    }
    if folder == config.sent_folder {
        return Ok(true);
    }
    Ok(crate::store::mail_folders::list(tx, account)?
        .iter()
        .any(|(name, special_use)| name == folder && special_use == "sent"))
}

/// Where a mail was found: its place in the mailbox, and whether that is the Sent folder.
pub(super) struct Origin {
    pub place: MailPlace,
    pub sent_folder: bool,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn store_mail(
    tx: &Connection,
    account: ChannelAccountId,
    config: &crate::channel::EmailConfig,
    mail: &ParsedMail,
    origin: &Origin,
    now: Timestamp,
    applied: &mut MailApplied,
    events: &mut Vec<Event>,
) -> Result<()> {
    // A reused Message-ID gets the content digest in its message id.
    let mut external_id = mail_store::external_id(account, &mail.header_id);
    if message_status::by_external_id(tx, &external_id)?.is_some() {
        external_id = format!(
            "{external_id}#{}",
            &mail.digest[..mail.digest.len().min(16)]
        );
        if message_status::by_external_id(tx, &external_id)?.is_some() {
            applied.duplicates += 1;
            return Ok(());
        }
    }
    // The Sent folder holds the mailbox's own mail: never a customer's.
    if origin.sent_folder {
        return store_our_own(
            tx,
            account,
            config,
            mail,
            &external_id,
            now,
            applied,
            events,
        );
    }
    match &mail.kind {
        MailKind::Bounce { failed: false, .. } => Err(CoreError::invalid(
            "mail",
            "a delivery report that is not a failure (delayed or relayed)",
        )),
        MailKind::Bounce {
            original_ids,
            diagnostic,
            failed: true,
            recipients,
        } => {
            // Only a report consistent with our reply fails it: it names our Message-ID
            // and the address we sent that reply to.
            for id in original_ids.iter().chain(mail.in_reply_to.iter()) {
                let Some((message, conversation)) = mail_store::message_by_header(tx, account, id)?
                else {
                    continue;
                };
                if !message_status::is_outbound(tx, message)? {
                    continue;
                }
                let mut sent_to = false;
                for r in recipients {
                    sent_to |= mail_store::is_contact_address(tx, conversation, r)?;
                }
                if !sent_to {
                    continue;
                }
                let explanation = if diagnostic.is_empty() {
                    "The customer's mail server returned this reply undelivered.".to_string()
                } else {
                    format!("The customer's mail server returned this reply: {diagnostic}")
                };
                outbox::mark_failed(tx, message, &explanation)?;
                if steps::raise_status(tx, message, "failed", Some(&explanation))? {
                    events.push(Event::MessageStatusChanged {
                        conversation,
                        message,
                    });
                }
                applied.bounces += 1;
                return Ok(());
            }
            Err(CoreError::invalid(
                "mail",
                "a delivery report about a message this workspace did not send",
            ))
        }
        MailKind::AutoReply => {
            let Some(conversation) = find_thread(tx, account, config, mail, None)? else {
                return Err(CoreError::invalid(
                    "mail",
                    "an automatic reply that belongs to no conversation",
                ));
            };
            let masking = settings::masking(tx)?;
            let subject: String = masked(masking, &mail.subject).chars().take(200).collect();
            conv_store::insert_system_note(
                tx,
                conversation,
                &format!("Automatic reply from {}: “{subject}”", mail.from_address),
                false,
                mail.arrived_at,
            )?;
            events.push(Event::NoteAdded { conversation });
            applied.auto_replies += 1;
            Ok(())
        }
        MailKind::Customer => {
            if mail.from_address.is_empty() {
                return Err(CoreError::invalid("mail", "it has no sender address"));
            }
            if crate::service::mail_recipients::is_ours(config, &mail.from_address) {
                return Err(CoreError::invalid(
                    "mail",
                    "it was sent from the support address itself",
                ));
            }
            let thread = match find_thread(tx, account, config, mail, Some(&mail.from_address))? {
                Some(id) => Thread::Existing(id),
                None => Thread::New,
            };
            let name = if mail.from_name.trim().is_empty() {
                mail.from_address.as_str()
            } else {
                mail.from_name.as_str()
            };
            let message = InboundMessage {
                account,
                contact_external_id: &mail.from_address,
                contact_name: name,
                external_id: Some(&external_id),
                subject: &mail.subject,
                body: &mail.text,
                // Ordering and retention go by the server's arrival time: a sender's
                // clock (a `Date:` of 2001) must not date the mail.
                sent_at: mail.arrived_at,
                choice: None,
                has_media: false,
                attachments: Vec::new(),
            };
            let (ingested, new_events) = steps::ingest_into(tx, &message, thread, now)?;
            keep_mail_parts(tx, account, config, ingested.message, mail, now)?;
            // Where it sits in the mailbox, for read state and deletions both ways.
            mail_uids::record(tx, ingested.message, account, &origin.place)?;
            events.extend(new_events);
            applied.messages += 1;
            Ok(())
        }
    }
}

/// Mail in the Sent folder: a reply this app sent is already here (a true duplicate);
/// one an agent wrote in another mail program, from the support address, to someone on
/// the conversation it answers, joins it as one of ours with its files and addresses;
/// any other is set aside with the reason.
#[allow(clippy::too_many_arguments)]
fn store_our_own(
    tx: &Connection,
    account: ChannelAccountId,
    config: &crate::channel::EmailConfig,
    mail: &ParsedMail,
    external_id: &str,
    now: Timestamp,
    applied: &mut MailApplied,
    events: &mut Vec<Event>,
) -> Result<()> {
    if mail_store::message_by_header(tx, account, &mail.header_id)?.is_some() {
        applied.duplicates += 1;
        return Ok(());
    }
    if !crate::service::mail_recipients::is_ours(config, &mail.from_address) {
        return Err(CoreError::invalid(
            "mail",
            "it is in the Sent folder but was not sent from the support address",
        ));
    }
    let Some(conversation) = find_thread(tx, account, config, mail, None)? else {
        return Err(CoreError::invalid(
            "mail",
            "it was sent from the support address and answers no conversation here",
        ));
    };
    let mut to_someone_on_it = false;
    for r in &mail.recipients {
        to_someone_on_it |= mail_store::is_contact_address(tx, conversation, r)?;
    }
    if !to_someone_on_it {
        return Err(CoreError::invalid(
            "mail",
            "it answers a conversation here but went to no one on it",
        ));
    }
    let masking = settings::masking(tx)?;
    let body = masked(masking, &mail.text);
    let message = crate::store::messages::insert_message(
        tx,
        &crate::store::messages::NewMessage {
            conversation,
            external_id: Some(external_id),
            direction: crate::channel::Direction::Out,
            body: &body,
            created_at: mail.arrived_at,
        },
    )?;
    message_status::mark_sent(tx, message)?;
    keep_mail_parts(tx, account, config, message, mail, now)?;
    conv_store::touch_activity(tx, conversation, mail.arrived_at, false)?;
    applied.messages += 1;
    events.push(Event::MessageStatusChanged {
        conversation,
        message,
    });
    events.push(Event::ConversationUpdated { conversation });
    Ok(())
}

/// What a stored mail keeps besides its text: its files, its sanitised HTML (masked like
/// the text), its threading headers, and its sender and recipients.
fn keep_mail_parts(
    tx: &Connection,
    account: ChannelAccountId,
    config: &crate::channel::EmailConfig,
    message: MessageId,
    mail: &ParsedMail,
    now: Timestamp,
) -> Result<()> {
    for a in &mail.attachments {
        crate::store::messages::insert_attachment(
            tx,
            message,
            &a.file_name,
            &a.mime_type,
            &a.data,
            now,
        )?;
    }
    let masking = settings::masking(tx)?;
    let html = mail.html.as_deref().map(|h| masked(masking, h));
    mail_store::insert_header(
        tx,
        &mail_store::Header {
            message,
            account,
            header_id: &mail.header_id,
            in_reply_to: &mail.in_reply_to,
            references: &mail.references,
            html: html.as_deref(),
            header_date: Some(mail.sent_at),
        },
    )?;
    crate::service::mail_recipients::record_inbound(tx, config, message, mail, now)
}

/// A mail already stored, found again in another synced folder (moved there): its place
/// in the mailbox is now that one, and it is no longer gone.
fn relocate(
    tx: &Connection,
    account: ChannelAccountId,
    mail: &ParsedMail,
    folder: &str,
    uidvalidity: u32,
    uid: u32,
) -> Result<()> {
    let Some((message, _)) = mail_store::message_by_header(tx, account, &mail.header_id)? else {
        return Ok(());
    };
    let place = MailPlace {
        folder: folder.to_string(),
        uidvalidity,
        uid,
    };
    mail_uids::relocate(tx, message, &place)
}
