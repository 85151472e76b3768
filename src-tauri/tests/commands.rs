//! The desktop's command surface stays in step: the command list (which `build.rs`
//! turns into permissions), the handler in `lib.rs`, the window's capability file and
//! the core's call table name the same commands; every session command goes through
//! `with_session`, so the core checks the session and role; the CSP starts from
//! `'none'` with no `unsafe-*`, `withGlobalTauri` is off and `freezePrototype` on.
//!
//! Real parts: none: it reads the crate's source and configuration files.

use appcare_desktop::{PRE_SESSION_COMMANDS, SESSION_COMMANDS};
use std::collections::BTreeSet;
use std::path::Path;

fn source(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .expect("readable source")
}

fn listed() -> BTreeSet<String> {
    PRE_SESSION_COMMANDS
        .iter()
        .chain(SESSION_COMMANDS)
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn handler_lists_exactly_the_manifest_commands() {
    let lib = source("src/lib.rs");
    let start = lib.find("generate_handler![").expect("handler present");
    let end = lib[start..].find(']').expect("handler closed") + start;
    let handled: BTreeSet<String> = lib[start..end]
        .split(',')
        .filter_map(|item| item.trim().rsplit("::").next())
        .map(|s| {
            s.trim_start_matches("generate_handler![")
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(handled, listed());
}

#[test]
fn the_main_window_is_granted_exactly_the_app_commands() {
    let cap = source("capabilities/main-window.toml");
    let granted: BTreeSet<String> = cap
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("\"allow-"))
        .map(|l| l.trim_end_matches(['"', ',']).replace('-', "_"))
        .collect();
    assert_eq!(granted, listed());
    let core: BTreeSet<&str> = cap
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("\"core:"))
        .map(|l| l.trim_end_matches(['"', ',']))
        .collect();
    assert_eq!(
        core,
        BTreeSet::from(["event:allow-listen", "event:allow-unlisten"]),
        "the main window may only listen to events besides the app commands"
    );
}

#[test]
fn every_session_command_goes_through_with_session() {
    // Every file of src/commands/, so a new one cannot be left out.
    let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/commands"))
        .expect("src/commands")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    let admin: String = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("readable"))
        .collect();
    for name in SESSION_COMMANDS {
        let start = admin
            .find(&format!("pub async fn {name}("))
            .unwrap_or_else(|| panic!("{name} is in no file of src/commands/"));
        let body_end = admin[start..]
            .find("\n}\n")
            .map_or(admin.len(), |e| e + start);
        assert!(
            admin[start..body_end].contains("with_session(&state"),
            "{name} must call with_session"
        );
    }
}

#[test]
fn the_csp_starts_from_none_and_allows_no_inline_code() {
    let conf: serde_json::Value = serde_json::from_str(&source("tauri.conf.json")).expect("json");
    let security = &conf["app"]["security"];
    let csp = &security["csp"];
    assert_eq!(csp["default-src"], "'none'");
    let text = csp.to_string();
    assert!(
        !text.contains("unsafe-inline") && !text.contains("unsafe-eval"),
        "{text}"
    );
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert_eq!(security["freezePrototype"], true);
}
