//! The hub's own figures for an operator, in Prometheus' text format: requests by route
//! and status with latency histograms, push streams open, webhook deliveries accepted
//! and refused, and the workspace's counts and ages ([`OperatorFigures`]). Labels are
//! route patterns, methods, status codes and fixed words: never a path a client sent,
//! an id, a name or any text of a message.

use appcare_core::service::health::OperatorFigures;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Latencies {
    /// Requests at or under each bound of [`BUCKETS`] (not cumulative here).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// (method, route pattern, status).
type RequestKey = (&'static str, String, u16);

/// What the hub counted since it started.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, Latencies>>,
    /// (channel, accepted) → deliveries.
    webhooks: Mutex<BTreeMap<(&'static str, bool), u64>>,
    push_streams: AtomicI64,
}

/// One push stream counted as open until dropped.
pub struct OpenStream(Arc<Metrics>);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.push_streams.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Methods a client may send are counted under their name; anything else as "other",
/// so a stranger cannot add label values.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// The channel of a webhook route (`/webhooks/whatsapp`), if it is one.
fn webhook_channel(route: &str) -> Option<&'static str> {
    match route.strip_prefix("/webhooks/")? {
        "whatsapp" => Some("whatsapp"),
        "messenger" => Some("messenger"),
        _ => Some("other"),
    }
}

impl Metrics {
    /// Counts one answered request. `route` is the matched pattern (or "(no route)").
    pub fn record(&self, method: &axum::http::Method, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        {
            let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
            let entry = requests
                .entry((method_label(method), route.to_owned(), status))
                .or_default();
            entry.count += 1;
            entry.sum_seconds += seconds;
            if let Some(i) = BUCKETS.iter().position(|bound| seconds <= *bound) {
                entry.buckets[i] += 1;
            }
        }
        if method == axum::http::Method::POST {
            if let Some(channel) = webhook_channel(route) {
                let accepted = (200..300).contains(&status);
                let mut webhooks = self.webhooks.lock().unwrap_or_else(|p| p.into_inner());
                *webhooks.entry((channel, accepted)).or_default() += 1;
            }
        }
    }

    /// Counts a push stream as open until the returned guard is dropped.
    pub fn stream_opened(self: &Arc<Self>) -> OpenStream {
        self.push_streams.fetch_add(1, Ordering::Relaxed);
        OpenStream(self.clone())
    }

    pub fn push_streams_open(&self) -> i64 {
        self.push_streams.load(Ordering::Relaxed)
    }

    /// Everything, in Prometheus' text exposition format (version 0.0.4).
    pub fn render(&self, figures: Option<&OperatorFigures>, runtime_alive: bool) -> String {
        let mut out = String::new();
        self.render_requests(&mut out);
        self.render_webhooks(&mut out);
        gauge(
            &mut out,
            "appcare_push_streams_open",
            "Push streams (desktops listening for events) open now.",
            self.push_streams_open() as f64,
        );
        gauge(
            &mut out,
            "appcare_channel_runtime_up",
            "1 while the channel runtime (outbox, mail sync, polling) runs.",
            f64::from(u8::from(runtime_alive)),
        );
        if let Some(f) = figures {
            render_figures(&mut out, f);
        }
        out
    }

    fn render_requests(&self, out: &mut String) {
        let requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(
            out,
            "# HELP appcare_http_requests_total Requests answered, by method, route pattern and status."
        );
        let _ = writeln!(out, "# TYPE appcare_http_requests_total counter");
        for ((method, route, status), l) in requests.iter() {
            let _ = writeln!(
                out,
                "appcare_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                l.count
            );
        }
        // Latency per method and route, all statuses together.
        let mut by_route: BTreeMap<(&str, &str), Latencies> = BTreeMap::new();
        for ((method, route, _), l) in requests.iter() {
            let sum = by_route.entry((method, route.as_str())).or_default();
            for (total, n) in sum.buckets.iter_mut().zip(l.buckets) {
                *total += n;
            }
            sum.count += l.count;
            sum.sum_seconds += l.sum_seconds;
        }
        let name = "appcare_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time from a request's arrival to its answer."
        );
        let _ = writeln!(out, "# TYPE {name} histogram");
        for ((method, route), l) in &by_route {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(l.buckets) {
                cumulative += n;
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", l.count);
            let _ = writeln!(out, "{name}_sum{{{labels}}} {}", l.sum_seconds);
            let _ = writeln!(out, "{name}_count{{{labels}}} {}", l.count);
        }
    }

    fn render_webhooks(&self, out: &mut String) {
        let webhooks = self.webhooks.lock().unwrap_or_else(|p| p.into_inner());
        let name = "appcare_webhook_deliveries_total";
        let _ = writeln!(
            out,
            "# HELP {name} Webhook deliveries from Meta, accepted (answered 2xx) or refused."
        );
        let _ = writeln!(out, "# TYPE {name} counter");
        for ((channel, accepted), n) in webhooks.iter() {
            let outcome = if *accepted { "accepted" } else { "refused" };
            let _ = writeln!(
                out,
                "{name}{{channel=\"{channel}\",outcome=\"{outcome}\"}} {n}"
            );
        }
    }
}

fn render_figures(out: &mut String, f: &OperatorFigures) {
    let name = "appcare_outbox_messages";
    let _ = writeln!(
        out,
        "# HELP {name} Replies waiting to be sent (pending) and those that were not (failed)."
    );
    let _ = writeln!(out, "# TYPE {name} gauge");
    let _ = writeln!(out, "{name}{{state=\"pending\"}} {}", f.outbox_pending);
    let _ = writeln!(out, "{name}{{state=\"failed\"}} {}", f.outbox_failed);
    let name = "appcare_set_aside_items";
    let _ = writeln!(
        out,
        "# HELP {name} What a channel handed over that was kept for an admin instead of stored as a message."
    );
    let _ = writeln!(out, "# TYPE {name} gauge");
    let _ = writeln!(
        out,
        "{name}{{source=\"webhook\"}} {}",
        f.webhook_events_set_aside
    );
    let _ = writeln!(out, "{name}{{source=\"mail\"}} {}", f.mails_set_aside);
    if let Some(age) = f.oldest_mail_sync_seconds {
        gauge(
            out,
            "appcare_mail_sync_lag_seconds",
            "Seconds since the mailbox folder that synced longest ago finished a pass.",
            age as f64,
        );
    }
    gauge(
        out,
        "appcare_store_bytes",
        "Size of the encrypted workspace database and its write-ahead log.",
        f.store_bytes as f64,
    );
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    let _ = writeln!(out, "{name} {value}");
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn a_request_is_counted_in_its_bucket_and_cumulated_above() {
        let m = Metrics::default();
        m.record(
            &Method::POST,
            "/api/v1/reply",
            200,
            Duration::from_millis(30),
        );
        m.record(
            &Method::POST,
            "/api/v1/reply",
            409,
            Duration::from_millis(3),
        );
        let text = m.render(None, true);
        assert!(text.contains(
            "appcare_http_requests_total{method=\"POST\",route=\"/api/v1/reply\",status=\"200\"} 1"
        ));
        let bucket = |le: &str| {
            format!(
                "appcare_http_request_duration_seconds_bucket{{method=\"POST\",route=\"/api/v1/reply\",le=\"{le}\"}} "
            )
        };
        assert!(text.contains(&format!("{}1\n", bucket("0.005"))), "{text}");
        assert!(text.contains(&format!("{}1\n", bucket("0.025"))), "{text}");
        assert!(text.contains(&format!("{}2\n", bucket("0.05"))), "{text}");
        assert!(text.contains(&format!("{}2\n", bucket("+Inf"))), "{text}");
        assert!(text.contains("appcare_channel_runtime_up 1\n"));
    }

    #[test]
    fn webhook_posts_are_counted_by_outcome_and_odd_methods_add_no_labels() {
        let m = Metrics::default();
        m.record(&Method::POST, "/webhooks/whatsapp", 200, Duration::ZERO);
        m.record(&Method::POST, "/webhooks/whatsapp", 401, Duration::ZERO);
        m.record(&Method::GET, "/webhooks/whatsapp", 200, Duration::ZERO);
        let odd = Method::from_bytes(b"MARKER").unwrap_or(Method::GET);
        m.record(&odd, "(no route)", 404, Duration::ZERO);
        let text = m.render(None, false);
        assert!(text.contains(
            "appcare_webhook_deliveries_total{channel=\"whatsapp\",outcome=\"accepted\"} 1"
        ));
        assert!(text.contains(
            "appcare_webhook_deliveries_total{channel=\"whatsapp\",outcome=\"refused\"} 1"
        ));
        assert!(!text.contains("MARKER"), "{text}");
        assert!(text.contains("method=\"other\""));
    }

    #[test]
    fn open_streams_go_down_when_they_end() {
        let m = Arc::new(Metrics::default());
        let first = m.stream_opened();
        let second = m.stream_opened();
        drop(first);
        assert_eq!(m.push_streams_open(), 1);
        drop(second);
        assert_eq!(m.push_streams_open(), 0);
    }
}
