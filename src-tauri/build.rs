//! Lists every command in the app manifest so each gets its own permission, granted
//! per window by the files in `capabilities/`.

include!("src/command_names.rs");

/// The commit this build is made from, for the About page (`unknown` outside Git).
fn build_id() -> String {
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/logs/HEAD");
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    println!("cargo:rustc-env=APPCARE_BUILD={}", build_id());
    let commands: Vec<&'static str> = PRE_SESSION_COMMANDS
        .iter()
        .chain(SESSION_COMMANDS.iter())
        .copied()
        .collect();
    let commands: &'static [&'static str] = Box::leak(commands.into_boxed_slice());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
