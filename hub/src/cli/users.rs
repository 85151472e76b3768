//! `appcare user …` and `appcare team …`: sign in as an admin (password, then code), then
//! call the same service functions as the desktop.

use super::{input, open_workspace, CliError, CliResult};
use appcare_core::auth::Role;
use appcare_core::ids::UserId;
use appcare_core::service::login::{NextStep, SessionStage};
use appcare_core::service::users::NewUser;
use appcare_core::{SessionToken, Timestamp, Workspace};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct AdminArgs {
    #[arg(long, env = "APPCARE_DATA_DIR")]
    data_dir: PathBuf,
    /// The admin to sign in as; password and code are read from a prompt or stdin.
    #[arg(long = "as", value_name = "ADMIN")]
    admin: String,
}

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// List users with role, teams and state.
    List(AdminArgs),
    /// Add a user; their initial password is read after the admin's code.
    Create {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        #[arg(long, value_parser = ["agent", "lead", "admin"])]
        role: String,
        /// Team names (repeat for several).
        #[arg(long = "team")]
        teams: Vec<String>,
    },
    /// Change a user's role.
    Role {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = ["agent", "lead", "admin"])]
        role: String,
    },
    /// Disable a user; their sessions end at once.
    Disable {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user and clear a lockout.
    Enable {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        username: String,
    },
    /// Reset a lost authenticator; asks for your own code again to confirm.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        username: String,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum TeamCommand {
    /// Create a team.
    Create {
        #[command(flatten)]
        admin: AdminArgs,
        #[arg(long)]
        name: String,
    },
    /// List teams.
    List(AdminArgs),
}

/// Opens the workspace and signs in as the admin: password, then authenticator code (or
/// one of the admin's recovery codes).
/// An admin who has not finished setting up an authenticator (right after
/// `appcare init --json`) finishes it here: the first code from the secret `init`
/// printed confirms it, and the recovery codes are shown once on standard error.
pub(crate) fn sign_in_admin(args: &AdminArgs) -> CliResult<(Workspace, SessionToken)> {
    let workspace = open_workspace(&args.data_dir)?;
    let password = input::secret(&format!("Password for {}", args.admin))?;
    let challenge = workspace.begin_sign_in(&args.admin, &password, Timestamp::now())?;
    let token = challenge.token;
    if challenge.next == NextStep::Code {
        let code = input::code("Authenticator code (or a recovery code)")?;
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            workspace.submit_code(&token, &code, Timestamp::now())?;
        } else {
            workspace.submit_recovery_code(&token, &code, Timestamp::now())?;
        }
    }
    // An admin whose password another admin set, or asked to be changed, chooses one now.
    if workspace.session_state(&token, Timestamp::now())? == SessionStage::NeedsNewPassword {
        let new = input::secret(&format!(
            "{} must choose a new password. New password",
            args.admin
        ))?;
        workspace.set_new_password(&token, &new, Timestamp::now())?;
    }
    if workspace.session_state(&token, Timestamp::now())? == SessionStage::NeedsEnrolment {
        finish_enrolment(&workspace, &token, &args.admin)?;
    }
    Ok((workspace, token))
}

/// Confirms the admin's pending authenticator with its first code (the secret was made
/// by `appcare init` or at an earlier sign-in and is not shown again here).
fn finish_enrolment(workspace: &Workspace, token: &SessionToken, admin: &str) -> CliResult {
    // Makes the secret only if none is pending; the one `init` printed stays valid.
    workspace.start_enrolment(token, Timestamp::now())?;
    let code =
        input::code("Authenticator code (the first one finishes its setup)").map_err(|_| {
            CliError::Usage(format!(
                "{admin} has not finished setting up an authenticator: give a 6-digit code \
                 from the secret `appcare init` printed (otpauth_uri) after the password"
            ))
        })?;
    let (_, recovery) = workspace.confirm_enrolment(token, &code, Timestamp::now())?;
    eprintln!("Authenticator set up for {admin}. Recovery codes (shown once; each works once):");
    for code in &recovery.codes {
        eprintln!("  {code}");
    }
    Ok(())
}

fn role(value: &str) -> Role {
    Role::parse(value).unwrap_or(Role::Agent)
}

fn find(ws: &Workspace, token: &SessionToken, username: &str) -> CliResult<UserId> {
    ws.list_users(token, Timestamp::now())?
        .into_iter()
        .find(|u| u.username.eq_ignore_ascii_case(username))
        .map(|u| u.id)
        .ok_or_else(|| CliError::Usage(format!("no user named {username}")))
}

fn finish(ws: &Workspace, token: &SessionToken) -> CliResult {
    ws.sign_out(token, Timestamp::now())?;
    Ok(())
}

pub fn run_user(cmd: UserCommand) -> CliResult {
    match cmd {
        UserCommand::List(args) => {
            let (ws, token) = sign_in_admin(&args)?;
            let teams = ws.list_teams(&token, Timestamp::now())?;
            println!(
                "{:<20} {:<24} {:<6} {:<20} state",
                "username", "name", "role", "teams"
            );
            for u in ws.list_users(&token, Timestamp::now())? {
                let team_names: Vec<&str> = u
                    .teams
                    .iter()
                    .filter_map(|id| teams.iter().find(|t| t.id == *id).map(|t| t.name.as_str()))
                    .collect();
                let state = if u.disabled {
                    "disabled".to_string()
                } else if let Some(until) = u.locked_until {
                    format!("locked until {}", until.to_rfc3339())
                } else if !u.enrolled {
                    "must enrol".to_string()
                } else {
                    "active".to_string()
                };
                println!(
                    "{:<20} {:<24} {:<6} {:<20} {state}",
                    u.username,
                    u.display_name,
                    u.role.as_str(),
                    team_names.join(",")
                );
            }
            finish(&ws, &token)
        }
        UserCommand::Create {
            admin,
            username,
            display_name,
            role: r,
            teams,
        } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let all = ws.list_teams(&token, Timestamp::now())?;
            let mut team_ids = Vec::new();
            for name in &teams {
                let team = all
                    .iter()
                    .find(|t| t.name.eq_ignore_ascii_case(name))
                    .ok_or_else(|| CliError::Usage(format!("no team named {name}")))?;
                team_ids.push(team.id);
            }
            let password = input::secret(&format!("Initial password for {username}"))?;
            let created = ws.create_user(
                &token,
                NewUser {
                    username,
                    display_name,
                    role: role(&r),
                    password,
                    teams: team_ids,
                },
                Timestamp::now(),
            )?;
            println!(
                "Created {} ({}). At first sign-in they choose their own password and set up their authenticator.",
                created.username,
                created.role.as_str()
            );
            finish(&ws, &token)
        }
        UserCommand::Role {
            admin,
            username,
            role: r,
        } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let id = find(&ws, &token, &username)?;
            let changed = ws.set_role(&token, id, role(&r), Timestamp::now())?;
            println!("{} is now {}.", changed.username, changed.role.as_str());
            finish(&ws, &token)
        }
        UserCommand::Disable { admin, username } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let id = find(&ws, &token, &username)?;
            ws.disable_user(&token, id, Timestamp::now())?;
            println!("{username} is disabled; their sessions have ended.");
            finish(&ws, &token)
        }
        UserCommand::Enable { admin, username } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let id = find(&ws, &token, &username)?;
            ws.enable_user(&token, id, Timestamp::now())?;
            println!("{username} is enabled.");
            finish(&ws, &token)
        }
        UserCommand::Reset2fa { admin, username } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let id = find(&ws, &token, &username)?;
            let code =
                input::code("Your authenticator code again, to confirm (wait for the next one)")?;
            ws.reset_authenticator(&token, id, &code, Timestamp::now())?;
            println!(
                "{username}'s authenticator was reset; at next sign-in they choose a new password and enrol again."
            );
            finish(&ws, &token)
        }
    }
}

pub fn run_team(cmd: TeamCommand) -> CliResult {
    match cmd {
        TeamCommand::Create { admin, name } => {
            let (ws, token) = sign_in_admin(&admin)?;
            let team = ws.create_team(&token, &name, Timestamp::now())?;
            println!("Created team {} (id {}).", team.name, team.id);
            finish(&ws, &token)
        }
        TeamCommand::List(args) => {
            let (ws, token) = sign_in_admin(&args)?;
            for t in ws.list_teams(&token, Timestamp::now())? {
                println!("{:>4}  {:<30} {} members", t.id, t.name, t.members);
            }
            finish(&ws, &token)
        }
    }
}
