//! `appcare serve`: opens a workspace, serves the team API and Meta's webhooks over HTTPS (the admin's
//! certificate, or one made on first start whose fingerprint it prints), and runs the
//! channel runtime (outbox, mailbox sync, media, provider tasks, Messenger polling) until
//! Ctrl-C or SIGTERM. In-flight requests finish before it exits. Plain HTTP only on
//! request and only on this machine's loopback, behind a local TLS proxy.

use super::{open_workspace, CliError, CliResult};
use crate::team::{self, Hub, TeamOptions};
use appcare_channels::{webhook, ChannelRuntime, RuntimeOptions, WebhookOptions, WebhookState};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[arg(long, env = "APPCARE_DATA_DIR")]
    data_dir: PathBuf,
    /// Address to serve on, e.g. 0.0.0.0:8443.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// The admin's certificate chain (PEM). Without it, a self-signed certificate is made
    /// on first start and kept in DATA_DIR/hub-tls/.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Host names or addresses a generated certificate is made for (repeat it).
    /// Default: localhost and 127.0.0.1.
    #[arg(long = "tls-name")]
    tls_names: Vec<String>,
    /// Plain HTTP, for a TLS proxy on this machine: refused on any address but loopback.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key", "tls_names"])]
    http: bool,
    /// First retry delay of a failed send, in seconds (doubles per attempt).
    #[arg(long, default_value_t = 2)]
    retry_base_seconds: i64,
    /// Timeout of one Graph API call, in seconds.
    #[arg(long, default_value_t = 30)]
    http_timeout_seconds: u64,
    /// How often Messenger pages with polling on are polled, in seconds.
    #[arg(long, default_value_t = 30)]
    poll_seconds: u64,
    /// Connections open at once; one more is closed at once.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Seconds a new connection has to finish its TLS handshake.
    #[arg(long, default_value_t = 10)]
    tls_handshake_timeout_seconds: u64,
    /// Seconds a client has to send a request's headers; also how long a kept-alive
    /// connection may stay silent.
    #[arg(long, default_value_t = 30)]
    header_timeout_seconds: u64,
    /// Seconds the hub waits for the next piece of a request's body.
    #[arg(long, default_value_t = 30)]
    body_timeout_seconds: u64,
    /// Large request bodies (attachments) read at once; more are answered 503 unread.
    #[arg(long, default_value_t = 8)]
    concurrent_large_bodies: usize,
    /// A file holding the bearer token (16 to 256 characters) that `/metrics` asks for,
    /// e.g. a systemd credential. Without it `/metrics` is off; `/healthz` and `/readyz`
    /// answer anyone and reveal nothing.
    #[arg(long, env = "APPCARE_METRICS_TOKEN_FILE")]
    metrics_token_file: Option<PathBuf>,
}

impl ServeArgs {
    fn listen_limits(&self) -> appcare_channels::listen::ListenLimits {
        let seconds = |s: u64| Duration::from_secs(s.max(1));
        appcare_channels::listen::ListenLimits {
            max_connections: self.max_connections.max(1),
            tls_handshake: seconds(self.tls_handshake_timeout_seconds),
            header: seconds(self.header_timeout_seconds),
            body_idle: seconds(self.body_timeout_seconds),
        }
    }
}

pub fn run(args: ServeArgs) -> CliResult {
    if args.http && !args.listen.ip().is_loopback() {
        return Err(CliError::Usage(format!(
            "--http serves plain text: only on a loopback address, not {}; drop --http to serve HTTPS",
            args.listen
        )));
    }
    let metrics_token = match &args.metrics_token_file {
        None => None,
        Some(path) => {
            let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                CliError::Usage(format!(
                    "cannot read the metrics token file {}: {e}",
                    path.display()
                ))
            })?);
            Some(
                team::MetricsToken::new(&text)
                    .map_err(|e| CliError::Usage(format!("{} in {}", e, path.display())))?,
            )
        }
    };
    let ws = Arc::new(open_workspace(&args.data_dir)?);
    let cert = if args.http {
        None
    } else {
        let given = args.tls_cert.as_deref().zip(args.tls_key.as_deref());
        Some(
            crate::tls::load_or_generate(&args.data_dir, given, &args.tls_names)
                .map_err(CliError::Usage)?,
        )
    };
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
        let mut team_options = TeamOptions::new(args.data_dir.join(SCRATCH_DIR));
        team_options.concurrent_large_bodies = args.concurrent_large_bodies.max(1);
        team_options.metrics_token = metrics_token;
        let hub = Hub::start(ws.clone(), team_options);
        hub.watch_runtime(channels.probe());
        let limits = args.listen_limits();
        let state = WebhookState::new(ws, WebhookOptions::default());
        let app = team::measured(
            webhook::router(state).merge(team::router(hub.clone())),
            &hub,
        );
        let signalled = Arc::new(tokio::sync::Notify::new());
        let shutdown = {
            let signalled = signalled.clone();
            async move {
                shutdown_signal().await;
                hub.close_streams();
                signalled.notify_one();
            }
        };
        let served = match &cert {
            None => {
                eprintln!(
                    "appcare: serving http://{} (plain HTTP, loopback only)",
                    args.listen
                );
                with_grace(
                    team::serve(listener, None, app, limits, shutdown),
                    signalled,
                )
                .await
            }
            Some(cert) => {
                eprintln!(
                    "appcare: serving https://{} with {} certificate {}",
                    args.listen,
                    if cert.generated {
                        "the generated"
                    } else {
                        "your"
                    },
                    cert.cert_path.display()
                );
                eprintln!(
                    "appcare: certificate SHA-256 fingerprint {}",
                    cert.fingerprint
                );
                let acceptor = cert.acceptor().map_err(CliError::Usage)?;
                with_grace(
                    team::serve(listener, Some(acceptor), app, limits, shutdown),
                    signalled,
                )
                .await
            }
        };
        channels.stop().await;
        served.map_err(|e| CliError::Usage(format!("the webhook server stopped: {e}")))
    })
}

/// Where exports are put together before they are sent to a desktop (emptied after each).
const SCRATCH_DIR: &str = "hub-scratch";

/// How long requests in flight may take to finish after the stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Serves until the stop signal, then gives requests in flight [`SHUTDOWN_GRACE`] to
/// finish: a client that never finishes its request cannot hold the process past
/// systemd's stop timeout (the channel runtime still stops cleanly after).
async fn with_grace(
    serve: impl std::future::Future<Output = std::io::Result<()>>,
    signalled: Arc<tokio::sync::Notify>,
) -> std::io::Result<()> {
    tokio::select! {
        result = serve => result,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            eprintln!(
                "appcare: requests still open after {} s were dropped",
                SHUTDOWN_GRACE.as_secs()
            );
            Ok(())
        }
    }
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
