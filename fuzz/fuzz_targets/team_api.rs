//! Fuzz target: see `appcare_hub::team::fuzzing::team_api`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| appcare_hub::team::fuzzing::team_api(data));
