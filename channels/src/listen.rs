//! Serving a router to strangers on a TCP port, plain or TLS, with every limit their
//! connections need: a cap on open connections (one beyond it is closed at once), and
//! deadlines for the TLS handshake, for each request's headers (which also closes a
//! kept-alive connection that sends nothing more) and for each piece of a request's
//! body. A client that connects and says nothing, or half a request, holds nothing for
//! long. The hub's team API and Meta's webhooks (hub and desktop) are all served here.

use axum::extract::ConnectInfo;
use axum::Router;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long and how many; the defaults suit a server on the internet.
#[derive(Clone, Debug)]
pub struct ListenLimits {
    /// Connections open at once (TLS handshakes included); one more is closed at once.
    pub max_connections: usize,
    /// From accepting a connection to the end of its TLS handshake.
    pub tls_handshake: Duration,
    /// From the first byte of a request (or from the end of the previous answer, on a
    /// kept-alive connection) to the end of its headers.
    pub header: Duration,
    /// Longest wait for the next piece of a request's body once the handler reads it.
    pub body_idle: Duration,
}

impl Default for ListenLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            tls_handshake: Duration::from_secs(10),
            header: Duration::from_secs(30),
            body_idle: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` (through `tls` when given) until `shutdown` completes,
/// then stops accepting and lets the requests in flight finish. Each request carries
/// `ConnectInfo<SocketAddr>`, the peer's address.
pub async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: ListenLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cap = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let connections = Arc::new(tokio::sync::Semaphore::new(cap as usize));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut last_refusal_logged: Option<Instant> = None;
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(_) => {
                    // Out of file descriptors and the like: wait a moment.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            drop(tcp);
            // Logged at most once a minute: a flood must not flood the log too.
            if last_refusal_logged.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
                last_refusal_logged = Some(Instant::now());
                tracing::warn!(max = cap, "connection closed: too many open at once");
            }
            continue;
        };
        // Answers go out as soon as they are written: without this, the tail of an
        // answer could wait for the client's acknowledgement (Nagle).
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let limits = limits.clone();
        let tls = tls.clone();
        let stopped = stopped.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match tls {
                None => connection(tcp, peer, app, &limits, stopped).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(limits.tls_handshake, acceptor.accept(tcp)).await;
                    if let Ok(Ok(stream)) = handshake {
                        connection(stream, peer, app, &limits, stopped).await;
                    }
                }
            }
        });
    }
    drop(listener);
    stop.send_replace(true);
    // Every connection holds a permit until it is done.
    let _all = connections.acquire_many(cap).await;
    Ok(())
}

/// Serves the requests of one connection until the client or the server ends it.
async fn connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    limits: &ListenLimits,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let body_idle = limits.body_idle;
    let service = hyper::service::service_fn(move |request: hyper::Request<_>| {
        let mut request = request.map(|body| TimedBody::new(body, body_idle));
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header);
    let mut conn = std::pin::pin!(builder.serve_connection(TokioIo::new(io), service));
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopped.wait_for(|s| *s) => conn.as_mut().graceful_shutdown(),
    }
    let _ = conn.await;
}

/// A request body whose next piece must arrive within `idle` of the handler asking.
struct TimedBody {
    inner: hyper::body::Incoming,
    idle: Duration,
    waiting: Option<Pin<Box<tokio::time::Sleep>>>,
    timed_out: bool,
}

impl TimedBody {
    fn new(inner: hyper::body::Incoming, idle: Duration) -> Self {
        Self {
            inner,
            idle,
            waiting: None,
            timed_out: false,
        }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if this.timed_out {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.waiting = None;
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let idle = this.idle;
        let waiting = this
            .waiting
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        if waiting.as_mut().poll(cx).is_ready() {
            this.timed_out = true;
            return Poll::Ready(Some(Err("the request body stopped arriving".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.timed_out || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
