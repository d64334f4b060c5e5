//! Test support: a mock Kubernetes API server at the HTTP level.
#![allow(dead_code)]

pub mod mock_api;
