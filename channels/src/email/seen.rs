//! Marking customer mail read in the mailbox (the `read` task of an e-mail account): an
//! agent opened the conversation, so each mail still unread there gets `\Seen`, folder by
//! folder, by UID; a folder renumbered since (another UIDVALIDITY) is skipped, its mail
//! cannot be found by number any more.

use super::imap;
use super::MailError;
use appcare_core::ids::ChannelAccountId;
use appcare_core::store::mail_uids::MailPlace;
use appcare_core::Workspace;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The most mails one task marks.
const PLACES_MAX: usize = 500;

/// Marks the mails of `payload` read; returns how many were marked and the places the
/// server refused (a folder it would not open for writing, a store it said no to).
pub async fn run(
    ws: Arc<Workspace>,
    account: ChannelAccountId,
    payload: &serde_json::Value,
    timeout: Duration,
) -> Result<(usize, Vec<MailPlace>), MailError> {
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
        return Ok((0, Vec::new()));
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
    let marked: Result<(usize, Vec<MailPlace>), MailError> = async {
        let mut marked = 0;
        let mut refused = Vec::new();
        for ((folder, uidvalidity), uids) in &by_folder {
            let places = || {
                uids.iter().map(|&uid| MailPlace {
                    folder: folder.clone(),
                    uidvalidity: *uidvalidity,
                    uid,
                })
            };
            let selected = imap::within(timeout, "SELECT", async {
                session
                    .select(folder)
                    .await
                    .map_err(|e| MailError::protocol("SELECT", &e))
            })
            .await;
            let mailbox = match selected {
                Ok(mailbox) => mailbox,
                Err(e) if e.refused => {
                    refused.extend(places());
                    continue;
                }
                Err(e) => return Err(e),
            };
            // Renumbered since: these numbers name other mail now.
            if mailbox.uid_validity != Some(*uidvalidity) {
                continue;
            }
            let mut sorted = uids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let command = format!(
                "UID STORE {} +FLAGS.SILENT (\\Seen)",
                imap::uid_set(&sorted)
            );
            let stored = imap::within(timeout, "STORE", async {
                session
                    .run_command_and_check_ok(&command)
                    .await
                    .map_err(|e| MailError::protocol("STORE", &e))
            })
            .await;
            match stored {
                Ok(()) => marked += sorted.len(),
                Err(e) if e.refused => refused.extend(places()),
                Err(e) => return Err(e),
            }
        }
        Ok((marked, refused))
    }
    .await;
    let _ = tokio::time::timeout(timeout, session.logout()).await;
    marked
}
