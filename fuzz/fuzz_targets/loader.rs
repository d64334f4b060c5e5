//! Fuzz the Compose loader from memory: the input is `compose.yaml`, `compose.override.yaml`
//! and `.env` (see `split.rs`), so merges and env files are reached; NUL bytes are kept.
#![no_main]

mod split;

use homeport_compose::{load_with, LoadOptions, MemoryFs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = split::parts(data, 3);
    let mut fs = MemoryFs::new();
    for (name, text) in ["compose.yaml", "compose.override.yaml", ".env"]
        .iter()
        .zip(&parts)
    {
        fs = fs.with(format!("/p/{name}"), text.as_str());
    }
    let options = LoadOptions {
        cwd: "/p".into(),
        environment: [("HOME".to_string(), "/home/u".to_string())]
            .into_iter()
            .collect(),
        ..LoadOptions::default()
    };
    let loaded = load_with(&options, &fs);
    assert_eq!(loaded.project.is_none(), loaded.diagnostics.has_errors());
});
