//! Fuzz target: see `appcare_channels::fuzzing::mime`. The sync catches a panic inside
//! the mail parser and sets the mail aside (`email/parse.rs`), so here such a caught
//! panic is printed, not fatal: libfuzzer-sys's hook would abort on it. A panic that
//! escapes `parse_mail` still ends the run (libfuzzer-sys aborts on it).
#![no_main]

static HOOK: std::sync::Once = std::sync::Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| eprintln!("caught panic: {info}")));
    });
    appcare_channels::fuzzing::mime(data)
});
