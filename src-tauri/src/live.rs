//! Live updates: core events go to the window as `core-event` (ids only, no customer
//! text; in embedded mode only those the signed-in user may see, by the core's rule a
//! hub's push stream follows). A handoff, a mention, a new conversation assigned to the
//! signed-in user or a customer's reply on their conversation also raises a desktop
//! notification (each as the person chose; channel and first name only), and a handoff
//! `handoff-notice` in the window; notifications in a burst are grouped into one. Nothing is sent while no one is signed in. The events come from the
//! local workspace, or in team mode from the hub's push stream, resumed after a drop.

use crate::dto::HandoffNotice;
use crate::notice_group::{NoticeGroup, NoticeKind, Offer};
use crate::state::AppState;
use appcare_client::{PushMessage, RemoteWorkspace};
use appcare_core::events::Event;
use appcare_core::ids::UserId;
use appcare_core::service::login::SessionStage;
use appcare_core::service::notifications::{notice_for, Notice};
use appcare_core::{SessionToken, Timestamp, Workspace, WorkspaceApi};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

/// Forwards the workspace's events until it is closed.
pub fn spawn_forwarder(app: AppHandle, workspace: Arc<Workspace>) {
    let mut events = workspace.subscribe();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                // Only what the signed-in user may see, by the rule a hub's push
                // stream follows (nothing while locked or signed out).
                Ok(event) => {
                    let Some(token) = app.state::<AppState>().token() else {
                        continue;
                    };
                    match workspace.window_may_see(&token, &event) {
                        Ok(true) => forward(
                            &app,
                            workspace.as_ref(),
                            |id| workspace.display_name_of(id),
                            event,
                        ),
                        Ok(false) => {}
                        // Could not check: the window reloads rather than miss it.
                        Err(_) => {
                            forward(&app, workspace.as_ref(), |_| None, Event::SettingsChanged)
                        }
                    }
                }
                // Missed some: tell the window to refresh everything it shows.
                Err(RecvError::Lagged(_)) => {
                    forward(&app, workspace.as_ref(), |_| None, Event::SettingsChanged);
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// Team mode: reads the hub's push stream for `token` on its own thread until that
/// session is no longer this window's (or a newer reader took over). After a drop it
/// reconnects (pausing 1 s, doubling up to 30 s while streams keep failing young) and
/// resumes after the last number it got (`ready` gives one before any event);
/// `resync` makes the window reload.
pub fn spawn_hub_forwarder(
    app: AppHandle,
    remote: Arc<RemoteWorkspace>,
    token: SessionToken,
    generation: u64,
) {
    let current = {
        let app = app.clone();
        let token = token.clone();
        move || app.state::<AppState>().stream_wanted(&token, generation)
    };
    std::thread::spawn(move || {
        let mut last = None;
        let mut pause = Duration::from_secs(1);
        let mut names = ColleagueNames::default();
        while current() {
            let opened = Instant::now();
            if let Ok(mut stream) = remote.events(&token, last) {
                while let Ok(Some(message)) = stream.next() {
                    if !current() {
                        return;
                    }
                    match message {
                        PushMessage::Ready { id } => last = Some(id),
                        PushMessage::Event { id, event } => {
                            last = Some(id);
                            forward(
                                &app,
                                remote.as_ref(),
                                |user| names.get(&remote, &token, user),
                                event,
                            );
                        }
                        PushMessage::Resync { id } => {
                            last = Some(id);
                            forward(&app, remote.as_ref(), |_| None, Event::SettingsChanged);
                        }
                        // The session ended or locked: the window's status poll shows
                        // it. If it is in fact still active, the stream is opened again.
                        PushMessage::Ended => {
                            let stage = remote.session_state(&token, Timestamp::now());
                            if !matches!(stage, Ok(SessionStage::Active)) {
                                return;
                            }
                            break;
                        }
                    }
                }
            }
            // A stream that lived a while reconnects soon; one that keeps failing young
            // waits longer each time.
            if opened.elapsed() > Duration::from_secs(30) {
                pause = Duration::from_secs(1);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(30));
        }
    });
}

/// Colleagues' names for handoff notices, asked of the hub at most once a minute: each
/// question counts as activity there, and must not keep an unattended session awake.
#[derive(Default)]
struct ColleagueNames {
    known: HashMap<UserId, String>,
    asked: Option<Instant>,
}

impl ColleagueNames {
    fn get(
        &mut self,
        remote: &RemoteWorkspace,
        token: &SessionToken,
        user: UserId,
    ) -> Option<String> {
        if !self.known.contains_key(&user)
            && self
                .asked
                .is_none_or(|at| at.elapsed() > Duration::from_secs(60))
        {
            self.asked = Some(Instant::now());
            if let Ok(list) = remote.list_colleagues(token, Timestamp::now()) {
                self.known = list.into_iter().map(|c| (c.id, c.display_name)).collect();
            }
        }
        self.known.get(&user).cloned()
    }
}

fn forward(
    app: &AppHandle,
    api: &dyn WorkspaceApi,
    name_of: impl FnOnce(UserId) -> Option<String>,
    event: Event,
) {
    let state = app.state::<AppState>();
    let (Some(me), Some(token)) = (state.signed_in_user(), state.token()) else {
        return;
    };
    // Presence comes every few seconds and notifies no one: straight to the window.
    let _ = app.emit_to("main", "core-event", &event);
    if matches!(event, Event::Presence { .. }) {
        return;
    }
    let Some(wanted) =
        state.notifications(|| api.notification_settings(&token, Timestamp::now()).ok())
    else {
        return;
    };
    let Some((notice, conversation)) = notice_for(&event, me, &wanted) else {
        return;
    };
    // The channel and the customer's first name, never message text: a notification may
    // show on a locked screen.
    let subject = api
        .notice_subject(&token, conversation, Timestamp::now())
        .ok();
    let about = subject
        .as_ref()
        .map(|s| format!("{} on {}", s.first_name, s.channel))
        .unwrap_or_else(|| "a customer".into());
    let (title, body) = match notice {
        Notice::Handoff { by } => {
            let from_name = name_of(by).unwrap_or_else(|| "A colleague".into());
            let _ = app.emit_to(
                "main",
                "handoff-notice",
                HandoffNotice {
                    conversation,
                    from_name: from_name.clone(),
                },
            );
            (
                "Conversation handed to you".to_string(),
                format!("From {from_name}: {about}. Open Appcare Inbox to read the handoff note."),
            )
        }
        Notice::Mention { by } => {
            let from_name = name_of(by).unwrap_or_else(|| "A colleague".into());
            (
                format!("{from_name} mentioned you"),
                format!("In a note on the conversation with {about}."),
            )
        }
        Notice::NewConversation => (
            "New conversation assigned to you".to_string(),
            format!("With {about}."),
        ),
        Notice::CustomerReply => (
            "A customer replied".to_string(),
            format!("{about} wrote in your conversation."),
        ),
        Notice::SlaBreach => (
            "SLA target missed".to_string(),
            format!("The conversation with {about} is past its target."),
        ),
    };
    show_grouped(app, grouping_kind(notice), title, body);
    tracing::info!(conversation = %conversation, kind = ?notice_kind(notice), "desktop notification");
}

/// The notifications of this app, grouped (see [`crate::notice_group`]).
static GROUP: std::sync::Mutex<NoticeGroup> = std::sync::Mutex::new(NoticeGroup::new());

/// Shows a notification now, or holds it for the group's summary.
fn show_grouped(app: &AppHandle, kind: NoticeKind, title: String, body: String) {
    let offer = GROUP
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .offer(kind, Instant::now());
    match offer {
        Offer::Show => {
            let _ = app.notification().builder().title(title).body(body).show();
        }
        Offer::Held { flush_in: None } => {}
        Offer::Held {
            flush_in: Some(wait),
        } => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(wait).await;
                let summary = GROUP
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .flush(Instant::now());
                if let Some((title, body)) = summary {
                    tracing::info!("grouped desktop notification");
                    let _ = app.notification().builder().title(title).body(body).show();
                }
            });
        }
    }
}

fn grouping_kind(notice: Notice) -> NoticeKind {
    match notice {
        Notice::Handoff { .. } => NoticeKind::Handoff,
        Notice::Mention { .. } => NoticeKind::Mention,
        Notice::NewConversation => NoticeKind::NewConversation,
        Notice::CustomerReply => NoticeKind::CustomerReply,
        Notice::SlaBreach => NoticeKind::SlaBreach,
    }
}

/// The kind of a notice for the log (no names).
fn notice_kind(notice: Notice) -> &'static str {
    match notice {
        Notice::Handoff { .. } => "handoff",
        Notice::Mention { .. } => "mention",
        Notice::NewConversation => "new_conversation",
        Notice::CustomerReply => "customer_reply",
        Notice::SlaBreach => "sla_breach",
    }
}
