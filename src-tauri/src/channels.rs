//! Embedded mode: while a workspace is open, the desktop runs the channel runtime
//! (outbox, media, provider tasks, Messenger polling) and the webhook receiver on
//! `APPCARE_WEBHOOK_LISTEN` (default `127.0.0.1:8787`; `off` turns it off), behind
//! whatever tunnel or proxy the admin points Meta at.

use crate::dto::WebhookListener;
use appcare_channels::{webhook, ChannelRuntime, RuntimeOptions, WebhookOptions, WebhookState};
use appcare_core::Workspace;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// The running runtime and receiver of the open workspace.
pub struct Channels {
    runtime: Arc<Mutex<Option<ChannelRuntime>>>,
    stop_receiver: Option<oneshot::Sender<()>>,
    listener: Arc<Mutex<WebhookListener>>,
}

impl Channels {
    pub fn listener(&self) -> WebhookListener {
        self.listener
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops both in the background (a workspace switch).
    pub fn stop(mut self) {
        if let Some(stop) = self.stop_receiver.take() {
            let _ = stop.send(());
        }
        let runtime = self
            .runtime
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(runtime) = runtime {
            tauri::async_runtime::spawn(runtime.stop());
        }
    }
}

/// Starts the runtime and the receiver for `workspace` on Tauri's async runtime.
pub fn start(workspace: Arc<Workspace>) -> Channels {
    let listener = Arc::new(Mutex::new(WebhookListener::default()));
    let runtime = Arc::new(Mutex::new(None));
    let set = {
        let listener = listener.clone();
        move |address: Option<String>, error: Option<String>| {
            *listener.lock().unwrap_or_else(|p| p.into_inner()) =
                WebhookListener { address, error };
        }
    };
    {
        // Started here, not in a spawned task, so a quick stop cannot miss it.
        let handle = tauri::async_runtime::handle();
        let _inside = handle.inner().enter();
        match ChannelRuntime::start(workspace.clone(), RuntimeOptions::default()) {
            Ok(r) => *runtime.lock().unwrap_or_else(|p| p.into_inner()) = Some(r),
            Err(e) => set(None, Some(format!("Sending is stopped: {e}"))),
        }
    }
    let address = std::env::var("APPCARE_WEBHOOK_LISTEN").unwrap_or_else(|_| DEFAULT_LISTEN.into());
    if address.trim().eq_ignore_ascii_case("off") {
        set(
            None,
            Some("The webhook receiver is turned off (APPCARE_WEBHOOK_LISTEN=off).".into()),
        );
        return Channels {
            runtime,
            stop_receiver: None,
            listener,
        };
    }
    let (stop_receiver, stopped) = oneshot::channel::<()>();
    let state = WebhookState::new(workspace, WebhookOptions::default());
    tauri::async_runtime::spawn(async move {
        // The previous workspace's receiver may still be letting go of the port.
        let mut bound = tokio::net::TcpListener::bind(address.trim()).await;
        for _ in 0..20 {
            if bound.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            bound = tokio::net::TcpListener::bind(address.trim()).await;
        }
        match bound {
            Ok(bound) => {
                let shown = bound.local_addr().map(|a| a.to_string()).unwrap_or(address.clone());
                set(Some(shown), None);
                let shutdown = async {
                    let _ = stopped.await;
                };
                if let Err(e) = webhook::serve(bound, state, shutdown).await {
                    set(None, Some(format!("The webhook receiver stopped: {e}")));
                }
            }
            Err(e) => set(
                None,
                Some(format!(
                    "Cannot receive webhooks on {address}: {e}. Set APPCARE_WEBHOOK_LISTEN to a free address, or run `appcare serve` on a server."
                )),
            ),
        }
    });
    Channels {
        runtime,
        stop_receiver: Some(stop_receiver),
        listener,
    }
}
