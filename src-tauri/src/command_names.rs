// The desktop's commands, in one list that `build.rs` (AppManifest, which makes a
// permission per command) and the tests share. Shared with build.rs via include!, so no
// `//!` header here.

/// Commands that work without a signed-in session (they check their own sign-in stage).
pub const PRE_SESSION_COMMANDS: &[&str] = &[
    "app_status",
    "first_run_info",
    "create_workspace",
    "open_workspace",
    "sign_in",
    "submit_code",
    "submit_recovery_code",
    "start_enrolment",
    "confirm_enrolment",
    "unlock",
    "lock",
    "sign_out",
];

/// Commands that need a full session; each goes through `with_session`.
pub const SESSION_COMMANDS: &[&str] = &[
    "overview",
    "list_users",
    "create_user",
    "set_user_role",
    "set_user_teams",
    "disable_user",
    "enable_user",
    "reset_authenticator",
    "list_teams",
    "create_team",
    "session_policy",
    "set_session_policy",
    "verify_audit",
    "recent_audit",
    "list_conversations",
    "search",
    "open_conversation",
    "open_attachment",
    "reply",
    "add_note",
    "set_status",
    "set_labels",
    "set_do_not_contact",
    "list_canned_replies",
    "create_canned_reply",
    "render_canned_reply",
    "transfer",
    "return_to_queue",
    "reassign",
    "team_load",
    "set_availability",
    "list_colleagues",
    "inbox_settings",
    "set_inbox_settings",
];
