//! `appcare init`: create a workspace and enrol the admin's authenticator there and then
//! (QR code and key in the terminal, a code to confirm, recovery codes shown once). With
//! `--json` the admin's `otpauth_uri` is printed and enrolment finishes at first sign-in.

use super::{input, CliError, CliResult};
use appcare_core::keys::KeyStoreKind;
use appcare_core::service::login::NextStep;
use appcare_core::workspace::Region;
use appcare_core::{
    CoreError, CreateOptions, KeySource, Password, Timestamp, Workspace, WorkspaceDir,
};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Folder for the new workspace (created if missing; must hold no workspace).
    #[arg(long, env = "APPCARE_DATA_DIR")]
    data_dir: PathBuf,
    /// Residency region code, e.g. DE, GB, IN, US.
    #[arg(long)]
    region: String,
    /// The first admin's username.
    #[arg(long)]
    admin: String,
    /// The admin's display name (defaults to the username).
    #[arg(long)]
    display_name: Option<String>,
    /// Read the admin's password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Where the database key is kept.
    #[arg(long, default_value = "keyring", value_parser = ["keyring", "passphrase"])]
    key_store: String,
    /// Print the result as JSON and leave the authenticator enrolment to the first sign-in.
    #[arg(long)]
    json: bool,
}

pub fn run(args: InitArgs) -> CliResult {
    let region = Region::parse(&args.region)?;
    let password = if args.password_stdin {
        input::secret("admin password")?
    } else {
        let first = input::secret("Admin password (12 or more characters)")?;
        let again = input::secret("Repeat the password")?;
        if first.expose() != again.expose() {
            return Err(CliError::Usage("the two passwords differ".into()));
        }
        first
    };
    let key_source = match KeyStoreKind::parse(&args.key_store) {
        Some(KeyStoreKind::Passphrase) => KeySource::Passphrase(input::passphrase(
            "Workspace passphrase (12 or more characters)",
        )?),
        _ => KeySource::Keyring,
    };
    let dir = WorkspaceDir::new(&args.data_dir);
    let now = Timestamp::now();
    let (workspace, _) = Workspace::create(
        &dir,
        CreateOptions {
            region,
            admin_username: args.admin.clone(),
            admin_display_name: args
                .display_name
                .clone()
                .unwrap_or_else(|| args.admin.clone()),
            admin_password: password.clone(),
            key_source,
        },
        now,
    )?;
    let challenge = workspace.begin_sign_in(&args.admin, &password, now)?;
    if challenge.next != NextStep::Enrol {
        return Err(CoreError::SignInFailed.into());
    }
    let enrolment = workspace.start_enrolment(&challenge.token, now)?;
    if args.json {
        workspace.sign_out(&challenge.token, now)?;
        let out = serde_json::json!({
            "workspace_id": workspace.info().workspace_id,
            "data_dir": dir.root().display().to_string(),
            "region": args.region.to_ascii_uppercase(),
            "key_store": workspace.info().key_store.as_str(),
            "admin": args.admin,
            "otpauth_uri": enrolment.otpauth_uri,
        });
        println!("{out}");
        return Ok(());
    }
    println!("Workspace created in {}.", dir.root().display());
    println!("\nScan this QR code with your authenticator app:\n");
    println!("{}", enrolment.qr.to_terminal());
    println!("Or enter this key by hand: {}", enrolment.manual_key);
    println!("({})\n", enrolment.otpauth_uri);
    confirm(&workspace, &challenge.token, &password)
}

fn confirm(
    workspace: &Workspace,
    token: &appcare_core::SessionToken,
    _password: &Password,
) -> CliResult {
    for attempt in 1..=3 {
        let code = input::code("6-digit code from the app")?;
        match workspace.confirm_enrolment(token, &code, Timestamp::now()) {
            Ok((_, codes)) => {
                println!("\nAuthenticator confirmed. Your recovery codes (shown once; each works once):\n");
                for code in &codes.codes {
                    println!("  {code}");
                }
                println!("\nKeep them somewhere safe, away from this computer.");
                workspace.sign_out(token, Timestamp::now())?;
                return Ok(());
            }
            Err(e @ CoreError::InvalidInput { .. }) if attempt < 3 => eprintln!("{e}"),
            Err(e) => return Err(e.into()),
        }
    }
    Err(CliError::Usage(
        "enrolment not confirmed; sign in to finish it".into(),
    ))
}
