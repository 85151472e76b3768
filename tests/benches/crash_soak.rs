//! Crash soak: a real `appcare serve` receives signed WhatsApp webhooks from four
//! senders without pause while replies are queued beside it, and is killed with SIGKILL
//! at a random moment (during start-up, or while serving), then started again, round
//! after round. Meta's behaviour is copied: an event that did not get a 200 is delivered
//! again, and now and then an acknowledged one is delivered again too. At the end:
//! every event that got a 200 is stored exactly once, no reply was sent to the fake
//! Graph API more than once, `PRAGMA integrity_check` answers `ok` and
//! `appcare audit verify` passes. Prints the figures for BENCHMARKS.md.
//! `cargo bench -p appcare-tests --bench crash_soak` (1,000 kills); under `cargo test`
//! it runs 3 kills, as a smoke test. APPCARE_SOAK_KILLS overrides the count, and
//! APPCARE_SOAK_SECONDS stops killing after that long (the figures say how many ran).
//! Needs the `appcare` binary (`cargo build -p appcare-hub`).
//!
//! Real parts: the `appcare` binary, SQLCipher, the kernel's SIGKILL, the fake Graph API.

use appcare_core::channel::our_reference;
use appcare_core::service::inbox::{InboxQuery, InboxView};
use appcare_core::{MessageId, Timestamp};
use appcare_tests::channel_setup::*;
use appcare_tests::meta::{deliver_signed, samples};
use appcare_tests::target_dir;
use std::collections::{HashMap, HashSet, VecDeque};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const SENDERS: usize = 4;
const CUSTOMERS: usize = 20;

/// A small xorshift generator: the kill moments need no cryptographic randomness.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// What Meta knows: events to deliver (again), and those we acknowledged.
#[derive(Default)]
struct Meta {
    next: u64,
    pending: VecDeque<u64>,
    acknowledged: HashSet<u64>,
    posts: u64,
    refused: u64,
    redelivered: u64,
}

fn wamid(n: u64) -> String {
    format!("wamid.soak.{n:07}")
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn serve(world: &ChannelWorld, port: u16) -> Result<Child> {
    Ok(Command::new(target_dir()?.join("appcare"))
        .args(["serve", "--http", "--listen", &format!("127.0.0.1:{port}")])
        .args([
            "--retry-base-seconds",
            "1",
            "--http-timeout-seconds",
            "2",
            "--poll-seconds",
            "3600",
        ])
        .arg("--data-dir")
        .arg(world.dir.path().join("workspace"))
        .env("APPCARE_PASSPHRASE", PASSPHRASE)
        .env_remove("APPCARE_FAILPOINT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start appcare serve (cargo build -p appcare-hub): {e}"))?)
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// One sender: posts the next event (a redelivery first) to `url` until told to stop.
async fn sender(
    http: reqwest::Client,
    url: String,
    meta: Arc<Mutex<Meta>>,
    stop: Arc<AtomicBool>,
    seed: u64,
) {
    let mut rng = Rng(seed | 1);
    while !stop.load(Ordering::Relaxed) {
        let (n, again) = {
            let mut m = meta.lock().unwrap_or_else(|p| p.into_inner());
            if rng.below(20) == 0 && !m.acknowledged.is_empty() {
                // Meta delivers an acknowledged event again now and then.
                let pick = m.next.saturating_sub(1 + rng.below(50));
                (pick, m.acknowledged.contains(&pick))
            } else if let Some(n) = m.pending.pop_front() {
                (n, false)
            } else {
                m.next += 1;
                (m.next, false)
            }
        };
        let customer = format!("1650555{:04}", n % CUSTOMERS as u64);
        let payload = samples::whatsapp_text(
            PHONE_ID,
            &customer,
            "Soak Customer",
            &wamid(n),
            Timestamp::now().unix(),
            &format!("Where is parcel {n}?"),
        );
        let status = deliver_signed(&http, &url, APP_SECRET, &payload).await;
        {
            let mut m = meta.lock().unwrap_or_else(|p| p.into_inner());
            m.posts += 1;
            if again {
                m.redelivered += 1;
            }
            if status == 200 {
                m.acknowledged.insert(n);
            } else {
                m.refused += 1;
                if !m.acknowledged.contains(&n) && !m.pending.contains(&n) {
                    m.pending.push_back(n);
                }
            }
        }
        if status != 200 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Queues one reply to the newest conversation; `None` before any conversation exists.
fn queue_reply(world: &ChannelWorld, n: usize) -> Option<MessageId> {
    let now = Timestamp::now();
    let query = InboxQuery {
        view: Some(InboxView::All),
        ..InboxQuery::default()
    };
    let rows = world
        .ws
        .list_conversations(&world.admin, &query, now)
        .ok()?
        .rows;
    let conversation = rows.get(n % rows.len().max(1))?.id;
    world
        .ws
        .reply(
            &world.admin,
            conversation,
            &format!("Soak reply {n}"),
            None,
            now,
        )
        .ok()
        .map(|m| m.id)
}

fn main() -> Result<()> {
    appcare_hub::logging::init(None, appcare_hub::logging::COMMAND_DEFAULT)?;
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return Ok(());
    }
    let benching = args.iter().any(|a| a == "--bench");
    let kills: usize = std::env::var("APPCARE_SOAK_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 1000 } else { 3 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let limit = std::env::var("APPCARE_SOAK_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs);
    runtime.block_on(soak(kills, limit))
}

async fn soak(planned: usize, limit: Option<Duration>) -> Result<()> {
    let world = world("US", (false, false)).await?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    let meta = Arc::new(Mutex::new(Meta::default()));
    let mut rng = Rng(Timestamp::now().unix() as u64 ^ 0x9e37_79b9_7f4a_7c15);
    let mut replies: Vec<MessageId> = Vec::new();
    let mut kills_during_start = 0;
    let started = Instant::now();
    let mut kills = 0;
    for round in 0..=planned {
        let last = round == planned || limit.is_some_and(|l| started.elapsed() > l);
        let port = free_port()?;
        let url = format!("http://127.0.0.1:{port}/webhooks/whatsapp");
        let mut child = serve(&world, port)?;
        // One round in five is killed while it starts (opening, migrating, recovering).
        let kill_early = !last && rng.below(5) == 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut killed_early = false;
        let early_at = Instant::now() + Duration::from_millis(rng.below(1500));
        while !listening(port) {
            if kill_early && Instant::now() >= early_at {
                killed_early = true;
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err(format!("round {round}: appcare serve did not listen").into());
            }
            if let Some(status) = child.try_wait()? {
                return Err(format!("round {round}: appcare serve exited: {status}").into());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if killed_early {
            kills_during_start += 1;
        } else {
            let stop = Arc::new(AtomicBool::new(false));
            let tasks: Vec<_> = (0..SENDERS)
                .map(|i| {
                    tokio::spawn(sender(
                        http.clone(),
                        url.clone(),
                        meta.clone(),
                        stop.clone(),
                        rng.below(u64::MAX) ^ i as u64,
                    ))
                })
                .collect();
            if round % 2 == 0 {
                if let Some(id) = queue_reply(&world, replies.len()) {
                    replies.push(id);
                }
            }
            let serving = if last {
                Duration::from_secs(3)
            } else {
                Duration::from_millis(50 + rng.below(700))
            };
            tokio::time::sleep(serving).await;
            if last {
                stop.store(true, Ordering::Relaxed);
                for task in tasks {
                    let _ = task.await;
                }
                // Meta keeps delivering what was refused until it gets a 200.
                let pending: Vec<u64> = {
                    let m = meta.lock().unwrap_or_else(|p| p.into_inner());
                    m.pending.iter().copied().collect()
                };
                for n in pending {
                    let payload = samples::whatsapp_text(
                        PHONE_ID,
                        &format!("1650555{:04}", n % CUSTOMERS as u64),
                        "Soak Customer",
                        &wamid(n),
                        Timestamp::now().unix(),
                        &format!("Where is parcel {n}?"),
                    );
                    if deliver_signed(&http, &url, APP_SECRET, &payload).await == 200 {
                        let mut m = meta.lock().unwrap_or_else(|p| p.into_inner());
                        m.acknowledged.insert(n);
                        m.pending.retain(|p| *p != n);
                    }
                }
                // The outbox settles what it can (sent, or unconfirmed after a kill).
                let deadline = Instant::now() + Duration::from_secs(30);
                while Instant::now() < deadline && queued(&world, &replies) > 0 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            } else {
                let _ = child.kill();
                stop.store(true, Ordering::Relaxed);
                for task in tasks {
                    let _ = task.await;
                }
            }
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if last {
            break;
        }
        kills += 1;
        if planned >= 20 && round % (planned / 20) == 0 {
            let m = meta.lock().unwrap_or_else(|p| p.into_inner());
            eprintln!(
                "round {round}/{planned}: {} acknowledged, {:.0} s",
                m.acknowledged.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let wall = started.elapsed();
    check(&world, &meta, &replies, kills, kills_during_start, wall)
}

/// Replies still waiting to be sent.
fn queued(world: &ChannelWorld, replies: &[MessageId]) -> usize {
    replies
        .iter()
        .filter(|id| {
            let status = query_text(
                &world.ws,
                &format!("SELECT status FROM messages WHERE id = {id}"),
            );
            status == "queued" || status == "sending"
        })
        .count()
}

fn check(
    world: &ChannelWorld,
    meta: &Mutex<Meta>,
    replies: &[MessageId],
    kills: usize,
    kills_during_start: usize,
    wall: Duration,
) -> Result<()> {
    let m = meta.lock().unwrap_or_else(|p| p.into_inner());
    let stored: HashMap<String, i64> = world.ws.store().read(|c| {
        let mut statement = c.prepare(
            "SELECT external_id, count(*) FROM messages WHERE external_id LIKE 'wamid.soak.%' GROUP BY external_id",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    })?;
    let missing = m
        .acknowledged
        .iter()
        .filter(|n| !stored.contains_key(&wamid(**n)))
        .count();
    let duplicates = stored.values().filter(|c| **c > 1).count();
    let mut sends: HashMap<String, usize> = HashMap::new();
    for request in world.fake.requests_to("/messages") {
        if let Some(reference) = request.body["biz_opaque_callback_data"].as_str() {
            *sends.entry(reference.to_string()).or_default() += 1;
        }
    }
    let sent_once = replies
        .iter()
        .filter(|id| sends.get(&our_reference(**id)) == Some(&1))
        .count();
    let sent_twice = replies
        .iter()
        .filter(|id| sends.get(&our_reference(**id)).is_some_and(|c| *c > 1))
        .count();
    let unconfirmed = replies
        .iter()
        .filter(|id| {
            query_text(
                &world.ws,
                &format!("SELECT status FROM messages WHERE id = {id}"),
            ) == "unconfirmed"
        })
        .count();
    let integrity = query_text(&world.ws, "PRAGMA integrity_check");
    let audit = Command::new(target_dir()?.join("appcare"))
        .args(["audit", "verify", "--data-dir"])
        .arg(world.dir.path().join("workspace"))
        .env("APPCARE_PASSPHRASE", PASSPHRASE)
        .output()?;
    println!(
        "crash soak: {kills} SIGKILLs ({kills_during_start} during start-up), {} posts, \
         {} refused or cut off, {} acknowledged events redelivered; {} events acknowledged, \
         {} stored, {missing} acknowledged but missing, {duplicates} stored twice; \
         {} replies queued: {sent_once} sent once, {sent_twice} sent more than once, \
         {unconfirmed} unconfirmed, {} still queued; integrity_check: {integrity}; \
         audit verify: {}; wall time {:.0} s",
        m.posts,
        m.refused,
        m.redelivered,
        m.acknowledged.len(),
        stored.len(),
        replies.len(),
        queued(world, replies),
        if audit.status.success() {
            "ok"
        } else {
            "FAILED"
        },
        wall.as_secs_f64(),
    );
    let mut failures = Vec::new();
    if missing > 0 {
        failures.push(format!("{missing} acknowledged events are not stored"));
    }
    if duplicates > 0 {
        failures.push(format!("{duplicates} events are stored more than once"));
    }
    if sent_twice > 0 {
        failures.push(format!("{sent_twice} replies were sent more than once"));
    }
    if integrity != "ok" {
        failures.push(format!("integrity_check: {integrity}"));
    }
    if !audit.status.success() {
        failures.push(format!(
            "appcare audit verify: {}",
            String::from_utf8_lossy(&audit.stderr).trim()
        ));
    }
    if m.acknowledged.is_empty() {
        failures.push("no event was acknowledged at all".into());
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; ").into())
    }
}
