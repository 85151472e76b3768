//! Which folders of a support mailbox are synced: the server's list as the sync last saw
//! it, and an admin's pick (the main folder always stays; junk and trash only when
//! picked). The sync restarts with the new pick on its own.

use crate::auth::Role;
use crate::channel::mail_folders::{self, MailFolderChoice, FOLDERS_MAX};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::ChannelAccountId;
use crate::secret::SessionToken;
use crate::service::delivery::Delivery;
use crate::service::steps;
use crate::store::mail as mail_store;
use crate::store::mail_folders as folder_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

impl Workspace {
    /// The folders of e-mail account `id`'s server, with the ones synced now.
    pub fn mail_folders(
        &self,
        token: &SessionToken,
        id: ChannelAccountId,
        now: Timestamp,
    ) -> Result<Vec<MailFolderChoice>> {
        self.authorize(token, now, Role::Admin, "see channel accounts")?;
        self.store.read(|conn| views(conn, id))
    }

    /// Syncs `folders` of e-mail account `id` besides its main folder; each must be one
    /// the server offers.
    pub fn set_mail_folders(
        &self,
        token: &SessionToken,
        id: ChannelAccountId,
        folders: &[String],
        now: Timestamp,
    ) -> Result<Vec<MailFolderChoice>> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        if folders.len() > FOLDERS_MAX {
            return Err(CoreError::invalid(
                "folders",
                format!("pick at most {FOLDERS_MAX} folders"),
            ));
        }
        let views = self.store.write(|tx| {
            let mut config = mail_store::config_of(tx, id)?;
            let offered = folder_store::list(tx, id)?;
            let mut picked = Vec::new();
            for name in folders {
                if *name == config.folder || picked.contains(name) {
                    continue;
                }
                let use_of = offered
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, u)| u.as_str());
                if use_of == Some("drafts") {
                    return Err(CoreError::invalid(
                        "folders",
                        format!(
                            "“{}” holds drafts, not mail anyone sent; leave it out",
                            mail_folders::shown(name)
                        ),
                    ));
                }
                // A folder picked before stays pickable while the server does not list it
                // (it shows its error at the folder), so other changes can be saved.
                if use_of.is_none() && !config.more_folders.contains(name) {
                    return Err(CoreError::invalid(
                        "folders",
                        format!(
                            "the server has no folder “{}”; list the folders again",
                            mail_folders::shown(name)
                        ),
                    ));
                }
                picked.push(name.clone());
            }
            if picked != config.more_folders {
                config.more_folders = picked;
                mail_store::set_config(tx, id, &config)?;
                steps::audit_account_changed(tx, caller.user, id, &["folders"], now)?;
            }
            views(tx, id)
        })?;
        tracing::info!(account = id.get(), "mailbox folders picked");
        self.publish(Event::ChannelsChanged);
        Ok(views)
    }
}

impl Delivery<'_> {
    /// The folders the server offers now (name, special use), as the sync listed them.
    pub fn set_mail_folder_list(
        &self,
        account: ChannelAccountId,
        folders: &[(String, String)],
        now: Timestamp,
    ) -> Result<()> {
        self.ws
            .store
            .write(|tx| folder_store::replace_list(tx, account, folders, now))
    }
}

fn views(conn: &Connection, id: ChannelAccountId) -> Result<Vec<MailFolderChoice>> {
    let config = mail_store::config_of(conn, id)?;
    let synced = config.folders();
    let mut listed = folder_store::list(conn, id)?;
    // A synced folder the server no longer lists (or not yet) is shown too.
    for name in &synced {
        if !listed.iter().any(|(n, _)| n == name) {
            listed.push((name.clone(), String::new()));
        }
    }
    listed
        .into_iter()
        .map(|(name, special_use)| {
            Ok(MailFolderChoice {
                shown: mail_folders::shown(&name),
                synced: synced.contains(&name),
                main: name == config.folder,
                left_out_by_default: mail_folders::left_out_by_default(&special_use),
                stored: folder_store::stored(conn, id, &name)?,
                special_use,
                name,
            })
        })
        .collect()
}
