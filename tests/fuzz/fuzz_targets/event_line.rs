#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| seance::core::fuzz::event_line(data));
