//! A stub `libnvidia-ml.so.1` built with the machine's C compiler from `nvml_stub.c`: the
//! test sets the GPU's utilisation and graphics processes by writing its state file.

use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCE: &str = include_str!("nvml_stub.c");

pub struct NvmlStub {
    /// The directory holding `libnvidia-ml.so.1` (for `LD_LIBRARY_PATH`).
    pub lib_dir: PathBuf,
    /// The library itself.
    pub library: PathBuf,
    state: PathBuf,
}

impl NvmlStub {
    /// Build the stub under `dir`; `None` (the caller skips) when no C compiler is installed.
    pub fn build(dir: &Path) -> Option<NvmlStub> {
        let cc = ["cc", "gcc"].into_iter().find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
        let Some(cc) = cc else {
            eprintln!("skipped: no C compiler (scripts/install-tools installs gcc)");
            return None;
        };
        let lib_dir = dir.join("nvml-lib");
        std::fs::create_dir_all(&lib_dir).expect("lib dir");
        let source = dir.join("nvml_stub.c");
        std::fs::write(&source, SOURCE).expect("write stub source");
        let state = dir.join("nvml-state");
        let library = lib_dir.join("libnvidia-ml.so.1");
        let out = Command::new(cc)
            .args(["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o"])
            .arg(&library)
            .arg(format!("-DSTATE_FILE=\"{}\"", state.display()))
            .arg(&source)
            .output()
            .expect("run cc");
        assert!(
            out.status.success(),
            "cc failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(NvmlStub {
            lib_dir,
            library,
            state,
        })
    }

    /// What the "driver" reports from now on: utilisation in percent and graphics pids.
    pub fn set(&self, utilization: u32, pids: &[u32]) {
        let mut text = utilization.to_string();
        for p in pids {
            text.push_str(&format!(" {p}"));
        }
        let tmp = self.state.with_extension("tmp");
        std::fs::write(&tmp, text).expect("write state");
        std::fs::rename(&tmp, &self.state).expect("replace state");
    }
}
