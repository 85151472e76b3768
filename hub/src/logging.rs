//! Logs of the `appcare` binary: one line per event on standard error, ready for journald.
//!
//! The level comes from `--log-level`, else `RUST_LOG`, else the command's default (`info`
//! for `serve`, `warn` for the one-shot commands, whose output is for the person at the
//! terminal). Both take `tracing` filter directives (`debug`, `appcare_hub=debug,warn`).
//! Under systemd (`JOURNAL_STREAM` set) every line starts with its syslog priority
//! (`<3>` error, `<4>` warn, `<6>` info, `<7>` debug) so journald files it at its level,
//! and carries no timestamp (journald adds its own); colours only on a terminal.
//!
//! What a log line may hold: ids, counts, error codes, call names, statuses, durations.
//! Never customer text, tokens, codes, passwords or keys: `tests/tests/log_redaction.rs`
//! plants such markers in a real flow and searches the log for them.

use std::io::IsTerminal;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{self, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// The level for a command that serves (long-running, watched through its log).
pub const SERVE_DEFAULT: &str = "info";
/// The level for a one-shot command: only what went wrong.
pub const COMMAND_DEFAULT: &str = "warn";

/// Installs the process's log on standard error. `flag` (`--log-level`) wins over
/// `RUST_LOG`; a `flag` that does not parse is an error, a `RUST_LOG` that does not
/// parse is reported once and `default` used instead.
pub fn init(flag: Option<&str>, default: &str) -> Result<(), String> {
    let filter = filter(flag, default)?;
    let journald = std::env::var_os("JOURNAL_STREAM").is_some();
    let ansi = !journald && std::io::stderr().is_terminal();
    install(filter, std::io::stderr, journald, ansi);
    Ok(())
}

/// The filter from `--log-level`, `RUST_LOG` or `default`, in that order.
pub fn filter(flag: Option<&str>, default: &str) -> Result<EnvFilter, String> {
    if let Some(flag) = flag {
        return EnvFilter::try_new(flag).map_err(|e| format!("--log-level {flag:?}: {e}"));
    }
    match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => EnvFilter::try_new(&value).or_else(|e| {
            eprintln!("appcare: RUST_LOG ignored ({e}); logging at {default}");
            EnvFilter::try_new(default).map_err(|e| e.to_string())
        }),
        _ => EnvFilter::try_new(default).map_err(|e| e.to_string()),
    }
}

/// Installs a subscriber writing the hub's format to `writer` (tests pass a buffer).
/// When one is installed already (a second call in one process), that one stays.
pub fn install<W>(filter: EnvFilter, writer: W, journald: bool, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
        // A closed standard error (the reader went away) must not turn a log line into
        // a panic in whatever request was logging.
        .log_internal_errors(false);
    let format = format().with_ansi(ansi);
    let _ = if journald {
        builder
            .event_format(Journald(format.without_time()))
            .try_init()
    } else {
        builder.event_format(format).try_init()
    };
}

fn format() -> format::Format {
    format::Format::default()
}

/// Prefixes each line with its syslog priority, which journald reads and strips.
struct Journald<F>(F);

impl<S, N, F> FormatEvent<S, N> for Journald<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        write!(writer, "<{}>", priority(*event.metadata().level()))?;
        self.0.format_event(ctx, writer, event)
    }
}

/// The syslog priority of a level.
fn priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_to_syslog_priorities() {
        assert_eq!(priority(Level::ERROR), 3);
        assert_eq!(priority(Level::WARN), 4);
        assert_eq!(priority(Level::INFO), 6);
        assert_eq!(priority(Level::DEBUG), 7);
        assert_eq!(priority(Level::TRACE), 7);
    }

    #[test]
    fn the_flag_wins_and_a_bad_flag_is_refused() {
        assert!(filter(Some("debug"), SERVE_DEFAULT).is_ok());
        assert!(filter(Some("appcare_hub=debug,warn"), SERVE_DEFAULT).is_ok());
        assert!(filter(Some("loud=="), SERVE_DEFAULT).is_err());
    }
}
