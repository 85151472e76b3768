//! Appcare hub: the workspace served to many desktops, and the `appcare` command-line
//! tool. `appcare serve` receives Meta's webhooks and runs the channel runtime; the HTTPS
//! team API comes with the team-hub work.

pub mod cli;
