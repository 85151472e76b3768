//! `appcare channel test`, `channel disable`, `channel enable` and `channel remove`: an
//! admin tests a connected account step by step (the same test as the window's "Test
//! connection", run here), stops and restarts it, or removes it with its history kept
//! or erased. Each is audited by the core.

use super::users::{sign_in_admin, AdminArgs};
use super::{CliError, CliResult};
use appcare_core::channel::check::CheckOutcome;
use appcare_core::ids::ChannelAccountId;
use appcare_core::Timestamp;
use std::time::Duration;

/// Tests account `id` here and prints each step; fails when a step failed.
pub fn test(admin: &AdminArgs, id: i64) -> CliResult {
    let (ws, token) = sign_in_admin(admin)?;
    let account = ChannelAccountId::new(id);
    ws.test_channel(&token, account, Timestamp::now())?;
    let ws = std::sync::Arc::new(ws);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start: {e}")))?;
    let timeout = Duration::from_secs(20);
    let http = appcare_channels::graph::client(timeout).map_err(CliError::Usage)?;
    let steps = runtime.block_on(appcare_channels::check::run(
        ws.clone(),
        &http,
        account,
        timeout,
    ))?;
    for step in &steps {
        let outcome = match step.outcome {
            CheckOutcome::Ok => "ok",
            CheckOutcome::Failed => "FAILED",
            CheckOutcome::Skipped => "skipped",
        };
        println!("{outcome}\t{}\t{}", step.name, step.detail);
    }
    ws.sign_out(&token, Timestamp::now())?;
    let failed = steps
        .iter()
        .filter(|s| s.outcome == CheckOutcome::Failed)
        .count();
    match failed {
        0 => Ok(()),
        n => Err(CliError::CheckFailed(format!(
            "{n} step(s) of the connection test failed"
        ))),
    }
}

/// Disables (`enabled` false) or enables account `id`.
pub fn set_enabled(admin: &AdminArgs, id: i64, enabled: bool) -> CliResult {
    let (ws, token) = sign_in_admin(admin)?;
    let view =
        ws.set_channel_enabled(&token, ChannelAccountId::new(id), enabled, Timestamp::now())?;
    println!(
        "{}\t{}\t{}\t{}",
        view.id,
        view.kind,
        view.name,
        if view.disabled { "disabled" } else { "enabled" }
    );
    ws.sign_out(&token, Timestamp::now())?;
    Ok(())
}

/// Removes account `id`, its history kept (`history` "keep") or erased ("erase").
pub fn remove(admin: &AdminArgs, id: i64, history: &str) -> CliResult {
    let erase = match history {
        "erase" => true,
        "keep" => false,
        other => {
            return Err(CliError::Usage(format!(
                "--history is keep or erase, not {other}"
            )))
        }
    };
    let (ws, token) = sign_in_admin(admin)?;
    let removal =
        ws.remove_channel_account(&token, ChannelAccountId::new(id), erase, Timestamp::now())?;
    match removal.erased {
        true => println!(
            "{id}\tremoved; erased {} conversation(s), {} message(s), {} customer(s)",
            removal.conversations, removal.messages, removal.contacts
        ),
        false => println!(
            "{id}\tremoved; kept {} conversation(s) with {} message(s) to read",
            removal.conversations, removal.messages
        ),
    }
    ws.sign_out(&token, Timestamp::now())?;
    Ok(())
}
