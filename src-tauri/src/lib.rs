//! The Appcare Inbox desktop shell: Tauri state and thin commands over the core. The
//! session token lives in [`state::AppState`] and never reaches the web view.

pub mod api_error;
pub mod bindings;
mod channels;
mod command_names;
pub mod commands;
pub mod dto;
mod live;
pub mod logging;
mod mail_view;
pub mod notice_group;
#[cfg(unix)]
pub mod single_instance;
pub mod state;
pub mod window_state;

pub use command_names::{PRE_SESSION_COMMANDS, SESSION_COMMANDS};

/// Builds and runs the app. The data folder is `APPCARE_DATA_DIR` when set, else the
/// folder remembered from first run, else the OS data folder.
pub fn run() {
    // One TLS provider for the whole process, whatever other crates compile in.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    #[cfg(unix)]
    let instance = match single_instance::claim(&single_instance::socket_path()) {
        Ok(single_instance::Claim::AlreadyRunning) => {
            tracing::info!("already running: the open window was asked to come forward");
            return;
        }
        Ok(single_instance::Claim::First(listener, lock)) => Some((listener, lock)),
        Err(e) => {
            tracing::warn!(error = %e, "no single-instance lock; a second launch opens a second window");
            None
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .on_window_event(|window, event| {
            use tauri::Manager;
            if window.label() == "main"
                && matches!(event, tauri::WindowEvent::CloseRequested { .. })
            {
                if let Some(file) = window_file(window.app_handle()) {
                    window_state::remember(window, &file);
                }
            }
        })
        .register_uri_scheme_protocol(mail_view::SCHEME, |ctx, request| {
            mail_view::handle(ctx.app_handle(), &request)
        })
        .setup(move |app| {
            use tauri::Manager;
            let state = state::AppState::from_environment(app.handle())?;
            app.manage(state);
            let main = app.get_webview_window("main");
            if let (Some(window), Some(file)) = (&main, window_file(app.handle())) {
                window_state::restore(window, &file);
            }
            #[cfg(unix)]
            if let (Some((listener, lock)), Some(window)) = (instance, main) {
                // The lock lives as long as the app: leaked on purpose.
                std::mem::forget(lock);
                single_instance::serve(listener, move || {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                });
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::workspace::first_run_info,
            commands::workspace::create_workspace,
            commands::workspace::open_workspace,
            commands::session::begin_sign_in,
            commands::session::submit_code,
            commands::session::submit_recovery_code,
            commands::session::start_enrolment,
            commands::session::confirm_enrolment,
            commands::session::set_new_password,
            commands::session::unlock,
            commands::session::lock,
            commands::session::sign_out,
            commands::admin::overview,
            commands::admin::list_users,
            commands::admin::create_user,
            commands::admin::set_role,
            commands::admin::set_teams,
            commands::admin::disable_user,
            commands::admin::enable_user,
            commands::admin::reset_authenticator,
            commands::admin::require_password_change,
            commands::admin::change_password,
            commands::admin::list_teams,
            commands::admin::create_team,
            commands::admin::session_policy,
            commands::admin::set_session_policy,
            commands::admin::verify_audit,
            commands::admin::recent_audit,
            commands::inbox::list_conversations,
            commands::inbox::search,
            commands::inbox::open_conversation,
            commands::inbox::open_attachment,
            commands::inbox::reply,
            commands::inbox::add_note,
            commands::inbox::set_status,
            commands::inbox::set_priority,
            commands::inbox::update_many,
            commands::inbox::contact_panel,
            commands::inbox::record_consent,
            commands::inbox::thread_control,
            commands::privacy::consent_keywords,
            commands::privacy::set_consent_keywords,
            commands::reports::set_consent_settings,
            commands::inbox::rename_contact,
            commands::inbox::set_presence,
            commands::notifications::notification_settings,
            commands::notifications::set_notification_settings,
            commands::inbox::merge_suggestions,
            commands::inbox::merge_contacts,
            commands::inbox::undo_contact_merge,
            commands::inbox::set_labels,
            commands::inbox::set_do_not_contact,
            commands::inbox::list_canned_replies,
            commands::inbox::create_canned_reply,
            commands::inbox::render_canned_reply,
            commands::inbox::transfer,
            commands::inbox::save_draft,
            commands::inbox::return_to_queue,
            commands::inbox::take,
            commands::inbox::reassign,
            commands::inbox::team_load,
            commands::inbox::whatsapp_pricing,
            commands::inbox::set_availability,
            commands::inbox::list_colleagues,
            commands::inbox::inbox_settings,
            commands::inbox::set_inbox_settings,
            commands::channels::list_channels,
            commands::channels::add_channel_account,
            commands::channels::add_email_account,
            commands::channels::set_aside_mail,
            commands::channels::retry_set_aside_mail,
            commands::channels::add_sample_data,
            commands::channels::set_aside_webhooks,
            commands::channels::open_email_window,
            commands::channels::refresh_channel,
            commands::channels::update_channel_account,
            commands::channels::rotate_channel_secrets,
            commands::channels::test_channel,
            commands::channels::set_channel_enabled,
            commands::channels::remove_channel_account,
            commands::channels::webhook_listener,
            commands::channels::list_templates,
            commands::channels::send_template,
            commands::channels::retry_message,
            commands::channels::react,
            commands::channels::reply_quoting,
            commands::channels::reply_choices,
            commands::channels::send_card,
            commands::channels::send_template_message,
            commands::channels::start_options,
            commands::channels::start_conversation,
            commands::mail::mail_reply_context,
            commands::mail::reply_mail,
            commands::mail::forward_mail,
            commands::mail::mail_settings,
            commands::mail::update_mail_settings,
            commands::mail::set_mail_signature,
            commands::mail::mail_folders,
            commands::mail::set_mail_folders,
            commands::reports::team_report,
            commands::reports::report_csv,
            commands::reports::save_report_csv,
            commands::reports::business_hours,
            commands::reports::set_business_hours,
            commands::reports::sla_policy,
            commands::reports::set_sla_policy,
            commands::reports::sla_overrides,
            commands::reports::set_sla_override,
            commands::reports::set_out_of_hours_reply,
            commands::reports::set_satisfaction_survey,
            commands::privacy::find_contacts,
            commands::privacy::export_contact,
            commands::privacy::erase_contact,
            commands::privacy::residency_report,
            commands::privacy::egress_allowlist,
            commands::privacy::set_egress_allowlist,
            commands::privacy::retention_policy,
            commands::privacy::set_retention_policy,
            commands::privacy::search_audit,
            commands::privacy::export_audit,
            commands::privacy::backup_schedule,
            commands::privacy::set_backup_schedule,
            commands::hub::probe_hub,
            commands::hub::connect_hub,
            commands::hub::leave_hub,
            commands::about::about,
            commands::about::open_folder,
            commands::map::open_map,
        ])
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Appcare Inbox could not start: {err}");
        tracing::error!(error = %err, "the desktop could not start");
        std::process::exit(1);
    }
}

/// Where the main window's size and position are remembered.
fn window_file<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Option<std::path::PathBuf> {
    use tauri::Manager;
    app.path()
        .app_config_dir()
        .ok()
        .map(|d| d.join("window.json"))
}
