//! The team hub on loopback, over HTTPS, with 50 signed-in sessions each holding a push
//! stream: handoff → visible on the recipient's stream; a customer's webhook → pushed to
//! the conversation's assignee; 200 concurrent readers of the inbox list, through the
//! remote client and as bare HTTPS connections on one thread; and the resident memory
//! of a hub process serving a workspace of 100,000 conversations. Prints p50/p95/p99
//! for BENCHMARKS.md.
//! `cargo bench -p appcare-tests --bench hub`; under `cargo test` it runs small, as a
//! smoke test. APPCARE_BENCH_CONVERSATIONS overrides the memory test's size (0 skips it).
//!
//! Real parts: the hub over HTTPS on loopback (rustls), the remote client, SQLCipher, a
//! separate hub process for the memory test.

use appcare_client::{HubAddress, PushMessage, RemoteWorkspace};
use appcare_core::auth::Role;
use appcare_core::events::Event;
use appcare_core::fixtures::{self, Spec};
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::InboxQuery;
use appcare_core::service::presence::Activity;
use appcare_core::{ConversationId, SessionToken, Timestamp, UserId, WorkspaceApi};
use appcare_tests::hub_setup::{enrol, TestHub};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Agents signed in at once when benching (each a push stream); a smoke run under
/// `cargo test` signs in a few, since every sign-in is an Argon2 hash.
const SESSIONS: usize = 50;
const SMOKE_SESSIONS: usize = 6;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>, goal: &str) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: n={} p50={:.1} ms p95={:.1} ms p99={:.1} ms max={:.1} ms (goal {goal})",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
        ms(samples[samples.len() - 1]),
    );
}

/// Who got which event when: (stream index, event).
type Arrivals = mpsc::Receiver<(usize, Event, Instant)>;

struct Agent {
    id: UserId,
    token: SessionToken,
}

fn main() -> Result<()> {
    // What the hub and the channel runtime log (RUST_LOG, default warn) goes to stderr.
    appcare_hub::logging::init(None, appcare_hub::logging::COMMAND_DEFAULT)?;
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return Ok(());
    }
    if let Some(at) = args.iter().position(|a| a == "--hub-child") {
        return hub_child(&args[at + 1]);
    }
    let benching = args.iter().any(|a| a == "--bench");
    let rounds = if benching { 200 } else { 10 };
    let sessions = if benching { SESSIONS } else { SMOKE_SESSIONS };
    let readers = if benching { 200 } else { 20 };
    let reads_each = env_usize("APPCARE_BENCH_READS_EACH", if benching { 10 } else { 2 });
    let conversations = env_usize(
        "APPCARE_BENCH_CONVERSATIONS",
        if benching { 100_000 } else { 2_000 },
    );

    let hub = TestHub::start()?;
    let client = Arc::new(hub.client());
    let mut agents = Vec::with_capacity(sessions);
    for i in 0..sessions {
        let name = format!("agent{i:02}");
        let id = hub.create(&name, Role::Agent)?;
        let (token, _) = enrol(hub.ws.as_ref(), &name)?;
        agents.push(Agent { id, token });
    }
    let (tx, arrivals): (_, Arrivals) = mpsc::channel();
    for (i, agent) in agents.iter().enumerate() {
        let mut stream = client.events(&agent.token, None)?;
        let tx = tx.clone();
        std::thread::spawn(move || {
            while let Ok(Some(message)) = stream.next() {
                if let PushMessage::Event { event, .. } = message {
                    if tx.send((i, event, Instant::now())).is_err() {
                        break;
                    }
                }
            }
        });
    }
    std::thread::sleep(Duration::from_millis(300));

    // Handoff: agent i hands a conversation to agent i+1; timed until i+1's stream has it.
    let customers: Vec<(ConversationId, String)> = (0..sessions)
        .map(|i| hub.customers_for(agents[i].id, 1).map(|mut v| v.remove(0)))
        .collect::<Result<_>>()?;
    drain(&arrivals);
    let mut holder: Vec<usize> = (0..sessions).collect();
    let mut handoffs = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let c = round % sessions;
        let (conversation, _) = customers[c];
        let from = holder[c];
        let to = (from + 1) % sessions;
        let version = client
            .open_conversation(&agents[from].token, conversation, None, Timestamp::now())?
            .summary
            .version;
        let start = Instant::now();
        client.transfer(
            &agents[from].token,
            Versioned {
                id: conversation,
                version,
            },
            TransferTarget::Agent(agents[to].id),
            "Handing over: customer waiting on a refund.",
            Timestamp::now(),
        )?;
        handoffs.push(wait(&arrivals, start, |i, e| {
            i == to && matches!(e, Event::Assigned { conversation: c, to_user, .. } if *c == conversation && *to_user == Some(agents[to].id))
        })?);
        holder[c] = to;
    }
    report(
        "handoff -> recipient's push stream",
        handoffs,
        "p95 <= 100 ms",
    );

    // Presence (issue 20): the holder opens the conversation, then types; timed until the
    // next agent's stream (all sessions are listening) says so.
    drain(&arrivals);
    let mut presences = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let c = round % sessions;
        let (conversation, _) = customers[c];
        let who = holder[c];
        let watcher = (who + 1) % sessions;
        let activity = if round % 2 == 0 {
            Activity::Viewing
        } else {
            Activity::TypingReply
        };
        let start = Instant::now();
        client.set_presence(&agents[who].token, conversation, activity, Timestamp::now())?;
        let user = agents[who].id;
        presences.push(wait(&arrivals, start, |i, e| {
            i == watcher
                && matches!(e, Event::Presence { conversation: c, user: u, activity: a }
                    if *c == conversation && *u == user && *a == activity)
        })?);
    }
    report(
        &format!("presence -> a colleague's push stream ({sessions} sessions listening)"),
        presences,
        "p95 <= 100 ms",
    );

    // Webhook: the customer writes again; timed until the assignee's stream has it.
    let web = hub.trusting_agent()?;
    drain(&arrivals);
    let mut webhooks = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let c = round % sessions;
        let (conversation, wa_id) = &customers[c];
        let assignee = holder[c];
        let start = Instant::now();
        let status = hub.customer_writes(
            &web,
            wa_id,
            &format!("wamid.bench{round}"),
            "Any news on my refund?",
        )?;
        if status != 200 {
            return Err(format!("the webhook answered {status}").into());
        }
        webhooks.push(wait(&arrivals, start, |i, e| {
            i == assignee
                && matches!(e, Event::MessageReceived { conversation: c, .. } if c == conversation)
        })?);
    }
    report(
        "webhook -> assignee's push stream",
        webhooks,
        "p95 <= 200 ms",
    );

    // Readers: 200 clients list the inbox at once, each `reads_each` times.
    let _ = fixtures::generate(
        &hub.ws,
        &Spec {
            conversations: 2_000,
            messages: 2_000,
            teams: vec![hub.team],
            agents: agents.iter().map(|a| a.id).collect(),
            accounts: vec![hub.account],
            long_conversation: 1,
        },
        Timestamp::now(),
    )?;
    // The same reads one at a time and 20 at once, to show where the time goes; then
    // every reader back to back with no pause (the hub saturated).
    for concurrency in [1, 20, readers] {
        let (samples, wall) = read_inbox(
            &hub,
            &agents,
            concurrency,
            reads_each.max(200 / concurrency),
            None,
        )?;
        let rate = samples.len() as f64 / wall.as_secs_f64();
        report(
            &format!("{concurrency} concurrent inbox readers, back to back ({rate:.0} reads/s)"),
            samples,
            "p99 <= 50 ms at 200",
        );
    }
    // The same 200 readers as plain HTTPS connections on one thread, the way a load
    // tool such as wrk reads: the 200 desktop clients above take about a third of these
    // 2 cores for their own TLS and decoding, which a second machine would not charge
    // to the hub. They read five times as many times each, so the phase lasts long
    // enough to show a slow spell.
    let (samples, wall) = lean::read_inbox(&hub, &agents, readers, reads_each * 5)?;
    let rate = samples.len() as f64 / wall.as_secs_f64();
    report(
        &format!("{readers} concurrent inbox readers, back to back, lean HTTPS connections ({rate:.0} reads/s)"),
        samples,
        "p99 <= 50 ms at 200",
    );
    // Every reader on a steady pace of its own, staggered: latency is counted from when
    // the read was due, so a hub falling behind shows as waiting, not as fewer reads.
    let paces: &[u64] = if benching {
        &[1000, 200, 100, 80, 70]
    } else {
        &[50]
    };
    for &every_ms in paces {
        let (samples, wall) = read_inbox(
            &hub,
            &agents,
            readers,
            reads_each,
            Some(Duration::from_millis(every_ms)),
        )?;
        let rate = samples.len() as f64 / wall.as_secs_f64();
        report(
            &format!(
                "{readers} concurrent inbox readers, each every {every_ms} ms ({rate:.0} reads/s)"
            ),
            samples,
            "p99 <= 50 ms at 200",
        );
    }
    drop(hub);

    if conversations > 0 {
        memory(conversations, sessions)?;
    }
    Ok(())
}

/// `readers` clients (one connection each, opened before the clock starts) list the
/// inbox `reads_each` times at once: back to back, or each on its own schedule of one
/// read per `pace` (staggered across the readers, a read's latency counted from when
/// it was due). Every read's latency, and the time from the first read's start to the
/// last one's end.
fn read_inbox(
    hub: &TestHub,
    agents: &[Agent],
    readers: usize,
    reads_each: usize,
    pace: Option<Duration>,
) -> Result<(Vec<Duration>, Duration)> {
    let samples = Arc::new(Mutex::new(Vec::new()));
    let barrier = Arc::new(Barrier::new(readers));
    // When the first reader started after the barrier.
    let first = Arc::new(Mutex::new(None::<Instant>));
    let threads: Vec<_> = (0..readers)
        .map(|r| {
            let reader = RemoteWorkspace::new(hub.address.clone(), &hub.fingerprint);
            let token = agents[r % agents.len()].token.clone();
            let samples = samples.clone();
            let barrier = barrier.clone();
            let first = first.clone();
            std::thread::spawn(move || -> std::result::Result<(), String> {
                reader
                    .session_state(&token, Timestamp::now())
                    .map_err(|e| e.to_string())?;
                barrier.wait();
                let begun = *first
                    .lock()
                    .map_err(|e| e.to_string())?
                    .get_or_insert_with(Instant::now);
                for i in 0..reads_each {
                    let start = match pace {
                        None => Instant::now(),
                        Some(pace) => {
                            let due =
                                begun + pace.mul_f64(r as f64 / readers as f64) + pace * i as u32;
                            if let Some(early) = due.checked_duration_since(Instant::now()) {
                                std::thread::sleep(early);
                            }
                            due
                        }
                    };
                    reader
                        .list_conversations(&token, &InboxQuery::default(), Timestamp::now())
                        .map_err(|e| e.to_string())?;
                    let took = start.elapsed();
                    samples.lock().map_err(|e| e.to_string())?.push(took);
                }
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "a reader panicked")??;
    }
    let wall = first
        .lock()
        .map_err(|e| e.to_string())?
        .map_or(Duration::ZERO, |t| t.elapsed());
    let samples = std::mem::take(&mut *samples.lock().map_err(|e| e.to_string())?);
    Ok((samples, wall.max(Duration::from_micros(1))))
}

fn drain(arrivals: &Arrivals) {
    while arrivals.try_recv().is_ok() {}
}

fn wait(
    arrivals: &Arrivals,
    start: Instant,
    wanted: impl Fn(usize, &Event) -> bool,
) -> Result<Duration> {
    loop {
        let (i, event, at) = arrivals
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| "an event did not arrive within 10 s")?;
        if wanted(i, &event) {
            return Ok(at - start);
        }
    }
}

/// A hub process of its own (this program, re-run with `--hub-child DIR`) on a
/// workspace of `conversations`: its resident memory after `sessions` sessions read the
/// inbox.
fn memory(conversations: usize, sessions: usize) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let now = Timestamp::now();
    let (ws, admin, _, team) =
        appcare_tests::channel_setup::admin_workspace(dir.path(), "DE", now)?;
    let account = ws
        .create_channel_account(
            &admin,
            "whatsapp",
            "Support line",
            "106540352242922",
            Some(team),
            now,
        )?
        .id;
    let mut ids = Vec::new();
    for i in 0..sessions {
        let name = format!("agent{i:02}");
        ids.push(
            ws.create_user(
                &admin,
                appcare_core::service::users::NewUser {
                    username: name.clone(),
                    display_name: name.clone(),
                    role: Role::Agent,
                    password: appcare_core::Password::new(
                        appcare_tests::hub_setup::initial_password_for(&name),
                    ),
                    teams: vec![team],
                },
                now,
            )?
            .id,
        );
    }
    let made = Instant::now();
    fixtures::generate(
        &ws,
        &Spec {
            conversations,
            messages: conversations * 3,
            teams: vec![team],
            agents: ids.clone(),
            accounts: vec![account],
            long_conversation: 1,
        },
        now,
    )?;
    println!(
        "memory: made {conversations} conversations in {:.1} s",
        made.elapsed().as_secs_f64()
    );
    drop(ws);
    let exe = std::env::current_exe()?;
    let mut child = std::process::Command::new(exe)
        .args(["--hub-child", &dir.path().display().to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut reader = std::io::BufReader::new(stdout);
    std::io::BufRead::read_line(&mut reader, &mut line)?;
    let mut parts = line.split_whitespace();
    let (url, fingerprint) = (
        parts.next().ok_or("no url")?,
        parts.next().ok_or("no fingerprint")?,
    );
    let client = RemoteWorkspace::new(HubAddress::parse(url)?, fingerprint);
    let mut streams = Vec::new();
    for i in 0..sessions {
        let (token, _) = enrol(&client, &format!("agent{i:02}"))?;
        streams.push(client.events(&token, None)?);
        for _ in 0..3 {
            client.list_conversations(&token, &InboxQuery::default(), Timestamp::now())?;
        }
        client.search(&token, "order", Timestamp::now())?;
    }
    let rss = rss_kib(child.id())?;
    println!(
        "hub memory with {conversations} conversations and {sessions} sessions: {:.1} MB RSS (goal <= 200 MB)",
        rss as f64 / 1024.0
    );
    child.kill()?;
    child.wait()?;
    Ok(())
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("no value")?.parse()?)
}

/// The child: opens the workspace and serves the team API over HTTPS, like
/// `appcare serve`, printing `URL FINGERPRINT`.
fn hub_child(dir: &str) -> Result<()> {
    use appcare_hub::team::{self, Hub, TeamOptions};
    let root = std::path::Path::new(dir);
    let ws = Arc::new(appcare_core::Workspace::open(
        &appcare_core::WorkspaceDir::new(root.join("workspace")),
        Some(&appcare_core::Password::new(
            appcare_tests::channel_setup::PASSPHRASE,
        )),
    )?);
    let cert = appcare_hub::tls::load_or_generate(&root.join("hub"), None, &[])?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let hub = Hub::start(ws, TeamOptions::new(root.join("scratch")));
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = tcp.local_addr()?.port();
        println!("https://127.0.0.1:{port} {}", cert.fingerprint);
        team::serve(
            tcp,
            Some(cert.acceptor()?),
            team::router(hub),
            appcare_channels::listen::ListenLimits::default(),
            std::future::pending(),
        )
        .await?;
        Result::Ok(())
    })?;
    Ok(())
}

/// Inbox readers as bare HTTPS/1.1 connections driven from one thread: each sends the
/// request the desktop's client sends, reads the whole answer and checks it is an inbox
/// page with rows, and sends the next at once.
mod lean {
    use super::{Agent, Result};
    use appcare_core::service::inbox::InboxQuery;
    use appcare_tests::hub_setup::TestHub;
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::client::TlsStream;

    type Connection = TlsStream<tokio::net::TcpStream>;

    /// Every read's latency and the time from the first read's start to the last's end.
    pub fn read_inbox(
        hub: &TestHub,
        agents: &[Agent],
        readers: usize,
        reads_each: usize,
    ) -> Result<(Vec<Duration>, Duration)> {
        let port = hub.port()?;
        let connector = tokio_rustls::TlsConnector::from(hub.trusting_tls()?);
        let body = serde_json::json!({ "query": InboxQuery::default() }).to_string();
        let requests: Vec<Vec<u8>> = (0..readers)
            .map(|r| {
                format!(
                    "POST /api/v1/list_conversations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
                     Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n{body}",
                    agents[r % agents.len()].token.expose(),
                    body.len()
                )
                .into_bytes()
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            // Every connection is open and has read once before the clock starts.
            let mut connections = Vec::with_capacity(readers);
            for request in requests {
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
                tcp.set_nodelay(true)?;
                let name =
                    rustls_pki_types::ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into());
                let mut connection = connector.connect(name, tcp).await?;
                let mut buffer = Vec::with_capacity(64 * 1024);
                read_once(&mut connection, &request, &mut buffer).await?;
                connections.push((connection, request, buffer));
            }
            let begun = Instant::now();
            let tasks: Vec<_> = connections
                .into_iter()
                .map(|(mut connection, request, mut buffer)| {
                    tokio::spawn(async move {
                        let mut samples = Vec::with_capacity(reads_each);
                        for _ in 0..reads_each {
                            let start = Instant::now();
                            read_once(&mut connection, &request, &mut buffer).await?;
                            samples.push(start.elapsed());
                        }
                        Ok::<_, String>(samples)
                    })
                })
                .collect();
            let mut samples = Vec::with_capacity(readers * reads_each);
            for task in tasks {
                samples.extend(task.await.map_err(|_| "a reader panicked")??);
            }
            Ok((samples, begun.elapsed().max(Duration::from_micros(1))))
        })
    }

    /// An inbox page, read as far as telling its rows apart.
    #[derive(serde::Deserialize)]
    struct Page {
        rows: Vec<serde::de::IgnoredAny>,
    }

    /// One request and its whole answer, which must be `200` with an inbox page of rows.
    async fn read_once(
        connection: &mut Connection,
        request: &[u8],
        buffer: &mut Vec<u8>,
    ) -> std::result::Result<(), String> {
        connection
            .write_all(request)
            .await
            .map_err(|e| format!("sending: {e}"))?;
        buffer.clear();
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            fill(connection, buffer).await?;
        };
        let head = std::str::from_utf8(&buffer[..head_end]).map_err(|_| "a head not in UTF-8")?;
        if !head.starts_with("HTTP/1.1 200 ") {
            return Err(format!(
                "the hub answered {}",
                head.lines().next().unwrap_or_default()
            ));
        }
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or("an answer without a length")?;
        while buffer.len() < head_end + length {
            fill(connection, buffer).await?;
        }
        let page: Page = serde_json::from_slice(&buffer[head_end..head_end + length])
            .map_err(|_| "an answer that is not an inbox page")?;
        if page.rows.is_empty() {
            return Err("an empty inbox".into());
        }
        Ok(())
    }

    async fn fill(
        connection: &mut Connection,
        buffer: &mut Vec<u8>,
    ) -> std::result::Result<(), String> {
        if buffer.capacity() - buffer.len() < 16 * 1024 {
            buffer.reserve(64 * 1024);
        }
        match connection.read_buf(buffer).await {
            Ok(0) => Err("the hub closed the connection".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("reading: {e}")),
        }
    }
}
