#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seance::fuzz::stdin_line(data));
