//! Rotating a WhatsApp or Messenger account's secrets (access token, app secret, verify
//! token) after they changed at Meta: each pasted one replaces the stored one, each left
//! empty stays; none is ever shown back (the card shows the token's last characters).
//! Admins; audited with the names of the secrets replaced. The webhook receiver checks
//! signatures with the new app secret from the next request on.

use crate::auth::Role;
use crate::channel::account::SecretRotation;
use crate::channel::ChannelAccountView;
use crate::error::Result;
use crate::ids::ChannelAccountId;
use crate::secret::SessionToken;
use crate::service::steps;
use crate::store::channel_accounts;
use crate::time::Timestamp;
use crate::workspace::Workspace;

impl Workspace {
    /// Replaces the secrets given in `rotation` (see the module). Admins; audited.
    pub fn rotate_channel_secrets(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        rotation: &SecretRotation,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let (view, names) = self.store.write(|tx| {
            let current = channel_accounts::secrets_of(tx, account)?;
            let (secrets, names) = rotation.applied(&current)?;
            channel_accounts::set_secrets(tx, account, &secrets)?;
            let audited: Vec<&str> = names
                .iter()
                .map(|n| match *n {
                    "access token" => "access_token",
                    "app secret" => "app_secret",
                    _ => "verify_token",
                })
                .collect();
            steps::audit_account_changed(tx, caller.user, account, &audited, now)?;
            Ok((channel_accounts::view(tx, account)?, names))
        })?;
        tracing::info!(account = account.get(), rotated = ?names, "channel secrets rotated");
        self.publish(crate::events::Event::ChannelsChanged);
        Ok(view)
    }
}
