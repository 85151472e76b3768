//! The installers, as IT installs them. `packaging/build.sh` (the script `./dev package`
//! runs on the release build) makes the desktop and hub `.deb`s and the desktop `.rpm`
//! from this build's binaries; lintian finds no error in either `.deb`; the desktop
//! package installs with `dpkg -i`, its binary starts in a real window and shows the
//! first-run screen, and `dpkg --purge` leaves none of its files; the hub package
//! installs, creates its system user and data folder, runs `appcare doctor`, its unit
//! passes `systemd-analyze verify`, and its removal keeps the workspace folder.
//!
//! Real parts: dpkg, lintian, rpmbuild, systemd-analyze, the app binary in a real window
//! (WebKitWebDriver through `tauri-driver`, Xvfb). Needs root (or `sudo -n`) to install.

use appcare_tests::ui::wait_for;
use appcare_tests::{target_dir, DesktopApp, TestResult};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `program args` as root (directly, or through `sudo -n`).
fn as_root(program: &str, args: &[&str]) -> TestResult<Output> {
    let root = Command::new("id").arg("-u").output()?.stdout == b"0\n";
    let mut cmd = if root {
        Command::new(program)
    } else {
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", program]);
        sudo
    };
    Ok(cmd
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()?)
}

fn ok(what: &str, out: Output) -> TestResult<String> {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(stdout)
}

/// The installers, built once for both tests (lightly compressed: the same files).
fn build_packages() -> TestResult<&'static Path> {
    static BUILT: std::sync::Mutex<Option<tempfile::TempDir>> = std::sync::Mutex::new(None);
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if built.is_none() {
        *built = Some(build_into()?);
    }
    let path = built
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .ok_or("not built")?;
    Ok(Box::leak(path.into_boxed_path()))
}

fn build_into() -> TestResult<tempfile::TempDir> {
    let out = tempfile::tempdir()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("packaging")
        .join("build.sh");
    ok(
        "packaging/build.sh",
        Command::new("bash")
            .arg(script)
            .env("PACKAGE_FAST", "1")
            .arg(target_dir()?)
            .arg(out.path())
            .output()?,
    )?;
    Ok(out)
}

fn one(dir: &Path, prefix: &str, suffix: &str) -> TestResult<PathBuf> {
    std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .ok_or_else(|| format!("no {prefix}*{suffix} in {}", dir.display()).into())
}

/// Installs `deb` as an admin would: `dpkg -i`, then `apt-get -f install` when a
/// dependency is missing; fails unless the package ends up installed.
fn install(deb: &Path, package: &str) -> TestResult<String> {
    let first = as_root("dpkg", &["-i", &deb.display().to_string()])?;
    let mut said = String::from_utf8_lossy(&first.stdout).into_owned();
    if !first.status.success() {
        let fixed = as_root("apt-get", &["-f", "install", "-y", "-q"])?;
        said.push_str(&ok("apt-get -f install", fixed)?);
    }
    let status = ok(
        "dpkg-query",
        Command::new("dpkg-query")
            .args(["-W", "-f=${Status}", package])
            .output()?,
    )?;
    if status != "install ok installed" {
        return Err(format!("{package} is not installed: {status}").into());
    }
    Ok(said)
}

/// dpkg takes one caller at a time: the two tests install in turn.
static DPKG: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Removes a package whatever happens to the test.
struct Installed(&'static str);

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = as_root("dpkg", &["--purge", self.0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_package_installs_starts_in_a_window_and_uninstalls_cleanly() -> TestResult {
    let packages = build_packages()?;
    let deb = one(packages, "appcare-inbox_", ".deb")?;
    let lint = Command::new("lintian")
        .args(["--fail-on", "error", "--tag-display-limit", "0"])
        .arg(&deb)
        .output()?;
    ok("lintian on the desktop package", lint)?;
    let fields = ok(
        "dpkg-deb --field",
        Command::new("dpkg-deb").arg("--field").arg(&deb).output()?,
    )?;
    assert!(fields.contains("libwebkit2gtk-4.1-0"), "{fields}");
    let rpm = one(packages, "appcare-inbox-", ".rpm")?;
    let listed = ok(
        "rpm -qpl",
        Command::new("rpm").arg("-qpl").arg(&rpm).output()?,
    )?;
    assert!(listed.contains("/usr/bin/appcare-inbox"), "{listed}");

    let _turn = DPKG.lock().await;
    let guard = Installed("appcare-inbox");
    install(&deb, "appcare-inbox")?;
    let files = ok("dpkg -L", as_root("dpkg", &["-L", "appcare-inbox"])?)?;
    for want in [
        "/usr/bin/appcare-inbox",
        "/usr/share/applications/appcare-inbox.desktop",
        "/usr/share/icons/hicolor/48x48/apps/appcare-inbox.png",
        "/usr/share/icons/hicolor/256x256/apps/appcare-inbox.png",
    ] {
        assert!(files.lines().any(|l| l == want), "{want} not installed");
    }
    let app = DesktopApp::start_binary(
        Path::new("/usr/bin/appcare-inbox"),
        tempfile::tempdir()?,
        &[],
    )
    .await?;
    let shown = wait_for(&app.client, "#first-run-form", 30).await;
    if shown.is_err() {
        let _ = app.screenshot("package-first-run-failure").await;
    }
    app.stop().await;
    shown?;

    ok(
        "dpkg --purge",
        as_root("dpkg", &["--purge", "appcare-inbox"])?,
    )?;
    std::mem::forget(guard);
    for gone in [
        "/usr/bin/appcare-inbox",
        "/usr/share/applications/appcare-inbox.desktop",
        "/usr/share/doc/appcare-inbox",
    ] {
        assert!(!Path::new(gone).exists(), "{gone} left behind");
    }
    Ok(())
}

#[test]
fn the_hub_package_installs_its_user_unit_and_settings_and_keeps_the_data_on_removal() -> TestResult
{
    let packages = build_packages()?;
    let deb = one(packages, "appcare-hub_", ".deb")?;
    ok(
        "lintian on the hub package",
        Command::new("lintian")
            .args(["--fail-on", "error", "--tag-display-limit", "0"])
            .arg(&deb)
            .output()?,
    )?;
    let _turn = DPKG.blocking_lock();
    let guard = Installed("appcare-hub");
    let installed = install(&deb, "appcare-hub")?;
    // Doctor ran (its own lines, "ok" or "FAIL" each) and said what is missing: no
    // workspace yet.
    let doctor: Vec<&str> = installed
        .lines()
        .filter(|l| l.starts_with("ok  ") || l.starts_with("FAIL"))
        .collect();
    assert!(
        doctor.iter().any(|l| l.starts_with("FAIL")),
        "doctor's findings after install: {installed}"
    );
    ok(
        "the appcare user",
        Command::new("getent")
            .args(["passwd", "appcare"])
            .output()?,
    )?;
    use std::os::unix::fs::PermissionsExt;
    let data = std::fs::metadata("/var/lib/appcare")?;
    assert_eq!(data.permissions().mode() & 0o777, 0o700);
    let unit = Path::new("/usr/lib/systemd/system/appcare-hub.service");
    assert!(unit.is_file());
    ok(
        "systemd-analyze verify",
        Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(unit)
            .output()?,
    )?;
    let settings = std::fs::read_to_string("/etc/default/appcare-hub")?;
    assert!(settings.contains("APPCARE_LISTEN="));
    ok(
        "dpkg --purge",
        as_root("dpkg", &["--purge", "appcare-hub"])?,
    )?;
    std::mem::forget(guard);
    assert!(!Path::new("/usr/bin/appcare").exists());
    assert!(
        Path::new("/var/lib/appcare").is_dir(),
        "a package manager never deletes the workspace"
    );
    Ok(())
}
