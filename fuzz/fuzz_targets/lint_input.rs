//! Fuzz `homeport lint` input: manifests parsed from any text and checked by every rule.
#![no_main]

use homeport_diag::FileId;
use homeport_lint::{check, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let loaded = homeport_manifest::load_text(FileId(0), &text);
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    let _ = check(&loaded.objects, &options);
});
