//! Fuzz the Compose loader from memory. The input is split at NUL bytes into
//! `compose.yaml`, `compose.override.yaml` and `.env`, so merges and env files are reached.
#![no_main]

use homeport_compose::{load_with, LoadOptions, MemoryFs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let mut fs = MemoryFs::new().with("/p/compose.yaml", parts.next().unwrap_or_default());
    if let Some(over) = parts.next() {
        fs = fs.with("/p/compose.override.yaml", over);
    }
    if let Some(env) = parts.next() {
        fs = fs.with("/p/.env", env);
    }
    let options = LoadOptions {
        cwd: "/p".into(),
        environment: [("HOME".to_string(), "/home/u".to_string())].into_iter().collect(),
        ..LoadOptions::default()
    };
    let loaded = load_with(&options, &fs);
    assert_eq!(loaded.project.is_none(), loaded.diagnostics.has_errors());
});
