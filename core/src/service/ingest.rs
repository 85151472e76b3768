//! Where customers' messages enter: the one function every channel adapter calls, and
//! the admin call that connects a channel account. Ingest is idempotent on the channel's
//! message id (Meta and IMAP deliver at least once) and may auto-assign new conversations.

use crate::auth::Role;
use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, TeamId};
use crate::secret::SessionToken;
use crate::service::steps::{self, Connect};
use crate::store::{channel_accounts, messages};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::Serialize;

pub use crate::service::steps::{InboundMessage, Ingested};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelAccountSummary {
    pub id: ChannelAccountId,
    pub kind: String,
    pub name: String,
    pub default_team: Option<TeamId>,
}

impl Workspace {
    /// Stores one inbound message: finds or creates the contact and the open conversation,
    /// stores the text and attachments (inside the encrypted store), and publishes events.
    /// Delivering the same `external_id` again changes nothing and says `duplicate`.
    pub fn ingest(&self, message: InboundMessage<'_>, now: Timestamp) -> Result<Ingested> {
        let (ingested, events) = self.store.write(|tx| steps::ingest_in(tx, &message, now))?;
        for e in events {
            self.publish(e);
        }
        Ok(ingested)
    }

    /// Admins connect a channel account; its conversations go to `default_team`'s queue.
    /// (Credentials and adapters arrive with the channel work.)
    pub fn create_channel_account(
        &self,
        token: &SessionToken,
        kind: &str,
        name: &str,
        external_id: &str,
        default_team: Option<TeamId>,
        now: Timestamp,
    ) -> Result<ChannelAccountSummary> {
        let caller = self.authorize(token, now, Role::Admin, "connect channel accounts")?;
        let channel = Channel::parse(kind)
            .ok_or_else(|| CoreError::invalid("channel", "choose whatsapp, messenger or email"))?;
        let name = name.trim();
        if name.is_empty() || external_id.trim().is_empty() {
            return Err(CoreError::invalid(
                "channel account",
                "give a name and the account's id",
            ));
        }
        let connect = Connect {
            by: caller.user,
            default_team,
            audit_detail: serde_json::json!({ "kind": kind }),
            egress: &steps::any_host,
        };
        self.store.write(|tx| {
            let id = steps::connect_account(
                tx,
                &connect,
                |tx| {
                    let id = messages::insert_channel_account(
                        tx,
                        channel,
                        name,
                        external_id.trim(),
                        now,
                    )?;
                    channel_accounts::set_default_team(tx, id, default_team)?;
                    Ok(id)
                },
                now,
            )?;
            Ok(ChannelAccountSummary {
                id,
                kind: kind.to_string(),
                name: name.to_string(),
                default_team,
            })
        })
    }
}
