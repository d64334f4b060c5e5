//! Representative cases from the upstream Pod Security conformance fixtures:
//! `staging/src/k8s.io/pod-security-admission/test/testdata/{level}/v1.N/{pass,fail}/*.yaml`
//! in kubernetes/kubernetes (Apache-2.0, © The Kubernetes Authors). Each case names the
//! upstream file it is copied from; the YAML is verbatim. At the directory's level and
//! version a `pass/` file yields no violation and a `fail/` file yields the named control.
//! Cases cover every policy-version boundary (1.0, 1.8, 1.19, 1.22, 1.23, 1.25, 1.27, 1.29,
//! 1.32, 1.34, 1.35, 1.37) and the `enforce-version` label semantics of `api.ParseVersion`.
//! `tests/upstream_fixtures.rs` runs the full fetched set when it is available.

use homeport_pss::{evaluate, namespace_level, Level, Version};
use serde_json::{json, Value};

fn pod(yaml: &str) -> Value {
    homeport_yaml::parse_one(yaml, homeport_diag::FileId(0))
        .expect("valid yaml")
        .expect("one document")
        .to_json()
}

/// The control codes `yaml` violates at `level` and policy `version` (`latest` or `1.N`).
fn codes(yaml: &str, level: &str, version: &str) -> Vec<&'static str> {
    let level: Level = level.parse().unwrap();
    let version = Version::parse(version).unwrap();
    let mut codes: Vec<_> = evaluate(&pod(yaml), level, version)
        .iter()
        .map(|v| v.control.code)
        .collect();
    codes.dedup();
    codes
}

// restricted/v1.0/fail/restrictedvolumes15.yaml (upstream at commit 13a1804)
const RESTRICTED_VOLUMES_AZURE_DISK: &str = "apiVersion: v1
kind: Pod
metadata:
  name: restrictedvolumes15
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
  securityContext:
    runAsNonRoot: true
  volumes:
  - azureDisk:
      diskName: testing
      diskURI: https://test.blob.core.windows.net/test/test.vhd
    name: volume-azuredisk
";

#[test]
fn v1_0_restricted_volumes_and_selinux() {
    assert_eq!(
        codes(RESTRICTED_VOLUMES_AZURE_DISK, "restricted", "1.0"),
        ["PSS013"]
    );
    // restricted/v1.0/pass/selinuxoptions1.yaml
    let selinux = "apiVersion: v1
kind: Pod
metadata:
  name: selinuxoptions1
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
    securityContext:
      seLinuxOptions:
        level: somevalue
        type: container_init_t
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
    securityContext:
      seLinuxOptions:
        type: container_kvm_t
  securityContext:
    runAsNonRoot: true
    seLinuxOptions:
      type: container_t
";
    assert_eq!(codes(selinux, "restricted", "1.0"), [] as [&str; 0]);
    // baseline/v1.23/fail/selinuxoptions3.yaml
    let selinux_user = "apiVersion: v1
kind: Pod
metadata:
  name: selinuxoptions3
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      seLinuxOptions: {}
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      seLinuxOptions: {}
  securityContext:
    seLinuxOptions:
      user: somevalue
";
    assert_eq!(codes(selinux_user, "baseline", "1.23"), ["PSS008"]);
}

// baseline/v1.0/fail/seccompprofile_baseline1.yaml (alpha annotation era)
const SECCOMP_ANNOTATION_UNCONFINED: &str = "apiVersion: v1
kind: Pod
metadata:
  annotations:
    container.seccomp.security.alpha.kubernetes.io/container1: unconfined
  name: seccompprofile_baseline1
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
";

// baseline/v1.19/fail/seccompprofile_baseline1.yaml (field era)
const SECCOMP_FIELD_UNCONFINED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: seccompprofile_baseline1
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
    securityContext:
      seccompProfile:
        type: Unconfined
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
    securityContext: {}
  securityContext: {}
";

#[test]
fn v1_19_seccomp_moves_from_annotations_to_fields() {
    assert_eq!(
        codes(SECCOMP_ANNOTATION_UNCONFINED, "baseline", "1.0"),
        ["PSS010"]
    );
    assert_eq!(
        codes(SECCOMP_ANNOTATION_UNCONFINED, "baseline", "1.18"),
        ["PSS010"]
    );
    assert_eq!(
        codes(SECCOMP_ANNOTATION_UNCONFINED, "baseline", "1.19"),
        [] as [&str; 0]
    );
    assert_eq!(
        codes(SECCOMP_FIELD_UNCONFINED, "baseline", "1.19"),
        ["PSS010"]
    );
    assert_eq!(
        codes(SECCOMP_FIELD_UNCONFINED, "baseline", "1.18"),
        [] as [&str; 0]
    );
    // restricted/v1.7/pass/seccompprofile_baseline0.yaml: allowed annotation values.
    let allowed = "apiVersion: v1
kind: Pod
metadata:
  annotations:
    container.seccomp.security.alpha.kubernetes.io/container1: localhost/testing
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
  name: seccompprofile_baseline0
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
  securityContext:
    runAsNonRoot: true
";
    assert_eq!(codes(allowed, "restricted", "1.7"), [] as [&str; 0]);
    // restricted/v1.19/pass/seccompprofile_restricted2.yaml: every container sets a profile.
    let per_container = "apiVersion: v1
kind: Pod
metadata:
  name: seccompprofile_restricted2
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      allowPrivilegeEscalation: false
      seccompProfile:
        type: RuntimeDefault
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      allowPrivilegeEscalation: false
      seccompProfile:
        localhostProfile: testing
        type: Localhost
  securityContext:
    runAsNonRoot: true
";
    assert_eq!(codes(per_container, "restricted", "1.19"), [] as [&str; 0]);
    // restricted/v1.25/fail/seccompprofile_restricted3.yaml: one container has none.
    let missing_one = "apiVersion: v1
kind: Pod
metadata:
  name: seccompprofile_restricted3
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
      seccompProfile:
        type: RuntimeDefault
  securityContext:
    runAsNonRoot: true
";
    assert_eq!(codes(missing_one, "restricted", "1.25"), ["PSS016"]);
    assert_eq!(codes(missing_one, "restricted", "1.18"), [] as [&str; 0]);
}

// restricted/v1.8/fail/allowprivilegeescalation1.yaml
const ALLOW_PRIVILEGE_ESCALATION_TRUE: &str = "apiVersion: v1
kind: Pod
metadata:
  name: allowprivilegeescalation1
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      allowPrivilegeEscalation: false
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      allowPrivilegeEscalation: true
  securityContext:
    runAsNonRoot: true
";

#[test]
fn v1_8_allow_privilege_escalation_starts() {
    assert_eq!(
        codes(ALLOW_PRIVILEGE_ESCALATION_TRUE, "restricted", "1.8"),
        ["PSS012"]
    );
    assert_eq!(
        codes(ALLOW_PRIVILEGE_ESCALATION_TRUE, "restricted", "1.7"),
        [] as [&str; 0]
    );
}

// restricted/v1.25/fail/capabilities_restricted3.yaml (the whole baseline set, restricted
// from 1.22) and restricted/v1.7/pass/capabilities_baseline0.yaml (the same adds, passing
// before 1.22 when only the baseline rule applies).
const ADD_BASELINE_CAPABILITIES: &str = "apiVersion: v1
kind: Pod
metadata:
  name: capabilities_restricted3
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        add:
        - AUDIT_WRITE
        - CHOWN
        - DAC_OVERRIDE
        - FOWNER
        - FSETID
        - KILL
        - MKNOD
        - NET_BIND_SERVICE
        - SETFCAP
        - SETGID
        - SETPCAP
        - SETUID
        - SYS_CHROOT
        drop:
        - ALL
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
";

#[test]
fn v1_22_capabilities_restricted_replaces_the_baseline_rule() {
    assert_eq!(
        codes(ADD_BASELINE_CAPABILITIES, "restricted", "1.25"),
        ["PSS017"]
    );
    assert_eq!(
        codes(ADD_BASELINE_CAPABILITIES, "restricted", "1.22"),
        ["PSS017"]
    );
    assert_eq!(
        codes(ADD_BASELINE_CAPABILITIES, "restricted", "1.21"),
        [] as [&str; 0]
    );
    assert_eq!(
        codes(ADD_BASELINE_CAPABILITIES, "baseline", "latest"),
        [] as [&str; 0]
    );
    // baseline/v1.25/fail/capabilities_baseline3.yaml: names are exact, no CAP_ prefix.
    let cap_prefix = "apiVersion: v1
kind: Pod
metadata:
  name: capabilities_baseline3
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
    securityContext:
      capabilities:
        add:
        - CAP_CHOWN
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
    securityContext:
      capabilities: {}
  securityContext: {}
";
    assert_eq!(codes(cap_prefix, "baseline", "1.25"), ["PSS004"]);
}

// restricted/v1.24/fail/runasuser0.yaml
const POD_RUN_AS_USER_ZERO: &str = "apiVersion: v1
kind: Pod
metadata:
  name: runasuser0
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
  securityContext:
    runAsNonRoot: true
    runAsUser: 0
    seccompProfile:
      type: RuntimeDefault
";

#[test]
fn v1_23_run_as_user_starts() {
    assert_eq!(
        codes(POD_RUN_AS_USER_ZERO, "restricted", "1.24"),
        ["PSS015"]
    );
    assert_eq!(
        codes(POD_RUN_AS_USER_ZERO, "restricted", "1.23"),
        ["PSS015"]
    );
    assert_eq!(
        codes(POD_RUN_AS_USER_ZERO, "restricted", "1.22"),
        [] as [&str; 0]
    );
}

// restricted/v1.25/pass/base_windows.yaml
const BASE_WINDOWS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: base_windows
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
  os:
    name: windows
  securityContext:
    runAsNonRoot: true
";

#[test]
fn v1_25_windows_pods_are_exempt_from_linux_only_controls() {
    assert_eq!(codes(BASE_WINDOWS, "restricted", "1.25"), [] as [&str; 0]);
    assert_eq!(codes(BASE_WINDOWS, "restricted", "latest"), [] as [&str; 0]);
    assert_eq!(
        codes(BASE_WINDOWS, "restricted", "1.24"),
        ["PSS012", "PSS016", "PSS017"]
    );
}

// baseline/v1.29/pass/sysctls1.yaml
const SYSCTLS_1_29: &str = "apiVersion: v1
kind: Pod
metadata:
  name: sysctls1
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
  securityContext:
    sysctls:
    - name: kernel.shm_rmid_forced
      value: \"0\"
    - name: net.ipv4.ip_local_port_range
      value: 1024 65535
    - name: net.ipv4.tcp_syncookies
      value: \"0\"
    - name: net.ipv4.ping_group_range
      value: 1 0
    - name: net.ipv4.ip_unprivileged_port_start
      value: \"1024\"
    - name: net.ipv4.ip_local_reserved_ports
      value: 1024-4999
    - name: net.ipv4.tcp_keepalive_time
      value: \"7200\"
";

// baseline/v1.34/pass/sysctls1.yaml (safe from 1.32)
const SYSCTLS_1_32: &str = "apiVersion: v1
kind: Pod
metadata:
  name: sysctls1
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
  securityContext:
    sysctls:
    - name: net.ipv4.tcp_rmem
      value: 4096 87380 16777216
    - name: net.ipv4.tcp_wmem
      value: 4096 65536 16777216
";

// baseline/v1.37/pass/sysctls1.yaml (safe from 1.37)
const SYSCTLS_1_37: &str = "apiVersion: v1
kind: Pod
metadata:
  name: sysctls1
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
  securityContext:
    sysctls:
    - name: net.ipv4.tcp_slow_start_after_idle
      value: \"0\"
    - name: net.ipv4.tcp_notsent_lowat
      value: \"16384\"
";

#[test]
fn v1_27_v1_29_v1_32_v1_37_sysctl_allow_list_growth() {
    assert_eq!(codes(SYSCTLS_1_29, "baseline", "1.29"), [] as [&str; 0]);
    assert_eq!(codes(SYSCTLS_1_29, "baseline", "1.28"), ["PSS011"]);
    assert_eq!(codes(SYSCTLS_1_32, "baseline", "1.34"), [] as [&str; 0]);
    assert_eq!(codes(SYSCTLS_1_32, "baseline", "1.32"), [] as [&str; 0]);
    assert_eq!(codes(SYSCTLS_1_32, "baseline", "1.31"), ["PSS011"]);
    assert_eq!(codes(SYSCTLS_1_37, "baseline", "1.37"), [] as [&str; 0]);
    assert_eq!(codes(SYSCTLS_1_37, "baseline", "latest"), [] as [&str; 0]);
    assert_eq!(codes(SYSCTLS_1_37, "baseline", "1.36"), ["PSS011"]);
    // A version newer than the newest known one behaves like it.
    assert_eq!(codes(SYSCTLS_1_37, "baseline", "1.99"), [] as [&str; 0]);
    // ip_local_reserved_ports alone is the 1.27 boundary.
    let reserved = pod(SYSCTLS_1_29);
    let mut reserved = reserved.clone();
    reserved["spec"]["securityContext"]["sysctls"] =
        json!([{"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"}]);
    assert!(evaluate(&reserved, Level::Baseline, Version::new(1, 27)).is_empty());
    assert_eq!(
        evaluate(&reserved, Level::Baseline, Version::new(1, 26)).len(),
        1
    );
}

// baseline/v1.34/fail/hostprobesandhostlifecycle2.yaml
const LIFECYCLE_HOST: &str = "apiVersion: v1
kind: Pod
metadata:
  name: hostprobesandhostlifecycle2
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    lifecycle:
      postStart:
        httpGet:
          host: bad.host
          path: /
          port: 80
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
";

// baseline/v1.35/fail/hostprobesandhostlifecycle4.yaml: loopback hosts are forbidden too.
const PROBE_LOOPBACK_HOST: &str = "apiVersion: v1
kind: Pod
metadata:
  name: hostprobesandhostlifecycle4
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    readinessProbe:
      tcpSocket:
        host: ::1
        port: 8080
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
";

#[test]
fn v1_34_probe_and_lifecycle_hosts_start() {
    assert_eq!(codes(LIFECYCLE_HOST, "baseline", "1.34"), ["PSS018"]);
    assert_eq!(codes(LIFECYCLE_HOST, "baseline", "1.33"), [] as [&str; 0]);
    assert_eq!(codes(PROBE_LOOPBACK_HOST, "baseline", "1.35"), ["PSS018"]);
    assert_eq!(codes(PROBE_LOOPBACK_HOST, "baseline", "latest"), ["PSS018"]);
}

// baseline/v1.35/pass/procmount_baseline1.yaml
const PROC_MOUNT_USER_NAMESPACE: &str = "apiVersion: v1
kind: Pod
metadata:
  name: procmount_baseline1
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      procMount: Unmasked
  hostUsers: false
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      procMount: Unmasked
  securityContext: {}
";

// restricted/v1.35/fail/procmount_restricted0.yaml
const PROC_MOUNT_RESTRICTED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: procmount_restricted0
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
      procMount: Unmasked
  hostUsers: false
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
        - ALL
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
";

#[test]
fn v1_35_proc_mount_relaxed_for_user_namespaces_at_baseline_only() {
    assert_eq!(
        codes(PROC_MOUNT_USER_NAMESPACE, "baseline", "1.35"),
        [] as [&str; 0]
    );
    // baseline/v1.33/fail/procmount0.yaml: the same relaxation does not exist before 1.35.
    assert_eq!(
        codes(PROC_MOUNT_USER_NAMESPACE, "baseline", "1.33"),
        ["PSS009"]
    );
    assert_eq!(
        codes(PROC_MOUNT_RESTRICTED, "restricted", "1.35"),
        ["PSS019"]
    );
    assert_eq!(
        codes(PROC_MOUNT_RESTRICTED, "restricted", "1.34"),
        ["PSS009"]
    );
    assert_eq!(
        codes(PROC_MOUNT_RESTRICTED, "baseline", "1.35"),
        [] as [&str; 0]
    );
}

fn namespace(version_label: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "apps", "labels": {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": version_label,
        }},
    })
}

#[test]
fn enforce_version_labels_follow_upstream_parse_version() {
    let version_of = |label: &str| namespace_level(&namespace(label)).and_then(|(_, v)| v);
    assert_eq!(version_of("v1.33"), Some(Version::new(1, 33)));
    assert_eq!(version_of("latest"), Some(Version::LATEST));
    // Only `latest` and `v1.<minor>` are valid; upstream evaluates anything else at latest.
    for invalid in ["1.33", "v1.33.0", "v1.033", "V1.33", "v2.0", "", "latest "] {
        assert_eq!(version_of(invalid), Some(Version::LATEST), "{invalid:?}");
    }
    // A version newer than any known policy version evaluates like latest.
    let future = version_of("v1.99").unwrap();
    assert_eq!(
        codes(SYSCTLS_1_37, "baseline", &future.to_string()),
        [] as [&str; 0]
    );
    assert_eq!(
        evaluate(&pod(LIFECYCLE_HOST), Level::Baseline, future).len(),
        evaluate(&pod(LIFECYCLE_HOST), Level::Baseline, Version::LATEST).len()
    );
    // A pinned old version really evaluates the old policy.
    let pinned = version_of("v1.33").unwrap();
    assert!(evaluate(&pod(LIFECYCLE_HOST), Level::Baseline, pinned).is_empty());
}

// baseline/v1.25/fail/selinuxoptions1.yaml; the second pod swaps in `container_engine_t`,
// which upstream `seLinuxOptions` allows from policy 1.31 (no fixture of that case was
// available to copy, so it is derived from the check, not verbatim).
const SELINUX_CUSTOM_TYPE: &str = "apiVersion: v1
kind: Pod
metadata:
  name: selinuxoptions1
spec:
  containers:
  - image: k8s.gcr.io/pause
    name: container1
    securityContext:
      seLinuxOptions:
        type: somevalue
  initContainers:
  - image: k8s.gcr.io/pause
    name: initcontainer1
    securityContext:
      seLinuxOptions: {}
  securityContext:
    seLinuxOptions: {}
";

#[test]
fn v1_31_container_engine_t_becomes_allowed() {
    assert_eq!(codes(SELINUX_CUSTOM_TYPE, "baseline", "1.25"), ["PSS008"]);
    assert_eq!(codes(SELINUX_CUSTOM_TYPE, "baseline", "latest"), ["PSS008"]);
    let engine = SELINUX_CUSTOM_TYPE.replace("type: somevalue", "type: container_engine_t");
    assert_eq!(codes(&engine, "baseline", "1.31"), [] as [&str; 0]);
    assert_eq!(codes(&engine, "baseline", "1.30"), ["PSS008"]);
}

// baseline/v1.27/fail/apparmorprofile1.yaml. Merged upstream `appArmorProfile` checks every
// `container.apparmor.security.beta.kubernetes.io/*` annotation, whether or not a container of
// that name exists (a pre-merge draft fixture, restricted/v1.0/pass/apparmorprofile0.yaml,
// claimed otherwise; see tests/upstream_fixtures.rs).
const APPARMOR_UNCONFINED_ANNOTATION: &str = "apiVersion: v1
kind: Pod
metadata:
  annotations:
    container.apparmor.security.beta.kubernetes.io/initcontainer1: unconfined
  name: apparmorprofile1
spec:
  containers:
  - image: registry.k8s.io/pause
    name: container1
  initContainers:
  - image: registry.k8s.io/pause
    name: initcontainer1
";

#[test]
fn apparmor_annotations_are_checked_for_any_container_name() {
    assert_eq!(
        codes(APPARMOR_UNCONFINED_ANNOTATION, "baseline", "1.27"),
        ["PSS007"]
    );
    assert_eq!(
        codes(APPARMOR_UNCONFINED_ANNOTATION, "baseline", "1.0"),
        ["PSS007"]
    );
    let other_name = APPARMOR_UNCONFINED_ANNOTATION.replace(
        "kubernetes.io/initcontainer1: unconfined",
        "kubernetes.io/test: unconfined",
    );
    assert_eq!(codes(&other_name, "baseline", "latest"), ["PSS007"]);
    let allowed = APPARMOR_UNCONFINED_ANNOTATION.replace("unconfined", "localhost/foo");
    assert_eq!(codes(&allowed, "baseline", "latest"), [] as [&str; 0]);
}
