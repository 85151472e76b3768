//! A connected account's life: "Test connection" (queued for the channel runtime, which
//! tries the provider step by step and stores what it found), disable and enable again
//! (a disabled account sends, polls and syncs nothing; webhooks are still stored, so
//! nothing a customer writes is lost), and remove with the history's fate chosen: kept
//! (read-only, the account comes back when connected again) or erased. Admins; audited.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::check::{AccountRemoval, CheckStep};
use crate::channel::email::EmailEndpoint;
use crate::channel::ChannelAccountView;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, UserId};
use crate::secret::SessionToken;
use crate::service::delivery::Delivery;
use crate::store::{account_lifecycle, channel_accounts, mail as mail_store, tasks};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

/// What an agent is told when replying in a disabled account.
pub const DISABLED: &str = "This account is disabled, so nothing is sent from it. An admin \
    enables it again under Channels.";

/// The account, refused when it was removed.
fn in_use(tx: &Connection, account: ChannelAccountId) -> Result<ChannelAccountView> {
    let (_, removed) = account_lifecycle::state(tx, account)?;
    if removed.is_some() {
        return Err(CoreError::NotFound {
            what: "The channel account",
        });
    }
    channel_accounts::view(tx, account)
}

fn audit_account(
    tx: &Connection,
    kind: AuditKind,
    by: UserId,
    account: ChannelAccountId,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<()> {
    audit::append(
        tx,
        AuditEvent::new(kind, Some(by), format!("channel_account:{account}"), now).detail(detail),
    )?;
    Ok(())
}

/// What an agent is told when replying in a removed account's kept history.
pub const REMOVED: &str = "This account was removed; its conversations are kept to read,     but nothing can be sent from it.";

/// Refuses a reply in a disabled or removed account (see [`DISABLED`], [`REMOVED`]).
pub(crate) fn check_enabled(tx: &Connection, account: ChannelAccountId) -> Result<()> {
    match account_lifecycle::state(tx, account)? {
        (_, Some(_)) => Err(CoreError::Conflict(REMOVED.into())),
        (Some(_), _) => Err(CoreError::Conflict(DISABLED.into())),
        _ => Ok(()),
    }
}

impl Workspace {
    /// Starts "Test connection": the runtime tries the account's provider and the report
    /// appears in [`ChannelAccountView::check`] (running until `finished_at` is set).
    /// Admins; audited.
    pub fn test_channel(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "test channel accounts")?;
        let view = self.store.write(|tx| {
            let view = in_use(tx, account)?;
            if view.token_hint == "not connected" {
                return Err(CoreError::Conflict(
                    "This account has no secrets (sample data), so there is nothing to test."
                        .into(),
                ));
            }
            account_lifecycle::start_check(tx, account, now)?;
            tasks::insert(tx, account, "check", &serde_json::json!({}), now)?;
            audit_account(
                tx,
                AuditKind::ChannelTested,
                caller.user,
                account,
                serde_json::json!({}),
                now,
            )?;
            channel_accounts::view(tx, account)
        })?;
        tracing::info!(account = account.get(), "channel connection test requested");
        self.publish(Event::ChannelsChanged);
        Ok(view)
    }

    /// Disables an account (`enabled` false) or enables it again. Replies queued while it
    /// was disabled wait and go out once it is enabled. Admins; audited.
    pub fn set_channel_enabled(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        enabled: bool,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let (view, changed) = self.store.write(|tx| {
            let before = in_use(tx, account)?;
            let changed = before.disabled == enabled;
            if changed {
                account_lifecycle::set_disabled(tx, account, (!enabled).then_some(now))?;
                let kind = match enabled {
                    true => AuditKind::ChannelEnabled,
                    false => AuditKind::ChannelDisabled,
                };
                audit_account(tx, kind, caller.user, account, serde_json::json!({}), now)?;
            }
            Ok((channel_accounts::view(tx, account)?, changed))
        })?;
        if changed {
            tracing::info!(
                account = account.get(),
                enabled,
                "channel account enabled state changed"
            );
            self.publish(Event::ChannelsChanged);
        }
        Ok(view)
    }

    /// Removes an account: its secrets are wiped at once (its webhooks and sends stop);
    /// with `erase_history` its conversations, messages and the customers who had
    /// nothing else go too, else they stay readable. Admins; audited with the counts.
    pub fn remove_channel_account(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        erase_history: bool,
        now: Timestamp,
    ) -> Result<AccountRemoval> {
        let caller = self.authorize(token, now, Role::Admin, "remove channel accounts")?;
        let removal = self.store.write(|tx| {
            let view = in_use(tx, account)?;
            let removal = if erase_history {
                account_lifecycle::erase(tx, account)?
            } else {
                let (conversations, messages) = account_lifecycle::history_size(tx, account)?;
                account_lifecycle::mark_removed(tx, account, now)?;
                AccountRemoval {
                    erased: false,
                    conversations,
                    messages,
                    contacts: 0,
                }
            };
            audit_account(
                tx,
                AuditKind::ChannelRemoved,
                caller.user,
                account,
                serde_json::json!({
                    "kind": view.kind,
                    "erased": removal.erased,
                    "conversations": removal.conversations,
                    "messages": removal.messages,
                    "contacts": removal.contacts,
                }),
                now,
            )?;
            Ok(removal)
        })?;
        tracing::info!(
            account = account.get(),
            erased = removal.erased,
            conversations = removal.conversations,
            "channel account removed"
        );
        self.publish(Event::ChannelsChanged);
        Ok(removal)
    }
}

impl Delivery<'_> {
    /// Stores what a connection test found (see [`Workspace::test_channel`]).
    pub fn record_check(
        &self,
        account: ChannelAccountId,
        steps: &[CheckStep],
        now: Timestamp,
    ) -> Result<()> {
        self.ws
            .store
            .write(|tx| account_lifecycle::finish_check(tx, account, steps, now))?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Keeps the largest mail a mailbox's SMTP server takes (`SIZE`; 0: no limit named;
    /// `None`: it did not say), which bounds the files of a reply.
    pub fn record_mail_size_limit(
        &self,
        account: ChannelAccountId,
        size: Option<i64>,
    ) -> Result<()> {
        let changed = self.ws.store.write(|tx| {
            let mut state = crate::store::channel_accounts::state_of(tx, account)?;
            if state.mail_size_limit == size {
                return Ok(false);
            }
            state.mail_size_limit = size;
            crate::store::channel_accounts::set_state(tx, account, &state)?;
            Ok(true)
        })?;
        if changed {
            tracing::info!(account = account.get(), size = ?size, "mail size limit learned");
        }
        Ok(())
    }

    /// One mailbox with its password, disabled or not (to test it).
    pub fn email_endpoint(&self, account: ChannelAccountId) -> Result<Option<EmailEndpoint>> {
        self.ws
            .store
            .read(|conn| mail_store::endpoint_of(conn, account))
    }
}
