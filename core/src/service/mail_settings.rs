//! A connected mailbox's servers, login and folders as an admin edits them, and its
//! password rotated: checked like a new mailbox, refused when a server is not on the
//! allowed hosts, audited with the names of what changed (never a value). The password
//! is never read back; an empty one keeps the stored password. The runtime restarts the
//! mailbox's sync with the new settings (`ChannelsChanged`).

use crate::auth::Role;
use crate::channel::email::{EmailConfig, NewEmailAccount};
use crate::channel::ChannelAccountView;
use crate::error::{CoreError, Result};
use crate::ids::ChannelAccountId;
use crate::secret::SessionToken;
use crate::service::steps;
use crate::store::{channel_accounts, mail as mail_store, settings};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// A mailbox's connection settings. `password` is empty when read, and empty on change
/// to keep the stored one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailSettings {
    pub imap_host: String,
    pub imap_port: u16,
    /// `tls` or `starttls`.
    pub imap_security: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: String,
    /// Empty: the address.
    pub username: String,
    pub password: String,
    /// Empty: `INBOX`.
    pub folder: String,
    /// Empty: `Sent`.
    pub sent_folder: String,
}

crate::redacted_debug!(MailSettings);

impl Drop for MailSettings {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.password.zeroize();
    }
}

fn security(s: crate::channel::email::MailSecurity) -> String {
    s.label().to_ascii_lowercase()
}

impl MailSettings {
    fn of(config: &EmailConfig) -> Self {
        Self {
            imap_host: config.imap.host.clone(),
            imap_port: config.imap.port,
            imap_security: security(config.imap.security),
            smtp_host: config.smtp.host.clone(),
            smtp_port: config.smtp.port,
            smtp_security: security(config.smtp.security),
            username: config.username.clone(),
            password: String::new(),
            folder: config.folder.clone(),
            sent_folder: config.sent_folder.clone(),
        }
    }
}

/// The names of the settings that differ between `old` and `new`.
fn changed(old: &EmailConfig, new: &EmailConfig, password: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (name, differs) in [
        ("imap", old.imap != new.imap),
        ("smtp", old.smtp != new.smtp),
        ("username", old.username != new.username),
        ("folder", old.folder != new.folder),
        ("sent_folder", old.sent_folder != new.sent_folder),
        ("password", password),
    ] {
        if differs {
            out.push(name);
        }
    }
    out
}

impl Workspace {
    /// A mailbox's connection settings, without its password. Admins.
    pub fn mail_settings(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        now: Timestamp,
    ) -> Result<MailSettings> {
        self.authorize(token, now, Role::Admin, "see mailbox settings")?;
        self.store
            .read(|c| Ok(MailSettings::of(&mail_store::config_of(c, account)?)))
    }

    /// Changes a mailbox's servers, login, folders and (when given) password; see the
    /// module. Admins; audited.
    pub fn update_mail_settings(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        change: &MailSettings,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let (view, fields) = self.store.write(|tx| {
            let (old, secrets) = mail_store::settings_and_password(tx, account)?;
            let new_password = !change.password.is_empty();
            let candidate = NewEmailAccount {
                name: channel_accounts::view(tx, account)?.name,
                address: old.address.clone(),
                display_name: old.display_name.clone(),
                imap_host: change.imap_host.clone(),
                imap_port: change.imap_port,
                imap_security: change.imap_security.clone(),
                smtp_host: change.smtp_host.clone(),
                smtp_port: change.smtp_port,
                smtp_security: change.smtp_security.clone(),
                username: change.username.clone(),
                password: match new_password {
                    true => change.password.clone(),
                    false => secrets.password.expose().to_string(),
                },
                folder: change.folder.clone(),
                sent_folder: change.sent_folder.clone(),
                ca_pem: old.ca_pem.clone(),
                default_team: None,
            };
            let valid = candidate.validate()?;
            // The stored password only ever goes to the servers and login it was typed for.
            let moved = valid.config.imap.host != old.imap.host
                || valid.config.smtp.host != old.smtp.host
                || valid.config.username != old.username;
            if moved && !new_password {
                return Err(CoreError::invalid(
                    "password",
                    "type the password again: the server or user name changed",
                ));
            }
            let policy = settings::egress_policy(tx)?;
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
            // What the form does not show stays as it was.
            // A changed main folder keeps the others picked, unless it is one of them.
            let more_folders = old
                .more_folders
                .iter()
                .filter(|f| **f != valid.config.folder)
                .cloned()
                .collect();
            let config = EmailConfig {
                signature: old.signature.clone(),
                more_folders,
                ..valid.config.clone()
            };
            let fields = changed(&old, &config, new_password);
            if !fields.is_empty() {
                mail_store::update_settings(tx, account, &config, &valid.secrets)?;
                steps::audit_account_changed(tx, caller.user, account, &fields, now)?;
            }
            Ok((channel_accounts::view(tx, account)?, fields))
        })?;
        tracing::info!(account = account.get(), changed = ?fields, "mailbox settings changed");
        if !fields.is_empty() {
            self.publish(crate::events::Event::ChannelsChanged);
        }
        Ok(view)
    }
}
