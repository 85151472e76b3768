//! Trying a set-aside mail again after a fix (a parser that reads it now, a server that
//! returns it now): an admin asks from the mailbox's card; the runtime reads it again
//! (its kept bytes, else fetched anew from the server by folder and UID) and hands the
//! result here: stored into its conversation like any synced mail, found stored before,
//! or kept aside with the new reason. The folder's counts still add up. Admins; audited.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::email::SetAsideView;
use crate::channel::mail::{MailApplied, MailItem};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::ChannelAccountId;
use crate::secret::SessionToken;
use crate::service::delivery::Delivery;
use crate::service::mail::{content_key, is_sent_folder, masked, store_mail, Origin};
use crate::store::mail_retry::{self, SetAsideItem};
use crate::store::mail_uids::MailPlace;
use crate::store::{mail as mail_store, settings, tasks, Savepoint};
use crate::time::Timestamp;
use crate::workspace::Workspace;

/// What reading a set-aside mail again came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryOutcome {
    /// Stored in its conversation now.
    Stored,
    /// The same mail was stored meanwhile (the row goes).
    AlreadyStored,
    /// Still set aside, with the reason of this attempt.
    StillAside,
    /// The row is gone (erased, or resolved by an earlier attempt).
    Gone,
}

impl Workspace {
    /// Asks the runtime to read set-aside mail `id` of mailbox `account` again. Admins;
    /// audited. Returns the mailbox's set-aside list (the row marked as retrying).
    pub fn retry_set_aside_mail(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        id: i64,
        now: Timestamp,
    ) -> Result<Vec<SetAsideView>> {
        let caller = self.authorize(token, now, Role::Admin, "see the mail set aside")?;
        let views = self.store.write(|tx| {
            let item = mail_retry::item(tx, id)?
                .filter(|i| i.account == account)
                .ok_or(CoreError::NotFound {
                    what: "The set-aside mail",
                })?;
            tasks::insert(
                tx,
                account,
                "retry_mail",
                &serde_json::json!({ "id": item.id }),
                now,
            )?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::MailSetAsideRetried,
                    Some(caller.user),
                    format!("channel_account:{account}"),
                    now,
                )
                .detail(serde_json::json!({ "set_aside": item.id })),
            )?;
            mail_store::set_aside_views(tx, account)
        })?;
        tracing::info!(
            account = account.get(),
            set_aside = id,
            "set-aside mail to be read again"
        );
        self.publish(Event::ChannelsChanged);
        Ok(views)
    }
}

impl Delivery<'_> {
    /// A set-aside mail as the runtime reads it again (`None` when it is gone).
    pub fn set_aside_item(&self, id: i64) -> Result<Option<SetAsideItem>> {
        self.ws.store.read(|conn| mail_retry::item(conn, id))
    }

    /// Stores what reading set-aside mail `item` again gave (see the module).
    pub fn resolve_set_aside(
        &self,
        item: &SetAsideItem,
        read: &MailItem,
        now: Timestamp,
    ) -> Result<RetryOutcome> {
        let (outcome, events) = self.ws.store.write(|tx| {
            if mail_retry::item(tx, item.id)?.is_none() {
                return Ok((RetryOutcome::Gone, Vec::new()));
            }
            let mut events = Vec::new();
            let still = |reason: &str, raw: Option<&[u8]>| {
                mail_retry::still_aside(tx, item.id, &format!("{reason} (tried again)"), raw)
            };
            let outcome = match read {
                MailItem::SetAside { reason, raw, .. } => {
                    still(
                        reason,
                        raw.as_deref()
                            .filter(|r| r.len() <= crate::service::mail::SET_ASIDE_RAW_LIMIT),
                    )?;
                    RetryOutcome::StillAside
                }
                MailItem::Parsed { mail, .. } => {
                    let masking = settings::masking(tx)?;
                    let existing = mail_store::body_of(
                        tx,
                        &mail_store::external_id(item.account, &mail.header_id),
                    )?;
                    if existing.is_some_and(|body| body == masked(masking, &mail.text)) {
                        mail_retry::resolved(tx, item, true)?;
                        RetryOutcome::AlreadyStored
                    } else {
                        let config = mail_store::config_of(tx, item.account)?;
                        let savepoint = Savepoint::begin(tx, "mail_retry")?;
                        let mut applied = MailApplied::default();
                        let origin = Origin {
                            place: MailPlace {
                                folder: item.folder.clone(),
                                uidvalidity: item.uidvalidity,
                                uid: item.uid,
                            },
                            sent_folder: is_sent_folder(tx, item.account, &config, &item.folder)?,
                        };
                        match store_mail(
                            tx,
                            item.account,
                            &config,
                            mail,
                            &origin,
                            now,
                            &mut applied,
                            &mut events,
                        ) {
                            Ok(()) => {
                                savepoint.release()?;
                                mail_store::mark_seen(tx, item.account, &content_key(mail))?;
                                // `store_mail` may find the mail stored under its id: a duplicate.
                                let duplicate = applied.duplicates > 0;
                                mail_retry::resolved(tx, item, duplicate)?;
                                match duplicate {
                                    true => RetryOutcome::AlreadyStored,
                                    false => RetryOutcome::Stored,
                                }
                            }
                            Err(CoreError::InvalidInput { reason, .. }) => {
                                savepoint.undo()?;
                                events.clear();
                                still(&reason, None)?;
                                RetryOutcome::StillAside
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
            };
            Ok((outcome, events))
        })?;
        for e in events {
            self.ws.publish(e);
        }
        self.ws.publish(Event::ChannelsChanged);
        Ok(outcome)
    }
}
