//! `appcare serve`: opens a workspace and serves Meta's webhooks, and runs the channel
//! runtime (outbox, media, provider tasks, Messenger polling) until Ctrl-C or SIGTERM.
//! In-flight requests finish before it exits. The team API arrives with the hub work.

use super::{open_workspace, CliError, CliResult};
use appcare_channels::{webhook, ChannelRuntime, RuntimeOptions, WebhookOptions, WebhookState};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[arg(long, env = "APPCARE_DATA_DIR")]
    data_dir: PathBuf,
    /// Address for the webhook receiver, e.g. 127.0.0.1:8787 behind a TLS proxy.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// First retry delay of a failed send, in seconds (doubles per attempt).
    #[arg(long, default_value_t = 2)]
    retry_base_seconds: i64,
    /// Timeout of one Graph API call, in seconds.
    #[arg(long, default_value_t = 30)]
    http_timeout_seconds: u64,
    /// How often Messenger pages with polling on are polled, in seconds.
    #[arg(long, default_value_t = 30)]
    poll_seconds: u64,
}

pub fn run(args: ServeArgs) -> CliResult {
    let ws = Arc::new(open_workspace(&args.data_dir)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", args.listen)))?;
        let options = RuntimeOptions {
            retry_base_seconds: args.retry_base_seconds.max(1),
            http_timeout: Duration::from_secs(args.http_timeout_seconds.max(1)),
            poll_interval: Duration::from_secs(args.poll_seconds.max(1)),
            ..RuntimeOptions::default()
        };
        let channels = ChannelRuntime::start(ws.clone(), options).map_err(CliError::Usage)?;
        let state = WebhookState::new(ws, WebhookOptions::default());
        eprintln!("appcare: receiving webhooks on http://{}", args.listen);
        let served = webhook::serve(listener, state, shutdown_signal()).await;
        channels.stop().await;
        served.map_err(|e| CliError::Usage(format!("the webhook server stopped: {e}")))
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    eprintln!("appcare: stopping after the requests in flight");
}
