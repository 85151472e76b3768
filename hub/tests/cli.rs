//! The `appcare` binary, driven as a person or a script would, through pipes:
//! `init --json` prints the `otpauth_uri` and the first sign-in shows the same secret;
//! an admin command right after `init --json` finishes the enrolment with a code from
//! that secret (and says what is missing without one);
//! interactive `init` prints a QR code, takes a code computed from the printed key and
//! shows ten recovery codes; `team create` signs in with password and code;
//! `audit verify` passes, then names the edited row (exit 3); no reachable keyring
//! gives a plain error naming passphrase mode, leaves nothing behind and echoes no
//! password; a weak password and an unknown region are refused in plain words; `doctor`
//! on a healthy and on an empty folder; `sample-data` fills the inbox with the sample conversations;
//! `report` prints the same figures as CSV and as JSON, and refuses a date it cannot read;
//! `channel add` reads secrets from stdin and never prints them (nor does `channel
//! rotate`, which replaces only the one named), `channel edit` changes
//! the name and read receipts (signed in with a recovery code) and keeps the secrets; `backup`,
//! `backup verify`, `restore` and `residency`; `move` copies, verifies and wipes the
//! old folder, and is refused while the workspace is open elsewhere; `serve` makes a
//! certificate, prints its fingerprint (equal to the file's), answers a client that
//! trusts it over TLS and is refused by one that does not, answers `/healthz` and
//! `/readyz` and has no `/metrics` without a token, `--http` is refused off
//! loopback, and `doctor` shows the fingerprint, that the key is private, and the port
//! in use.
//!
//! Real parts: the built binary, SQLCipher, rustls, a missing D-Bus (for the keyring
//! error).

use appcare_core::auth::totp;
use appcare_core::{Password, Timestamp, Workspace, WorkspaceDir};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "plum tractor window 42";
const PASSPHRASE: &str = "cli test workspace passphrase";

fn appcare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_appcare"));
    cmd.env("APPCARE_PASSPHRASE", PASSPHRASE);
    cmd
}

fn run_with_stdin(mut cmd: Command, stdin: &str) -> Result<Output, std::io::Error> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(stdin.as_bytes()));
    child.wait_with_output()
}

fn init_args(cmd: &mut Command, dir: &Path) {
    cmd.args([
        "init",
        "--region",
        "de",
        "--admin",
        "maria",
        "--password-stdin",
        "--key-store",
        "passphrase",
    ])
    .arg("--data-dir")
    .arg(dir);
}

#[test]
fn init_json_prints_the_otpauth_uri_and_leaves_enrolment_for_first_sign_in() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let uri = json["otpauth_uri"].as_str().unwrap_or_default();
    assert!(
        uri.starts_with("otpauth://totp/Appcare%20Inbox:maria?"),
        "{uri}"
    );
    assert_eq!(json["region"], "DE");
    assert_eq!(json["key_store"], "passphrase");

    // First sign-in: enrolment shows the same secret the script was given.
    let ws = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    let now = Timestamp::now();
    let challenge = ws.begin_sign_in("maria", &Password::new(PASSWORD), now)?;
    let enrolment = ws.start_enrolment(&challenge.token, now)?;
    assert_eq!(enrolment.otpauth_uri, uri);
    Ok(())
}

/// The TOTP secret in an `otpauth://` URI (its `secret=` parameter).
fn secret_of(uri: &str) -> Result<zeroize::Zeroizing<Vec<u8>>, Box<dyn std::error::Error>> {
    let query = uri.split_once('?').ok_or("no query")?.1;
    let key = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("secret="))
        .ok_or("no secret")?;
    Ok(totp::secret_from_manual_key(key).ok_or("bad secret")?)
}

#[test]
fn init_json_then_admin_commands_finish_enrolment_with_a_code_from_the_printed_secret() -> TestResult
{
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let secret = secret_of(json["otpauth_uri"].as_str().ok_or("no otpauth_uri")?)?;
    let user_list = || {
        let mut cmd = appcare();
        cmd.args(["user", "list", "--as", "maria", "--data-dir"])
            .arg(&dir);
        cmd
    };

    // Without a code the command says what is missing, and nothing is confirmed.
    let out = run_with_stdin(user_list(), &format!("{PASSWORD}\n"))?;
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("maria has not finished setting up an authenticator")
            && said.contains("otpauth_uri"),
        "{said}"
    );

    // With a code from the printed secret, enrolment completes and the command runs.
    let step = totp::step_of(Timestamp::now());
    let out = run_with_stdin(
        user_list(),
        &format!("{PASSWORD}\n{}\n", totp::code_at(&secret, step)?.as_str()),
    )?;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("maria"));
    assert!(said.contains("Recovery codes (shown once"), "{said}");

    // From then on it is an ordinary sign-in: password and a fresh code.
    let out = run_with_stdin(
        user_list(),
        &format!(
            "{PASSWORD}\n{}\n",
            totp::code_at(&secret, step + 1)?.as_str()
        ),
    )?;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("Recovery codes"), "{said}");
    Ok(())
}

#[test]
fn interactive_init_enrols_then_audit_verify_catches_an_edit() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    writeln!(stdin, "{PASSWORD}")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut key = None;
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line?;
        seen.push_str(&line);
        seen.push('\n');
        if let Some(k) = line.strip_prefix("Or enter this key by hand: ") {
            key = Some(k.to_string());
            break;
        }
    }
    assert!(
        seen.contains('▀') || seen.contains('▄'),
        "a QR code is printed:\n{seen}"
    );
    let secret = totp::secret_from_manual_key(&key.ok_or("no key printed")?).ok_or("bad key")?;
    let step = totp::step_of(Timestamp::now());
    writeln!(stdin, "{}", totp::code_at(&secret, step)?.as_str())?;
    drop(stdin);
    let rest: Vec<String> = lines.collect::<Result<_, _>>()?;
    let status = child.wait()?;
    assert!(status.success());
    let codes: Vec<&String> = rest
        .iter()
        .filter(|l| l.starts_with("  ") && l.trim().len() == 19)
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown:\n{rest:?}");

    // A later admin command signs in with password and the next code.
    let mut team = appcare();
    team.args([
        "team",
        "create",
        "--as",
        "maria",
        "--name",
        "Billing",
        "--data-dir",
    ])
    .arg(&dir);
    let next = totp::code_at(&secret, step + 1)?;
    let out = run_with_stdin(team, &format!("{PASSWORD}\n{}\n", next.as_str()))?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created team Billing"));

    let mut verify = appcare();
    verify.args(["audit", "verify", "--data-dir"]).arg(&dir);
    let out = verify.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Someone with the key drops the guard trigger and edits row 2.
    let ws = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    ws.store().write(|tx| {
        tx.execute_batch(
            "DROP TRIGGER audit_events_no_update;
             UPDATE audit_events SET subject = 'user:42' WHERE id = 2;",
        )?;
        Ok(())
    })?;
    drop(ws);
    let mut verify = appcare();
    verify.args(["audit", "verify", "--data-dir"]).arg(&dir);
    let out = verify.output()?;
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row 2"), "{err}");
    Ok(())
}

#[test]
fn init_without_a_reachable_keyring_explains_passphrase_mode_and_leaves_nothing() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    cmd.args([
        "init",
        "--region",
        "GB",
        "--admin",
        "maria",
        "--password-stdin",
        "--data-dir",
    ])
    .arg(&dir)
    .env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/appcare-test-bus",
    );
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keyring") && err.contains("--key-store passphrase"),
        "{err}"
    );
    assert!(err.contains("[keyring_unavailable]"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "files left behind: {left:?}");
    assert!(!err.contains(PASSWORD));
    Ok(())
}

#[test]
fn a_weak_password_and_an_unknown_region_are_refused_in_plain_words() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let mut cmd = appcare();
    init_args(&mut cmd, &tmp.path().join("a"));
    let out = run_with_stdin(cmd, "password1234\n")?;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too weak"));

    let mut cmd = appcare();
    cmd.args([
        "init",
        "--region",
        "XX",
        "--admin",
        "maria",
        "--password-stdin",
        "--data-dir",
    ])
    .arg(tmp.path().join("b"));
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown region"));
    assert!(!tmp.path().join("b").exists());
    Ok(())
}

#[test]
fn doctor_reports_a_healthy_workspace_and_a_missing_one() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    assert!(run_with_stdin(cmd, &format!("{PASSWORD}\n"))?
        .status
        .success());
    let out = appcare()
        .args(["doctor", "--data-dir"])
        .arg(&dir)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("cipher integrity") && text.contains("audit chain intact"),
        "{text}"
    );

    let out = appcare()
        .args(["doctor", "--data-dir"])
        .arg(tmp.path())
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No Appcare workspace"));
    Ok(())
}

/// A workspace made by `init --json` whose admin then finished enrolment as the desktop
/// would. The workspace stays open with the admin's session until dropped.
struct Enrolled {
    ws: Workspace,
    token: appcare_core::SessionToken,
    secret: zeroize::Zeroizing<Vec<u8>>,
    /// The TOTP step of the code the enrolment used (the next one is still free).
    step: i64,
    recovery: Vec<String>,
    now: Timestamp,
}

fn init_and_enrol(dir: &Path) -> Result<Enrolled, Box<dyn std::error::Error>> {
    let mut cmd = appcare();
    init_args(&mut cmd, dir);
    cmd.arg("--json");
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ws = Workspace::open(&WorkspaceDir::new(dir), Some(&Password::new(PASSPHRASE)))?;
    let now = Timestamp::now();
    let challenge = ws.begin_sign_in("maria", &Password::new(PASSWORD), now)?;
    let enrolment = ws.start_enrolment(&challenge.token, now)?;
    let secret = totp::secret_from_manual_key(&enrolment.manual_key).ok_or("bad key")?;
    let step = totp::step_of(now);
    let (_, codes) = ws.confirm_enrolment(&challenge.token, &totp::code_at(&secret, step)?, now)?;
    Ok(Enrolled {
        ws,
        token: challenge.token,
        secret,
        step,
        recovery: codes.codes,
        now,
    })
}

#[test]
fn sample_data_fills_the_inbox_through_ingest() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let Enrolled { secret, step, .. } = init_and_enrol(&dir)?;

    let mut sample = appcare();
    sample
        .args([
            "sample-data",
            "--as",
            "maria",
            "--conversations",
            "5",
            "--data-dir",
        ])
        .arg(&dir);
    let out = run_with_stdin(
        sample,
        &format!(
            "{PASSWORD}\n{}\n",
            totp::code_at(&secret, step + 1)?.as_str()
        ),
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let added: i64 = said
        .split("Added ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no count in {said:?}"))?;
    let ws = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    let conversations: i64 = ws
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))?))?;
    // The scripted sample conversations (at least the eight of the first wave) and five
    // more customers, every one of them stored, as the command said.
    assert!(added >= 8 + 5, "{said}");
    assert_eq!(conversations, added);
    Ok(())
}

#[test]
fn report_prints_the_same_figures_as_csv_and_json() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let Enrolled {
        ws,
        token,
        secret,
        step,
        recovery,
        now,
    } = init_and_enrol(&dir)?;
    ws.add_sample_data(&token, 2, now)?;
    let stored: i64 = ws
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))?))?;
    drop(ws);
    let day = |offset: i64| {
        Timestamp::from_unix(now.unix() + offset * 86_400)
            .to_rfc3339()
            .chars()
            .take(10)
            .collect::<String>()
    };
    // Each run signs in: the first with the next code, the second with a recovery code
    // (a code may be used once, and the one after next is not valid yet).
    let report = |format: &str, code: String| -> Result<Output, Box<dyn std::error::Error>> {
        let mut cmd = appcare();
        cmd.args([
            "report",
            "--as",
            "maria",
            "--from",
            &day(-60),
            "--to",
            &day(1),
        ])
        .args(["--format", format, "--data-dir"])
        .arg(&dir);
        Ok(run_with_stdin(cmd, &format!("{PASSWORD}\n{}\n", code))?)
    };
    let json = report("json", totp::code_at(&secret, step + 1)?.to_string())?;
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout)?;
    let opened = json["totals"]["opened"].as_i64().ok_or("totals.opened")?;
    assert_eq!(
        opened, stored,
        "every sample conversation started in the range"
    );
    let csv = report("csv", recovery[0].clone())?;
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let csv = String::from_utf8(csv.stdout)?;
    let total: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("total,"))
        .ok_or("a total line")?
        .split(',')
        .collect();
    assert_eq!(total[2], opened.to_string());
    assert_eq!(total[3], json["totals"]["resolved"].to_string());
    assert_eq!(total[5], json["totals"]["handoffs"].to_string());

    let mut bad = appcare();
    bad.args([
        "report",
        "--as",
        "maria",
        "--from",
        "1.12.2026",
        "--to",
        &day(1),
        "--data-dir",
    ])
    .arg(&dir);
    let out = run_with_stdin(bad, "")?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
    Ok(())
}

#[test]
fn channel_add_reads_secrets_from_stdin_and_never_prints_them() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    // The authenticator secret and the recovery codes are kept: a later sign-in in the
    // same half-minute takes one of those.
    let Enrolled {
        secret, recovery, ..
    } = init_and_enrol(&dir)?;
    let token = "EAAG-cli-access-token-9876";
    let app_secret = "cli-app-secret-0123456789";
    let mut add = appcare();
    add.args([
        "channel",
        "add",
        "whatsapp",
        "--as",
        "maria",
        "--name",
        "Support line",
        "--id",
        "106540352242922",
    ])
    .args([
        "--business-account-id",
        "102290129340398",
        "--graph-base-url",
        "http://127.0.0.1:9",
        "--data-dir",
    ])
    .arg(&dir);
    let code = totp::code_at(&secret, totp::step_of(Timestamp::now()) + 1)?;
    let out = run_with_stdin(
        add,
        &format!(
            "{PASSWORD}\n{}\n{token}\n{app_secret}\nverify-cli-1\n",
            code.as_str()
        ),
    )?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("…9876") && printed.contains("/webhooks/whatsapp"),
        "{printed}"
    );
    assert!(
        !printed.contains(token)
            && !printed.contains(app_secret)
            && !printed.contains("verify-cli-1"),
        "{printed}"
    );
    let ws = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    let stored = ws.delivery().endpoints()?;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].secrets.access_token.expose(), token);
    assert_eq!(
        stored[0].config.business_account_id.as_deref(),
        Some("102290129340398")
    );
    // The region (DE) has in-country storage: the runtime is asked to turn it on.
    let task: String = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT payload FROM channel_tasks WHERE kind = 'local_storage'",
            [],
            |r| r.get(0),
        )?)
    })?;
    assert_eq!(task, r#"{"region":"DE"}"#);
    let id = stored[0].id.get().to_string();
    drop(ws);

    // `channel edit` changes what is given and keeps the rest (and the secrets).
    let mut edit = appcare();
    edit.args(["channel", "edit", "--as", "maria", "--id", &id])
        .args([
            "--name",
            "Sales line",
            "--read-receipts",
            "on",
            "--data-dir",
        ])
        .arg(&dir);
    let out = run_with_stdin(edit, &format!("{PASSWORD}\n{}\n", recovery[0]))?;
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        printed.contains("Sales line") && printed.contains("read receipts on"),
        "{printed}"
    );
    let ws = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    let stored = ws.delivery().endpoints()?;
    assert!(stored[0].config.read_receipts);
    assert_eq!(stored[0].secrets.access_token.expose(), token);
    drop(ws);

    // `channel rotate --app-secret` reads only the app secret and never prints it.
    let rotated = "cli-rotated-app-secret-555";
    let mut rotate = appcare();
    rotate
        .args([
            "channel",
            "rotate",
            "--as",
            "maria",
            "--id",
            &id,
            "--app-secret",
        ])
        .arg("--data-dir")
        .arg(&dir);
    let out = run_with_stdin(rotate, &format!("{PASSWORD}\n{}\n{rotated}\n", recovery[1]))?;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(!printed.contains(rotated), "{printed}");
    let ws = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    let stored = ws.delivery().endpoints()?;
    assert_eq!(stored[0].secrets.app_secret.expose(), rotated);
    assert_eq!(
        stored[0].secrets.access_token.expose(),
        token,
        "the others stay"
    );
    Ok(())
}

#[test]
fn backup_verify_restore_and_residency_through_the_binary() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = tmp.path().join("copy.acbk");
    let backup_pass = "backup passphrase 2026";
    let mut backup = appcare();
    backup
        .env("APPCARE_BACKUP_PASSPHRASE", backup_pass)
        .args(["backup", "--data-dir"])
        .arg(&dir)
        .arg("--to")
        .arg(&file);
    let out = backup.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain intact"));
    let raw = std::fs::read(&file)?;
    assert!(
        !raw.windows(5).any(|w| w == b"maria"),
        "the backup is encrypted"
    );

    let mut verify = appcare();
    verify
        .env("APPCARE_BACKUP_PASSPHRASE", backup_pass)
        .args(["backup", "verify"])
        .arg(&file);
    let out = verify.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut wrong = appcare();
    wrong
        .env("APPCARE_BACKUP_PASSPHRASE", "a different passphrase")
        .args(["backup", "verify"])
        .arg(&file);
    let out = wrong.output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("wrong_key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let restored = tmp.path().join("restored");
    let mut restore = appcare();
    restore
        .env("APPCARE_BACKUP_PASSPHRASE", backup_pass)
        .arg("restore")
        .arg(&file)
        .arg("--data-dir")
        .arg(&restored)
        .args(["--key-store", "passphrase"]);
    let out = restore.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ws = Workspace::open(
        &WorkspaceDir::new(&restored),
        Some(&Password::new(PASSPHRASE)),
    )?;
    assert!(ws
        .begin_sign_in("maria", &Password::new(PASSWORD), Timestamp::now())
        .is_ok());
    drop(ws);

    let mut residency = appcare();
    residency.args(["residency", "--data-dir"]).arg(&restored);
    let out = residency.output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Region:            DE") && text.contains("graph.facebook.com"),
        "{text}"
    );
    Ok(())
}

#[test]
fn move_copies_verifies_then_wipes_the_old_folder() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = tmp.path().join("elsewhere").join("ws");
    // The desktop remembers the old folder; the move switches it to the new one.
    let config = tmp.path().join("config");
    std::fs::create_dir_all(config.join("com.appcare.inbox"))?;
    let remembered = config.join("com.appcare.inbox/workspace-location.json");
    std::fs::write(
        &remembered,
        serde_json::json!({ "data_dir": dir.display().to_string() }).to_string(),
    )?;
    let mut mv = appcare();
    mv.env("XDG_CONFIG_HOME", &config)
        .args(["move", "--data-dir"])
        .arg(&dir)
        .arg("--to")
        .arg(&target);
    let out = mv.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.exists(), "the old folder is gone");
    let now_remembered: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&remembered)?)?;
    assert_eq!(
        now_remembered["data_dir"]
            .as_str()
            .map(std::path::PathBuf::from),
        Some(std::fs::canonicalize(&target)?),
        "the desktop opens the new folder"
    );
    let ws = Workspace::open(
        &WorkspaceDir::new(&target),
        Some(&Password::new(PASSPHRASE)),
    )?;
    assert!(ws
        .begin_sign_in("maria", &Password::new(PASSWORD), Timestamp::now())
        .is_ok());
    drop(ws);
    // Moving onto an existing workspace is refused and changes nothing.
    let mut again = appcare();
    again
        .args(["move", "--data-dir"])
        .arg(&target)
        .arg("--to")
        .arg(&target);
    assert!(!again.output()?.status.success());
    assert!(WorkspaceDir::new(&target).exists());
    Ok(())
}

#[test]
fn move_is_refused_while_the_workspace_is_open_elsewhere() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    let out = run_with_stdin(cmd, &format!("{PASSWORD}\n"))?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another program (the app) has it open.
    let open = Workspace::open(&WorkspaceDir::new(&dir), Some(&Password::new(PASSPHRASE)))?;
    let target = tmp.path().join("moved");
    let mut mv = appcare();
    mv.args(["move", "--data-dir"])
        .arg(&dir)
        .arg("--to")
        .arg(&target);
    let out = mv.output()?;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!target.exists(), "nothing was copied");
    assert!(
        open.begin_sign_in("maria", &Password::new(PASSWORD), Timestamp::now())
            .is_ok(),
        "the open workspace still works"
    );
    Ok(())
}

/// One HTTP/1.1 GET over TLS, trusting only `roots`; the status line, or the error.
async fn https_get(port: u16, roots: rustls::RootCertStore, path: &str) -> Result<String, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    let name = rustls::pki_types::ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    tls.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    Ok(String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string())
}

#[test]
fn serve_speaks_https_with_a_generated_certificate_whose_fingerprint_it_prints() -> TestResult {
    use rustls::pki_types::pem::PemObject;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("ws");
    let mut cmd = appcare();
    init_args(&mut cmd, &dir);
    cmd.arg("--json");
    assert!(run_with_stdin(cmd, &format!("{PASSWORD}\n"))?
        .status
        .success());

    // Plain HTTP is refused anywhere but loopback.
    let out = appcare()
        .args(["serve", "--http", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(&dir)
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only on a loopback address"));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = appcare()
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(&dir)
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let mut printed = None;
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        if let Some(fp) = line.strip_prefix("appcare: certificate SHA-256 fingerprint ") {
            printed = Some(fp.trim().to_string());
            break;
        }
    }
    let printed = printed.ok_or("no fingerprint printed")?;
    let cert_pem = std::fs::read(dir.join("hub-tls/cert.pem"))?;
    let cert = rustls::pki_types::CertificateDer::from_pem_slice(&cert_pem)?;
    assert_eq!(printed, appcare_hub::tls::fingerprint(&cert));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut pinned = rustls::RootCertStore::empty();
    pinned.add(cert.clone())?;
    let path = "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1";
    let mut status = Err(String::new());
    for _ in 0..50 {
        status = runtime.block_on(https_get(port, pinned.clone(), path));
        if status.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(status?, "HTTP/1.1 403 Forbidden", "served over TLS");
    // The operator's routes: alive, ready (store, audit head, channel runtime), and no
    // metrics without a metrics token.
    for (route, expected) in [
        ("/healthz", "HTTP/1.1 200 OK"),
        ("/readyz", "HTTP/1.1 200 OK"),
        ("/metrics", "HTTP/1.1 404 Not Found"),
    ] {
        let answer = runtime.block_on(https_get(port, pinned.clone(), route));
        assert_eq!(answer?, expected, "{route}");
    }
    let mut web_roots = rustls::RootCertStore::empty();
    web_roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let refused = runtime.block_on(https_get(port, web_roots, path));
    assert!(
        refused.is_err(),
        "a client that does not trust it refuses it: {refused:?}"
    );

    let out = appcare()
        .args([
            "doctor",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(&dir)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&printed) && text.contains("readable by its owner only"),
        "{text}"
    );
    assert!(text.contains("port in use"), "{text}");
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}
