//! Reading a set-aside mail again (the `retry_mail` task): its kept bytes parsed by
//! today's parser, or, when none were kept, the mail fetched anew from the server by
//! folder and UID (still refused, renumbered, gone from the folder, or too large: it
//! stays aside with that reason). The result goes to `resolve_set_aside`.

use super::imap;
use super::parse::{parse_mail, too_large, MAX_MESSAGE_BYTES};
use super::MailError;
use appcare_core::channel::mail::MailItem;
use appcare_core::service::mail_retry::RetryOutcome;
use appcare_core::store::mail_retry::SetAsideItem;
use appcare_core::{Timestamp, Workspace};
use std::sync::Arc;
use std::time::Duration;

fn aside(uid: u32, reason: String) -> MailItem {
    MailItem::SetAside {
        uid,
        size: 0,
        reason,
        from_address: String::new(),
        subject: String::new(),
        raw: None,
        key: None,
    }
}

/// Fetches the mail anew from its folder.
async fn fetch_again(
    ws: &Arc<Workspace>,
    item: &SetAsideItem,
    timeout: Duration,
) -> Result<MailItem, MailError> {
    let account = item.account;
    let (endpoint, policy) = {
        let ws = ws.clone();
        tokio::task::spawn_blocking(move || {
            Ok::<_, appcare_core::CoreError>((
                ws.delivery().email_endpoint(account)?,
                ws.delivery().egress_policy()?,
            ))
        })
        .await
        .map_err(|_| MailError::retry("the mailbox could not be read"))?
        .map_err(|e| MailError::retry(&format!("the mailbox could not be read ({e})")))?
    };
    let endpoint = endpoint.ok_or_else(|| MailError::fatal("the mailbox is not connected"))?;
    let (mut session, _) = imap::connect(&endpoint, &policy, timeout).await?;
    let read: Result<MailItem, MailError> = async {
        let status = imap::within(timeout, "EXAMINE", imap::examine(&mut session, &item.folder)).await?;
        if status.uidvalidity != item.uidvalidity {
            return Ok(aside(
                item.uid,
                "the server renumbered this folder's mail since, so this mail cannot be found by its number any more".into(),
            ));
        }
        let sizes = imap::within(timeout, "FETCH", imap::list_new(&mut session, item.uid)).await?;
        match sizes.iter().find(|(uid, _)| *uid == item.uid) {
            None => Ok(aside(
                item.uid,
                "it is no longer in the folder (deleted or moved on the server)".into(),
            )),
            Some(&(uid, size)) if size > MAX_MESSAGE_BYTES => Ok(too_large(uid, size, None)),
            Some(_) => {
                let mut items = imap::within(
                    timeout,
                    "FETCH",
                    imap::fetch_batch(&mut session, &[item.uid], Timestamp::now()),
                )
                .await?;
                Ok(items.pop().unwrap_or_else(|| {
                    aside(item.uid, "the server returned nothing for it".into())
                }))
            }
        }
    }
    .await;
    let _ = tokio::time::timeout(timeout, session.logout()).await;
    match read {
        Err(e) if e.refused => Ok(aside(
            item.uid,
            format!("the server would not return it ({})", e.message),
        )),
        other => other,
    }
}

/// Reads set-aside mail `id` again and stores the result.
pub async fn run(
    ws: Arc<Workspace>,
    id: i64,
    timeout: Duration,
) -> Result<RetryOutcome, appcare_core::CoreError> {
    let found = {
        let ws = ws.clone();
        tokio::task::spawn_blocking(move || ws.delivery().set_aside_item(id))
            .await
            .map_err(|_| {
                appcare_core::CoreError::Storage("the set-aside mail could not be read".into())
            })??
    };
    let Some(item) = found else {
        return Ok(RetryOutcome::Gone);
    };
    let read = match &item.raw {
        Some(raw) => {
            let (uid, raw, at) = (item.uid, raw.clone(), item.created_at);
            tokio::task::spawn_blocking(move || parse_mail(uid, &raw, at))
                .await
                .unwrap_or_else(|_| aside(item.uid, "the mail parser failed on it".into()))
        }
        None => match fetch_again(&ws, &item, timeout).await {
            Ok(read) => read,
            // The server is out of reach: nothing learned about the mail itself.
            Err(e) => aside(
                item.uid,
                format!("the mailbox could not be reached ({})", e.message),
            ),
        },
    };
    let outcome = tokio::task::spawn_blocking(move || {
        ws.delivery()
            .resolve_set_aside(&item, &read, Timestamp::now())
    })
    .await
    .map_err(|_| appcare_core::CoreError::Storage("the result could not be stored".into()))??;
    tracing::info!(set_aside = id, outcome = ?outcome, "set-aside mail read again");
    Ok(outcome)
}
