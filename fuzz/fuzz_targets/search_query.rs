//! Fuzz target: see `appcare_core::fuzzing::search_query`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| appcare_core::fuzzing::search_query(data));
