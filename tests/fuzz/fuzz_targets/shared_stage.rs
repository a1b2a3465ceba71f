#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seance::core::fuzz::shared_stage(data));
