//! Real Dovecot and Postfix on loopback for the email tests, started by `tests/mail/servers.sh`.
//!
//! Each [`MailServers`] is a private instance in its own temporary folder, on its own free
//! ports: Dovecot serves IMAP (STARTTLS) and IMAPS, Postfix accepts SMTP (STARTTLS, then
//! AUTH PLAIN/LOGIN checked by Dovecot) and delivers `example.test` and `customer.test`
//! into the same Maildirs Dovecot reads. Both trust one self-signed certificate for
//! `127.0.0.1` ([`MailServers::ca_pem`]). Everything is stopped when the value is dropped.
//!
//! [`MailServers::start_without_idle`] gives an instance whose IMAP server never offers IDLE
//! (so a client must poll); [`MailServers::stop_imap`] / [`MailServers::start_imap`] and
//! [`MailServers::stop_smtp`] / [`MailServers::start_smtp`] take one server away and bring
//! it back on the same ports.
//!
//! Needs root (the servers drop privileges to `vmail`, `postfix` and `dovecot`) and the
//! Debian packages `dovecot-imapd`, `postfix`, `isync` and `python3`.
//!
//! The calls block (they run the script or read the Maildirs). In a `#[tokio::test]` whose
//! app under test runs on the same runtime, wait with [`MailServers::wait_for_count_async`].

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestResult;

/// The password of every test mailbox.
pub const PASSWORD: &str = "mail-password-123";
/// The support team's mailbox (the channel's account).
pub const SUPPORT: &str = "support@example.test";
/// A customer's mailbox.
pub const CUSTOMER: &str = "customer@customer.test";
/// A mailbox for benchmarks (fill it, then sync it).
pub const BENCH: &str = "bench@example.test";
/// Three people a customer copies in.
pub const COPIED: [&str; 3] = [
    "cc1@customer.test",
    "cc2@customer.test",
    "cc3@customer.test",
];

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/mail/servers.sh");

/// A running private Dovecot and Postfix.
pub struct MailServers {
    dir: tempfile::TempDir,
    /// IMAP with STARTTLS on 127.0.0.1.
    pub imap_port: u16,
    /// IMAP over implicit TLS on 127.0.0.1.
    pub imaps_port: u16,
    /// SMTP with STARTTLS (AUTH after STARTTLS) on 127.0.0.1.
    pub smtp_port: u16,
    /// The servers' self-signed certificate (PEM), the only root a client needs.
    pub ca_pem: String,
}

/// Runs `servers.sh ARGS…`, feeding `input` on stdin; its stdout on success.
fn run_script(args: &[&OsStr], input: Option<&[u8]>) -> TestResult<Vec<u8>> {
    let what = format!(
        "servers.sh {}",
        args.iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut child = Command::new("bash")
        .arg(SCRIPT)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run {what}: {e}"))?;
    // Written from another thread, so a big message cannot deadlock against the pipes.
    let writer = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => {
            let data = bytes.to_vec();
            Some(std::thread::spawn(move || stdin.write_all(&data)))
        }
        _ => None,
    };
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{what}: {e}"))?;
    let written = match writer {
        Some(handle) => handle
            .join()
            .map_err(|_| format!("{what}: the stdin writer panicked"))?,
        None => Ok(()),
    };
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    written.map_err(|e| format!("{what}: writing stdin: {e}"))?;
    Ok(output.stdout)
}

/// `user@domain` → (`domain`, `user`).
fn split_address(user: &str) -> TestResult<(&str, &str)> {
    match user.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok((domain, local)),
        _ => Err(format!("not a mailbox address: {user:?}").into()),
    }
}

/// The part of a Maildir file name before the `:2,FLAGS` info (stable from `new` to `cur`).
fn base_name(name: &str) -> &str {
    name.split_once(':').map_or(name, |(base, _)| base)
}

/// The flags of a Maildir file name (`""` while in `new/`).
fn flags(name: &str) -> &str {
    name.split_once(":2,").map_or("", |(_, flags)| flags)
}

/// The unfolded value of the first header `name` in a raw message.
fn header_value(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let mut found: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(value) = found.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if found.is_some() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            if key.trim().eq_ignore_ascii_case(name) {
                found = Some(value.trim().to_string());
            }
        }
    }
    found
}

fn same_message_id(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string()
    };
    strip(a) == strip(b)
}

impl MailServers {
    /// Starts a fresh instance in a new temporary folder (takes about 2–3 s).
    pub fn start() -> TestResult<Self> {
        Self::start_with(&[])
    }

    /// Like [`Self::start`], but Dovecot's CAPABILITY (in the greeting, before and after
    /// login, IMAP and IMAPS) is its usual list without IDLE, so a client must poll.
    /// LOGIN, STARTTLS, UIDPLUS, MOVE, CONDSTORE, QRESYNC, … are all still offered. Dovecot
    /// would still accept an IDLE command; it only stops advertising it.
    pub fn start_without_idle() -> TestResult<Self> {
        Self::start_with(&["--no-idle"])
    }

    /// `servers.sh start DIR OPTIONS…` in a new temporary folder.
    fn start_with(options: &[&str]) -> TestResult<Self> {
        let dir = tempfile::Builder::new().prefix("mail-").tempdir()?;
        let mut args = vec![OsStr::new("start"), dir.path().as_os_str()];
        args.extend(options.iter().map(OsStr::new));
        let stdout = match run_script(&args, None) {
            Ok(stdout) => stdout,
            Err(e) => {
                // The script cleans up after a failed start; make sure of it.
                let _ = run_script(&[OsStr::new("stop"), dir.path().as_os_str()], None);
                return Err(e);
            }
        };
        let mut servers = Self {
            dir,
            imap_port: 0,
            imaps_port: 0,
            smtp_port: 0,
            ca_pem: String::new(),
        };
        let mut ca_path = None;
        for line in String::from_utf8_lossy(&stdout).lines() {
            let Some((key, value)) = line.trim().split_once('=') else {
                continue;
            };
            match key {
                "IMAP_PORT" => servers.imap_port = value.parse()?,
                "IMAPS_PORT" => servers.imaps_port = value.parse()?,
                "SMTP_PORT" => servers.smtp_port = value.parse()?,
                "CA_PEM" => ca_path = Some(PathBuf::from(value)),
                _ => {}
            }
        }
        // From here on, dropping `servers` stops the instance.
        if servers.imap_port == 0 || servers.imaps_port == 0 || servers.smtp_port == 0 {
            return Err(format!(
                "servers.sh start printed no ports:\n{}",
                String::from_utf8_lossy(&stdout)
            )
            .into());
        }
        let ca_path = ca_path.ok_or("servers.sh start printed no CA_PEM")?;
        servers.ca_pem = std::fs::read_to_string(&ca_path)
            .map_err(|e| format!("reading {}: {e}", ca_path.display()))?;
        Ok(servers)
    }

    /// The instance's folder (configs, logs `dovecot.log` and `postfix.log`, `mail/`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The certificate file (same text as [`Self::ca_pem`]).
    pub fn ca_path(&self) -> PathBuf {
        self.dir().join("ca.pem")
    }

    fn run(&self, command: &str, rest: &[&str], input: Option<&[u8]>) -> TestResult<Vec<u8>> {
        let mut args = vec![OsStr::new(command), self.dir().as_os_str()];
        args.extend(rest.iter().map(OsStr::new));
        run_script(&args, input)
    }

    /// Writes `count` small distinct messages (`<fill-N@customer.test>`, from
    /// `customerN@customer.test`) straight into `user`'s `Maildir/new`: 10,000 take about 1 s.
    /// Numbering continues across calls.
    pub fn fill(&self, user: &str, count: usize) -> TestResult {
        self.run("fill", &[user, count.to_string().as_str()], None)?;
        Ok(())
    }

    /// [`Self::fill`] into `user`'s `folder` (letters and digits), made if missing.
    pub fn fill_folder(&self, user: &str, folder: &str, count: usize) -> TestResult {
        self.run("fill", &[user, count.to_string().as_str(), folder], None)?;
        Ok(())
    }

    /// Saves a raw message into `user`'s INBOX with `doveadm save` (IDLE clients see it).
    /// Needs Dovecot running (an error after [`Self::stop_imap`]).
    pub fn deliver(&self, user: &str, raw: &[u8]) -> TestResult {
        self.run("deliver", &[user], Some(raw))?;
        Ok(())
    }

    /// Marks the INBOX mail with `message_id` (no angle brackets) read, as another mail
    /// program would.
    pub fn mark_read(&self, user: &str, message_id: &str) -> TestResult {
        self.run("read", &[user, &format!("<{message_id}>")], None)?;
        Ok(())
    }

    /// Deletes the INBOX mail with `message_id` (no angle brackets), as another mail
    /// program would.
    pub fn expunge(&self, user: &str, message_id: &str) -> TestResult {
        self.run("expunge", &[user, &format!("<{message_id}>")], None)?;
        Ok(())
    }

    /// Saves a raw message into `user`'s `folder` (its name as people write it, made if
    /// missing), with `doveadm`.
    pub fn deliver_to(&self, user: &str, folder: &str, raw: &[u8]) -> TestResult {
        self.run("deliver", &[user, folder], Some(raw))?;
        Ok(())
    }

    /// Gives `user`'s INBOX a new, larger UIDVALIDITY (checked by the script); returns it.
    /// Needs Dovecot running (an error after [`Self::stop_imap`]).
    pub fn change_uidvalidity(&self, user: &str) -> TestResult<u32> {
        let stdout = self.run("uidvalidity", &[user], None)?;
        let text = String::from_utf8_lossy(&stdout);
        Ok(text
            .trim()
            .parse::<u32>()
            .map_err(|e| format!("servers.sh uidvalidity printed {text:?}: {e}"))?)
    }

    /// Stops Postfix only (its port refuses connections until [`Self::start_smtp`]).
    pub fn stop_smtp(&self) -> TestResult {
        self.run("smtp-stop", &[], None)?;
        Ok(())
    }

    /// Starts Postfix again on the same port (no-op when it runs).
    pub fn start_smtp(&self) -> TestResult {
        self.run("smtp-start", &[], None)?;
        Ok(())
    }

    /// Stops Dovecot only (about 1–2 s): open IMAP connections are cut (IDLE ones too) and
    /// both IMAP ports refuse connections until [`Self::start_imap`]. Meanwhile SMTP AUTH
    /// fails (Dovecot checks the passwords), but Postfix still delivers mail that is
    /// already queued or injected with [`Self::send_as`] into the Maildirs, and
    /// [`Self::fill`] works; [`Self::deliver`] and [`Self::change_uidvalidity`] do not.
    pub fn stop_imap(&self) -> TestResult {
        self.run("imap-stop", &[], None)?;
        Ok(())
    }

    /// Starts Dovecot again on the same ports with the same mail (same UIDVALIDITY and UIDs,
    /// plus whatever arrived meanwhile; still without IDLE for [`Self::start_without_idle`]).
    /// Returns once IMAP greets and IMAPS accepts connections, and Postfix's SMTP (with
    /// AUTH through Dovecot) greets again. A no-op when Dovecot runs.
    pub fn start_imap(&self) -> TestResult {
        self.run("imap-start", &[], None)?;
        Ok(())
    }

    /// Pulls `user`'s INBOX into the Maildir `target` with mbsync (the benchmark reference).
    pub fn mbsync(&self, user: &str, target: &Path) -> TestResult {
        let target = target.to_str().ok_or("target path is not UTF-8")?;
        self.run("mbsync", &[user, target], None)?;
        Ok(())
    }

    /// Writes to `path` a message with a base64 attachment of `mb` MiB of random bytes
    /// (generated at test time, never committed).
    pub fn big_attachment(path: &Path, mb: usize) -> TestResult {
        let mb = mb.to_string();
        run_script(
            &[
                OsStr::new("big-attachment"),
                path.as_os_str(),
                OsStr::new(&mb),
            ],
            None,
        )?;
        Ok(())
    }

    /// The awkward-MIME corpus (`tests/mail/corpus`, expectations in its `EXPECT` file).
    pub fn corpus_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("mail/corpus")
    }

    /// The Maildir of `user`'s `folder` ("INBOX", or e.g. "Sent" as Maildir++ `.Sent`).
    pub fn maildir(&self, user: &str, folder: &str) -> TestResult<PathBuf> {
        let (domain, local) = split_address(user)?;
        let root = self.dir().join("mail").join(domain).join(local);
        if folder.eq_ignore_ascii_case("INBOX") {
            Ok(root)
        } else {
            Ok(root.join(format!(".{}", folder.replace('/', "."))))
        }
    }

    /// Maildir files of `user`'s `folder` (cur + new) as (file name, path), sorted by the
    /// name without its flags.
    fn files(&self, user: &str, folder: &str) -> TestResult<Vec<(String, PathBuf)>> {
        let maildir = self.maildir(user, folder)?;
        let mut files = Vec::new();
        for sub in ["cur", "new"] {
            let entries = match std::fs::read_dir(maildir.join(sub)) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("reading {}: {e}", maildir.display()).into()),
            };
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.starts_with('.') {
                    files.push((name, entry.path()));
                }
            }
        }
        files.sort_by(|a, b| base_name(&a.0).cmp(base_name(&b.0)));
        Ok(files)
    }

    /// Reads the files, listing again when Dovecot moved one from `new` to `cur` meanwhile.
    fn read_files(&self, user: &str, folder: &str) -> TestResult<Vec<(String, Vec<u8>)>> {
        let mut attempt = 0;
        'listing: loop {
            attempt += 1;
            let mut messages = Vec::new();
            for (name, path) in self.files(user, folder)? {
                match std::fs::read(&path) {
                    Ok(raw) => messages.push((name, raw)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && attempt < 10 => {
                        continue 'listing;
                    }
                    Err(e) => return Err(format!("reading {}: {e}", path.display()).into()),
                }
            }
            return Ok(messages);
        }
    }

    /// Raw messages in `user`'s `folder` ("INBOX" or "Sent"), read from the Maildir files
    /// (cur + new), sorted by file name.
    pub fn mailbox(&self, user: &str, folder: &str) -> TestResult<Vec<Vec<u8>>> {
        Ok(self
            .read_files(user, folder)?
            .into_iter()
            .map(|(_, raw)| raw)
            .collect())
    }

    /// Whether the message in `user`'s INBOX whose Message-ID is `message_id` (with or
    /// without angle brackets) has the Seen flag (Maildir `:2,…S`). An error when no
    /// message has that Message-ID.
    pub fn is_seen(&self, user: &str, message_id: &str) -> TestResult<bool> {
        for (name, raw) in self.read_files(user, "INBOX")? {
            let matches = header_value(&raw, "Message-ID")
                .is_some_and(|value| same_message_id(&value, message_id));
            if matches {
                return Ok(flags(&name).contains('S'));
            }
        }
        Err(format!("no message {message_id} in {user}'s INBOX").into())
    }

    /// Injects a raw message into this instance's Postfix queue as `from` for `to`, with
    /// Postfix's own `sendmail -C DIR/postfix` (delivered as an SMTP submission would be;
    /// while SMTP is stopped it waits in the queue until [`Self::start_smtp`]).
    pub fn send_as(&self, from: &str, to: &str, raw: &[u8]) -> TestResult {
        let config = self.dir().join("postfix");
        let mut child = Command::new("/usr/sbin/sendmail")
            .arg("-C")
            .arg(&config)
            .args(["-i", "-f", from, "--", to])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run Postfix's sendmail: {e}"))?;
        let data = raw.to_vec();
        let writer = child
            .stdin
            .take()
            .map(|mut stdin| std::thread::spawn(move || stdin.write_all(&data)));
        let output = child.wait_with_output()?;
        if let Some(handle) = writer {
            handle
                .join()
                .map_err(|_| "the sendmail stdin writer panicked")??;
        }
        if !output.status.success() {
            return Err(format!(
                "sendmail -f {from} {to} failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        Ok(())
    }

    fn timeout_error(&self, user: &str, folder: &str, n: usize, found: usize) -> String {
        let log = std::fs::read_to_string(self.dir().join("postfix.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        format!(
            "{user}'s {folder} holds {found} messages, not {n}; postfix.log ends:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    /// Waits (polling, up to `timeout`) until `user`'s `folder` holds at least `n`
    /// messages; returns them. Blocks the thread: see [`Self::wait_for_count_async`].
    pub fn wait_for_count(
        &self,
        user: &str,
        folder: &str,
        n: usize,
        timeout: Duration,
    ) -> TestResult<Vec<Vec<u8>>> {
        let start = Instant::now();
        loop {
            let messages = self.mailbox(user, folder)?;
            if messages.len() >= n {
                return Ok(messages);
            }
            if start.elapsed() > timeout {
                return Err(self.timeout_error(user, folder, n, messages.len()).into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Like [`Self::wait_for_count`], sleeping on the tokio timer so the app under test
    /// keeps running on the same runtime.
    pub async fn wait_for_count_async(
        &self,
        user: &str,
        folder: &str,
        n: usize,
        timeout: Duration,
    ) -> TestResult<Vec<Vec<u8>>> {
        let start = Instant::now();
        loop {
            let messages = self.mailbox(user, folder)?;
            if messages.len() >= n {
                return Ok(messages);
            }
            if start.elapsed() > timeout {
                return Err(self.timeout_error(user, folder, n, messages.len()).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for MailServers {
    fn drop(&mut self) {
        if let Err(e) = run_script(&[OsStr::new("stop"), self.dir.path().as_os_str()], None) {
            eprintln!(
                "stopping the mail servers in {}: {e}",
                self.dir.path().display()
            );
        }
    }
}
