//! Read state and deletions between the app and the mailbox (issue 22 item 7): opening
//! an e-mail conversation queues `\Seen` for its customer mail still unread in the
//! mailbox (a `read` task the runtime carries out over IMAP); the sync reports which
//! known mail is read or gone there, so mail read in another program is read here too,
//! and mail deleted or moved there is marked here, never erased.

use crate::channel::Channel;
use crate::error::Result;
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::service::delivery::Delivery;
use crate::store::conversations as conv_store;
use crate::store::mail_uids::{self, MailPlace};
use crate::store::{channel_accounts, message_status, tasks};
use crate::time::Timestamp;
use rusqlite::Connection;
use std::collections::{BTreeSet, HashSet};

/// On opening: asks the mailbox to mark the conversation's unread customer mail read.
/// Returns how many mails were asked for.
pub(crate) fn queue_seen(
    tx: &Connection,
    conversation: ConversationId,
    now: Timestamp,
) -> Result<usize> {
    let account = conv_store::account_of(tx, conversation)?;
    let (channel, config) = channel_accounts::config_of(tx, account)?;
    if channel != Channel::Email || config.sample {
        return Ok(0);
    }
    let unseen = mail_uids::unseen_of(tx, conversation)?;
    if unseen.is_empty() {
        return Ok(0);
    }
    let places: Vec<&MailPlace> = unseen.iter().map(|(_, p)| p).collect();
    tasks::insert(
        tx,
        account,
        "read",
        &serde_json::json!({ "mail": places }),
        now,
    )?;
    let messages: Vec<MessageId> = unseen.iter().map(|(m, _)| *m).collect();
    mail_uids::mark_seen(tx, &messages)?;
    Ok(messages.len())
}

/// What the sync found in one folder about mail stored from it.
pub struct FolderState<'a> {
    pub folder: &'a str,
    pub uidvalidity: u32,
    /// Every UID in the folder now.
    pub present: &'a HashSet<u32>,
    /// The UIDs read (`\Seen`) there.
    pub seen: &'a HashSet<u32>,
}

/// How the mailbox's state changed what is here.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MailboxChanges {
    /// Mail read in the mailbox since the last look.
    pub read_there: usize,
    /// Mail deleted or moved out of its folder since the last look.
    pub gone: usize,
}

impl Delivery<'_> {
    /// Applies what the mailbox says of the mail stored from one folder: read there is
    /// read here (a conversation whose every known mail is read stops being unread);
    /// gone from there is marked, and stays stored.
    pub fn apply_mailbox_state(
        &self,
        account: ChannelAccountId,
        state: &FolderState<'_>,
        now: Timestamp,
    ) -> Result<MailboxChanges> {
        let (changes, events) = self.ws.store.write(|tx| {
            let known = mail_uids::present_in(tx, account, state.folder, state.uidvalidity)?;
            let gone: Vec<MessageId> = known
                .iter()
                .filter(|(uid, _, _)| !state.present.contains(uid))
                .map(|(_, _, m)| *m)
                .collect();
            let read: Vec<MessageId> = known
                .iter()
                .filter(|(uid, seen, _)| {
                    !seen && state.present.contains(uid) && state.seen.contains(uid)
                })
                .map(|(_, _, m)| *m)
                .collect();
            mail_uids::mark_gone(tx, &gone, now)?;
            mail_uids::mark_seen(tx, &read)?;
            let mut touched = BTreeSet::new();
            for m in read.iter().chain(&gone) {
                touched.insert(message_status::conversation_of(tx, *m)?);
            }
            let mut events = Vec::new();
            for conversation in touched {
                if !read.is_empty() && mail_uids::all_seen(tx, conversation)? {
                    conv_store::mark_read(tx, conversation)?;
                }
                events.push(Event::ConversationUpdated { conversation });
            }
            Ok((
                MailboxChanges {
                    read_there: read.len(),
                    gone: gone.len(),
                },
                events,
            ))
        })?;
        if changes != MailboxChanges::default() {
            tracing::info!(
                account = account.get(),
                read_there = changes.read_there,
                gone = changes.gone,
                "mailbox read state and deletions applied"
            );
        }
        for e in events {
            self.ws.publish(e);
        }
        Ok(changes)
    }

    /// Whether the sync should ask the server about `folder`: some mail stored from it.
    pub fn mail_known_in(
        &self,
        account: ChannelAccountId,
        folder: &str,
        uidvalidity: u32,
    ) -> Result<bool> {
        self.ws
            .store
            .read(|conn| mail_uids::any_in(conn, account, folder, uidvalidity))
    }
}
