//! One file per control: its check and its documentation. Codes follow the upstream
//! document's order (baseline, then restricted); controls added later get the next code.

pub(crate) mod apparmor;
pub(crate) mod capabilities_baseline;
pub(crate) mod capabilities_restricted;
pub(crate) mod host_namespaces;
pub(crate) mod host_path_volumes;
pub(crate) mod host_ports;
pub(crate) mod host_process;
pub(crate) mod privilege_escalation;
pub(crate) mod privileged;
pub(crate) mod probe_host;
pub(crate) mod proc_mount;
pub(crate) mod proc_mount_restricted;
pub(crate) mod restricted_volumes;
pub(crate) mod run_as_non_root;
pub(crate) mod run_as_user;
pub(crate) mod seccomp_baseline;
pub(crate) mod seccomp_restricted;
pub(crate) mod selinux;
pub(crate) mod sysctls;
