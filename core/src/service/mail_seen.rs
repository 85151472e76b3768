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
    /// The folder's UIDNEXT when it was opened: mail at or above it (stored meanwhile by
    /// another session) is not judged by this answer.
    pub below: u32,
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
            let known = mail_uids::known_in(tx, account, state.folder, state.uidvalidity)?;
            let here = |uid: u32| state.present.contains(&uid);
            let gone: Vec<MessageId> = known
                .iter()
                .filter(|k| !k.gone && k.uid < state.below && !here(k.uid))
                .map(|k| k.message)
                .collect();
            let back: Vec<MessageId> = known
                .iter()
                .filter(|k| k.gone && here(k.uid))
                .map(|k| k.message)
                .collect();
            let read: Vec<MessageId> = known
                .iter()
                .filter(|k| !k.seen && here(k.uid) && state.seen.contains(&k.uid))
                .map(|k| k.message)
                .collect();
            mail_uids::mark_gone(tx, &gone, now)?;
            mail_uids::mark_back(tx, &back)?;
            mail_uids::mark_seen(tx, &read)?;
            // Read there: a conversation whose every customer mail is read stops being
            // unread. Gone mail changes only how its message is shown.
            let mut touched = BTreeSet::new();
            for m in &read {
                let conversation = message_status::conversation_of(tx, *m)?;
                if touched.insert(conversation) && mail_uids::all_seen(tx, conversation)? {
                    conv_store::mark_read(tx, conversation)?;
                }
            }
            for m in gone.iter().chain(&back) {
                touched.insert(message_status::conversation_of(tx, *m)?);
            }
            let events: Vec<Event> = touched
                .into_iter()
                .map(|conversation| Event::ConversationUpdated { conversation })
                .collect();
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

    /// The mailbox would not mark these mails read: they count as unread there again, so
    /// the next opening asks anew.
    pub fn mail_seen_refused(&self, account: ChannelAccountId, places: &[MailPlace]) -> Result<()> {
        self.ws.store.write(|tx| {
            for place in places {
                mail_uids::unmark_seen_at(tx, account, place)?;
            }
            Ok(())
        })
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
