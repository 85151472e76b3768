//! Admins connect WhatsApp numbers and Messenger pages: secrets go into the encrypted
//! store (never back out), and the runtime is asked to read templates and in-country
//! storage state from Meta.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::webhook_aside::WebhookSetAsideView;
use crate::channel::{Channel, ChannelAccountChanges, ChannelAccountView, NewChannelAccount};
use crate::error::{CoreError, Result};
use crate::ids::ChannelAccountId;
use crate::secret::SessionToken;
use crate::service::steps::{self, Checked};
use crate::store::{channel_accounts, settings, tasks, webhook_set_aside};
use crate::time::Timestamp;
use crate::workspace::{Region, Workspace};

/// Asks the runtime to turn on Meta's in-country storage for a WhatsApp number when the
/// workspace's region has it.
fn queue_local_storage(
    tx: &rusqlite::Connection,
    id: ChannelAccountId,
    now: Timestamp,
) -> Result<()> {
    let region = settings::region(tx)?.and_then(|code| Region::parse(&code).ok());
    if let Some(region) = region.filter(Region::has_whatsapp_storage) {
        tasks::insert(
            tx,
            id,
            "local_storage",
            &serde_json::json!({ "region": region.code() }),
            now,
        )?;
    }
    Ok(())
}

impl Workspace {
    /// Connects a WhatsApp number or a Messenger page. For a WhatsApp number in a region
    /// where Meta offers in-country storage, the runtime then turns it on.
    pub fn add_channel_account(
        &self,
        token: &SessionToken,
        account: &NewChannelAccount,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        steps::connect_with_view(
            self,
            token,
            now,
            || {
                let valid = account.validate()?;
                Ok(Checked {
                    audit_detail: serde_json::json!({ "kind": valid.channel.as_str() }),
                    default_team: account.default_team,
                    valid,
                })
            },
            |valid, policy| {
                match policy.allows_url(&valid.config.graph_base_url) {
                Ok(_) => Ok(()),
                Err(host) => Err(CoreError::invalid(
                    "Graph API address",
                    format!("{host} is not on this workspace's allowed hosts; an admin adds it under Residency → Allowed outgoing connections first"),
                )),
            }
            },
            |tx, valid| {
                let id = channel_accounts::insert(tx, valid, account.default_team, now)?;
                tasks::insert(tx, id, "refresh", &serde_json::json!({}), now)?;
                if valid.channel == Channel::WhatsApp {
                    queue_local_storage(tx, id, now)?;
                }
                Ok(id)
            },
        )
    }

    /// Every connected account, secrets shown only as a hint.
    pub fn list_channels(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<Vec<ChannelAccountView>> {
        self.authorize(token, now, Role::Admin, "see channel accounts")?;
        self.store.read(channel_accounts::views)
    }

    /// What WhatsApp or Messenger sent to this account that could not be stored as what
    /// it is, newest first, with the reason and the raw item (admins only: it is
    /// customer data).
    pub fn set_aside_webhooks(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        now: Timestamp,
    ) -> Result<Vec<WebhookSetAsideView>> {
        self.authorize(token, now, Role::Admin, "see webhook items set aside")?;
        self.store
            .read(|conn| webhook_set_aside::views(conn, account))
    }

    /// Changes a connected account's name, default team and settings; its secrets stay
    /// as they are. Audited with the names of the settings that changed (not their old
    /// or new text).
    pub fn update_channel_account(
        &self,
        token: &SessionToken,
        id: ChannelAccountId,
        changes: &ChannelAccountChanges,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let name = changes.checked_name()?;
        let view = self.store.write(|tx| {
            let before = channel_accounts::view(tx, id)?;
            if before.kind == "email" && (changes.human_agent || changes.read_receipts || changes.poll) {
                return Err(CoreError::invalid(
                    "settings",
                    "read receipts, Human Agent and polling are for WhatsApp and Messenger accounts",
                ));
            }
            if before.kind == "whatsapp" && (changes.human_agent || changes.poll) {
                return Err(CoreError::invalid(
                    "settings",
                    "Human Agent and polling are Messenger settings",
                ));
            }
            if let Some(team) = changes.default_team {
                if !crate::store::users::team_exists(tx, team)? {
                    return Err(CoreError::NotFound { what: "The team" });
                }
            }
            if before.kind == "email" {
                // A mailbox's config holds its servers and signature: left as it is.
                channel_accounts::set_name_and_team(tx, id, &name, changes.default_team)?;
            } else {
                let (_, mut config) = channel_accounts::config_of(tx, id)?;
                config.read_receipts = changes.read_receipts;
                config.human_agent = changes.human_agent;
                config.poll = changes.poll;
                channel_accounts::update(tx, id, &name, changes.default_team, &config)?;
            }
            let changed: Vec<&str> = [
                ("name", before.name != name),
                ("default_team", before.default_team != changes.default_team),
                ("read_receipts", before.read_receipts != changes.read_receipts),
                ("human_agent", before.human_agent != changes.human_agent),
                ("poll", before.poll != changes.poll),
            ]
            .into_iter()
            .filter_map(|(field, differs)| differs.then_some(field))
            .collect();
            steps::audit_account_changed(tx, caller.user, id, &changed, now)?;
            channel_accounts::view(tx, id)
        })?;
        tracing::info!(account = id.get(), "channel account settings changed");
        self.publish(crate::events::Event::ChannelsChanged);
        Ok(view)
    }

    /// Asks the runtime to read templates and in-country storage state from Meta again.
    pub fn refresh_channel(
        &self,
        token: &SessionToken,
        id: ChannelAccountId,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "refresh channel accounts")?;
        self.store.write(|tx| {
            let view = channel_accounts::view(tx, id)?;
            tasks::insert(tx, id, "refresh", &serde_json::json!({}), now)?;
            // In-country storage not on yet (e.g. the number was registered): try again.
            let enabled = view
                .local_storage
                .as_ref()
                .is_some_and(|l| l.status == "IN_COUNTRY_STORAGE_ENABLED");
            if view.kind == "whatsapp" && !enabled {
                queue_local_storage(tx, id, now)?;
            }
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ChannelRefreshRequested,
                    Some(caller.user),
                    format!("channel_account:{id}"),
                    now,
                ),
            )?;
            Ok(view)
        })
    }
}
