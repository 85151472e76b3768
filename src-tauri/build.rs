//! Lists every command in the app manifest so each gets its own permission, granted
//! per window by the files in `capabilities/`.

include!("src/command_names.rs");

fn main() {
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
