//! `appcare sample-data`: fills a workspace with made-up customer conversations through
//! the same `ingest` path the channels will use, so a new install has something to try.

use super::users::{sign_in_admin, AdminArgs};
use super::CliResult;
use appcare_core::fixtures::sample_text;
use appcare_core::service::ingest::InboundMessage;
use appcare_core::Timestamp;

#[derive(clap::Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    admin: AdminArgs,
    /// How many conversations to add.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    conversations: u32,
}

const CUSTOMERS: &[&str] = &[
    "Sheena Nelson",
    "Omar Haddad",
    "Li Wei",
    "Ana Souza",
    "Kwame Mensah",
    "Priya Raman",
    "Jonas Berg",
    "Yuki Sato",
];

pub fn run(args: SampleArgs) -> CliResult {
    let (ws, token) = sign_in_admin(&args.admin)?;
    let now = Timestamp::now();
    let team = match ws.list_teams(&token, now)?.into_iter().next() {
        Some(t) => t.id,
        None => ws.create_team(&token, "Support", now)?.id,
    };
    let mut accounts = Vec::new();
    for (kind, name, id) in [
        ("whatsapp", "Sample WhatsApp line", "sample-wa"),
        ("messenger", "Sample Messenger page", "sample-page"),
        ("email", "Sample support mailbox", "support@example.com"),
    ] {
        accounts.push(
            ws.create_channel_account(
                &token,
                kind,
                name,
                &format!("{id}-{}", now.unix()),
                Some(team),
                now,
            )?
            .id,
        );
    }
    for i in 0..args.conversations as usize {
        let name = CUSTOMERS[i % CUSTOMERS.len()];
        let sent = now.plus_seconds(-((i as i64) * 900));
        ws.ingest(
            InboundMessage {
                account: accounts[i % accounts.len()],
                contact_external_id: &format!("sample-{}-{i}", now.unix()),
                contact_name: name,
                external_id: None,
                subject: "",
                body: &sample_text(i as u64, 120),
                sent_at: sent,
                attachments: vec![],
            },
            now,
        )?;
    }
    println!(
        "Added {} sample conversations to the team's queue.",
        args.conversations
    );
    ws.sign_out(&token, Timestamp::now())?;
    Ok(())
}
