//! Fuzz target: see `appcare_channels::fuzzing::whatsapp_webhook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| appcare_channels::fuzzing::whatsapp_webhook(data));
