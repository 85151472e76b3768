//! Initial sync of a support mailbox with 3 folders (INBOX with 60 % of the mail, Orders
//! and Claims with 20 % each) from the local Dovecot, side by side with `mbsync` (isync)
//! pulling the same folders into a Maildir (flags included, as ours asks the server
//! which mail is read). Rounds alternate ours / mbsync so
//! both see the same machine load; each of our rounds starts from an empty encrypted
//! workspace (fetch, parse, thread, index, encrypt), each mbsync round from an empty
//! Maildir. Fails unless every message was stored exactly once.
//! `cargo bench -p appcare-tests --bench email_sync` (10,000 messages, 3 rounds each);
//! under `cargo test` it runs 300 messages once, as a smoke test.
//! APPCARE_BENCH_MESSAGES and APPCARE_BENCH_ROUNDS override the size.
//!
//! Real parts: Dovecot on loopback, mbsync (isync), SQLCipher.

use appcare_channels::email::sync::sync_once;
use appcare_tests::channel_setup::query_i64;
use appcare_tests::mail_servers::MailServers;
use appcare_tests::mail_setup::{mail_options, mail_world};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USER: &str = "bench@example.test";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() -> Result<()> {
    // What the hub and the channel runtime log (RUST_LOG, default warn) goes to stderr.
    appcare_hub::logging::init(None, appcare_hub::logging::COMMAND_DEFAULT)?;
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return Ok(());
    }
    let benching = args.iter().any(|a| a == "--bench");
    let count = env_usize(
        "APPCARE_BENCH_MESSAGES",
        if benching { 10_000 } else { 300 },
    );
    let rounds = env_usize("APPCARE_BENCH_ROUNDS", if benching { 3 } else { 1 });
    let servers = MailServers::start()?;
    let (orders, claims) = (count / 5, count / 5);
    servers.fill(USER, count - orders - claims)?;
    servers.fill_folder(USER, "Orders", orders)?;
    servers.fill_folder(USER, "Claims", claims)?;
    std::env::set_var("MBSYNC_PATTERNS", "INBOX Orders Claims");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut theirs_no_fsync = Vec::new();
    for round in 1..=rounds {
        let world = mail_world(&servers, USER)?;
        // The admin picked the two other folders (as listed by the server).
        let now = appcare_core::Timestamp::now();
        let listed = [("INBOX", ""), ("Orders", ""), ("Claims", "")]
            .map(|(n, u)| (n.to_string(), u.to_string()));
        world
            .ws
            .delivery()
            .set_mail_folder_list(world.mailbox, &listed, now)?;
        world.ws.set_mail_folders(
            &world.admin,
            world.mailbox,
            &["Orders".into(), "Claims".into()],
            now,
        )?;
        let endpoint = world.endpoint()?;
        let started = Instant::now();
        let fetched = runtime.block_on(sync_once(world.ws.clone(), &endpoint, &mail_options()))?;
        let took = started.elapsed();
        let stored = query_i64(&world.ws, "SELECT count(*) FROM messages");
        if fetched != count || stored != count as i64 {
            return Err(format!(
                "round {round}: fetched {fetched}, stored {stored}, expected {count}"
            )
            .into());
        }
        ours.push(took);

        // mbsync as shipped (a flush per message), and without flushing.
        let mut times = Vec::new();
        for fsync in ["yes", "no"] {
            let target = tempfile::tempdir()?;
            std::env::set_var("MBSYNC_FSYNC", fsync);
            let started = Instant::now();
            servers.mbsync(USER, &target.path().join("Maildir"))?;
            times.push(started.elapsed());
            let maildir = target.path().join("Maildir");
            let mut pulled = 0;
            for folder in ["", ".Orders", ".Claims"] {
                for sub in ["new", "cur"] {
                    if let Ok(entries) = std::fs::read_dir(maildir.join(folder).join(sub)) {
                        pulled += entries.count();
                    }
                }
            }
            if pulled != count {
                return Err(format!("round {round}: mbsync pulled {pulled} of {count}").into());
            }
        }
        println!(
            "round {round}: appcare {:.2} s, mbsync {:.2} s, mbsync without fsync {:.2} s",
            took.as_secs_f64(),
            times[0].as_secs_f64(),
            times[1].as_secs_f64()
        );
        theirs.push(times[0]);
        theirs_no_fsync.push(times[1]);
    }
    let (ours, theirs, loose) = (median(ours), median(theirs), median(theirs_no_fsync));
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    println!(
        "{count} messages, median of {rounds}: appcare {:.2} s ({:.0} msg/s); mbsync {:.2} s ({:.0} msg/s), ratio {:.2} (goal <= 0.3); mbsync without fsync {:.2} s ({:.0} msg/s), ratio {:.2} (goal <= 1.0)",
        ours.as_secs_f64(),
        rate(ours),
        theirs.as_secs_f64(),
        rate(theirs),
        ours.as_secs_f64() / theirs.as_secs_f64(),
        loose.as_secs_f64(),
        rate(loose),
        ours.as_secs_f64() / loose.as_secs_f64(),
    );
    Ok(())
}
