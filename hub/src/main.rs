//! `appcare`: create and administer a workspace from a terminal or a script.

use appcare_hub::cli;
use clap::Parser;

fn main() {
    // One TLS provider for the whole process, whatever other crates compile in.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let args = cli::Cli::parse();
    if let Err(err) = args.start_logging().and_then(|()| cli::run(args)) {
        eprintln!("error: {err}");
        std::process::exit(err.exit_code());
    }
}
