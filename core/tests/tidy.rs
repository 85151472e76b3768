//! Tidy: conventions kept by a test, not by memory (rust-analyzer's `xtask tidy` is the
//! model). It reads the source files and fails, naming file and line, when
//!
//! - a module of `core` names a module of a higher layer (`LAYERS`, lowest first: base,
//!   domain, store, workspace, service, api). A module may name its own layer or lower
//!   ones. `workspace` sits below `service` because every service is an `impl Workspace`
//!   block: the handle (folder, key, store, audit chain, event bus) comes first, the
//!   rules are its methods;
//! - an SQL statement appears as a string literal in `core` outside `core/src/store.rs`
//!   and `core/src/store/` (migrations live there too);
//! - a Rust source file of the workspace's crates does not open with a `//!` line (files
//!   pulled in by `include!`, where an inner doc comment cannot stand, open with `//`).
//!
//! The checkers are plain functions over a path and a text, tested below on small inputs.
//! The whole tree takes milliseconds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers of `core`, lowest first, and the top-level modules (or exported macros)
/// each one holds. A new module must be given a layer here.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "base",
        &["error", "ids", "time", "secret", "fs", "redacted_debug"],
    ),
    (
        "domain",
        &[
            "auth", "channel", "privacy", "events", "keys", "qr", "presence", "reports",
        ],
    ),
    ("store", &["store"]),
    ("workspace", &["workspace", "audit"]),
    ("service", &["service"]),
    (
        "api",
        &[
            "api",
            "fixtures",
            "fuzzing",
            "workspace_calls",
            "call_policy",
        ],
    ),
];

/// Words that open an SQL statement, or a clause of one built in pieces.
const SQL_OPENERS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "CREATE",
    "ALTER",
    "DROP",
    "PRAGMA",
    "ATTACH",
    "DETACH",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "VACUUM",
    "REINDEX",
    "ANALYZE",
    "WITH",
    "WHERE",
    "AND",
    "ORDER BY",
    "GROUP BY",
    "LIMIT",
    "JOIN",
    "LEFT JOIN",
    "FROM",
    "VALUES",
    "SET",
    "ON CONFLICT",
];

/// The crates whose files must open with `//!`, relative to the workspace root.
const CRATES: &[&str] = &["core", "channels", "client", "hub", "src-tauri", "tests"];

fn layer_of_module(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The top-level module a file of `core/src` belongs to (`store/mail.rs` -> `store`);
/// `None` for the crate root.
fn module_of(relative: &str) -> Option<&str> {
    let first = relative.split('/').next()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    (module != "lib").then_some(module)
}

/// The text with comments blanked out (strings and characters kept), so a word in a
/// comment is neither a dependency nor SQL. Lines stay where they were.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in tokens(text) {
        match token.kind {
            Kind::Comment => out.extend(text[token.start..token.end].chars().map(|c| {
                if c == '\n' {
                    '\n'
                } else {
                    ' '
                }
            })),
            _ => out.push_str(&text[token.start..token.end]),
        }
    }
    out
}

/// Names of `crate::` modules a file uses, with their line: `crate::store::x`, and the
/// members of `crate::{a, b::c}`.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let code = strip_comments(text);
    let mut found = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `appcare_crate::` or similar: not this crate's root.
            }
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for member in inner.split(',') {
                    let name = ident(member.trim());
                    if !name.is_empty() {
                        found.push((index + 1, name.to_string()));
                    }
                }
            } else {
                let name = ident(rest);
                if !name.is_empty() {
                    found.push((index + 1, name.to_string()));
                }
            }
        }
    }
    found
}

fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// What the crate root re-exports (`pub use ids::{MessageId, TeamId};` in `lib.rs`):
/// each name with the module it comes from, so `crate::MessageId` counts as `ids`.
fn root_exports(lib: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let code = strip_comments(lib);
    for statement in code.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let module = ident(path).to_string();
        let names = match (path.find('{'), path.rfind('}')) {
            (Some(open), Some(close)) => path[open + 1..close].to_string(),
            _ => path.rsplit("::").next().unwrap_or("").to_string(),
        };
        for name in names.split(',') {
            let name = name.trim();
            let name = name.rsplit(" as ").next().unwrap_or(name);
            let name = ident(name.rsplit("::").next().unwrap_or(name));
            if !name.is_empty() && name != "self" {
                found.push((name.to_string(), module.clone()));
            }
        }
    }
    found
}

/// Layer errors of one file of `core/src` (`relative` as `store/mail.rs`); `exports`
/// as [`root_exports`] reads them.
fn check_layers(relative: &str, text: &str, exports: &[(String, String)]) -> Vec<String> {
    let Some(module) = module_of(relative) else {
        return Vec::new();
    };
    let Some(own) = layer_of_module(module) else {
        return vec![format!(
            "core/src/{relative}: module `{module}` has no layer; add it to LAYERS in core/tests/tidy.rs"
        )];
    };
    let mut errors = Vec::new();
    for (line, name) in crate_paths(text) {
        let target = exports
            .iter()
            .find(|(exported, _)| *exported == name)
            .map_or(name.as_str(), |(_, module)| module.as_str());
        match layer_of_module(target) {
            Some(layer) if layer > own => errors.push(format!(
                "core/src/{relative}:{line}: `{module}` ({} layer) names `crate::{name}` (`{target}`, {} layer); \
                 a module may name only its own layer or lower ones",
                LAYERS[own].0, LAYERS[layer].0
            )),
            Some(_) => {}
            None => errors.push(format!(
                "core/src/{relative}:{line}: `crate::{name}` has no layer; add it to LAYERS in core/tests/tidy.rs"
            )),
        }
    }
    errors
}

/// Whether a string literal's content is (the start of) an SQL statement or clause.
fn is_sql(content: &str) -> bool {
    let text = content.trim_start();
    SQL_OPENERS.iter().any(|word| {
        text.strip_prefix(word).is_some_and(|after| {
            after.is_empty()
                || after.starts_with(|c: char| c.is_whitespace() || c == ';' || c == '(')
        })
    })
}

/// SQL errors of one file of `core/src` (`relative` as `service/inbox.rs`).
fn check_sql(relative: &str, text: &str) -> Vec<String> {
    if relative == "store.rs" || relative.starts_with("store/") {
        return Vec::new();
    }
    let mut errors = Vec::new();
    for token in tokens(text) {
        if token.kind != Kind::Str {
            continue;
        }
        let content = string_content(&text[token.start..token.end]);
        if is_sql(content) {
            let line = text[..token.start].matches('\n').count() + 1;
            let first = content.trim_start().lines().next().unwrap_or("");
            let shown: String = first.chars().take(60).collect();
            errors.push(format!(
                "core/src/{relative}:{line}: SQL outside core/src/store/: \"{shown}\"; move it into a store file"
            ));
        }
    }
    errors
}

/// The `//!` error of one source file, if any. `included` files (pulled in by
/// `include!`) may open with a plain `//` comment instead.
fn check_doc(shown: &str, text: &str, included: bool) -> Option<String> {
    let first = text.lines().next().unwrap_or("");
    if first.starts_with("//!") || (included && first.starts_with("//")) {
        None
    } else {
        Some(format!(
            "{shown}:1: the file does not open with a `//!` line saying what it is for"
        ))
    }
}

/// `include!("…")` targets named in a file, as written.
fn includes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("include!(\"") {
        rest = &rest[at + "include!(\"".len()..];
        if let Some(end) = rest.find('"') {
            found.push(rest[..end].to_string());
        }
    }
    found
}

// A small lexer: enough of Rust to tell comments, strings and character literals apart.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Comment,
    Str,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Splits `text` into comments, string literals (plain, byte, raw) and everything else.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut other = 0;
    let push = |out: &mut Vec<Token>, other: &mut usize, kind, start, end| {
        if *other < start {
            out.push(Token {
                kind: Kind::Other,
                start: *other,
                end: start,
            });
        }
        out.push(Token { kind, start, end });
        *other = end;
    };
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if b == b'/' && next == Some(b'/') {
            let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            push(&mut out, &mut other, Kind::Comment, i, end);
            i = end;
        } else if b == b'/' && next == Some(b'*') {
            let mut depth = 0;
            let mut j = i;
            while j < bytes.len() {
                if bytes[j] == b'/' && bytes.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if bytes[j] == b'*' && bytes.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            push(&mut out, &mut other, Kind::Comment, i, j);
            i = j;
        } else if let Some((start, hashes, open)) = raw_string_start(bytes, i) {
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let end = bytes[open..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(bytes.len(), |p| open + p + close.len());
            push(&mut out, &mut other, Kind::Str, start, end);
            i = end;
        } else if b == b'"' || (b == b'b' && next == Some(b'"') && !ident_before(bytes, i)) {
            let start = i;
            let mut j = if b == b'b' { i + 2 } else { i + 1 };
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(bytes.len());
            push(&mut out, &mut other, Kind::Str, start, end);
            i = end;
        } else if b == b'\'' {
            // A character literal ('"', '\'', '\u{1F600}') or a lifetime ('a).
            i += char_literal_len(&text[i..]).unwrap_or(1);
        } else if b.is_ascii_alphanumeric() || b == b'_' {
            // Whole identifiers, so the `r` or `b` ending one is no string prefix.
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    if other < bytes.len() {
        out.push(Token {
            kind: Kind::Other,
            start: other,
            end: bytes.len(),
        });
    }
    out
}

fn ident_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

/// `r"`, `r#"`, `br##"`… at `i`: (start, number of `#`, index after the opening quote).
fn raw_string_start(bytes: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    if ident_before(bytes, i) {
        return None;
    }
    let mut j = i;
    if bytes.get(j) == Some(&b'b') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    (bytes.get(j) == Some(&b'"')).then_some((i, hashes, j + 1))
}

/// The length of a character literal starting at `text` (which starts with `'`), or
/// `None` for a lifetime.
fn char_literal_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        let close = text[2..].find('\'')?;
        return Some(2 + close + 1);
    }
    let (at, second) = chars.next()?;
    (second == '\'').then_some(at + 1)
}

/// A string literal's content without its quotes and prefixes (escapes left as written).
fn string_content(literal: &str) -> &str {
    let body = literal.trim_start_matches(['b', 'r', '#']);
    let body = body.strip_prefix('"').unwrap_or(body);
    let body = body.trim_end_matches('#');
    body.strip_suffix('"').unwrap_or(body)
}

// Walking the tree.

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "node_modules" | "gen") && !name.starts_with('.')
            {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The workspace root: `TIDY_ROOT` if set (to check another checkout with the same
/// test), else the one this test was built in.
fn workspace_root() -> PathBuf {
    if let Some(root) = std::env::var_os("TIDY_ROOT") {
        return PathBuf::from(root);
    }
    let Some(core) = option_env!("CARGO_MANIFEST_DIR") else {
        panic!("set TIDY_ROOT when the test is built outside cargo");
    };
    Path::new(core)
        .parent()
        .expect("core sits in the workspace")
        .to_path_buf()
}

fn core_src() -> PathBuf {
    workspace_root().join("core").join("src")
}

fn core_files() -> Vec<(String, String)> {
    let src = core_src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .iter()
        .map(|path| {
            let relative = path
                .strip_prefix(&src)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            (relative, read(path))
        })
        .collect()
}

fn report(what: &str, errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{what}: {} problem(s)\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn core_modules_name_only_their_own_layer_or_lower_ones() {
    let files = core_files();
    let lib = files
        .iter()
        .find(|(relative, _)| relative == "lib.rs")
        .map(|(_, text)| text.as_str())
        .unwrap_or("");
    let exports = root_exports(lib);
    let errors: Vec<String> = files
        .iter()
        .flat_map(|(relative, text)| check_layers(relative, text, &exports))
        .collect();
    report("layers", &errors);
}

#[test]
fn sql_lives_in_the_store() {
    let errors: Vec<String> = core_files()
        .iter()
        .flat_map(|(relative, text)| check_sql(relative, text))
        .collect();
    report("SQL outside the store", &errors);
}

#[test]
fn every_source_file_opens_with_a_doc_line() {
    let root = workspace_root();
    let mut files = Vec::new();
    for krate in CRATES {
        rust_files(&root.join(krate), &mut files);
    }
    assert!(files.len() > 100, "found only {} files", files.len());
    files.sort();
    let texts: Vec<(PathBuf, String)> = files.into_iter().map(|p| (p.clone(), read(&p))).collect();
    let included: BTreeSet<PathBuf> = texts
        .iter()
        .flat_map(|(path, text)| {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            includes(text)
                .into_iter()
                .map(move |target| dir.join(target))
        })
        .filter_map(|path| path.canonicalize().ok())
        .collect();
    let errors: Vec<String> = texts
        .iter()
        .filter_map(|(path, text)| {
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string();
            let is_included = path.canonicalize().is_ok_and(|p| included.contains(&p));
            check_doc(&shown, text, is_included)
        })
        .collect();
    report("file headers", &errors);
}

// The checkers themselves, on small inputs.

#[test]
fn a_store_file_that_imports_service_is_caught() {
    let errors = check_layers(
        "store/mail.rs",
        "//! Mail.\nuse crate::error::Result;\nuse crate::service::mail::FolderSync;\n",
        &[],
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("core/src/store/mail.rs:3:"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("crate::service"), "{}", errors[0]);
}

#[test]
fn higher_layers_are_caught_in_groups_and_paths_but_not_in_comments() {
    let text = "//! Rules.\n\
                use crate::{error::Result, store::messages};\n\
                // crate::service::inbox is where this came from\n\
                fn f() { crate::workspace::write_new_file(); }\n\
                /// See [`crate::api`].\n";
    let errors = check_layers("channel/mail.rs", text, &[]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains(":2:") && errors[0].contains("crate::store"));
    assert!(errors[1].contains(":4:") && errors[1].contains("crate::workspace"));
}

#[test]
fn lower_and_own_layers_pass() {
    let text = "//! Inbox.\nuse crate::store::conversations;\nuse crate::service::Caller;\n\
                use crate::workspace::Workspace;\ncrate::redacted_debug!(X);\n";
    assert_eq!(
        check_layers("service/inbox.rs", text, &[]),
        Vec::<String>::new()
    );
    assert_eq!(
        check_layers("lib.rs", "pub use api::WorkspaceApi;", &[]),
        Vec::<String>::new()
    );
}

#[test]
fn names_the_crate_root_re_exports_count_as_their_module() {
    let exports = root_exports(
        "//! Root.\npub mod ids;\npub use api::WorkspaceApi;\npub use ids::{ConversationId, MessageId};\n\
         pub use workspace::{CreateOptions, Workspace as Handle};\n",
    );
    assert!(
        exports.contains(&("MessageId".into(), "ids".into())),
        "{exports:?}"
    );
    assert!(
        exports.contains(&("WorkspaceApi".into(), "api".into())),
        "{exports:?}"
    );
    assert!(
        exports.contains(&("Handle".into(), "workspace".into())),
        "{exports:?}"
    );
    let text = "//! C.\nfn f(id: crate::MessageId) {}\nfn g(w: &crate::Handle) {}\n";
    let errors = check_layers("channel.rs", text, &exports);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(":3:") && errors[0].contains("`crate::Handle` (`workspace`"),
        "{errors:?}"
    );
}

#[test]
fn unknown_modules_must_be_given_a_layer() {
    let errors = check_layers("forecasts.rs", "//! Forecasts.\n", &[]);
    assert!(errors[0].contains("has no layer"), "{errors:?}");
    let errors = check_layers("store/x.rs", "use crate::forecasts::Row;\n", &[]);
    assert!(
        errors[0].contains("`crate::forecasts` has no layer"),
        "{errors:?}"
    );
}

#[test]
fn a_select_in_a_service_file_is_caught() {
    let text = "//! Inbox.\nfn f(c: &Connection) {\n    c.query_row(\n        \"SELECT id FROM users WHERE name = ?1\",\n        [],\n    );\n}\n";
    let errors = check_sql("service/inbox.rs", text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("core/src/service/inbox.rs:4: SQL outside"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("SELECT id FROM users"), "{}", errors[0]);
}

#[test]
fn every_kind_of_statement_and_literal_is_caught() {
    for literal in [
        "\"INSERT INTO t (a) VALUES (?1)\"",
        "r#\"\n   UPDATE t SET a = 1\"#",
        "\"DELETE FROM t\"",
        "\"PRAGMA user_version\"",
        "\"BEGIN;\"",
        "\"COMMIT\"",
        "\"ATTACH DATABASE ?1 AS b KEY ?2\"",
        "\" AND c.status = ?\"",
        "\"CREATE TABLE t (a)\"",
        "r\"WITH x AS (SELECT 1) SELECT * FROM x\"",
    ] {
        let text = format!("//! X.\nconst Q: &str = {literal};\n");
        assert_eq!(check_sql("privacy/request.rs", &text).len(), 1, "{literal}");
    }
}

#[test]
fn sql_in_the_store_and_words_elsewhere_pass() {
    let sql = "//! S.\nconst Q: &str = \"SELECT 1\";\n";
    assert!(check_sql("store/conversations.rs", sql).is_empty());
    assert!(check_sql("store.rs", sql).is_empty());
    assert!(check_sql("store/migrations.rs", sql).is_empty());
    let prose = "//! P.\n// SELECT in a comment\n/* DELETE FROM t */\n\
                 fn f() { let q = '\"'; let s = \"Select a team\"; let t = \"UPDATED\";\n\
                 let u = \"Delete this? \\\"SELECT\\\" is a word\"; g::<'a>(\"set up\"); }\n";
    assert_eq!(check_sql("service/inbox.rs", prose), Vec::<String>::new());
}

#[test]
fn a_character_quote_does_not_hide_the_next_string() {
    let text = "fn f() { let q = '\"'; let r = '\\''; c.execute(\"DELETE FROM t\"); }";
    assert_eq!(check_sql("auth/lockout.rs", text).len(), 1);
}

#[test]
fn a_file_without_a_doc_line_is_caught() {
    assert!(check_doc("hub/src/x.rs", "//! Does x.\nfn x() {}\n", false).is_none());
    let error = check_doc("hub/src/x.rs", "// Does x.\nfn x() {}\n", false);
    assert_eq!(
        error.as_deref(),
        Some("hub/src/x.rs:1: the file does not open with a `//!` line saying what it is for")
    );
    assert!(check_doc("hub/src/x.rs", "use std::fs;\n", false).is_some());
    assert!(check_doc("src-tauri/src/names.rs", "// Included.\n", true).is_none());
    assert_eq!(
        includes("include!(\"src/names.rs\");"),
        vec!["src/names.rs"]
    );
}
