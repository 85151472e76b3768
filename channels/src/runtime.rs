//! The channel runtime: sends the outbox (retries with backoff and jitter on 429, 5xx and
//! timeouts, never twice), downloads announced media, runs provider tasks (templates,
//! in-country storage, handing threads back) and polls Messenger where no webhook reaches
//! us. One per open workspace, in the desktop or the hub.

use crate::adapter::{adapter_for, ChannelAdapter};
use crate::graph::{Graph, GraphError};
use appcare_core::channel::email::EmailEndpoint;
use appcare_core::channel::{Channel, ChannelEndpoint, LocalStorageView, OutboundJob};
use appcare_core::events::Event;
use appcare_core::privacy::egress::EgressPolicy;
use appcare_core::service::delivery::{ChannelTask, MediaJob, TaskOutcome};
use appcare_core::{Timestamp, Workspace};
use rand::Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// How often the loops look for due work when no event wakes them.
    pub tick: Duration,
    /// Timeout of one Graph API call.
    pub http_timeout: Duration,
    /// First retry delay; it doubles per attempt up to `retry_max_seconds`.
    pub retry_base_seconds: i64,
    pub retry_max_seconds: i64,
    /// Attempts before a send is reported failed.
    pub max_attempts: i64,
    /// The largest inbound file stored.
    pub media_max_bytes: usize,
    /// How often Messenger accounts with polling on are polled.
    pub poll_interval: Duration,
    /// How often the retention purge runs.
    pub maintenance_interval: Duration,
    /// The e-mail sync's timings.
    pub mail: crate::email::sync::MailOptions,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            tick: Duration::from_millis(500),
            http_timeout: Duration::from_secs(30),
            retry_base_seconds: 2,
            retry_max_seconds: 300,
            max_attempts: 8,
            media_max_bytes: 64 * 1024 * 1024,
            poll_interval: Duration::from_secs(30),
            maintenance_interval: Duration::from_secs(3600),
            mail: crate::email::sync::MailOptions::default(),
        }
    }
}

/// The running loops; [`ChannelRuntime::stop`] ends them.
pub struct ChannelRuntime {
    shutdown: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

/// Tells whether every loop of a runtime still runs (none stopped or panicked), for a
/// readiness check held apart from the runtime itself.
#[derive(Clone)]
pub struct RuntimeProbe(Arc<Vec<tokio::task::AbortHandle>>);

impl RuntimeProbe {
    pub fn alive(&self) -> bool {
        self.0.iter().all(|loop_| !loop_.is_finished())
    }
}

#[derive(Clone)]
struct Ctx {
    ws: Arc<Workspace>,
    http: reqwest::Client,
    options: RuntimeOptions,
}

impl ChannelRuntime {
    /// Marks sends interrupted by a previous stop as unconfirmed, then starts the loops on
    /// the current Tokio runtime.
    pub fn start(ws: Arc<Workspace>, options: RuntimeOptions) -> Result<Self, String> {
        let recovered = ws
            .delivery()
            .recover_interrupted_sends()
            .map_err(|e| e.to_string())?;
        if recovered > 0 {
            tracing::warn!(
                recovered,
                "sends interrupted by the last stop are marked unconfirmed"
            );
        }
        let http = crate::graph::client(options.http_timeout)?;
        let ctx = Ctx { ws, http, options };
        let (shutdown, stop) = watch::channel(false);
        let handles = vec![
            tokio::spawn(outbox_loop(ctx.clone(), stop.clone())),
            tokio::spawn(media_loop(ctx.clone(), stop.clone())),
            tokio::spawn(task_loop(ctx.clone(), stop.clone())),
            tokio::spawn(poll_loop(ctx.clone(), stop.clone())),
            tokio::spawn(mail_loop(ctx.clone(), stop.clone())),
            tokio::spawn(snooze_loop(ctx.clone(), stop.clone())),
            tokio::spawn(maintenance_loop(ctx, stop)),
        ];
        Ok(Self { shutdown, handles })
    }

    pub fn probe(&self) -> RuntimeProbe {
        RuntimeProbe(Arc::new(
            self.handles.iter().map(JoinHandle::abort_handle).collect(),
        ))
    }

    /// Stops the loops after the work in hand.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for h in self.handles {
            let _ = h.await;
        }
    }
}

async fn db<T: Send + 'static>(ctx: &Ctx, f: impl FnOnce(&Workspace) -> T + Send + 'static) -> T {
    let ws = ctx.ws.clone();
    match tokio::task::spawn_blocking(move || f(&ws)).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Connected accounts by id, each with the workspace's egress allowlist.
async fn endpoints(ctx: &Ctx) -> Option<HashMap<i64, (ChannelEndpoint, EgressPolicy)>> {
    let read = db(ctx, |ws| {
        Ok::<_, appcare_core::CoreError>((
            ws.delivery().endpoints()?,
            ws.delivery().egress_policy()?,
        ))
    })
    .await;
    match read {
        Ok((list, policy)) => Some(
            list.into_iter()
                .map(|e| (e.id.get(), (e, policy.clone())))
                .collect(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "channel accounts could not be read");
            None
        }
    }
}

/// Audits a connection the allowlist refused.
async fn note_refusal(ctx: &Ctx, account: appcare_core::ids::ChannelAccountId, error: &GraphError) {
    if let GraphError::EgressRefused { host } = error {
        let host = host.clone();
        tracing::warn!(host = %host, "connection refused by the egress allowlist");
        store(ctx, move |ws| {
            ws.delivery()
                .egress_refused(account, &host, Timestamp::now())
        })
        .await;
    }
}

/// Waits for the tick, a wake-up event, or shutdown (returns false).
async fn pause(
    tick: Duration,
    stop: &mut watch::Receiver<bool>,
    events: Option<&mut tokio::sync::broadcast::Receiver<Event>>,
) -> bool {
    let woken = async {
        match events {
            Some(rx) => loop {
                match rx.recv().await {
                    Ok(
                        Event::ReplyQueued { .. }
                        | Event::MessageStatusChanged { .. }
                        | Event::ChannelsChanged,
                    ) => break,
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        std::future::pending::<()>().await;
                    }
                }
            },
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = stop.changed() => false,
        _ = tokio::time::sleep(tick) => !*stop.borrow(),
        _ = woken => !*stop.borrow(),
    }
}

/// Exponential backoff with jitter: between half and all of `base·2^(attempt-1)`, capped,
/// and never sooner than Meta's `Retry-After`.
pub fn backoff_seconds(
    options: &RuntimeOptions,
    attempt: i64,
    retry_after: Option<Duration>,
) -> i64 {
    let exp = options
        .retry_base_seconds
        .max(1)
        .saturating_mul(1_i64 << (attempt - 1).clamp(0, 20))
        .min(options.retry_max_seconds.max(1));
    let low = (exp + 1) / 2;
    let jittered = rand::thread_rng().gen_range(low..=exp);
    let asked = retry_after.map(|d| d.as_secs() as i64).unwrap_or(0);
    jittered.max(asked).max(1)
}

async fn outbox_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let mut events = ctx.ws.subscribe();
    loop {
        let now = Timestamp::now();
        match db(&ctx, move |ws| ws.delivery().claim_outbox(now, 20)).await {
            Ok(jobs) if !jobs.is_empty() => {
                let Some(accounts) = endpoints(&ctx).await else {
                    // Not the jobs' fault: put them back for a later try.
                    for job in jobs {
                        let at = Timestamp::now().plus_seconds(5);
                        let message = job.message;
                        store(&ctx, move |ws| {
                            ws.delivery().outbox_retry(
                                message,
                                at,
                                "the workspace could not be read",
                            )
                        })
                        .await;
                    }
                    continue;
                };
                let mailboxes = email_endpoints(&ctx).await;
                let mut set = tokio::task::JoinSet::new();
                for job in jobs {
                    if job.channel == Channel::Email {
                        let endpoint = mailboxes.get(&job.account.get()).cloned();
                        set.spawn(send_email(ctx.clone(), endpoint, job));
                        continue;
                    }
                    let endpoint = accounts.get(&job.account.get()).cloned();
                    set.spawn(send_one(ctx.clone(), endpoint, job));
                }
                while set.join_next().await.is_some() {}
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox could not be read"),
        }
        if !pause(ctx.options.tick, &mut stop, Some(&mut events)).await {
            break;
        }
    }
}

async fn send_one(ctx: Ctx, endpoint: Option<(ChannelEndpoint, EgressPolicy)>, job: OutboundJob) {
    let message = job.message;
    let Some((endpoint, policy)) = endpoint else {
        let _ = db(&ctx, move |ws| {
            ws.delivery()
                .outbox_failed(message, "This channel account is not connected any more.")
        })
        .await;
        return;
    };
    let Some(adapter) = adapter_for(endpoint.channel) else {
        return;
    };
    let graph = Graph::new(&ctx.http, &endpoint, &policy);
    let result = adapter.send(&graph, &endpoint, &job).await;
    if let Err(e) = &result {
        note_refusal(&ctx, endpoint.id, e).await;
    }
    let outcome = match result {
        Ok(external_id) => {
            crate::failpoint::hit(crate::failpoint::OUTBOX_AFTER_SEND);
            db(&ctx, move |ws| {
                ws.delivery().outbox_sent(message, &external_id)
            })
            .await
        }
        // Meta answered but the answer was unreadable: it may have the message.
        Err(GraphError::BadResponse(reason)) => {
            db(&ctx, move |ws| {
                ws.delivery().outbox_unconfirmed(message, &reason)
            })
            .await
        }
        Err(e) if e.is_retryable() && job.attempt < ctx.options.max_attempts => {
            let wait = backoff_seconds(&ctx.options, job.attempt, e.retry_after());
            let at = Timestamp::now().plus_seconds(wait);
            let reason = e.explanation();
            tracing::info!(
                attempt = job.attempt,
                wait,
                code = e.code(),
                "send will be retried"
            );
            db(&ctx, move |ws| {
                ws.delivery().outbox_retry(message, at, &reason)
            })
            .await
        }
        Err(e) => {
            let explanation = if e.is_retryable() {
                format!(
                    "{} (gave up after {} attempts)",
                    e.explanation(),
                    job.attempt
                )
            } else {
                e.explanation()
            };
            tracing::warn!(code = e.code(), "send failed for good");
            db(&ctx, move |ws| {
                ws.delivery().outbox_failed(message, &explanation)
            })
            .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "send result could not be stored");
    }
}

/// Copies of sent replies being filed in Sent, across all mailboxes.
static SENT_COPIES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Connected mailboxes in use by id, each with the egress allowlist (`None` when
/// unreadable).
async fn read_email_endpoints(ctx: &Ctx) -> Option<HashMap<i64, (EmailEndpoint, EgressPolicy)>> {
    let read = db(ctx, |ws| {
        Ok::<_, appcare_core::CoreError>((
            ws.delivery().email_endpoints()?,
            ws.delivery().egress_policy()?,
        ))
    })
    .await;
    match read {
        Ok((list, policy)) => Some(
            list.into_iter()
                .map(|e| (e.id.get(), (e, policy.clone())))
                .collect(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "e-mail accounts could not be read");
            None
        }
    }
}

/// Connected mailboxes in use by id (empty when unreadable).
async fn email_endpoints(ctx: &Ctx) -> HashMap<i64, (EmailEndpoint, EgressPolicy)> {
    read_email_endpoints(ctx).await.unwrap_or_default()
}

/// One e-mail reply over SMTP, with the outbox's retry rules; then a copy in Sent.
async fn send_email(ctx: Ctx, endpoint: Option<(EmailEndpoint, EgressPolicy)>, job: OutboundJob) {
    use crate::email::smtp::{self, SendError};
    let message = job.message;
    let Some((endpoint, policy)) = endpoint else {
        let _ = db(&ctx, move |ws| {
            ws.delivery()
                .outbox_failed(message, "This mailbox is not connected any more.")
        })
        .await;
        return;
    };
    let timeout = ctx.options.mail.timeout;
    let result = smtp::send(&endpoint, &policy, &job, timeout).await;
    let external_id = job
        .email
        .as_ref()
        .map(|h| appcare_core::store::mail::external_id(endpoint.id, &h.message_id))
        .unwrap_or_default();
    let outcome = match result {
        Ok(raw) => {
            crate::failpoint::hit(crate::failpoint::OUTBOX_AFTER_SEND);
            let stored = db(&ctx, move |ws| {
                ws.delivery().outbox_sent(message, &external_id)
            })
            .await;
            // The copy in Sent runs on its own, so a slow mailbox holds up no send; at
            // most two at a time, so copies never crowd out the sync's own login.
            let ws = ctx.ws.clone();
            tokio::spawn(async move {
                let _turn = SENT_COPIES.acquire().await;
                let copied = smtp::copy_to_sent(&endpoint, &policy, &raw, timeout).await;
                let account = endpoint.id;
                if copied.is_ok() {
                    let ws = ws.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        ws.delivery().clear_sent_copy_error(account)
                    })
                    .await;
                }
                if let Err(e) = copied {
                    tracing::warn!(account = endpoint.id.get(), error = %e, "reply sent; its copy in Sent failed");
                    let account = endpoint.id;
                    let shown = format!(
                        "Replies are sent, but filing a copy in the Sent folder failed: {e}"
                    );
                    let _ = tokio::task::spawn_blocking(move || {
                        ws.delivery()
                            .update_account_state(account, None, Some(shown))
                    })
                    .await;
                }
            });
            stored
        }
        Err(SendError::Retry(reason)) if job.attempt < ctx.options.max_attempts => {
            let wait = backoff_seconds(&ctx.options, job.attempt, None);
            let at = Timestamp::now().plus_seconds(wait);
            tracing::info!(attempt = job.attempt, wait, "e-mail send will be retried");
            db(&ctx, move |ws| {
                ws.delivery().outbox_retry(message, at, &reason)
            })
            .await
        }
        Err(SendError::Retry(reason)) => {
            let explanation = format!("{reason} (gave up after {} attempts)", job.attempt);
            db(&ctx, move |ws| {
                ws.delivery().outbox_failed(message, &explanation)
            })
            .await
        }
        Err(SendError::Unconfirmed(reason)) => {
            tracing::warn!("e-mail send unconfirmed");
            db(&ctx, move |ws| {
                ws.delivery().outbox_unconfirmed(message, &reason)
            })
            .await
        }
        Err(SendError::Final(reason)) => {
            tracing::warn!("e-mail send refused for good");
            let explanation = format!("The mail server refused this reply: {reason}");
            db(&ctx, move |ws| {
                ws.delivery().outbox_failed(message, &explanation)
            })
            .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "send result could not be stored");
    }
}

/// Starts one sync per connected mailbox, and one for each mailbox connected later.
/// Whether two endpoints of a mailbox connect the same way (servers, login, folders).
fn same_connection(a: &EmailEndpoint, b: &EmailEndpoint) -> bool {
    let (x, y) = (&a.config, &b.config);
    x.imap == y.imap
        && x.smtp == y.smtp
        && x.username == y.username
        && x.folder == y.folder
        && x.more_folders == y.more_folders
        && x.sent_folder == y.sent_folder
        && x.ca_pem == y.ca_pem
        && x.address == y.address
        && a.password.expose() == b.password.expose()
}

/// Learns how large a mail the mailbox's SMTP server takes (its `SIZE`), so the composer
/// can say how much may be attached; asked when the mailbox's sync (re)starts.
async fn learn_mail_size(ctx: Ctx, endpoint: EmailEndpoint, policy: EgressPolicy) {
    let account = endpoint.id;
    match crate::email::smtp::size_limit(&endpoint, &policy, ctx.options.mail.timeout).await {
        Ok(size) => {
            if let Err(e) = db(&ctx, move |ws| {
                ws.delivery().record_mail_size_limit(account, size)
            })
            .await
            {
                tracing::warn!(account = account.get(), error = %e, "the mail size limit could not be stored");
            }
        }
        Err(reason) => tracing::info!(
            account = account.get(),
            reason = %reason,
            "the SMTP server's size limit could not be read"
        ),
    }
}

async fn mail_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let mut events = ctx.ws.subscribe();
    let mut running: HashMap<i64, (JoinHandle<()>, EmailEndpoint)> = HashMap::new();
    loop {
        // A sync that ended on its own (it should not) is started again.
        running.retain(|_, (handle, _)| !handle.is_finished());
        let read = read_email_endpoints(&ctx).await;
        // A mailbox whose connection settings or password changed stops its sync (waited
        // for, so two never run at once) and starts again below with what is stored now;
        // one disabled or removed stops for good. A signature change does not touch the
        // sync; a failed read changes nothing.
        let changed: Vec<i64> = running
            .iter()
            .filter(|(id, (_, was))| match &read {
                Some(current) => current
                    .get(*id)
                    .is_none_or(|(now, _)| !same_connection(now, was)),
                None => false,
            })
            .map(|(id, _)| *id)
            .collect();
        let current = read.unwrap_or_default();
        for id in changed {
            if let Some((handle, _)) = running.remove(&id) {
                tracing::info!(
                    account = id,
                    "mailbox settings changed or mailbox stopped; its sync ends"
                );
                handle.abort();
                let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
            }
        }
        for (id, (endpoint, policy)) in current {
            if running.contains_key(&id) {
                continue;
            }
            tokio::spawn(learn_mail_size(ctx.clone(), endpoint.clone(), policy));
            let task = crate::email::sync::run_account(
                ctx.ws.clone(),
                endpoint.clone(),
                ctx.options.mail.clone(),
                stop.clone(),
            );
            running.insert(id, (tokio::spawn(task), endpoint));
        }
        let woken = async {
            loop {
                match events.recv().await {
                    Ok(Event::ChannelsChanged)
                    | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        std::future::pending::<()>().await;
                    }
                }
            }
        };
        let go_on = tokio::select! {
            _ = stop.changed() => false,
            _ = tokio::time::sleep(Duration::from_secs(30)) => !*stop.borrow(),
            _ = woken => !*stop.borrow(),
        };
        if !go_on {
            break;
        }
    }
    for (_, (handle, _)) in running {
        let _ = handle.await;
    }
}

async fn media_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    loop {
        let now = Timestamp::now();
        match db(&ctx, move |ws| ws.delivery().claim_media(now, 5)).await {
            Ok(jobs) if !jobs.is_empty() => {
                let Some(accounts) = endpoints(&ctx).await else {
                    continue;
                };
                for job in jobs {
                    let endpoint = accounts.get(&job.account.get()).cloned();
                    fetch_one(&ctx, endpoint, job).await;
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "media queue could not be read"),
        }
        if !pause(ctx.options.tick, &mut stop, None).await {
            break;
        }
    }
}

async fn fetch_one(ctx: &Ctx, endpoint: Option<(ChannelEndpoint, EgressPolicy)>, job: MediaJob) {
    let Some((endpoint, policy)) = endpoint else {
        let _ = db(ctx, move |ws| {
            ws.delivery()
                .media_failed(&job, "the channel account is not connected")
        })
        .await;
        return;
    };
    let Some(adapter) = adapter_for(endpoint.channel) else {
        return;
    };
    let graph = Graph::new(&ctx.http, &endpoint, &policy);
    let result = adapter
        .fetch_media(&graph, &endpoint, &job.media, ctx.options.media_max_bytes)
        .await;
    if let Err(crate::whatsapp::MediaError::Graph(e)) = &result {
        note_refusal(ctx, endpoint.id, e).await;
    }
    let stored = match result {
        Ok((data, mime)) => {
            db(ctx, move |ws| {
                ws.delivery()
                    .media_stored(&job, &mime, &data, Timestamp::now())
            })
            .await
        }
        Err(e) => {
            let retry = match &e {
                crate::whatsapp::MediaError::Graph(g) => {
                    g.is_retryable() || matches!(g, GraphError::Http { status: 404, .. })
                }
                crate::whatsapp::MediaError::Checksum => true,
            };
            let reason = e.to_string();
            if retry && job.attempt < 4 {
                let at =
                    Timestamp::now().plus_seconds(backoff_seconds(&ctx.options, job.attempt, None));
                db(ctx, move |ws| ws.delivery().media_retry(&job, at, &reason)).await
            } else {
                db(ctx, move |ws| ws.delivery().media_failed(&job, &reason)).await
            }
        }
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "media result could not be stored");
    }
}

async fn task_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    let mut events = ctx.ws.subscribe();
    loop {
        let now = Timestamp::now();
        match db(&ctx, move |ws| ws.delivery().claim_tasks(now, 5)).await {
            Ok(tasks) if !tasks.is_empty() => {
                let Some(accounts) = endpoints(&ctx).await else {
                    continue;
                };
                for task in tasks {
                    let endpoint = accounts.get(&task.account.get()).cloned();
                    run_task(&ctx, endpoint, task).await;
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "provider tasks could not be read"),
        }
        if !pause(ctx.options.tick, &mut stop, Some(&mut events)).await {
            break;
        }
    }
}

async fn run_task(ctx: &Ctx, endpoint: Option<(ChannelEndpoint, EgressPolicy)>, task: ChannelTask) {
    // A test and a set-aside mail's retry report into their own records, whatever they
    // find; they are never retried.
    match task.kind.as_str() {
        "check" => run_check(ctx, task.account).await,
        "retry_mail" => {
            let id = task.payload.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
            let read = crate::email::retry::run(ctx.ws.clone(), id, ctx.options.mail.timeout);
            if let Err(e) = read.await {
                tracing::error!(error = %e, "set-aside mail could not be read again");
            }
        }
        // An e-mail account's `read`: `\Seen` in the mailbox over IMAP, retried while
        // the server cannot be reached.
        "read" if task.payload.get("mail").is_some() => return run_mail_seen(ctx, task).await,
        _ => return run_provider_task(ctx, endpoint, task).await,
    }
    let finished = db(ctx, move |ws| {
        ws.delivery().finish_task(&task, TaskOutcome::Done)
    })
    .await;
    if let Err(e) = finished {
        tracing::error!(error = %e, "task result could not be stored");
    }
}

/// Marks an e-mail conversation's mail read in the mailbox (see [`crate::email::seen`]).
async fn run_mail_seen(ctx: &Ctx, task: ChannelTask) {
    let marked = crate::email::seen::run(
        ctx.ws.clone(),
        task.account,
        &task.payload,
        ctx.options.mail.timeout,
    )
    .await;
    let attempt = task.attempt;
    let max = ctx.options.max_attempts;
    let retry_at = Timestamp::now().plus_seconds(backoff_seconds(&ctx.options, attempt, None));
    let finished = db(ctx, move |ws| {
        let outcome = match &marked {
            Ok((count, refused)) => {
                tracing::info!(
                    account = task.account.get(),
                    count,
                    refused = refused.len(),
                    "mail marked read in the mailbox"
                );
                if !refused.is_empty() {
                    ws.delivery().mail_seen_refused(task.account, refused)?;
                }
                TaskOutcome::Done
            }
            Err(e) if e.retry && attempt < max => TaskOutcome::Retry {
                at: retry_at,
                error: &e.message,
            },
            Err(e) => TaskOutcome::Failed { error: &e.message },
        };
        ws.delivery().finish_task(&task, outcome)
    })
    .await;
    if let Err(e) = finished {
        tracing::error!(error = %e, "task result could not be stored");
    }
}

/// "Test connection" of `account`; a test that cannot run says so in its report.
async fn run_check(ctx: &Ctx, account: appcare_core::ids::ChannelAccountId) {
    let tested = crate::check::run(ctx.ws.clone(), &ctx.http, account, ctx.options.mail.timeout);
    if let Err(e) = tested.await {
        tracing::error!(error = %e, "connection test could not run");
        let failed = [appcare_core::channel::check::CheckStep::failed(
            "Account",
            "the test could not run (the account could not be read); try again",
        )];
        let stored = db(ctx, move |ws| {
            ws.delivery()
                .record_check(account, &failed, Timestamp::now())
        })
        .await;
        if let Err(e) = stored {
            tracing::error!(error = %e, "connection test could not be stored");
        }
    }
}

/// A call at the provider (templates, storage, read, typing, reactions, handover …),
/// retried on a passing failure.
async fn run_provider_task(
    ctx: &Ctx,
    endpoint: Option<(ChannelEndpoint, EgressPolicy)>,
    task: ChannelTask,
) {
    let result: Result<(), GraphError> = match &endpoint {
        None => Err(GraphError::BadResponse(
            "the channel account is not connected".into(),
        )),
        // Disabled between the claim and now: tried again later (like a network failure).
        Some((endpoint, _)) if endpoint.disabled => Err(GraphError::Transport {
            timeout: false,
            detail: "the channel account is disabled".into(),
        }),
        Some((endpoint, policy)) => perform(ctx, endpoint, policy, &task).await,
    };
    if let Err(e) = &result {
        note_refusal(ctx, task.account, e).await;
    }
    let attempt = task.attempt;
    let outcome = match result {
        Ok(()) => {
            db(ctx, move |ws| {
                ws.delivery().finish_task(&task, TaskOutcome::Done)
            })
            .await
        }
        // A typing indicator is only worth sending now.
        Err(e)
            if e.is_retryable() && attempt < ctx.options.max_attempts && task.kind != "typing" =>
        {
            let at = Timestamp::now().plus_seconds(backoff_seconds(
                &ctx.options,
                attempt,
                e.retry_after(),
            ));
            let error = e.explanation();
            db(ctx, move |ws| {
                ws.delivery()
                    .finish_task(&task, TaskOutcome::Retry { at, error: &error })
            })
            .await
        }
        Err(e) => {
            let mut error = if task.kind.ends_with("_thread_control") {
                e.as_meta_said()
            } else {
                e.explanation()
            };
            if task.kind == "local_storage" {
                error.push_str(". Meta changes in-country storage only while the number is not registered: deregister the number, use Refresh here, then register it again with its two-step PIN.");
            }
            tracing::warn!(kind = %task.kind, code = e.code(), "provider task failed");
            db(ctx, move |ws| {
                ws.delivery()
                    .finish_task(&task, TaskOutcome::Failed { error: &error })
            })
            .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "task result could not be stored");
    }
}

async fn perform(
    ctx: &Ctx,
    endpoint: &ChannelEndpoint,
    policy: &EgressPolicy,
    task: &ChannelTask,
) -> Result<(), GraphError> {
    let graph = Graph::new(&ctx.http, endpoint, policy);
    let account = endpoint.id;
    let text = |key: &str| {
        task.payload
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    match (task.kind.as_str(), endpoint.channel) {
        ("pass_thread_control", Channel::Messenger) => {
            crate::messenger::pass_thread_control(&graph, &text("psid"), &text("target_app_id"))
                .await
        }
        (kind @ ("take_thread_control" | "request_thread_control"), Channel::Messenger) => {
            crate::messenger::claim_thread(&graph, kind, &text("psid")).await
        }
        ("local_storage", Channel::WhatsApp) => {
            let region = text("region");
            crate::whatsapp::enable_local_storage(&graph, &endpoint.external_id, &region).await?;
            read_back_storage(ctx, &graph, endpoint).await
        }
        ("refresh", Channel::WhatsApp) => {
            if let Some(waba) = &endpoint.config.business_account_id {
                let templates = crate::whatsapp::approved_templates(&graph, waba).await?;
                store(ctx, move |ws| {
                    ws.delivery().set_templates(account, &templates)
                })
                .await;
            }
            read_back_storage(ctx, &graph, endpoint).await
        }
        ("read" | "typing", Channel::WhatsApp) => {
            let typing = task.kind == "typing";
            crate::whatsapp::mark_read(&graph, &endpoint.external_id, &text("message_id"), typing)
                .await
        }
        ("read" | "typing", Channel::Messenger) => {
            let action = if task.kind == "typing" {
                "typing_on"
            } else {
                "mark_seen"
            };
            crate::messenger::sender_action(&graph, &endpoint.external_id, &text("to"), action)
                .await
        }
        ("react", Channel::WhatsApp) => {
            crate::whatsapp::send_reaction(
                &graph,
                &endpoint.external_id,
                &text("to"),
                &text("message_id"),
                &text("emoji"),
            )
            .await
        }
        ("react", Channel::Messenger) => {
            crate::messenger::send_reaction(
                &graph,
                &endpoint.external_id,
                &text("to"),
                &text("message_id"),
                &text("emoji"),
            )
            .await
        }
        ("profile", Channel::Messenger) => {
            let psid = text("psid");
            let name = crate::messenger::profile_name(&graph, &psid).await?;
            store(ctx, move |ws| {
                ws.delivery().name_contact(account, &psid, &name)
            })
            .await;
            Ok(())
        }
        ("refresh", Channel::Messenger) => {
            graph
                .get_json(&endpoint.external_id, &[("fields", "id,name")])
                .await?;
            store(ctx, move |ws| {
                ws.delivery().update_account_state(account, None, None)
            })
            .await;
            Ok(())
        }
        (kind, channel) => {
            tracing::warn!(
                kind,
                channel = channel.as_str(),
                "provider task does not apply; dropped"
            );
            Ok(())
        }
    }
}

async fn read_back_storage(
    ctx: &Ctx,
    graph: &Graph,
    endpoint: &ChannelEndpoint,
) -> Result<(), GraphError> {
    let (status, region) =
        crate::whatsapp::read_local_storage(graph, &endpoint.external_id).await?;
    let view = LocalStorageView {
        status,
        region,
        checked_at: Some(Timestamp::now()),
    };
    let account = endpoint.id;
    store(ctx, move |ws| {
        ws.delivery()
            .update_account_state(account, Some(view), None)
    })
    .await;
    Ok(())
}

async fn store(
    ctx: &Ctx,
    f: impl FnOnce(&Workspace) -> appcare_core::error::Result<()> + Send + 'static,
) {
    if let Err(e) = db(ctx, f).await {
        tracing::error!(error = %e, "channel state could not be stored");
    }
}

async fn poll_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    loop {
        let accounts = endpoints(&ctx).await.unwrap_or_default();
        for (endpoint, policy) in accounts
            .into_values()
            .filter(|(e, _)| e.channel == Channel::Messenger && e.config.poll && !e.disabled)
        {
            poll_one(&ctx, &endpoint, &policy).await;
        }
        if !pause(ctx.options.poll_interval, &mut stop, None).await {
            break;
        }
    }
}

async fn poll_one(ctx: &Ctx, endpoint: &ChannelEndpoint, policy: &EgressPolicy) {
    let account = endpoint.id;
    let cursor = db(ctx, move |ws| ws.delivery().poll_cursor(account))
        .await
        .ok()
        .flatten();
    let graph = Graph::new(&ctx.http, endpoint, policy);
    match crate::messenger::poll(&graph, account, &endpoint.external_id, cursor.as_deref()).await {
        Ok((events, next)) => {
            let stored = db(ctx, move |ws| {
                ws.delivery().apply(&events, Timestamp::now())?;
                match next {
                    Some(next) => ws.delivery().set_poll_cursor(account, &next),
                    None => Ok(()),
                }
            })
            .await;
            if let Err(e) = stored {
                tracing::error!(error = %e, "polled Messenger messages could not be stored");
            }
        }
        Err(e) => {
            note_refusal(ctx, account, &e).await;
            tracing::warn!(code = e.code(), "Messenger poll failed");
            let error = format!("Polling failed: {}", e.explanation());
            store(ctx, move |ws| {
                ws.delivery()
                    .update_account_state(account, None, Some(error))
            })
            .await;
        }
    }
}

/// How often snoozed conversations are checked for their time: an agent sees a
/// conversation back within this of the time they chose.
const SNOOZE_CHECK: Duration = Duration::from_secs(30);

/// Opens snoozed conversations whose time has come, records SLA warnings and breaches
/// as they fall due, and queues the satisfaction surveys that are due.
async fn snooze_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = db(&ctx, |ws| ws.maintenance().wake_snoozed(Timestamp::now())).await {
            tracing::error!(error = %e, "waking snoozed conversations failed");
        }
        if let Err(e) = db(&ctx, |ws| ws.maintenance().check_sla(Timestamp::now())).await {
            tracing::error!(error = %e, "checking SLA clocks failed");
        }
        if let Err(e) = db(&ctx, |ws| ws.maintenance().send_surveys(Timestamp::now())).await {
            tracing::error!(error = %e, "sending satisfaction surveys failed");
        }
        if !pause(SNOOZE_CHECK, &mut stop, None).await {
            break;
        }
    }
}

/// Runs the retention purge and the scheduled backup now and then (the first run a
/// minute after start).
async fn maintenance_loop(ctx: Ctx, mut stop: watch::Receiver<bool>) {
    if !pause(
        ctx.options
            .maintenance_interval
            .min(Duration::from_secs(60)),
        &mut stop,
        None,
    )
    .await
    {
        return;
    }
    loop {
        if let Err(e) = db(&ctx, |ws| ws.maintenance().purge_expired(Timestamp::now())).await {
            tracing::error!(error = %e, "retention purge failed");
        }
        match db(&ctx, |ws| {
            ws.maintenance().run_scheduled_backup(Timestamp::now())
        })
        .await
        {
            Ok(Some(report)) => tracing::info!(bytes = report.bytes, "scheduled backup made"),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
        }
        if !pause(ctx.options.maintenance_interval, &mut stop, None).await {
            break;
        }
    }
}
