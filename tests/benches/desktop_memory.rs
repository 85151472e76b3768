//! The desktop's idle memory with a large workspace open (issue 24): a workspace of
//! 100,000 conversations (`appcare_core::fixtures`, key in the real Secret Service) is
//! opened by the real app under Xvfb; the admin signs in, the inbox shows "All", and after
//! a quiet minute the resident memory (VmRSS) of the app and of WebKit's web and network
//! processes is read from `/proc`, three times ten seconds apart. Results in BENCHMARKS.md.
//!
//! Run: `./dev bench-memory` (it starts a Secret Service and passes `--bench`);
//! `APPCARE_DESKTOP_BINARY` measures another build of the app (e.g. the release binary),
//! `APPCARE_BENCH_SCALE=0.1` a smaller workspace. Under `cargo test` it runs as a smoke
//! test on 200 conversations with a short wait.
//!
//! Real parts: the app binary, WebKitWebDriver, Xvfb, the Secret Service, SQLCipher.

use appcare_core::auth::{totp, Role};
use appcare_core::fixtures::{self, Spec};
use appcare_core::service::users::NewUser;
use appcare_core::{KeySource, Password, Timestamp};
use appcare_tests::ui::{click, fill, fresh_code, wait_for};
use appcare_tests::{DesktopApp, TestResult};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn benching() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A workspace of `conversations` conversations (about 3 messages each) for the window to
/// open, and the admin's authenticator secret with the step last used.
fn prepare(root: &Path, conversations: usize) -> TestResult<(Vec<u8>, i64)> {
    let now = Timestamp::now();
    let (ws, admin, secret, team) =
        appcare_tests::channel_setup::admin_workspace_keyed(root, "DE", KeySource::Keyring, now)?;
    let step = totp::step_of(now);
    let mut agents = Vec::new();
    for a in 0..5 {
        agents.push(
            ws.create_user(
                &admin,
                NewUser {
                    username: format!("agent{a}"),
                    display_name: format!("Agent {a}"),
                    role: Role::Agent,
                    password: Password::new("orange bicycle seven 7"),
                    teams: vec![team],
                },
                now,
            )?
            .id,
        );
    }
    let mut accounts = Vec::new();
    for (kind, id) in [("whatsapp", "106540352242922"), ("messenger", "1234567890")] {
        accounts.push(
            ws.create_channel_account(&admin, kind, "Line", id, Some(team), now)?
                .id,
        );
    }
    let started = Instant::now();
    fixtures::generate(
        &ws,
        &Spec {
            conversations,
            messages: conversations * 3,
            teams: vec![team],
            agents,
            accounts,
            long_conversation: 0,
        },
        now,
    )?;
    ws.store().checkpoint()?;
    println!(
        "workspace: {conversations} conversations, {} messages, made in {:.1} s, database {:.0} MiB",
        conversations * 3,
        started.elapsed().as_secs_f64(),
        std::fs::metadata(root.join("workspace/appcare.db"))?.len() as f64 / 1_048_576.0
    );
    Ok((secret, step))
}

/// A process's proportional set size (shared pages divided among their users) and its
/// private pages, in KiB, from `/proc/<pid>/smaps_rollup`.
fn shares(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (
        field("Pss:"),
        field("Private_Clean:") + field("Private_Dirty:"),
    )
}

/// A process's resident memory in KiB, its parent and its name.
fn status(pid: u32) -> Option<(u64, u32, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().trim_end_matches(" kB").trim().to_string())
    };
    Some((
        field("VmRSS:")?.parse().ok()?,
        field("PPid:")?.parse().ok()?,
        field("Name:")?,
    ))
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// One process's memory: name, RSS, PSS and private pages (KiB).
struct Usage {
    name: String,
    rss: u64,
    pss: u64,
    private: u64,
}

/// The app's process (started from `binary`) and every process below it (WebKit's).
fn app_memory(binary: &Path) -> TestResult<Vec<Usage>> {
    let all: Vec<(u32, u64, u32, String)> = pids()
        .into_iter()
        .filter_map(|pid| status(pid).map(|(rss, ppid, name)| (pid, rss, ppid, name)))
        .collect();
    let app = all
        .iter()
        .find(|(pid, ..)| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary)
        })
        .ok_or("the app's process was not found")?;
    let usage = |pid: u32, name: &str, rss: u64| {
        let (pss, private) = shares(pid);
        Usage {
            name: name.to_string(),
            rss,
            pss,
            private,
        }
    };
    let mut family = vec![app.0];
    let mut out = vec![usage(app.0, "app", app.1)];
    let mut i = 0;
    while i < family.len() {
        for (pid, rss, ppid, name) in &all {
            if *ppid == family[i] && !family.contains(pid) {
                family.push(*pid);
                out.push(usage(*pid, name, *rss));
            }
        }
        i += 1;
    }
    Ok(out)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> TestResult {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let scale: f64 = std::env::var("APPCARE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benching() { 1.0 } else { 0.002 });
    let conversations = ((100_000.0 * scale) as usize).max(50);
    let quiet = if benching() { 60 } else { 2 };
    let binary: PathBuf = match std::env::var_os("APPCARE_DESKTOP_BINARY") {
        Some(path) => PathBuf::from(path),
        None => appcare_tests::target_dir()?.join("appcare-desktop"),
    };
    let binary = binary.canonicalize()?;
    let data = tempfile::tempdir()?;
    let (secret, used) = tokio::task::block_in_place(|| prepare(data.path(), conversations))?;
    let app = DesktopApp::start_binary(&binary, data, &[]).await?;
    let c = &app.client;
    let outcome = async {
        wait_for(c, "#sign-in-form", 60).await?;
        fill(c, "#si-username", "maria").await?;
        fill(c, "#si-password", appcare_tests::channel_setup::ADMIN_PW).await?;
        click(c, "#si-submit").await?;
        let (code, _) = fresh_code(&secret, used).await?;
        fill(c, "#code-input", &code).await?;
        click(c, "#code-submit").await?;
        wait_for(c, "#app-shell", 30).await?;
        click(c, "#nav-inbox").await?;
        click(c, "#view-all").await?;
        wait_for(c, "#conversation-list [data-conversation-id]", 30).await?;
        tokio::time::sleep(Duration::from_secs(quiet)).await;
        let mut totals = Vec::new();
        for round in 0..3 {
            if round > 0 {
                tokio::time::sleep(Duration::from_secs(if benching() { 10 } else { 1 })).await;
            }
            let parts = app_memory(&binary)?;
            let sum = |f: fn(&Usage) -> u64| parts.iter().map(f).sum::<u64>();
            let total = (sum(|u| u.rss), sum(|u| u.pss), sum(|u| u.private));
            let shown: Vec<String> = parts
                .iter()
                .map(|u| {
                    format!(
                        "{} RSS {:.1} / PSS {:.1} / private {:.1}",
                        u.name,
                        mib(u.rss),
                        mib(u.pss),
                        mib(u.private)
                    )
                })
                .collect();
            println!(
                "idle memory, round {}: RSS {:.1} MiB, PSS {:.1} MiB, private {:.1} MiB ({})",
                round + 1,
                mib(total.0),
                mib(total.1),
                mib(total.2),
                shown.join("; ")
            );
            totals.push(total);
        }
        totals.sort_unstable();
        let median = totals[1];
        println!(
            "idle memory with {conversations} conversations (app and WebKit processes together; \
             goal <= 150 MB RSS): RSS {:.1} MiB, PSS {:.1} MiB, private {:.1} MiB; binary {}",
            mib(median.0),
            mib(median.1),
            mib(median.2),
            binary.display()
        );
        assert!(median.0 > 0, "memory was read");
        TestResult::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("desktop-memory-failure").await;
    }
    app.stop().await;
    outcome
}
