//! Reading secrets: from a hidden prompt on a terminal, or line by line from standard
//! input in scripts. Nothing read here is echoed or logged.

use super::{CliError, CliResult};
use appcare_core::Password;
use std::io::{BufRead, IsTerminal};
use zeroize::Zeroizing;

fn read_line(prompt: &str, hidden: bool) -> CliResult<Zeroizing<String>> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        if hidden {
            Zeroizing::new(
                rpassword::prompt_password(format!("{prompt}: "))
                    .map_err(|e| CliError::Usage(format!("could not read {prompt}: {e}")))?,
            )
        } else {
            eprint!("{prompt}: ");
            let mut s = Zeroizing::new(String::new());
            stdin
                .lock()
                .read_line(&mut s)
                .map_err(|e| CliError::Usage(format!("could not read {prompt}: {e}")))?;
            s
        }
    } else {
        let mut s = Zeroizing::new(String::new());
        let n = stdin
            .lock()
            .read_line(&mut s)
            .map_err(|e| CliError::Usage(format!("could not read {prompt}: {e}")))?;
        if n == 0 {
            return Err(CliError::Usage(format!(
                "standard input ended before the {prompt} was given"
            )));
        }
        s
    };
    Ok(Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    ))
}

pub fn secret(prompt: &str) -> CliResult<Password> {
    Ok(Password::new(read_line(prompt, true)?.to_string()))
}

pub fn code(prompt: &str) -> CliResult<Zeroizing<String>> {
    read_line(prompt, false)
}

/// The workspace passphrase: `APPCARE_PASSPHRASE`, else a prompt or a line of stdin.
pub fn passphrase(prompt: &str) -> CliResult<Password> {
    match super::passphrase_from_env() {
        Some(p) => Ok(p),
        None => secret(prompt),
    }
}
