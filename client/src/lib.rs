//! Team mode for the desktop: [`RemoteWorkspace`] talks to an `appcare serve` hub over
//! HTTPS, pinned to the certificate fingerprint the user trusted on first connection, and
//! implements the same [`appcare_core::WorkspaceApi`] as the in-process workspace.

mod pin;
mod push;
mod remote;

pub use pin::{fingerprint, probe_hub, HubProbe};
pub use push::{PushMessage, PushStream};
pub use remote::{HubAddress, RemoteWorkspace};
