//! Harness for end-to-end tests of the real desktop app: a private X server (Xvfb),
//! `tauri-driver` in front of WebKitWebDriver, and a WebDriver session on the built
//! `appcare-desktop` binary. Everything is stopped when the harness is dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// A running app in a real window, driven over WebDriver.
pub struct DesktopApp {
    pub client: fantoccini::Client,
    pub data_dir: tempfile::TempDir,
    /// The X display the window is on (`:90` …).
    pub display: String,
    /// One window at a time per test binary: the harness picks displays and ports by
    /// looking for free ones, which two starting at once could both pick.
    _turn: tokio::sync::OwnedMutexGuard<()>,
    xvfb: Child,
    driver: Child,
}

/// The workspace's `target/debug` (the folder above this test's `deps`).
pub fn target_dir() -> TestResult<PathBuf> {
    let exe = std::env::current_exe()?;
    let deps = exe.parent().ok_or("test binary has no folder")?;
    Ok(deps.parent().ok_or("no target folder")?.to_path_buf())
}

pub fn free_port() -> TestResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, limit: Duration) -> TestResult {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > limit {
            return Err(format!("nothing listened on port {port} within {limit:?}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let installed = home.join(".cargo/bin/tauri-driver");
    if installed.is_file() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// A display lock whose server process is gone.
fn stale_display(lock: &str) -> bool {
    std::fs::read_to_string(lock)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
        .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
}

fn start_xvfb() -> TestResult<(Child, String)> {
    for n in 90..140 {
        let socket = format!("/tmp/.X11-unix/X{n}");
        let lock = format!("/tmp/.X{n}-lock");
        if stale_display(&lock) {
            // An Xvfb killed with SIGKILL (as the harness stops it) leaves both behind.
            let _ = std::fs::remove_file(&lock);
            let _ = std::fs::remove_file(&socket);
        }
        if Path::new(&socket).exists() || Path::new(&lock).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                format!(":{n}"),
                "-screen".into(),
                "0".into(),
                "1920x1080x24".into(),
                "-nolisten".into(),
                "tcp".into(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start Xvfb (apt-get install xvfb): {e}"))?;
        let start = Instant::now();
        while !Path::new(&socket).exists() {
            if start.elapsed() > Duration::from_secs(10) {
                return Err("Xvfb did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        return Ok((child, format!(":{n}")));
    }
    Err("no free X display".into())
}

impl DesktopApp {
    /// Starts the app on a fresh, empty data folder.
    pub async fn start() -> TestResult<Self> {
        Self::start_in(tempfile::tempdir()?).await
    }

    /// Starts the app on `data_dir`, whose `workspace` folder the test may have prepared.
    pub async fn start_in(data_dir: tempfile::TempDir) -> TestResult<Self> {
        Self::start_with_env(data_dir, &[]).await
    }

    /// Like [`Self::start_in`], with extra environment for the app (e.g. where its
    /// webhook receiver listens).
    pub async fn start_with_env(
        data_dir: tempfile::TempDir,
        env: &[(&str, String)],
    ) -> TestResult<Self> {
        Self::start_binary(&target_dir()?.join("appcare-desktop"), data_dir, env).await
    }

    /// Starts the app binary at `app` (e.g. the one a package installed).
    pub async fn start_binary(
        app: &Path,
        data_dir: tempfile::TempDir,
        env: &[(&str, String)],
    ) -> TestResult<Self> {
        let turn = one_window().lock_owned().await;
        let app = app.to_path_buf();
        if !app.is_file() {
            return Err(format!(
                "{} is not built: run `cargo build -p appcare-desktop`",
                app.display()
            )
            .into());
        }
        // The WebDriver client's TLS needs a process-wide provider once more than one
        // is compiled in (ureq brings ring): aws-lc-rs, like the app.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let (xvfb, display) = start_xvfb()?;
        let port = free_port()?;
        let native_port = free_port()?;
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .env("NO_AT_BRIDGE", "1")
            .env("APPCARE_DATA_DIR", data_dir.path().join("workspace"))
            .env("XDG_CONFIG_HOME", data_dir.path().join("config"))
            .env("XDG_DATA_HOME", data_dir.path().join("data"))
            .env_remove("APPCARE_PASSPHRASE")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("could not start tauri-driver (cargo install tauri-driver): {e}")
            })?;
        let mut harness = Self::partial(xvfb, driver, data_dir, display, turn);
        // tauri-driver listens before WebKitWebDriver does: wait for both.
        wait_for_port(port, Duration::from_secs(20))?;
        wait_for_port(native_port, Duration::from_secs(20))?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.display().to_string() }),
        );
        let client = fantoccini::ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await?;
        harness.0 = Some(client);
        harness.finish()
    }

    fn partial(
        xvfb: Child,
        driver: Child,
        data_dir: tempfile::TempDir,
        display: String,
        turn: tokio::sync::OwnedMutexGuard<()>,
    ) -> Partial {
        Partial(None, Some((xvfb, driver, data_dir, display, turn)))
    }

    /// Launches the app binary once more, as a person double-clicking it again would,
    /// with the first one's display and folders.
    pub fn launch_again(&self) -> TestResult<Child> {
        Ok(Command::new(target_dir()?.join("appcare-desktop"))
            .env("DISPLAY", &self.display)
            .env("NO_AT_BRIDGE", "1")
            .env("APPCARE_DATA_DIR", self.data_dir.path().join("workspace"))
            .env("XDG_CONFIG_HOME", self.data_dir.path().join("config"))
            .env("XDG_DATA_HOME", self.data_dir.path().join("data"))
            .env_remove("APPCARE_PASSPHRASE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?)
    }

    /// Saves a screenshot under `tests/artifacts/` (kept for a failed run).
    pub async fn screenshot(&self, name: &str) -> TestResult<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    pub async fn stop(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// Holds the processes while the session is being created, so a failed start cleans up.
struct Partial(
    Option<fantoccini::Client>,
    Option<(
        Child,
        Child,
        tempfile::TempDir,
        String,
        tokio::sync::OwnedMutexGuard<()>,
    )>,
);

/// The lock behind [`DesktopApp`]'s one window at a time.
fn one_window() -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static LOCK: std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
        std::sync::OnceLock::new();
    LOCK.get_or_init(Default::default).clone()
}

impl Partial {
    fn finish(mut self) -> TestResult<DesktopApp> {
        let client = self.0.take().ok_or("no WebDriver session")?;
        let (xvfb, driver, data_dir, display, turn) = self.1.take().ok_or("processes gone")?;
        Ok(DesktopApp {
            client,
            data_dir,
            display,
            _turn: turn,
            xvfb,
            driver,
        })
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some((mut xvfb, mut driver, _, _, _)) = self.1.take() {
            let _ = driver.kill();
            let _ = xvfb.kill();
        }
    }
}

impl Drop for DesktopApp {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.xvfb.kill();
    }
}

/// Small WebDriver helpers that wait for elements, as a person waits for a screen.
pub mod channel_setup;
pub mod hub_setup;
pub mod mail_servers;
pub mod mail_setup;
pub mod meta;
pub mod push_watch;
pub mod schema_examples;

pub mod ui {
    use super::TestResult;
    use appcare_core::auth::totp;
    use appcare_core::Timestamp;
    use fantoccini::elements::Element;
    use fantoccini::{Client, Locator};
    use std::time::Duration;

    pub async fn wait_for(client: &Client, css: &str, seconds: u64) -> TestResult<Element> {
        Ok(client
            .wait()
            .at_most(Duration::from_secs(seconds))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waiting for {css}: {e}"))?)
    }

    /// A list that re-renders (live updates) can replace an element between finding and
    /// using it; such an action is retried on a freshly found element.
    fn stale(e: &fantoccini::error::CmdError) -> bool {
        e.to_string().to_ascii_lowercase().contains("stale")
            || format!("{e:?}").contains("StaleElementReference")
    }

    pub async fn fill(client: &Client, css: &str, text: &str) -> TestResult {
        for attempt in 0..5 {
            let field = wait_for(client, css, 10).await?;
            let done = match field.clear().await {
                Ok(()) => field.send_keys(text).await,
                Err(e) => Err(e),
            };
            match done {
                Err(e) if stale(&e) && attempt < 4 => {
                    tokio::time::sleep(Duration::from_millis(150)).await
                }
                other => return other.map_err(|e| format!("filling {css}: {e:?}").into()),
            }
        }
        Ok(())
    }

    pub async fn click(client: &Client, css: &str) -> TestResult {
        for attempt in 0..5 {
            match wait_for(client, css, 10).await?.click().await {
                Err(e) if stale(&e) && attempt < 4 => {
                    tokio::time::sleep(Duration::from_millis(150)).await
                }
                other => return other.map_err(|e| format!("clicking {css}: {e:?}").into()),
            }
        }
        Ok(())
    }

    pub async fn text(client: &Client, css: &str) -> TestResult<String> {
        Ok(wait_for(client, css, 10)
            .await?
            .text()
            .await?
            .trim()
            .to_string())
    }

    /// The element's text as the DOM holds it (`""` when absent). WebKitWebDriver's
    /// visible-text rules skip some styled spans, so tests read this instead.
    pub async fn text_content(client: &Client, css: &str) -> TestResult<String> {
        let value = client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Waits until the authenticator's newest code is for a step after `used`.
    pub async fn fresh_code(secret: &[u8], used: i64) -> TestResult<(String, i64)> {
        loop {
            let step = totp::step_of(Timestamp::now());
            if step > used {
                return Ok((totp::code_at(secret, step)?.to_string(), step));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
