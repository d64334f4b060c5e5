//! Bad and good fixtures for every baseline control, including its version boundaries.

mod common;

use common::*;
use serde_json::json;

#[test]
fn fixture_bases_pass_at_every_version() {
    for minor in 0..=40 {
        let v = format!("1.{minor}");
        assert_passes(&restricted_pod(), "restricted", &v);
        assert_passes(&restricted_pod(), "baseline", &v);
        assert_passes(&baseline_pod(), "baseline", &v);
    }
    assert_passes(&baseline_pod(), "privileged", "latest");
}

#[test]
fn pss001_host_process() {
    let bad = with(
        baseline_pod(),
        &[(
            "/spec/securityContext/windowsOptions/hostProcess",
            json!(true),
        )],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        ["PSS001 spec.securityContext.windowsOptions.hostProcess: hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)"]
    );
    let bad = with(
        baseline_pod(),
        &[(
            "/spec/initContainers/0/securityContext/windowsOptions/hostProcess",
            json!(true),
        )],
    );
    assert_eq!(
        lines(&bad, "baseline", "1.0"),
        ["PSS001 spec.initContainers[0].securityContext.windowsOptions.hostProcess: hostProcess (container \"init\" must not set securityContext.windowsOptions.hostProcess=true)"]
    );
    let good = with(
        baseline_pod(),
        &[(
            "/spec/securityContext/windowsOptions/hostProcess",
            json!(false),
        )],
    );
    assert_passes(&good, "baseline", "1.0");
    assert_passes(&good, "baseline", "latest");
}

#[test]
fn pss002_host_namespaces() {
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        let bad = with(baseline_pod(), &[(&format!("/spec/{key}"), json!(true))]);
        assert_eq!(
            lines(&bad, "baseline", "latest"),
            [format!("PSS002 spec.{key}: host namespaces ({key})")]
        );
        let good = with(restricted_pod(), &[(&format!("/spec/{key}"), json!(false))]);
        assert_passes(&good, "restricted", "latest");
    }
}

#[test]
fn pss003_privileged_in_every_container_list() {
    let bad = with(
        baseline_pod(),
        &[
            ("/spec/containers/0/securityContext/privileged", json!(true)),
            (
                "/spec/ephemeralContainers",
                json!([{"name": "debug", "image": "busybox", "securityContext": {"privileged": true}}]),
            ),
        ],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        [
            "PSS003 spec.containers[0].securityContext.privileged: privileged (container \"app\" must not set securityContext.privileged=true)",
            "PSS003 spec.ephemeralContainers[0].securityContext.privileged: privileged (container \"debug\" must not set securityContext.privileged=true)",
        ]
    );
    let good = with(
        restricted_pod(),
        &[(
            "/spec/containers/0/securityContext/privileged",
            json!(false),
        )],
    );
    assert_passes(&good, "restricted", "latest");
}

#[test]
fn pss004_capabilities_baseline_allowlist() {
    let default_set = json!([
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT"
    ]);
    let good = with(
        baseline_pod(),
        &[(
            "/spec/containers/0/securityContext/capabilities/add",
            default_set,
        )],
    );
    assert_passes(&good, "baseline", "latest");

    let bad = with(
        baseline_pod(),
        &[(
            "/spec/containers/0/securityContext/capabilities/add",
            json!(["CHOWN", "NET_RAW", "CAP_CHOWN"]),
        )],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        [
            "PSS004 spec.containers[0].securityContext.capabilities.add[1]: non-default capabilities (container \"app\" must not include \"NET_RAW\" in securityContext.capabilities.add)",
            "PSS004 spec.containers[0].securityContext.capabilities.add[2]: non-default capabilities (container \"app\" must not include \"CAP_CHOWN\" in securityContext.capabilities.add)",
        ]
    );
}

#[test]
fn pss004_is_replaced_by_pss017_at_restricted_from_1_22() {
    let bad = with(
        restricted_pod(),
        &[(
            "/spec/containers/0/securityContext/capabilities/add",
            json!(["SYS_ADMIN"]),
        )],
    );
    assert_codes(&bad, "restricted", "1.22", &["PSS017"]);
    assert_codes(&bad, "restricted", "latest", &["PSS017"]);
    // Before 1.22 there is no restricted capabilities control: the baseline one runs.
    assert_codes(&bad, "restricted", "1.21", &["PSS004"]);
    assert_codes(&bad, "baseline", "latest", &["PSS004"]);
}

#[test]
fn pss005_host_path_volumes() {
    let bad = with(
        baseline_pod(),
        &[(
            "/spec/volumes",
            json!([{"name": "cfg", "configMap": {"name": "c"}}, {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]),
        )],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        ["PSS005 spec.volumes[1].hostPath: hostPath volumes (volume \"docker\")"]
    );
    // At the restricted level the volume-type control reports it instead.
    let restricted_bad = with(
        restricted_pod(),
        &[(
            "/spec/volumes",
            json!([{"name": "docker", "hostPath": {"path": "/"}}]),
        )],
    );
    assert_codes(&restricted_bad, "restricted", "latest", &["PSS013"]);
    assert_codes(&restricted_bad, "restricted", "1.0", &["PSS013"]);
    let good = with(
        baseline_pod(),
        &[(
            "/spec/volumes",
            json!([{"name": "tmp", "emptyDir": {}}, {"name": "null-source", "hostPath": null}]),
        )],
    );
    assert_passes(&good, "baseline", "latest");
}

#[test]
fn pss006_host_ports_zero_is_allowed() {
    let good = with(
        baseline_pod(),
        &[(
            "/spec/containers/0/ports",
            json!([{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}]),
        )],
    );
    assert_passes(&good, "baseline", "latest");
    let bad = with(
        baseline_pod(),
        &[
            (
                "/spec/containers/0/ports",
                json!([{"containerPort": 80, "hostPort": 8080}]),
            ),
            (
                "/spec/initContainers/0/ports",
                json!([{"containerPort": 53, "hostPort": 53, "protocol": "UDP"}]),
            ),
        ],
    );
    assert_eq!(
        lines(&bad, "baseline", "1.0"),
        [
            "PSS006 spec.initContainers[0].ports[0].hostPort: hostPort (container \"init\" uses hostPort 53)",
            "PSS006 spec.containers[0].ports[0].hostPort: hostPort (container \"app\" uses hostPort 8080)",
        ]
    );
}

#[test]
fn pss007_apparmor_fields_and_annotations() {
    for allowed in [
        json!({"type": "RuntimeDefault"}),
        json!({"type": "Localhost", "localhostProfile": "k8s-nginx"}),
    ] {
        let good = with(
            baseline_pod(),
            &[
                ("/spec/securityContext/appArmorProfile", allowed.clone()),
                (
                    "/spec/containers/0/securityContext/appArmorProfile",
                    allowed,
                ),
            ],
        );
        assert_passes(&good, "baseline", "latest");
    }
    let bad = with(
        baseline_pod(),
        &[
            (
                "/spec/securityContext/appArmorProfile/type",
                json!("Unconfined"),
            ),
            (
                "/spec/containers/0/securityContext/appArmorProfile/type",
                json!("Unconfined"),
            ),
        ],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        [
            "PSS007 spec.securityContext.appArmorProfile.type: forbidden AppArmor profile (pod must not set AppArmor profile type to \"Unconfined\")",
            "PSS007 spec.containers[0].securityContext.appArmorProfile.type: forbidden AppArmor profile (container \"app\" must not set AppArmor profile type to \"Unconfined\")",
        ]
    );
    // Upstream checks the fields inside its single v1.0 check, so every version sees them.
    assert_codes(&bad, "baseline", "1.0", &["PSS007", "PSS007"]);

    let prefix = "container.apparmor.security.beta.kubernetes.io";
    let good = with(
        baseline_pod(),
        &[(
            "/metadata/annotations",
            json!({format!("{prefix}/app"): "runtime/default", format!("{prefix}/init"): "localhost/custom", format!("{prefix}/other"): ""}),
        )],
    );
    assert_passes(&good, "baseline", "latest");
    let bad = with(
        baseline_pod(),
        &[(
            "/metadata/annotations",
            json!({format!("{prefix}/app"): "unconfined"}),
        )],
    );
    assert_eq!(
        lines(&bad, "baseline", "1.20"),
        [format!("PSS007 metadata.annotations[\"{prefix}/app\"]: forbidden AppArmor profile (annotation must not set AppArmor profile type to \"{prefix}/app=\"unconfined\"\")")]
    );
}

#[test]
fn pss008_selinux_types_user_and_role() {
    let good = with(
        baseline_pod(),
        &[
            (
                "/spec/securityContext/seLinuxOptions",
                json!({"type": "container_t", "level": "s0:c123,c456"}),
            ),
            (
                "/spec/containers/0/securityContext/seLinuxOptions",
                json!({"type": "container_init_t"}),
            ),
            (
                "/spec/initContainers/0/securityContext/seLinuxOptions",
                json!({"type": "container_kvm_t"}),
            ),
        ],
    );
    assert_passes(&good, "baseline", "1.0");
    let engine = with(
        baseline_pod(),
        &[(
            "/spec/containers/0/securityContext/seLinuxOptions/type",
            json!("container_engine_t"),
        )],
    );
    assert_codes(&engine, "baseline", "1.30", &["PSS008"]);
    assert_passes(&engine, "baseline", "1.31");
    assert_passes(&engine, "baseline", "latest");

    let bad = with(
        baseline_pod(),
        &[
            (
                "/spec/securityContext/seLinuxOptions",
                json!({"type": "spc_t"}),
            ),
            (
                "/spec/containers/0/securityContext/seLinuxOptions",
                json!({"user": "system_u", "role": "system_r"}),
            ),
        ],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        [
            "PSS008 spec.securityContext.seLinuxOptions.type: seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"spc_t\")",
            "PSS008 spec.containers[0].securityContext.seLinuxOptions.user: seLinuxOptions (container \"app\" set forbidden securityContext.seLinuxOptions: user may not be set)",
            "PSS008 spec.containers[0].securityContext.seLinuxOptions.role: seLinuxOptions (container \"app\" set forbidden securityContext.seLinuxOptions: role may not be set)",
        ]
    );
}

#[test]
fn pss009_proc_mount_and_the_1_35_user_namespace_relaxation() {
    let unmasked = with(
        baseline_pod(),
        &[(
            "/spec/containers/0/securityContext/procMount",
            json!("Unmasked"),
        )],
    );
    assert_eq!(
        lines(&unmasked, "baseline", "latest"),
        ["PSS009 spec.containers[0].securityContext.procMount: procMount (container \"app\" must not set securityContext.procMount to \"Unmasked\")"]
    );
    let default = with(
        baseline_pod(),
        &[(
            "/spec/containers/0/securityContext/procMount",
            json!("Default"),
        )],
    );
    assert_passes(&default, "baseline", "latest");

    let userns = with(unmasked.clone(), &[("/spec/hostUsers", json!(false))]);
    assert_codes(&userns, "baseline", "1.34", &["PSS009"]);
    assert_passes(&userns, "baseline", "1.35");
    assert_passes(&userns, "baseline", "latest");
    let host_users_true = with(unmasked, &[("/spec/hostUsers", json!(true))]);
    assert_codes(&host_users_true, "baseline", "1.35", &["PSS009"]);
}

#[test]
fn pss010_seccomp_fields_from_1_19_and_annotations_before() {
    let unconfined = with(
        baseline_pod(),
        &[(
            "/spec/securityContext/seccompProfile/type",
            json!("Unconfined"),
        )],
    );
    assert_eq!(
        lines(&unconfined, "baseline", "1.19"),
        ["PSS010 spec.securityContext.seccompProfile.type: seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")"]
    );
    // Before 1.19 the field is not looked at, only the alpha annotations.
    assert_passes(&unconfined, "baseline", "1.18");

    let container = with(
        baseline_pod(),
        &[(
            "/spec/initContainers/0/securityContext/seccompProfile",
            json!({"type": "Unconfined"}),
        )],
    );
    assert_codes(&container, "baseline", "latest", &["PSS010"]);
    for allowed in ["RuntimeDefault", "Localhost"] {
        let good = with(
            baseline_pod(),
            &[(
                "/spec/containers/0/securityContext/seccompProfile/type",
                json!(allowed),
            )],
        );
        assert_passes(&good, "baseline", "latest");
    }

    let annotated = with(
        baseline_pod(),
        &[(
            "/metadata/annotations",
            json!({
                "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/app": "runtime/default",
                "container.seccomp.security.alpha.kubernetes.io/init": "docker/default",
                "container.seccomp.security.alpha.kubernetes.io/gone": "unconfined"
            }),
        )],
    );
    assert_eq!(
        lines(&annotated, "baseline", "1.18"),
        ["PSS010 metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]: seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")"]
    );
    assert_passes(&annotated, "baseline", "1.19");
}

#[test]
fn pss011_sysctls_safe_set_grows_with_the_version() {
    let base = [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];
    let sysctls = |names: &[&str]| {
        json!(names
            .iter()
            .map(|n| json!({"name": n, "value": "1"}))
            .collect::<Vec<_>>())
    };
    assert_passes(
        &with(
            baseline_pod(),
            &[("/spec/securityContext/sysctls", sysctls(&base))],
        ),
        "baseline",
        "1.0",
    );

    for (name, since) in [
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_time", 29),
        ("net.ipv4.tcp_fin_timeout", 29),
        ("net.ipv4.tcp_keepalive_intvl", 29),
        ("net.ipv4.tcp_keepalive_probes", 29),
        ("net.ipv4.tcp_rmem", 32),
        ("net.ipv4.tcp_wmem", 32),
        ("net.ipv4.tcp_slow_start_after_idle", 37),
        ("net.ipv4.tcp_notsent_lowat", 37),
    ] {
        let pod = with(
            baseline_pod(),
            &[("/spec/securityContext/sysctls", sysctls(&[name]))],
        );
        assert_codes(&pod, "baseline", &format!("1.{}", since - 1), &["PSS011"]);
        assert_passes(&pod, "baseline", &format!("1.{since}"));
        assert_passes(&pod, "baseline", "latest");
    }

    let bad = with(
        baseline_pod(),
        &[(
            "/spec/securityContext/sysctls",
            sysctls(&["kernel.shm_rmid_forced", "net.core.somaxconn"]),
        )],
    );
    assert_eq!(
        lines(&bad, "baseline", "latest"),
        ["PSS011 spec.securityContext.sysctls[1].name: forbidden sysctls (net.core.somaxconn)"]
    );
}

#[test]
fn pss018_probe_and_lifecycle_hosts_from_1_34() {
    let bad = with(
        baseline_pod(),
        &[
            (
                "/spec/containers/0/livenessProbe",
                json!({"httpGet": {"host": "169.254.169.254", "path": "/", "port": 80}}),
            ),
            (
                "/spec/containers/0/readinessProbe",
                json!({"tcpSocket": {"host": "127.0.0.1", "port": 80}}),
            ),
            (
                "/spec/containers/0/lifecycle/preStop",
                json!({"httpGet": {"host": "localhost", "path": "/quit", "port": 9091}}),
            ),
        ],
    );
    assert_eq!(
        lines(&bad, "baseline", "1.34"),
        [
            "PSS018 spec.containers[0].livenessProbe.httpGet.host: probe or lifecycle host (container \"app\" uses probe or lifecycle host \"169.254.169.254\")",
            "PSS018 spec.containers[0].readinessProbe.tcpSocket.host: probe or lifecycle host (container \"app\" uses probe or lifecycle host \"127.0.0.1\")",
            "PSS018 spec.containers[0].lifecycle.preStop.httpGet.host: probe or lifecycle host (container \"app\" uses probe or lifecycle host \"localhost\")",
        ]
    );
    assert_passes(&bad, "baseline", "1.33");
    let good = with(
        restricted_pod(),
        &[
            (
                "/spec/containers/0/livenessProbe",
                json!({"httpGet": {"path": "/", "port": 80, "host": ""}}),
            ),
            (
                "/spec/containers/0/startupProbe",
                json!({"tcpSocket": {"port": 80}}),
            ),
            (
                "/spec/containers/0/lifecycle/postStart",
                json!({"exec": {"command": ["true"]}}),
            ),
        ],
    );
    assert_passes(&good, "restricted", "latest");
}
