//! Appcare Inbox core: the workspace service, its encrypted store, authentication and policy.
//!
//! Nothing here knows that a window, an HTTP server or a terminal exists. Callers open a
//! [`Workspace`] and call its service methods, each of which takes the caller's session
//! token and the current time and does its own permission check.

pub mod api;
pub mod audit;
pub mod auth;
pub mod channel;
pub mod error;
pub mod events;
pub mod fixtures;
pub mod fs;
pub mod fuzzing;
pub mod ids;
pub mod keys;
pub mod presence;
pub mod privacy;
pub mod qr;
pub mod reports;
pub mod secret;
pub mod service;
pub mod store;
pub mod time;
pub mod workspace;

pub use api::WorkspaceApi;
pub use error::{CoreError, ErrorCode};
pub use ids::{ConversationId, MessageId, TeamId, UserId};
pub use secret::{Password, SessionToken};
pub use time::Timestamp;
pub use workspace::{CreateOptions, KeySource, Workspace, WorkspaceDir};
