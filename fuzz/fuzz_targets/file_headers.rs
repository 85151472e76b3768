//! Fuzz target: see `appcare_core::fuzzing::file_headers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| appcare_core::fuzzing::file_headers(data));
