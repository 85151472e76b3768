//! Appcare Inbox desktop entry point.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // The window is lists and text: WebKitGTK's accelerated compositing buys nothing
    // visible here and costs about 100 MB in its web process (BENCHMARKS.md, "Desktop
    // idle memory"). Set before any thread starts; a value the user set is kept.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    appcare_desktop::logging::init();
    appcare_desktop::run();
}
