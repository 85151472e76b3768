//! Push: the hub numbers every core event in a backlog, and `GET /api/v1/events` streams
//! (server-sent events) those the session may see. A client that reconnects sends the
//! last number it got in `Last-Event-ID` and gets everything after it, none twice; if the
//! backlog no longer reaches back that far it gets `resync` and reloads. Numbers start at
//! the hub's start time in microseconds, so numbers from before a restart are older than
//! the backlog and also lead to `resync`. Every stream starts with `ready`, numbered with
//! where it starts, so a client that saw no event yet can still resume without a gap.
//! A stream ends (`ended`) when its session is locked, signed out or ended, and follows
//! role and team changes of its user as they happen.

use super::error::HttpError;
use super::session::Bearer;
use super::Hub;
use appcare_core::events::Event;
use appcare_core::service::login::SessionStage;
use appcare_core::service::push::PushViewer;
use appcare_core::{SessionToken, Timestamp, Workspace};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::IntoResponse;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, watch};

/// One numbered entry: an event, or the mark of events lost between core and hub.
#[derive(Clone, Debug)]
enum Entry {
    Event(Event),
    Lost,
}

struct Backlog {
    next: u64,
    entries: VecDeque<(u64, Entry)>,
    capacity: usize,
}

/// The numbered events of this hub run.
pub struct EventLog {
    backlog: Mutex<Backlog>,
    latest: watch::Sender<u64>,
}

/// What a reconnecting client gets.
#[derive(Debug)]
pub enum Since {
    Entries(Vec<(u64, Option<Event>)>),
    /// The backlog does not reach back to the client's number.
    Gap {
        latest: u64,
    },
}

impl EventLog {
    pub fn new(capacity: usize, first: u64) -> Self {
        Self {
            backlog: Mutex::new(Backlog {
                next: first,
                entries: VecDeque::new(),
                capacity: capacity.max(1),
            }),
            latest: watch::channel(first.saturating_sub(1)).0,
        }
    }

    /// A log fed by the workspace's events, numbered from the current time.
    pub fn start(workspace: &Workspace, capacity: usize) -> Arc<Self> {
        let first = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX / 2))
            .unwrap_or(1);
        let log = Arc::new(Self::new(capacity, first));
        let mut events = workspace.subscribe();
        let feeder = log.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match events.recv().await {
                    Ok(event) => feeder.push(Entry::Event(event)),
                    Err(RecvError::Lagged(_)) => feeder.push(Entry::Lost),
                    Err(RecvError::Closed) => break,
                }
            }
        });
        log
    }

    fn push(&self, entry: Entry) {
        let seq = {
            let mut backlog = self.backlog.lock().unwrap_or_else(|p| p.into_inner());
            let seq = backlog.next;
            backlog.next += 1;
            backlog.entries.push_back((seq, entry));
            if backlog.entries.len() > backlog.capacity {
                backlog.entries.pop_front();
            }
            seq
        };
        self.latest.send_replace(seq);
    }

    /// The number of the newest entry.
    pub fn latest(&self) -> u64 {
        *self.latest.borrow()
    }

    /// The entries after `after` (`None` for lost ones), or a gap.
    pub fn since(&self, after: u64) -> Since {
        let backlog = self.backlog.lock().unwrap_or_else(|p| p.into_inner());
        let latest = backlog.next - 1;
        let oldest_kept = backlog.next - backlog.entries.len() as u64;
        if after > latest || after + 1 < oldest_kept {
            return Since::Gap { latest };
        }
        let skip = usize::try_from(after + 1 - oldest_kept).unwrap_or(usize::MAX);
        Since::Entries(
            backlog
                .entries
                .iter()
                .skip(skip)
                .map(|(seq, entry)| {
                    let event = match entry {
                        Entry::Event(e) => Some(e.clone()),
                        Entry::Lost => None,
                    };
                    (*seq, event)
                })
                .collect(),
        )
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }
}

/// How often a stream re-checks that its session is still signed in and unlocked.
const SESSION_CHECK: Duration = Duration::from_secs(20);

/// `GET /api/v1/events`.
pub async fn stream(
    State(hub): State<Hub>,
    Bearer(token): Bearer,
    headers: HeaderMap,
) -> Result<impl IntoResponse, HttpError> {
    let workspace = hub.workspace().clone();
    let check_token = token.clone();
    let viewer =
        tokio::task::spawn_blocking(move || workspace.push_viewer(&check_token, Timestamp::now()))
            .await
            .map_err(|_| {
                appcare_core::CoreError::Storage("the request was interrupted".into())
            })??;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let (tx, rx) = mpsc::channel::<SseEvent>(64);
    // Subscribed before the answer, so a lock or sign-out right after is not missed.
    let pokes = hub.session_pokes();
    // Counted as open for `/metrics` until the feed ends.
    let open = hub.metrics().stream_opened();
    tokio::spawn(async move {
        feed(hub, token, viewer, resume, pokes, tx).await;
        drop(open);
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    Ok(Sse::new(body).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Sends the stream's messages until the client goes or the session ends.
async fn feed(
    hub: Hub,
    token: SessionToken,
    mut viewer: PushViewer,
    resume: Option<u64>,
    mut pokes: broadcast::Receiver<[u8; 32]>,
    tx: mpsc::Sender<SseEvent>,
) {
    let log = hub.log().clone();
    let mut changed = log.subscribe();
    let mut closing = hub.closing();
    if *closing.borrow() {
        return;
    }
    let mut last = resume.unwrap_or_else(|| log.latest());
    let ready = SseEvent::default()
        .id(last.to_string())
        .event("ready")
        .data("");
    if tx.send(ready).await.is_err() {
        return;
    }
    let mine = token.hash();
    let mut next_check = tokio::time::Instant::now() + SESSION_CHECK;
    let mut session_news = false;
    loop {
        let mut batch = match log.since(last) {
            Since::Gap { latest } => {
                last = latest;
                vec![(latest, None)]
            }
            Since::Entries(entries) => entries,
        };
        // A change to this user (role, teams, sessions) must be applied before anything
        // after it is filtered: the batch stops there, and the check below runs first.
        let me = viewer.user();
        if let Some(at) = batch.iter().position(|(_, e)| {
            matches!(e, Some(Event::SessionsEnded { user } | Event::UserChanged { user }) if *user == me)
        }) {
            batch.truncate(at + 1);
            session_news = true;
        }
        if let Some(&(newest, _)) = batch.last() {
            let workspace = hub.workspace().clone();
            let filter = viewer.clone();
            let filtered = tokio::task::spawn_blocking(move || {
                batch
                    .into_iter()
                    .filter_map(|(seq, event)| match event {
                        None => Some((seq, None)),
                        Some(e) => match filter.may_see(&workspace, &e) {
                            Ok(true) => Some((seq, Some(e))),
                            Ok(false) => None,
                            // Could not check: the client must reload rather than miss it.
                            Err(_) => Some((seq, None)),
                        },
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            // The check itself failed: the client reloads rather than miss anything.
            let visible = filtered.unwrap_or_else(|_| vec![(newest, None)]);
            last = last.max(newest);
            for (seq, event) in visible {
                let message = match &event {
                    Some(e) => SseEvent::default()
                        .id(seq.to_string())
                        .event("core")
                        .json_data(e)
                        .unwrap_or_else(|_| {
                            SseEvent::default()
                                .id(seq.to_string())
                                .event("resync")
                                .data("")
                        }),
                    None => SseEvent::default()
                        .id(seq.to_string())
                        .event("resync")
                        .data(""),
                };
                if tx.send(message).await.is_err() {
                    return;
                }
            }
        }
        // Before anything more is sent: a lock, sign-out or change of this user, or the
        // periodic check, however busy the hub is.
        if session_news || tokio::time::Instant::now() >= next_check {
            session_news = false;
            match recheck(&hub, &token, &viewer).await {
                Recheck::Fresh(fresh) => viewer = fresh,
                // The check could not be made (storage busy or failing): keep going as
                // before and try again shortly, rather than end a live session's stream.
                Recheck::Unknown => {
                    next_check = tokio::time::Instant::now() + RETRY_CHECK;
                    continue;
                }
                Recheck::Over => {
                    let _ = tx.send(SseEvent::default().event("ended").data("")).await;
                    return;
                }
            }
            next_check = tokio::time::Instant::now() + SESSION_CHECK;
        }
        if let Since::Entries(rest) = log.since(last) {
            if !rest.is_empty() {
                continue;
            }
        }
        tokio::select! {
            changed = changed.changed() => if changed.is_err() { return },
            poke = pokes.recv() => match poke {
                Ok(hash) => session_news = hash == mine,
                Err(broadcast::error::RecvError::Lagged(_)) => session_news = true,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            () = tokio::time::sleep_until(next_check) => {},
            () = tx.closed() => return,
            _ = closing.changed() => return,
        }
    }
}

/// How soon a session check that could not be made is tried again.
const RETRY_CHECK: Duration = Duration::from_secs(2);

/// What a stream's session check found.
enum Recheck {
    /// Still fully signed in: the viewer with the user's role and teams as they are now.
    Fresh(PushViewer),
    /// Locked, signed out, ended, or the user is disabled or gone: the stream ends.
    Over,
    /// The check itself failed.
    Unknown,
}

/// Checks the session without counting as activity, and re-reads the user.
async fn recheck(hub: &Hub, token: &SessionToken, viewer: &PushViewer) -> Recheck {
    let workspace = hub.workspace().clone();
    let token = token.clone();
    let viewer = viewer.clone();
    let checked = tokio::task::spawn_blocking(move || {
        if workspace.session_state(&token, Timestamp::now())? != SessionStage::Active {
            return Ok(None);
        }
        viewer.refreshed(&workspace)
    })
    .await;
    match checked {
        Ok(Ok(Some(fresh))) => Recheck::Fresh(fresh),
        Ok(Ok(None)) => Recheck::Over,
        Ok(Err(_)) | Err(_) => Recheck::Unknown,
    }
}
