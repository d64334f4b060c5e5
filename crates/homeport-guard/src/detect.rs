//! Detection: the signals of one poll, from the process table, NVML (when loaded) and the
//! schedule. The manual mode is added by the agent.

use crate::clock::Clock;
use crate::gpu::{GpuSample, GpuSignal};
use crate::mode::Mode;
use crate::nvml::Nvml;
use crate::process::ProcessScanner;
use crate::schedule::Schedule;
use crate::state::Signals;
use std::time::Instant;

pub struct Detector {
    scanner: ProcessScanner,
    schedule: Schedule,
    nvml: Option<Nvml>,
    gpu: GpuSignal,
    proc_error_reported: bool,
}

impl Detector {
    pub fn new(scanner: ProcessScanner, schedule: Schedule, nvml: Option<Nvml>) -> Detector {
        Detector {
            scanner,
            schedule,
            nvml,
            gpu: GpuSignal::default(),
            proc_error_reported: false,
        }
    }

    pub fn has_nvml(&self) -> bool {
        self.nvml.is_some()
    }

    /// The signals now; `mode` is the manual override in force.
    pub fn poll(&mut self, now: Instant, clock: &dyn Clock, mode: Mode) -> Signals {
        let process = match self.scanner.scan() {
            Ok(hits) => hits
                .first()
                .map(|h| format!("{} (pid {})", h.reason, h.pid)),
            Err(e) => {
                if !self.proc_error_reported {
                    self.proc_error_reported = true;
                    tracing::error!(error = %e, "cannot read the process table; process detection is off");
                }
                None
            }
        };
        let gpu = self.gpu_reason(now);
        let schedule = self.schedule.active(clock.local()).map(str::to_string);
        Signals {
            process,
            gpu,
            schedule,
            mode,
        }
    }

    fn gpu_reason(&mut self, now: Instant) -> Option<String> {
        let nvml = self.nvml.as_ref()?;
        match nvml.read() {
            Ok(reading) => {
                let graphics = reading
                    .graphics_pids
                    .iter()
                    .filter_map(|&pid| self.scanner.comm_of(pid).map(|c| (pid, c)))
                    .collect();
                let sample = GpuSample {
                    utilization: reading.utilization,
                    graphics,
                };
                self.gpu.update(now, &sample)
            }
            Err(e) => {
                tracing::warn!(error = %e, "NVML read failed; NVML detection is off from now on");
                self.nvml = None;
                None
            }
        }
    }
}
