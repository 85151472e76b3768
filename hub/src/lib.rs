//! Appcare hub: the workspace served to many desktops, and the `appcare` command-line
//! tool. Today this crate holds the command-line tool's building blocks; the HTTPS team
//! API and the webhook receiver come with the team-hub and channel work.

pub mod cli;
