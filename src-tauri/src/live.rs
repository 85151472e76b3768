//! Live updates: core events go to the window as `core-event` (ids only, no customer
//! text), and a handoff to the signed-in user also raises `handoff-notice` and a desktop
//! notification. Nothing is sent while no one is signed in.

use crate::dto::HandoffNotice;
use crate::state::AppState;
use appcare_core::events::Event;
use appcare_core::Workspace;
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

/// Forwards the workspace's events until it is closed.
pub fn spawn_forwarder(app: AppHandle, workspace: Arc<Workspace>) {
    let mut events = workspace.subscribe();
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(event) => forward(&app, &workspace, event),
                // Missed some: tell the window to refresh everything it shows.
                Err(RecvError::Lagged(_)) => forward(&app, &workspace, Event::SettingsChanged),
                Err(RecvError::Closed) => break,
            }
        }
    });
}

fn forward(app: &AppHandle, workspace: &Workspace, event: Event) {
    let Some(me) = app.state::<AppState>().signed_in_user() else {
        return;
    };
    let _ = app.emit_to("main", "core-event", &event);
    if let Event::Assigned {
        conversation,
        to_user: Some(to),
        by,
        handoff: true,
        ..
    } = event
    {
        if to == me && by != me {
            let from_name = workspace
                .display_name_of(by)
                .unwrap_or_else(|| "A colleague".into());
            let _ = app.emit_to(
                "main",
                "handoff-notice",
                HandoffNotice {
                    conversation,
                    from_name: from_name.clone(),
                },
            );
            // No customer text in the notification: it may show on a locked screen.
            let _ = app
                .notification()
                .builder()
                .title("Conversation handed to you")
                .body(format!(
                    "From {from_name}. Open Appcare Inbox to read the handoff note."
                ))
                .show();
        }
    }
}
