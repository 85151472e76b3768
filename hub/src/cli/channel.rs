//! `appcare channel add whatsapp|messenger`, `channel edit`, `channel rotate`, `channel
//! mail-password` and `channel list`: sign in as an admin, then connect or change an
//! account (`test`, `disable`, `enable` and `remove` are in `channel_lifecycle`). The access token, app secret and verify token are read
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
    /// Connect a support mailbox (IMAP to sync, SMTP to reply). Reads the mailbox
    /// password after your code, on standard input.
    AddEmail {
        #[command(flatten)]
        admin: AdminArgs,
        /// A name agents recognise, e.g. "Support mailbox".
        #[arg(long)]
        name: String,
        /// The support address customers write to.
        #[arg(long)]
        address: String,
        /// The sender name on replies (default: the name).
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long)]
        imap_host: String,
        #[arg(long, default_value_t = 993)]
        imap_port: u16,
        /// tls (port 993) or starttls (port 143).
        #[arg(long, default_value = "tls")]
        imap_security: String,
        #[arg(long)]
        smtp_host: String,
        #[arg(long, default_value_t = 465)]
        smtp_port: u16,
        /// tls (port 465) or starttls (port 587).
        #[arg(long, default_value = "tls")]
        smtp_security: String,
        /// Login name (default: the address).
        #[arg(long, default_value = "")]
        username: String,
        #[arg(long, default_value = "")]
        folder: String,
        #[arg(long, default_value = "")]
        sent_folder: String,
        /// PEM file of a private certificate authority the servers' certificates use.
        #[arg(long)]
        ca_file: Option<std::path::PathBuf>,
        /// Team whose queue receives new conversations.
        #[arg(long)]
        team: Option<String>,
    },
    /// Sync a mailbox once now, showing progress (the hub and the desktop keep it in
    /// sync on their own).
    SyncEmail {
        #[command(flatten)]
        admin: AdminArgs,
        /// The account id shown by `appcare channel list`.
        #[arg(long)]
        id: i64,
    },
    /// Change a connected account's name, team or settings; what is not given stays.
    Edit {
        #[command(flatten)]
        admin: AdminArgs,
        /// The account id shown by `appcare channel list`.
        #[arg(long)]
        id: i64,
        #[arg(long)]
        name: Option<String>,
        /// Team whose queue receives new conversations ("none" for no team).
        #[arg(long)]
        team: Option<String>,
        /// Read receipts and typing indicator towards customers.
        #[arg(long, value_parser = ["on", "off"])]
        read_receipts: Option<String>,
        /// Messenger: Meta's Human Agent permission (7-day window).
        #[arg(long, value_parser = ["on", "off"])]
        human_agent: Option<String>,
        /// Messenger: poll the Conversations API.
        #[arg(long, value_parser = ["on", "off"])]
        poll: Option<String>,
    },
    /// Replace a WhatsApp or Messenger account's secrets after they changed at Meta.
    /// Reads, after your code, the ones named (in this order: access token, app secret,
    /// verify token; one per line on standard input); the others stay.
    Rotate {
        #[command(flatten)]
        admin: AdminArgs,
        /// The account id shown by `appcare channel list`.
        #[arg(long)]
        id: i64,
        #[arg(long)]
        access_token: bool,
        #[arg(long)]
        app_secret: bool,
        #[arg(long)]
        verify_token: bool,
    },
    /// Replace a mailbox's password after it changed at the mail provider (its servers
    /// stay). Reads the new password after your code; the sync starts again with it.
    MailPassword {
        #[command(flatten)]
        admin: AdminArgs,
        /// The account id shown by `appcare channel list`.
        #[arg(long)]
        id: i64,
    },
    /// Test a connected account step by step (Meta's Graph API, or the mailbox's IMAP
    /// and SMTP servers); exits non-zero when a step failed.
    Test {
        #[command(flatten)]
        admin: AdminArgs,
        /// The account id shown by `appcare channel list`.
        #[arg(long)]
        id: i64,
    },
    /// Stop an account: nothing is sent, polled or synced (webhooks are still stored).
    Disable {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        id: i64,
    },
    /// Start a disabled account again.
    Enable {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        id: i64,
    },
    /// Remove an account: its secrets are wiped; its conversations are kept to read
    /// (`--history keep`) or erased with the customers who had nothing else
    /// (`--history erase`).
    Remove {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        id: i64,
        #[arg(long, value_parser = ["keep", "erase"])]
        history: String,
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
            let default_team = team_id(&ws, &token, team)?;
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
        ChannelCommand::AddEmail {
            admin,
            name,
            address,
            display_name,
            imap_host,
            imap_port,
            imap_security,
            smtp_host,
            smtp_port,
            smtp_security,
            username,
            folder,
            sent_folder,
            ca_file,
            team,
        } => {
            let ca_pem = match ca_file {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| {
                    CliError::Usage(format!("cannot read {}: {e}", path.display()))
                })?),
                None => None,
            };
            let (ws, token) = sign_in_admin(&admin)?;
            let default_team = team_id(&ws, &token, team)?;
            let password = input::secret("Mailbox password")?;
            let account = appcare_core::channel::NewEmailAccount {
                name,
                address,
                display_name,
                imap_host,
                imap_port,
                imap_security,
                smtp_host,
                smtp_port,
                smtp_security,
                username,
                password: password.expose().to_string(),
                folder,
                sent_folder,
                ca_pem,
                default_team,
            };
            let view = ws.add_email_account(&token, &account, Timestamp::now())?;
            let email = view.email.as_ref();
            println!(
                "Connected mailbox \"{}\" ({}), id {}. IMAP {}, SMTP {}. The hub or the desktop syncs it while running; `appcare channel sync-email --id {}` syncs it now.",
                view.name,
                view.external_id,
                view.id,
                email.map(|e| e.imap.as_str()).unwrap_or("-"),
                email.map(|e| e.smtp.as_str()).unwrap_or("-"),
                view.id
            );
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
        ChannelCommand::SyncEmail { admin, id } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let ws = std::sync::Arc::new(ws);
            sync_email(ws.clone(), &token, id)?;
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
        ChannelCommand::Edit {
            admin,
            id,
            name,
            team,
            read_receipts,
            human_agent,
            poll,
        } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let account = appcare_core::ids::ChannelAccountId::new(id);
            let current = ws
                .list_channels(&token, Timestamp::now())?
                .into_iter()
                .find(|c| c.id == account)
                .ok_or_else(|| CliError::Usage(format!("no channel account with id {id}")))?;
            let default_team = match team.as_deref() {
                None => current.default_team,
                Some("none") => None,
                Some(_) => team_id(&ws, &token, team)?,
            };
            let on = |value: Option<String>, now: bool| value.map_or(now, |v| v == "on");
            let changes = appcare_core::channel::ChannelAccountChanges {
                name: name.unwrap_or(current.name),
                default_team,
                read_receipts: on(read_receipts, current.read_receipts),
                human_agent: on(human_agent, current.human_agent),
                poll: on(poll, current.poll),
            };
            let view = ws.update_channel_account(&token, account, &changes, Timestamp::now())?;
            println!(
                "{}\t{}\t{}\tread receipts {}",
                view.id,
                view.kind,
                view.name,
                if view.read_receipts { "on" } else { "off" }
            );
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
        ChannelCommand::Rotate {
            admin,
            id,
            access_token,
            app_secret,
            verify_token,
        } => {
            if !(access_token || app_secret || verify_token) {
                return Err(CliError::Usage(
                    "name the secrets to replace: --access-token, --app-secret, --verify-token"
                        .into(),
                ));
            }
            let (ws, token) = sign_in_admin(&admin)?;
            let read = |wanted: bool, prompt: &str| -> CliResult<String> {
                Ok(match wanted {
                    true => input::secret(prompt)?.expose().to_string(),
                    false => String::new(),
                })
            };
            let rotation = appcare_core::channel::account::SecretRotation {
                access_token: read(access_token, "New access token")?,
                app_secret: read(app_secret, "New app secret")?,
                verify_token: read(verify_token, "New verify token")?,
            };
            let account = appcare_core::ids::ChannelAccountId::new(id);
            let view = ws.rotate_channel_secrets(&token, account, &rotation, Timestamp::now())?;
            println!(
                "{}\t{}\t{}\ttoken {}",
                view.id, view.kind, view.name, view.token_hint
            );
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
        ChannelCommand::MailPassword { admin, id } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let account = appcare_core::ids::ChannelAccountId::new(id);
            let mut settings = ws.mail_settings(&token, account, Timestamp::now())?;
            settings.password = input::secret("New mailbox password")?.expose().to_string();
            let view = ws.update_mail_settings(&token, account, &settings, Timestamp::now())?;
            println!(
                "{}\t{}\t{}\tpassword replaced",
                view.id, view.kind, view.name
            );
            ws.sign_out(&token, Timestamp::now())?;
            Ok(())
        }
        ChannelCommand::Test { admin, id } => super::channel_lifecycle::test(&admin, id),
        ChannelCommand::Disable { admin, id } => {
            super::channel_lifecycle::set_enabled(&admin, id, false)
        }
        ChannelCommand::Enable { admin, id } => {
            super::channel_lifecycle::set_enabled(&admin, id, true)
        }
        ChannelCommand::Remove { admin, id, history } => {
            super::channel_lifecycle::remove(&admin, id, &history)
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
                    "{}\t{}\t{}\t{}\t{}\ttoken {}\ttemplates {}\tstorage {}\t{}",
                    c.id,
                    c.kind,
                    c.name,
                    c.external_id,
                    if c.disabled { "disabled" } else { "enabled" },
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

fn team_id(
    ws: &appcare_core::Workspace,
    token: &appcare_core::SessionToken,
    team: Option<String>,
) -> CliResult<Option<appcare_core::TeamId>> {
    let Some(team) = team else { return Ok(None) };
    ws.list_teams(token, Timestamp::now())?
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(&team))
        .map(|t| Some(t.id))
        .ok_or_else(|| CliError::Usage(format!("no team named {team}")))
}

/// Rewrites the progress line for the folders of mailbox `id` that `show` picks.
fn show_progress(
    ws: &appcare_core::Workspace,
    token: &appcare_core::SessionToken,
    id: i64,
    show: impl Fn(&appcare_core::channel::email::MailFolderView) -> bool,
) {
    use std::io::Write;
    let folders = ws
        .list_channels(token, Timestamp::now())
        .ok()
        .and_then(|list| list.into_iter().find(|c| c.id.get() == id))
        .and_then(|c| c.email)
        .map(|e| e.folders)
        .unwrap_or_default();
    for f in folders.iter().filter(|f| show(f)) {
        eprint!(
            "\r{}: {} of {} messages",
            f.folder,
            f.done.min(f.total),
            f.total
        );
        let _ = std::io::stderr().flush();
    }
}

/// One sync of mailbox `id` with a progress line on standard error.
fn sync_email(
    ws: std::sync::Arc<appcare_core::Workspace>,
    token: &appcare_core::SessionToken,
    id: i64,
) -> CliResult<()> {
    use appcare_channels::email::sync::{sync_once, MailOptions};
    let endpoint = ws
        .delivery()
        .email_endpoints()?
        .into_iter()
        .find(|e| e.id.get() == id)
        .ok_or_else(|| CliError::Usage(format!("no connected mailbox with id {id}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start: {e}")))?;
    let started = std::time::Instant::now();
    let result = runtime.block_on(async {
        let sync = tokio::spawn({
            let ws = ws.clone();
            let endpoint = endpoint.clone();
            async move { sync_once(ws, &endpoint, &MailOptions::default()).await }
        });
        let mut ticker = tokio::time::interval(std::time::Duration::from_millis(250));
        while !sync.is_finished() {
            ticker.tick().await;
            show_progress(&ws, token, id, |f| f.state == "syncing");
        }
        let result = sync.await;
        // The final count, however quick the sync was.
        show_progress(&ws, token, id, |f| f.total > 0);
        result
    });
    eprintln!();
    match result {
        Ok(Ok(fetched)) => {
            println!(
                "Synced {fetched} new message(s) in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Ok(Err(e)) => Err(CliError::Usage(format!("the sync stopped: {e}"))),
        Err(_) => Err(CliError::Usage("the sync stopped unexpectedly".into())),
    }
}
