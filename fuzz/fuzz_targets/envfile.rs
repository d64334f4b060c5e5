//! Fuzz the `.env` parser: every input gives entries and errors whose ranges lie inside the
//! text, never a panic (and in linear time: a slow input shows as a libFuzzer timeout).
#![no_main]

use homeport_compose::dotenv::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lookup = |name: &str| (name == "HOME").then(|| "/home/u".to_string());
    let (entries, errors) = parse(&text, &lookup);
    for e in &entries {
        assert!(e.range.end <= text.len());
    }
    for e in &errors {
        assert!(e.range.end <= text.len());
    }
});
