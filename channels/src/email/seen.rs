//! Marking customer mail read in the mailbox (the `read` task of an e-mail account): an
//! agent opened the conversation, so each mail still unread there gets `\Seen`, folder by
//! folder, by UID; a folder renumbered since (another UIDVALIDITY) is skipped, its mail
//! cannot be found by number any more.

use super::imap;
use super::MailError;
use appcare_core::ids::ChannelAccountId;
use appcare_core::store::mail_uids::MailPlace;
use appcare_core::Workspace;
use futures_util::TryStreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The most mails one task marks.
const PLACES_MAX: usize = 500;

pub async fn run(
    ws: Arc<Workspace>,
    account: ChannelAccountId,
    payload: &serde_json::Value,
    timeout: Duration,
) -> Result<usize, MailError> {
    let places: Vec<MailPlace> = payload
        .get("mail")
        .cloned()
        .and_then(|m| serde_json::from_value(m).ok())
        .unwrap_or_default();
    let mut by_folder: BTreeMap<(String, u32), Vec<u32>> = BTreeMap::new();
    for p in places.into_iter().take(PLACES_MAX) {
        by_folder
            .entry((p.folder, p.uidvalidity))
            .or_default()
            .push(p.uid);
    }
    if by_folder.is_empty() {
        return Ok(0);
    }
    let (endpoint, policy) = tokio::task::spawn_blocking(move || {
        Ok::<_, appcare_core::CoreError>((
            ws.delivery().email_endpoint(account)?,
            ws.delivery().egress_policy()?,
        ))
    })
    .await
    .map_err(|_| MailError::retry("the mailbox could not be read"))?
    .map_err(|e| MailError::retry(&format!("the mailbox could not be read ({e})")))?;
    let endpoint = endpoint.ok_or_else(|| MailError::fatal("the mailbox is not connected"))?;
    let (mut session, _) = imap::connect(&endpoint, &policy, timeout).await?;
    let marked: Result<usize, MailError> = async {
        let mut marked = 0;
        for ((folder, uidvalidity), uids) in &by_folder {
            let mailbox = imap::within(timeout, "SELECT", async {
                session
                    .select(folder)
                    .await
                    .map_err(|e| MailError::protocol("SELECT", &e))
            })
            .await?;
            if mailbox.uid_validity != Some(*uidvalidity) {
                continue;
            }
            let mut sorted = uids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let set = imap::uid_set(&sorted);
            imap::within(timeout, "STORE", async {
                session
                    .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                    .await
                    .map_err(|e| MailError::protocol("STORE", &e))?
                    .try_collect::<Vec<_>>()
                    .await
                    .map_err(|e| MailError::protocol("STORE", &e))
            })
            .await?;
            marked += uids.len();
        }
        Ok(marked)
    }
    .await;
    let _ = tokio::time::timeout(timeout, session.logout()).await;
    marked
}
