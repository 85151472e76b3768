//! Appcare Inbox desktop entry point.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    appcare_desktop::logging::init();
    appcare_desktop::run();
}
