//! `security`: hardening that the Pod Security level in force may not require (or that
//! kube-linter and kube-score check by default). Rules that repeat a Pod Security control
//! name it in `overlaps`, so a pod is not reported twice for the same field.

pub mod default_namespace;
pub mod default_service_account;
pub mod deprecated_service_account_field;
pub mod docker_socket_mount;
pub mod host_ipc;
pub mod host_network;
pub mod host_pid;
pub mod image_not_pinned;
pub mod ingress_nginx_snippet;
pub mod low_user_id;
pub mod missing_service_account;
pub mod net_raw_not_dropped;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod privileged_port;
pub mod run_as_root_allowed;
pub mod secret_as_env_var;
pub mod secret_in_configmap;
pub mod secret_in_env_value;
pub mod sensitive_host_mount;
pub mod service_account_token_automount;
pub mod ssh_port;
pub mod unsafe_sysctl;
pub mod writable_root_filesystem;
