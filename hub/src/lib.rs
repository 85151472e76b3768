//! Appcare hub: the workspace served to many desktops, and the `appcare` command-line
//! tool. `appcare serve` receives Meta's webhooks over HTTPS (`tls.rs`) and runs the
//! channel runtime; `team.rs` is the team API
//! (`/api/v1`: every workspace call, the OpenAPI document and the push stream).

pub mod cli;
pub mod logging;
pub mod team;
pub mod tls;
