//! Appcare hub: the workspace served to many desktops, and the `appcare` command-line
//! tool. `appcare serve` receives Meta's webhooks over HTTPS (`tls.rs`) and runs the
//! channel runtime; the team API comes with the team-hub work.

pub mod cli;
pub mod tls;
