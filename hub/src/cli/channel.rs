//! `appcare channel add whatsapp|messenger` and `appcare channel list`: sign in as an
//! admin, then connect an account. The access token, app secret and verify token are read
//! after the admin's code, from a hidden prompt or standard input, never from arguments.

use super::users::{sign_in_admin, AdminArgs};
use super::{input, CliError, CliResult};
use appcare_core::channel::NewChannelAccount;
use appcare_core::Timestamp;

#[derive(clap::Subcommand, Debug)]
pub enum ChannelCommand {
    /// Connect a WhatsApp number or a Messenger page. Reads, after your code: access
    /// token, app secret, verify token (one per line on standard input).
    Add {
        #[arg(value_parser = ["whatsapp", "messenger"])]
        kind: String,
        #[command(flatten)]
        admin: AdminArgs,
        /// A name agents recognise, e.g. "Support line".
        #[arg(long)]
        name: String,
        /// WhatsApp phone-number id, or Messenger page id.
        #[arg(long)]
        id: String,
        /// WhatsApp business account id (where templates are read from).
        #[arg(long)]
        business_account_id: Option<String>,
        /// Team whose queue receives new conversations.
        #[arg(long)]
        team: Option<String>,
        /// Messenger: the app has Meta's Human Agent permission (7-day window).
        #[arg(long)]
        human_agent: bool,
        /// Messenger: poll the Conversations API instead of waiting for webhooks.
        #[arg(long)]
        poll: bool,
        /// Graph API address (default https://graph.facebook.com).
        #[arg(long)]
        graph_base_url: Option<String>,
        /// Graph API version, e.g. v23.0.
        #[arg(long)]
        api_version: Option<String>,
    },
    /// List connected accounts (secrets shown as a hint only).
    List(AdminArgs),
}

pub fn run(cmd: ChannelCommand) -> CliResult {
    match cmd {
        ChannelCommand::Add {
            kind,
            admin,
            name,
            id,
            business_account_id,
            team,
            human_agent,
            poll,
            graph_base_url,
            api_version,
        } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let default_team = match team {
                Some(team) => Some(
                    ws.list_teams(&token, Timestamp::now())?
                        .into_iter()
                        .find(|t| t.name.eq_ignore_ascii_case(&team))
                        .map(|t| t.id)
                        .ok_or_else(|| CliError::Usage(format!("no team named {team}")))?,
                ),
                None => None,
            };
            let access_token = input::secret("Access token")?;
            let app_secret = input::secret("App secret")?;
            let verify_token = input::secret("Verify token")?;
            let account = NewChannelAccount {
                kind,
                name,
                external_id: id,
                business_account_id,
                access_token: access_token.expose().to_string(),
                app_secret: app_secret.expose().to_string(),
                verify_token: verify_token.expose().to_string(),
                default_team,
                human_agent,
                poll,
                graph_base_url,
                api_version,
            };
            let view = ws.add_channel_account(&token, &account, Timestamp::now())?;
            println!(
                "Connected {} \"{}\" ({}), token {}. Point Meta's webhook at <your address>{} with the verify token you gave.",
                view.kind, view.name, view.external_id, view.token_hint, view.webhook_path
            );
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
        ChannelCommand::List(admin) => {
            let (ws, token) = sign_in_admin(&admin)?;
            for c in ws.list_channels(&token, Timestamp::now())? {
                let storage = c
                    .local_storage
                    .as_ref()
                    .map(|l| format!("{} {}", l.status, l.region.as_deref().unwrap_or("")))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}\t{}\ttoken {}\ttemplates {}\tstorage {}\t{}",
                    c.id,
                    c.kind,
                    c.name,
                    c.external_id,
                    c.token_hint,
                    c.templates,
                    storage.trim(),
                    c.last_error.as_deref().unwrap_or("")
                );
            }
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
    }
}
