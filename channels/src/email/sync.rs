//! The sync of one support mailbox: connect, list the server's folders (for the admin's
//! pick), bring every picked folder up to date by UID (a changed UIDVALIDITY starts a
//! clean resync of that folder), then wait for the server to push to the main folder
//! (IDLE, renewed before 29 minutes, and ended at the poll interval when other folders
//! are synced too) or poll where it cannot; reconnect with backoff after any failure.
//! Every step is shown in each folder's progress state.

use super::imap::{self, Session};
use super::MailError;
use appcare_core::channel::email::EmailEndpoint;
use appcare_core::channel::mail::MailItem;
use appcare_core::channel::mail::SyncPhase;
use appcare_core::{Timestamp, Workspace};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct MailOptions {
    /// An IDLE is ended and issued again after this long (servers drop it at 30 minutes).
    pub idle_renew: Duration,
    /// How often a server without IDLE is asked for new mail.
    pub poll_interval: Duration,
    /// Timeout of connecting and logging in, and of one SMTP send.
    pub timeout: Duration,
    /// First reconnection delay; doubles up to `reconnect_max`.
    pub reconnect_base: Duration,
    pub reconnect_max: Duration,
}

impl Default for MailOptions {
    fn default() -> Self {
        Self {
            idle_renew: Duration::from_secs(25 * 60),
            poll_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            reconnect_base: Duration::from_secs(2),
            reconnect_max: Duration::from_secs(300),
        }
    }
}

async fn db<T: Send + 'static>(
    ws: &Arc<Workspace>,
    f: impl FnOnce(&Workspace) -> T + Send + 'static,
) -> T {
    let ws = ws.clone();
    match tokio::task::spawn_blocking(move || f(&ws)).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

async fn phase(ws: &Arc<Workspace>, endpoint: &EmailEndpoint, folder: &str, phase: OwnedPhase) {
    let account = endpoint.id;
    let folder = folder.to_string();
    let result = db(ws, move |ws| {
        ws.delivery()
            .mail_progress(account, &folder, phase.borrowed(), Timestamp::now())
    })
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "mail sync state could not be stored");
    }
}

/// [`SyncPhase`] with an owned error text, to move into a blocking task.
enum OwnedPhase {
    Connecting,
    Syncing { total: u64, done: u64 },
    Idle,
    Polling,
    Error(String),
}

impl OwnedPhase {
    fn borrowed(&self) -> SyncPhase<'_> {
        match self {
            Self::Connecting => SyncPhase::Connecting,
            Self::Syncing { total, done } => SyncPhase::Syncing {
                total: *total,
                done: *done,
            },
            Self::Idle => SyncPhase::Idle,
            Self::Polling => SyncPhase::Polling,
            Self::Error(e) => SyncPhase::Error(e),
        }
    }
}

/// Runs until `stop` turns true.
pub async fn run_account(
    ws: Arc<Workspace>,
    endpoint: EmailEndpoint,
    options: MailOptions,
    mut stop: watch::Receiver<bool>,
) {
    let mut failures: u32 = 0;
    loop {
        if *stop.borrow() {
            return;
        }
        let main = endpoint.config.folder.as_str();
        phase(&ws, &endpoint, main, OwnedPhase::Connecting).await;
        let policy = match db(&ws, |ws| ws.delivery().egress_policy()).await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "egress policy could not be read");
                if !sleep_or_stop(&mut stop, options.reconnect_base).await {
                    return;
                }
                continue;
            }
        };
        let outcome = match imap::connect(&endpoint, &policy, options.timeout).await {
            Ok((session, idle)) => {
                serve(
                    &ws,
                    &endpoint,
                    &options,
                    session,
                    idle,
                    &mut stop,
                    &mut failures,
                )
                .await
            }
            Err(e) => Err(e),
        };
        let error = match outcome {
            Ok(()) => return,
            Err(e) => e,
        };
        failures = failures.saturating_add(1);
        tracing::warn!(account = endpoint.id.get(), error = %error, "mail sync interrupted");
        phase(
            &ws,
            &endpoint,
            main,
            OwnedPhase::Error(error.message.clone()),
        )
        .await;
        let wait = reconnect_delay(&options, failures);
        if !sleep_or_stop(&mut stop, wait).await {
            return;
        }
    }
}

/// Doubling from `reconnect_base`, capped, with up to a quarter of jitter.
pub fn reconnect_delay(options: &MailOptions, failures: u32) -> Duration {
    use rand::Rng;
    let exp = options
        .reconnect_base
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(options.reconnect_max);
    let jitter = rand::thread_rng().gen_range(0.0..0.25);
    exp.mul_f64(1.0 + jitter)
}

async fn sleep_or_stop(stop: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        _ = stop.changed() => false,
        _ = tokio::time::sleep(wait) => !*stop.borrow(),
    }
}

/// Pending news in the session's queue of unsolicited answers (EXISTS and the like).
fn drain_news(session: &mut Session) -> bool {
    let mut any = false;
    while session.unsolicited_responses.try_recv().is_ok() {
        any = true;
    }
    any
}

/// Syncs, then waits for news, until stopped (Ok) or the connection fails (Err). The
/// failure count goes back to zero only once a whole round went through (sync and
/// IDLE, or sync before a poll), so a problem after login (a wrong folder, IDLE
/// refused) still backs off.
async fn serve(
    ws: &Arc<Workspace>,
    endpoint: &EmailEndpoint,
    options: &MailOptions,
    mut session: Session,
    idle: bool,
    stop: &mut watch::Receiver<bool>,
    failures: &mut u32,
) -> Result<(), MailError> {
    let t = options.timeout;
    let main = endpoint.config.folder.as_str();
    list_folders(ws, endpoint, &mut session, t).await;
    let mut memo = ReadStateMemo::new(imap::offers_qresync(&mut session).await);
    let folders = endpoint.config.folders();
    // With other folders to sync, an IDLE on the main one ends at the poll interval.
    let idle_wait = if folders.len() > 1 {
        options.idle_renew.min(options.poll_interval)
    } else {
        options.idle_renew
    };
    loop {
        sync_folders(
            ws,
            endpoint,
            &mut session,
            &folders,
            options,
            Some(stop),
            &mut memo,
        )
        .await?;
        if *stop.borrow() {
            let _ = tokio::time::timeout(t, session.logout()).await;
            return Ok(());
        }
        if idle {
            // The last folder synced is the one open: IDLE watches the main folder, and
            // mail that reached it while the others synced is fetched first.
            if folders.len() > 1 {
                let status = imap::within(t, "EXAMINE", imap::examine(&mut session, main)).await?;
                let (account, folder) = (endpoint.id, main.to_string());
                let known = db(ws, move |ws| ws.delivery().mail_folder(account, &folder))
                    .await
                    .map_err(|e| MailError::retry(&format!("the store could not be read ({e})")))?;
                if status.uidnext.is_some_and(|next| next > known.uidnext) {
                    continue;
                }
            }
            phase(ws, endpoint, main, OwnedPhase::Idle).await;
            // News that arrived during the sync is already in the queue.
            if drain_news(&mut session) {
                continue;
            }
            // A second handle on the queue: news the server sends while IDLE starts
            // (before its "+ idling") lands there, out of reach of the IDLE handle.
            let news = session.unsolicited_responses.clone();
            let mut handle = session.idle();
            imap::within(t, "IDLE", async {
                handle
                    .init()
                    .await
                    .map_err(|e| MailError::protocol("IDLE", &e))
            })
            .await?;
            let mut early = false;
            while news.try_recv().is_ok() {
                early = true;
            }
            let stopped = if early {
                // Mail came in just now: end this IDLE at once and sync.
                false
            } else {
                let (wait, _interrupt) = handle.wait_with_timeout(idle_wait);
                tokio::select! {
                    _ = stop.changed() => true,
                    r = tokio::time::timeout(idle_wait, wait) => {
                        if let Ok(Err(e)) = r {
                            return Err(MailError::protocol("IDLE", &e));
                        }
                        false
                    }
                }
            };
            session = imap::within(t, "DONE", async {
                handle
                    .done()
                    .await
                    .map_err(|e| MailError::protocol("DONE", &e))
            })
            .await?;
            // A whole round (sync, IDLE, DONE) went through: the line is healthy.
            *failures = 0;
            if stopped || *stop.borrow() {
                let _ = tokio::time::timeout(t, session.logout()).await;
                return Ok(());
            }
        } else {
            phase(ws, endpoint, main, OwnedPhase::Polling).await;
            *failures = 0;
            if !sleep_or_stop(stop, options.poll_interval).await {
                let _ = tokio::time::timeout(t, session.logout()).await;
                return Ok(());
            }
        }
    }
}

/// Syncs each of `folders` in turn; returns how many mails were fetched. A picked folder
/// the server no longer opens is shown so at that folder while the others go on; the
/// main folder failing ends the round.
async fn sync_folders(
    ws: &Arc<Workspace>,
    endpoint: &EmailEndpoint,
    session: &mut Session,
    folders: &[String],
    options: &MailOptions,
    stop: Option<&watch::Receiver<bool>>,
    memo: &mut ReadStateMemo,
) -> Result<usize, MailError> {
    let mut fetched = 0;
    for folder in folders {
        if stop.is_some_and(|s| *s.borrow()) {
            break;
        }
        match sync_folder(ws, endpoint, session, folder, options, stop, memo).await {
            Ok(n) => fetched += n,
            Err(e) if e.refused && *folder != endpoint.config.folder => {
                tracing::warn!(account = endpoint.id.get(), error = %e, "a picked folder cannot be synced");
                phase(ws, endpoint, folder, OwnedPhase::Error(e.message)).await;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(fetched)
}

/// Lists the server's folders and keeps the list for the admin's pick; a server that
/// will not list them only leaves the list as it was.
async fn list_folders(
    ws: &Arc<Workspace>,
    endpoint: &EmailEndpoint,
    session: &mut Session,
    timeout: std::time::Duration,
) {
    let listed = imap::within(timeout, "LIST", imap::list_folders(session)).await;
    let account = endpoint.id;
    match listed {
        Ok(folders) => {
            let count = folders.len();
            let stored = db(ws, move |ws| {
                ws.delivery()
                    .set_mail_folder_list(account, &folders, Timestamp::now())
            })
            .await;
            match stored {
                Ok(()) => tracing::debug!(account = account.get(), count, "mail folders listed"),
                Err(e) => tracing::error!(error = %e, "the folder list could not be stored"),
            }
        }
        Err(e) => {
            tracing::warn!(account = account.get(), error = %e, "mail folders could not be listed")
        }
    }
}

/// What the read-state check of each folder last saw, for one connection: on a server
/// with QRESYNC a folder whose HIGHESTMODSEQ and size are what they were when its state was
/// last applied has changed in nothing (no flag, no expunge, no new mail), so its two
/// `UID SEARCH`es are skipped. A new connection starts with a full check of every folder.
#[derive(Debug, Default)]
pub struct ReadStateMemo {
    qresync: bool,
    /// Per folder: UIDVALIDITY, HIGHESTMODSEQ and EXISTS when its state was applied.
    applied: std::collections::HashMap<String, (u32, u64, u32)>,
    /// Full checks made and checks skipped (for tests and logs).
    pub checked: u32,
    pub skipped: u32,
}

impl ReadStateMemo {
    pub fn new(qresync: bool) -> Self {
        Self {
            qresync,
            ..Self::default()
        }
    }
}

/// Brings `folder` up to date: new mail fetched and stored, then what the mailbox says
/// of the mail stored from it (read there, or gone) applied here.
pub async fn sync_folder(
    ws: &Arc<Workspace>,
    endpoint: &EmailEndpoint,
    session: &mut Session,
    folder: &str,
    options: &MailOptions,
    stop: Option<&watch::Receiver<bool>>,
    memo: &mut ReadStateMemo,
) -> Result<usize, MailError> {
    let (fetched, status) = fetch_new(ws, endpoint, session, folder, options, stop).await?;
    if !stop.is_some_and(|s| *s.borrow()) {
        // Read state is worth a retry at the next pass, not the round: new mail first.
        // A broken connection shows at the next command anyway.
        let checked = mailbox_state(ws, endpoint, session, folder, status, options.timeout, memo);
        if let Err(e) = checked.await {
            tracing::warn!(account = endpoint.id.get(), error = %e, "the mailbox's read state could not be read; tried again next pass");
        }
    }
    Ok(fetched)
}

/// Asks the server which UIDs are in `folder` and which are unread there (two `UID
/// SEARCH`es, only when mail is stored from it and, on a QRESYNC server, only when the
/// folder changed since its state was last applied: see [`ReadStateMemo`]) and applies the
/// answer. An answer that lists fewer mails than the folder said it holds (a refused or
/// cut-off search) is not applied: nothing is marked gone on a partial answer.
async fn mailbox_state(
    ws: &Arc<Workspace>,
    endpoint: &EmailEndpoint,
    session: &mut Session,
    folder: &str,
    status: imap::FolderStatus,
    timeout: std::time::Duration,
    memo: &mut ReadStateMemo,
) -> Result<(), MailError> {
    let uidvalidity = status.uidvalidity;
    let account = endpoint.id;
    let known = {
        let folder = folder.to_string();
        db(ws, move |ws| {
            ws.delivery().mail_known_in(account, &folder, uidvalidity)
        })
        .await
        .map_err(|e| MailError::retry(&format!("the store could not be read ({e})")))?
    };
    if !known {
        return Ok(());
    }
    // Read before the searches: a change made meanwhile raises it past what is kept.
    let modseq = match memo.qresync {
        true => imap::within(timeout, "STATUS", imap::highest_modseq(session, folder))
            .await
            .ok()
            .flatten(),
        false => None,
    };
    let now = modseq.map(|m| (uidvalidity, m, status.exists));
    if now.is_some() && memo.applied.get(folder) == now.as_ref() {
        memo.skipped += 1;
        return Ok(());
    }
    memo.applied.remove(folder);
    let search_timeout = timeout.saturating_mul(4);
    let present = imap::within(search_timeout, "SEARCH", imap::search_uids(session, "ALL")).await?;
    if (present.len() as u64) < u64::from(status.exists) {
        return Err(MailError::retry(
            "the server's list of the folder's mail was incomplete",
        ));
    }
    let unseen = imap::within(
        search_timeout,
        "SEARCH",
        imap::search_uids(session, "UNSEEN"),
    )
    .await?;
    let seen: std::collections::HashSet<u32> = present.difference(&unseen).copied().collect();
    // Mail stored meanwhile by another session is above what EXAMINE saw: never judged.
    let below = status.uidnext.unwrap_or(u32::MAX);
    let name = folder.to_string();
    let folder = folder.to_string();
    db(ws, move |ws| {
        let state = appcare_core::service::mail_seen::FolderState {
            folder: &folder,
            uidvalidity,
            below,
            present: &present,
            seen: &seen,
        };
        ws.delivery()
            .apply_mailbox_state(account, &state, Timestamp::now())
    })
    .await
    .map_err(|e| MailError::retry(&format!("the mailbox's state could not be stored ({e})")))?;
    memo.checked += 1;
    if let Some(now) = now {
        memo.applied.insert(name, now);
    }
    Ok(())
}

/// Fetches and stores `folder`'s new mail; returns how many and the folder as EXAMINE
/// found it. Batches are fetched while the previous one is stored;
/// mail too large to fetch is stored with the batch its UID falls in, so the folder's
/// next UID never passes a mail that is not stored yet. Between batches a stop request
/// ends the sync (what is stored stays stored).
async fn fetch_new(
    ws: &Arc<Workspace>,
    endpoint: &EmailEndpoint,
    session: &mut Session,
    folder: &str,
    options: &MailOptions,
    stop: Option<&watch::Receiver<bool>>,
) -> Result<(usize, imap::FolderStatus), MailError> {
    let t = options.timeout;
    let fetch_timeout = t.saturating_mul(4);
    let account = endpoint.id;
    let folder = folder.to_string();
    let status = imap::within(t, "EXAMINE", imap::examine(session, &folder)).await?;
    let stored = {
        let folder = folder.clone();
        db(ws, move |ws| ws.delivery().mail_folder(account, &folder))
            .await
            .map_err(|e| MailError::retry(&format!("the store could not be read ({e})")))?
    };
    let mut from = stored.uidnext;
    let lowered = status.uidnext.is_some_and(|next| next < stored.uidnext);
    if stored.uidvalidity != status.uidvalidity || lowered {
        let folder = folder.clone();
        let uidvalidity = status.uidvalidity;
        db(ws, move |ws| {
            ws.delivery()
                .reset_mail_folder(account, &folder, uidvalidity, Timestamp::now())
        })
        .await
        .map_err(|e| MailError::retry(&format!("the store could not be written ({e})")))?;
        from = 1;
    }
    if status.uidnext.is_some_and(|next| next <= from) {
        return Ok((0, status));
    }
    let uids = imap::within(fetch_timeout, "FETCH", imap::list_new(session, from)).await?;
    let sizes: std::collections::HashMap<u32, u64> = uids.iter().copied().collect();
    if uids.is_empty() {
        return Ok((0, status));
    }
    let total = uids.len();
    phase(
        ws,
        endpoint,
        &folder,
        OwnedPhase::Syncing {
            total: total as u64,
            done: 0,
        },
    )
    .await;
    let (batches, mut oversized) = imap::plan_batches(&uids);
    let uidvalidity = status.uidvalidity;
    let mut storing: Option<tokio::task::JoinHandle<Result<(), MailError>>> = None;
    for batch in batches {
        if stop.is_some_and(|s| *s.borrow()) {
            break;
        }
        // The deadline grows with the bytes asked for (a slow line and an 80 MB mail).
        let bytes: u64 = batch.iter().filter_map(|u| sizes.get(u)).sum();
        let deadline = fetch_timeout + std::time::Duration::from_secs(bytes / (64 * 1024));
        let fetch = imap::within(
            deadline,
            "FETCH",
            imap::fetch_batch(session, &batch, Timestamp::now()),
        );
        let fetched = match stop {
            Some(stop) => {
                let mut stop = stop.clone();
                tokio::select! {
                    r = fetch => Some(r),
                    _ = stop.changed() => None,
                }
            }
            None => Some(fetch.await),
        };
        // Stopped in the middle of a fetch: nothing of it is stored, nothing is lost.
        let Some(fetched) = fetched else {
            break;
        };
        let mut items = match fetched {
            Ok(items) => items,
            // The server refused the batch (one message it cannot return): one by one,
            // so only that one is set aside.
            Err(e) if e.refused => fetch_one_by_one(session, &batch, deadline).await?,
            Err(e) => return Err(e),
        };
        let last = batch.last().copied().unwrap_or(0);
        let (now_due, later): (Vec<_>, Vec<_>) =
            oversized.iter().partition(|(uid, _)| *uid <= last);
        oversized = later;
        if !now_due.is_empty() {
            items.extend(imap::within(t, "FETCH", imap::oversized_items(session, &now_due)).await?);
        }
        if let Some(previous) = storing.take() {
            join_store(previous).await?;
        }
        storing = Some(spawn_store(ws, account, &folder, uidvalidity, items));
    }
    if let Some(previous) = storing.take() {
        join_store(previous).await?;
    }
    if !oversized.is_empty() && !stop.is_some_and(|s| *s.borrow()) {
        let items = imap::within(t, "FETCH", imap::oversized_items(session, &oversized)).await?;
        join_store(spawn_store(ws, account, &folder, uidvalidity, items)).await?;
    }
    Ok((total, status))
}

/// Fetches UIDs one at a time; a UID the server refuses to return is set aside, unless
/// it refuses them all (then it is the server's trouble, not the mail's: try later).
async fn fetch_one_by_one(
    session: &mut Session,
    uids: &[u32],
    timeout: std::time::Duration,
) -> Result<Vec<MailItem>, MailError> {
    let mut items = Vec::new();
    for &uid in uids {
        match imap::within(
            timeout,
            "FETCH",
            imap::fetch_batch(session, &[uid], Timestamp::now()),
        )
        .await
        {
            Ok(mut one) => items.append(&mut one),
            Err(e) if e.refused => items.push(MailItem::SetAside {
                uid,
                size: 0,
                reason: format!("the server would not return it ({})", e.message),
                from_address: String::new(),
                subject: String::new(),
                raw: None,
                key: None,
            }),
            Err(e) => return Err(e),
        }
    }
    let refused_all = items.iter().all(|i| {
        matches!(
            i,
            MailItem::SetAside {
                size: 0,
                raw: None,
                ..
            }
        )
    });
    if refused_all && !items.is_empty() {
        return Err(MailError::retry(
            "the IMAP server refuses to return mail just now",
        ));
    }
    Ok(items)
}

fn spawn_store(
    ws: &Arc<Workspace>,
    account: appcare_core::ids::ChannelAccountId,
    folder: &str,
    uidvalidity: u32,
    items: Vec<MailItem>,
) -> tokio::task::JoinHandle<Result<(), MailError>> {
    let ws = ws.clone();
    let folder = folder.to_string();
    tokio::task::spawn_blocking(move || {
        ws.delivery()
            .apply_mail(account, &folder, uidvalidity, &items, Timestamp::now())
            .map(drop)
            .map_err(|e| MailError::retry(&format!("mail could not be stored ({e})")))
    })
}

async fn join_store(
    handle: tokio::task::JoinHandle<Result<(), MailError>>,
) -> Result<(), MailError> {
    handle
        .await
        .map_err(|_| MailError::retry("storing mail stopped unexpectedly"))?
}

/// Connects, brings every picked folder up to date once, and logs out: `appcare channel sync`
/// and the benchmark. Returns how many messages were fetched.
pub async fn sync_once(
    ws: Arc<Workspace>,
    endpoint: &EmailEndpoint,
    options: &MailOptions,
) -> Result<usize, MailError> {
    let main = endpoint.config.folder.as_str();
    phase(&ws, endpoint, main, OwnedPhase::Connecting).await;
    let policy = db(&ws, |ws| ws.delivery().egress_policy())
        .await
        .map_err(|e| MailError::retry(&format!("the store could not be read ({e})")))?;
    let result: Result<usize, MailError> = async {
        let (mut session, _) = imap::connect(endpoint, &policy, options.timeout).await?;
        list_folders(&ws, endpoint, &mut session, options.timeout).await;
        let folders = endpoint.config.folders();
        let mut memo = ReadStateMemo::new(imap::offers_qresync(&mut session).await);
        let fetched = sync_folders(
            &ws,
            endpoint,
            &mut session,
            &folders,
            options,
            None,
            &mut memo,
        )
        .await?;
        let _ = tokio::time::timeout(options.timeout, session.logout()).await;
        Ok(fetched)
    }
    .await;
    match &result {
        Ok(_) => phase(&ws, endpoint, main, OwnedPhase::Polling).await,
        Err(e) => phase(&ws, endpoint, main, OwnedPhase::Error(e.message.clone())).await,
    }
    result
}
