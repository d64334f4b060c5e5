//! NVML (the NVIDIA driver's management library), loaded at run time with `dlopen` so the
//! guard runs on nodes without NVIDIA drivers: GPU utilisation and the pids of graphics
//! processes. Only the handful of entry points the guard needs are bound.

use libloading::Library;
use std::ffi::{c_uint, c_ulonglong, c_void};

/// The soname the driver installs (also what the NVIDIA container runtime mounts).
pub const LIBRARY: &str = "libnvidia-ml.so.1";

const NVML_SUCCESS: c_uint = 0;
const NVML_ERROR_INSUFFICIENT_SIZE: c_uint = 7;

type Device = *mut c_void;

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct Utilization {
    gpu: c_uint,
    memory: c_uint,
}

/// `nvmlProcessInfo_v2_t`, filled by `nvmlDeviceGetGraphicsRunningProcesses_v3`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct ProcessInfo {
    pid: c_uint,
    used_gpu_memory: c_ulonglong,
    gpu_instance_id: c_uint,
    compute_instance_id: c_uint,
}

type InitFn = unsafe extern "C" fn() -> c_uint;
type CountFn = unsafe extern "C" fn(*mut c_uint) -> c_uint;
type HandleFn = unsafe extern "C" fn(c_uint, *mut Device) -> c_uint;
type UtilFn = unsafe extern "C" fn(Device, *mut Utilization) -> c_uint;
type ProcsFn = unsafe extern "C" fn(Device, *mut c_uint, *mut ProcessInfo) -> c_uint;

#[derive(Debug, thiserror::Error)]
pub enum NvmlError {
    #[error("{LIBRARY} not loadable: {0}")]
    Load(#[from] libloading::Error),
    #[error("NVML call {call} failed with code {code}")]
    Call { call: &'static str, code: u32 },
}

/// Utilisation and graphics pids of all GPUs at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NvmlReading {
    pub utilization: u32,
    pub graphics_pids: Vec<u32>,
}

pub struct Nvml {
    devices: Vec<Device>,
    utilization: UtilFn,
    graphics: ProcsFn,
    // Keeps the function pointers above valid; dropped last.
    _lib: Library,
}

impl std::fmt::Debug for Nvml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nvml")
            .field("devices", &self.devices.len())
            .finish()
    }
}

fn check(call: &'static str, code: c_uint) -> Result<(), NvmlError> {
    if code == NVML_SUCCESS {
        Ok(())
    } else {
        Err(NvmlError::Call { call, code })
    }
}

impl Nvml {
    /// Load the library and list the GPUs.
    pub fn load() -> Result<Nvml, NvmlError> {
        Nvml::load_from(LIBRARY)
    }

    pub fn load_from(path: &str) -> Result<Nvml, NvmlError> {
        // SAFETY: loading NVML runs its (driver-provided) initialisers; the symbols are
        // looked up with the signatures documented in nvml.h and only used while `lib` lives.
        unsafe {
            let lib = Library::new(path)?;
            let init: InitFn = *lib.get::<InitFn>(b"nvmlInit_v2\0")?;
            let count: CountFn = *lib.get::<CountFn>(b"nvmlDeviceGetCount_v2\0")?;
            let handle: HandleFn = *lib.get::<HandleFn>(b"nvmlDeviceGetHandleByIndex_v2\0")?;
            let utilization: UtilFn = *lib.get::<UtilFn>(b"nvmlDeviceGetUtilizationRates\0")?;
            let graphics: ProcsFn =
                *lib.get::<ProcsFn>(b"nvmlDeviceGetGraphicsRunningProcesses_v3\0")?;
            check("nvmlInit_v2", init())?;
            let mut n: c_uint = 0;
            check("nvmlDeviceGetCount_v2", count(&mut n))?;
            let mut devices = Vec::with_capacity(n as usize);
            for i in 0..n {
                let mut d: Device = std::ptr::null_mut();
                check("nvmlDeviceGetHandleByIndex_v2", handle(i, &mut d))?;
                devices.push(d);
            }
            Ok(Nvml {
                devices,
                utilization,
                graphics,
                _lib: lib,
            })
        }
    }

    pub fn device_count(&self) -> usize {
        self.devices.len()
    }

    /// Highest utilisation over all GPUs and every graphics process on any of them.
    pub fn read(&self) -> Result<NvmlReading, NvmlError> {
        let mut reading = NvmlReading::default();
        for &d in &self.devices {
            let mut u = Utilization::default();
            // SAFETY: `d` came from nvmlDeviceGetHandleByIndex_v2; `u` is a valid out pointer.
            check("nvmlDeviceGetUtilizationRates", unsafe {
                (self.utilization)(d, &mut u)
            })?;
            reading.utilization = reading.utilization.max(u.gpu);
            let mut infos = vec![ProcessInfo::default(); 16];
            loop {
                let mut n = infos.len() as c_uint;
                // SAFETY: `infos` has room for `n` entries; NVML writes at most `n`.
                let code = unsafe { (self.graphics)(d, &mut n, infos.as_mut_ptr()) };
                if code == NVML_ERROR_INSUFFICIENT_SIZE && (n as usize) > infos.len() {
                    infos.resize(n as usize + 4, ProcessInfo::default());
                    continue;
                }
                check("nvmlDeviceGetGraphicsRunningProcesses_v3", code)?;
                let n = (n as usize).min(infos.len());
                reading
                    .graphics_pids
                    .extend(infos[..n].iter().map(|p| p.pid));
                break;
            }
        }
        reading.graphics_pids.sort_unstable();
        reading.graphics_pids.dedup();
        Ok(reading)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_is_an_error_not_a_crash() {
        let e = Nvml::load_from("libnvidia-ml-does-not-exist.so.1").expect_err("absent");
        assert!(e.to_string().contains("not loadable"), "{e}");
    }
}
