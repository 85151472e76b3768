//! The `appcare` command line: argument parsing and dispatch. Each subcommand lives in its
//! own module and calls the core's service API like any other front end.

mod audit;
mod backup;
mod channel;
mod channel_lifecycle;
mod doctor;
mod init;
mod input;
mod relocate;
mod report;
mod residency;
mod sample;
mod serve;
mod users;

use appcare_core::{CoreError, Password, Workspace, WorkspaceDir};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "appcare",
    version,
    about = "Appcare Inbox workspace administration"
)]
pub struct Cli {
    /// What to log on standard error: a level (error, warn, info, debug, trace) or
    /// filter directives (`appcare_hub=debug,warn`). Wins over RUST_LOG. Default: info
    /// for `serve`, warn for the other commands.
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Installs the log (see [`crate::logging`]) at this command's level.
    pub fn start_logging(&self) -> CliResult {
        let default = match self.command {
            Command::Serve(_) => crate::logging::SERVE_DEFAULT,
            _ => crate::logging::COMMAND_DEFAULT,
        };
        crate::logging::init(self.log_level.as_deref(), default).map_err(CliError::Usage)
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a workspace and its first admin, and enrol the admin's authenticator.
    Init(init::InitArgs),
    /// Manage users (signs in as an admin first).
    #[command(subcommand)]
    User(users::UserCommand),
    /// Manage teams (signs in as an admin first).
    #[command(subcommand)]
    Team(users::TeamCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Check a data folder: workspace file, key access, integrity, audit chain.
    Doctor(doctor::DoctorArgs),
    /// Add made-up customer conversations to try the inbox (signs in as an admin first).
    SampleData(sample::SampleArgs),
    /// Connect WhatsApp numbers and Messenger pages (signs in as an admin first).
    #[command(subcommand)]
    Channel(channel::ChannelCommand),
    /// Receive Meta's webhooks and run the channel runtime for a workspace.
    Serve(serve::ServeArgs),
    /// Make an encrypted backup (`--data-dir DIR --to FILE`), or check one (`verify FILE`).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new folder.
    Restore(backup::RestoreArgs),
    /// Show where each kind of data of a workspace lives.
    Residency(DataDirArg),
    /// Move a workspace to another folder: copy, verify, then wipe the old files.
    Move(relocate::MoveArgs),
    /// A report of a range of days as CSV or JSON (signs in as an admin or lead first).
    Report(report::ReportArgs),
}

#[derive(clap::Args, Debug)]
pub struct DataDirArg {
    /// The folder that holds the workspace.
    #[arg(long, env = "APPCARE_DATA_DIR")]
    pub data_dir: PathBuf,
}

/// A command-line failure: a core error keeps its code for scripts.
#[derive(Debug)]
pub enum CliError {
    Core(CoreError),
    Usage(String),
    /// A check that ran and found a problem (doctor, audit verify).
    CheckFailed(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Core(e) => write!(
                f,
                "{e} [{}]",
                serde_json::to_value(e.code())
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            Self::Usage(m) | Self::CheckFailed(m) => f.write_str(m),
        }
    }
}

impl From<CoreError> for CliError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Core(_) => 1,
            Self::Usage(_) => 2,
            Self::CheckFailed(_) => 3,
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

pub fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Init(args) => init::run(args),
        Command::User(cmd) => users::run_user(cmd),
        Command::Team(cmd) => users::run_team(cmd),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Doctor(args) => doctor::run(&args),
        Command::SampleData(args) => sample::run(args),
        Command::Channel(cmd) => channel::run(cmd),
        Command::Serve(args) => serve::run(args),
        Command::Backup(args) => backup::run_backup(args),
        Command::Restore(args) => backup::run_restore(args),
        Command::Residency(args) => residency::run(args),
        Command::Move(args) => relocate::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// Opens a workspace, asking for the passphrase when it keeps its key under one.
pub(crate) fn open_workspace(data_dir: &std::path::Path) -> CliResult<Workspace> {
    let dir = WorkspaceDir::new(data_dir);
    match Workspace::open(&dir, None) {
        Err(CoreError::PassphraseRequired) => {
            let passphrase = input::passphrase("Workspace passphrase")?;
            Ok(Workspace::open(&dir, Some(&passphrase))?)
        }
        other => Ok(other?),
    }
}

pub(crate) fn passphrase_from_env() -> Option<Password> {
    std::env::var("APPCARE_PASSPHRASE").ok().map(Password::new)
}
