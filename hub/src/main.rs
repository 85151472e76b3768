//! `appcare`: create and administer a workspace from a terminal or a script.

use appcare_hub::cli;
use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(err) = cli::run(args) {
        eprintln!("error: {err}");
        std::process::exit(err.exit_code());
    }
}
