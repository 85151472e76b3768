//! Webhook ingest on loopback: signed WhatsApp events from concurrent senders, 10 % of
//! them delivered twice, into an encrypted workspace. Reports throughput and the
//! acknowledgement latency (200 only after commit), and checks every unique event is
//! stored exactly once. `cargo bench -p appcare-channels --bench webhook_ingest`; under
//! `cargo test` it runs small, as a smoke test. APPCARE_BENCH_EVENTS and
//! APPCARE_BENCH_SENDERS override the size. APPCARE_BENCH_MIX=realistic sends issue 21's
//! mix instead of text only: 60 % text, 15 % media, 10 % statuses, 10 % reactions (to
//! earlier messages of the run), 5 % interactive replies; compare both in one run.
//! The line's conversations go to a team; APPCARE_BENCH_SLA=1 gives that team business
//! hours and an SLA policy, so every message also moves an SLA clock: compare with and
//! without in one run.
//!
//! Real parts: the webhook receiver over loopback HTTP, SQLCipher.

use appcare_channels::{webhook, WebhookOptions, WebhookState};
use appcare_core::auth::totp;
use appcare_core::channel::NewChannelAccount;
use appcare_core::reports::{BusinessHours, SlaPolicy};
use appcare_core::workspace::Region;
use appcare_core::{CreateOptions, KeySource, Password, Timestamp, Workspace, WorkspaceDir};
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const SECRET: &str = "bench-app-secret-0123456789";
const PHONE_ID: &str = "106540352242922";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn workspace(dir: &std::path::Path) -> Result<Workspace> {
    let now = Timestamp::now();
    let pw = "plum tractor window 42";
    let (ws, _) = Workspace::create(
        &WorkspaceDir::new(dir.join("ws")),
        CreateOptions {
            region: Region::parse("US")?,
            admin_username: "admin".into(),
            admin_display_name: "Admin".into(),
            admin_password: Password::new(pw),
            key_source: KeySource::Passphrase(Password::new("benchmark passphrase")),
        },
        now,
    )?;
    let c = ws.begin_sign_in("admin", &Password::new(pw), now)?;
    let e = ws.start_enrolment(&c.token, now)?;
    let secret = totp::secret_from_manual_key(&e.manual_key).ok_or("bad key")?;
    ws.confirm_enrolment(&c.token, &totp::code_at(&secret, totp::step_of(now))?, now)?;
    let team = ws.create_team(&c.token, "Support", now)?.id;
    if std::env::var("APPCARE_BENCH_SLA").is_ok_and(|v| v == "1") {
        ws.set_business_hours(&c.token, team, Some(BusinessHours::office("UTC")), now)?;
        ws.set_sla_policy(
            &c.token,
            team,
            Some(SlaPolicy {
                first_response_minutes: Some(60),
                next_response_minutes: Some(30),
                resolution_minutes: Some(8 * 60),
            }),
            now,
        )?;
        println!("SLA: the team has business hours and a policy");
    }
    ws.add_channel_account(
        &c.token,
        &NewChannelAccount {
            kind: "whatsapp".into(),
            name: "Bench line".into(),
            external_id: PHONE_ID.into(),
            business_account_id: None,
            access_token: "EAAG-bench-token-000001".into(),
            app_secret: SECRET.into(),
            verify_token: "verify-bench".into(),
            default_team: Some(team),
            human_agent: false,
            poll: false,
            graph_base_url: Some("http://127.0.0.1:9".into()),
            api_version: None,
        },
        now,
    )?;
    Ok(ws)
}

/// What event `i` of the realistic mix is (by its place in every 20).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Media,
    Status,
    Reaction,
    Interactive,
}

fn kind_of(i: usize, mix: bool) -> Kind {
    if !mix {
        return Kind::Text;
    }
    match i % 20 {
        0..=11 => Kind::Text,
        12..=14 => Kind::Media,
        15 | 16 => Kind::Status,
        17 | 18 => Kind::Reaction,
        _ => Kind::Interactive,
    }
}

/// One signed body per event, as Meta sends it.
fn bodies(unique: usize, duplicates: usize, mix: bool) -> Vec<(Vec<u8>, String)> {
    let now = Timestamp::now().unix();
    let one = |i: usize| {
        let from = format!("1650{:07}", i % 5000);
        let id = format!("wamid.bench.{i}");
        let ts = now.to_string();
        // A reaction names a text message sent well before it in the run.
        let earlier = format!("wamid.bench.{}", (i.saturating_sub(200) / 20) * 20);
        let message = match kind_of(i, mix) {
            Kind::Text => {
                serde_json::json!({"from": from, "id": id, "timestamp": ts, "type": "text",
                "text": {"body": format!("Order {i}: where is my parcel? It was due on Monday.")}})
            }
            Kind::Media => {
                serde_json::json!({"from": from, "id": id, "timestamp": ts, "type": "image",
                "image": {"caption": "the label", "mime_type": "image/jpeg", "sha256": "00", "id": format!("media-{i}")}})
            }
            Kind::Reaction => {
                serde_json::json!({"from": from, "id": id, "timestamp": ts, "type": "reaction",
                "reaction": {"message_id": earlier, "emoji": "👍"}})
            }
            Kind::Interactive => {
                serde_json::json!({"from": from, "id": id, "timestamp": ts, "type": "interactive",
                "context": {"from": "15550783881", "id": earlier},
                "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes, please"}}})
            }
            Kind::Status => serde_json::Value::Null,
        };
        let value = match kind_of(i, mix) {
            Kind::Status => serde_json::json!({
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
                "statuses": [{"id": format!("wamid.ours.{i}"), "status": "delivered", "timestamp": ts, "recipient_id": from}]}),
            _ => serde_json::json!({
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
                "contacts": [{"profile": {"name": format!("Customer {}", i % 5000)}, "wa_id": from}],
                "messages": [message]}),
        };
        let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
            "changes": [{"field": "messages", "value": value}]}]});
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let signature = appcare_channels::signature::sign(SECRET.as_bytes(), &bytes);
        (bytes, signature)
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut out: Vec<(Vec<u8>, String)> = (0..unique).map(one).collect();
    for _ in 0..duplicates {
        let pick = rng.gen_range(0..unique);
        let at = rng.gen_range(pick + 1..=out.len());
        let copy = out[pick].clone();
        out.insert(at, copy);
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return Ok(());
    }
    let benching = args.iter().any(|a| a == "--bench");
    let total = env_usize("APPCARE_BENCH_EVENTS", if benching { 50_000 } else { 600 });
    let senders = env_usize("APPCARE_BENCH_SENDERS", if benching { 50 } else { 8 });
    let duplicates = total / 10;
    let unique = total - duplicates;
    let dir = tempfile::tempdir()?;
    let ws = Arc::new(workspace(dir.path())?);
    // Side-by-side runs of the commit mode: APPCARE_BENCH_SYNC=NORMAL|FULL.
    if let Ok(mode) = std::env::var("APPCARE_BENCH_SYNC") {
        let mode = if mode.eq_ignore_ascii_case("normal") {
            "NORMAL"
        } else {
            "FULL"
        };
        // Outside a transaction: SQLite refuses to change the safety level inside one.
        ws.store()
            .with_connection(|c| Ok(c.execute_batch(&format!("PRAGMA synchronous = {mode}"))?))?;
    }
    let sync: i64 = ws
        .store()
        .read(|c| Ok(c.query_row("PRAGMA synchronous", [], |r| r.get(0))?))?;
    println!(
        "synchronous = {}",
        ["OFF", "NORMAL", "FULL", "EXTRA"]
            .get(sync as usize)
            .unwrap_or(&"?")
    );
    let mix = std::env::var("APPCARE_BENCH_MIX").is_ok_and(|m| m == "realistic");
    let messages = (0..unique)
        .filter(|&i| {
            matches!(
                kind_of(i, mix),
                Kind::Text | Kind::Media | Kind::Interactive
            )
        })
        .count();
    let work = Arc::new(bodies(unique, duplicates, mix));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/webhooks/whatsapp", listener.local_addr()?);
        let state = WebhookState::new(ws.clone(), WebhookOptions::default());
        tokio::spawn(async move {
            let _ = webhook::serve(listener, state, std::future::pending()).await;
        });
        let client = reqwest::Client::builder().pool_max_idle_per_host(senders).build()?;
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..senders {
            let (client, url, work, next) = (client.clone(), url.clone(), work.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((body, signature)) = work.get(i) else { break };
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-hub-signature-256", signature)
                        .body(body.clone())
                        .send()
                        .await;
                    match response {
                        Ok(r) if r.status().as_u16() == 200 => latencies.push(sent.elapsed()),
                        Ok(r) => return Err(format!("event {i}: HTTP {}", r.status())),
                        Err(e) => return Err(format!("event {i}: {e}")),
                    }
                }
                Ok(latencies)
            }));
        }
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await.map_err(|e| e.to_string())??);
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let stored: i64 = ws.store().read(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))?;
        let rate = total as f64 / elapsed.as_secs_f64();
        println!(
            "webhook ingest ({}): {total} events ({duplicates} duplicates) from {senders} senders in {:.2} s = {rate:.0} events/s; ack latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; stored {stored} messages of {messages} unique",
            if mix { "realistic mix" } else { "text only" },
            elapsed.as_secs_f64(),
            percentile(&latencies, 50.0).as_secs_f64() * 1e3,
            percentile(&latencies, 95.0).as_secs_f64() * 1e3,
            percentile(&latencies, 99.0).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
        let clocks: i64 = ws.store().read(|c| Ok(c.query_row("SELECT count(*) FROM conversations WHERE sla_due_at IS NOT NULL", [], |r| r.get(0))?))?;
        println!("conversations with an SLA clock: {clocks}");
        if stored != messages as i64 {
            return Err(format!("stored {stored} messages, expected {messages}").into());
        }
        if benching {
            println!("goals: >= 5000 events/s ({}), p99 <= 50 ms ({})",
                if rate >= 5000.0 { "met" } else { "NOT met" },
                if percentile(&latencies, 99.0) <= Duration::from_millis(50) { "met" } else { "NOT met" });
        }
        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    })?;
    Ok(())
}
