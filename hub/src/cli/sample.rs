//! `appcare sample-data`: fills a workspace with the core's sample conversations
//! (`Workspace::add_sample_data`), so a new install has something to try.

use super::users::{sign_in_admin, AdminArgs};
use super::CliResult;
use appcare_core::Timestamp;

#[derive(clap::Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    admin: AdminArgs,
    /// How many customers with one question each to add besides the scripted conversations.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    conversations: u32,
}

pub fn run(args: SampleArgs) -> CliResult {
    let (ws, token) = sign_in_admin(&args.admin)?;
    let added = ws.add_sample_data(&token, i64::from(args.conversations), Timestamp::now());
    ws.sign_out(&token, Timestamp::now())?;
    let added = added?;
    println!(
        "Added {} sample conversations on three sample channels (nothing is sent from them).",
        added.conversations
    );
    Ok(())
}
