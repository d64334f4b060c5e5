//! Fuzz the cluster inventory (`--cluster cluster.yaml`): any text gives a cluster or
//! diagnostics, never a panic, a hang or a stack overflow.
#![no_main]

use homeport_diag::SourceMap;
use homeport_plan::cluster::Cluster;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut sources = SourceMap::new();
    if let Err(diags) = Cluster::from_str("cluster.yaml", &text, &mut sources) {
        assert!(diags.has_errors());
    }
});
