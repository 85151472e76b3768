//! Fuzz target: see `appcare_channels::fuzzing::messenger_webhook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| appcare_channels::fuzzing::messenger_webhook(data));
