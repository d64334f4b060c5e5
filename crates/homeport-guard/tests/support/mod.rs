//! Test support: a mock Kubernetes API server at the HTTP level, a stub NVML library.
#![allow(dead_code)]

pub mod mock_api;
pub mod nvml_stub;
