//! Bad and good fixtures for every restricted control: version boundaries, pod/container
//! inheritance, Windows and user-namespace exemptions, and overrides of baseline controls.

mod common;

use common::*;
use serde_json::json;

#[test]
fn pss012_allow_privilege_escalation_must_be_false() {
    let missing = without(
        restricted_pod(),
        "/spec/containers/0/securityContext/allowPrivilegeEscalation",
    );
    assert_eq!(
        lines(&missing, "restricted", "latest"),
        ["PSS012 spec.containers[0].securityContext: allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)"]
    );
    let explicit_true = with(
        restricted_pod(),
        &[(
            "/spec/initContainers/0/securityContext/allowPrivilegeEscalation",
            json!(true),
        )],
    );
    assert_eq!(
        lines(&explicit_true, "restricted", "latest"),
        ["PSS012 spec.initContainers[0].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation != false (container \"init\" must set securityContext.allowPrivilegeEscalation=false)"]
    );
    // Absent before the field existed (1.8).
    assert_passes(&missing, "restricted", "1.7");
    assert_codes(&missing, "restricted", "1.8", &["PSS012"]);
    // Not a baseline control.
    assert_passes(&missing, "baseline", "latest");
}

#[test]
fn pss012_points_at_the_container_when_it_has_no_security_context() {
    let pod = with(
        restricted_pod(),
        &[(
            "/spec/ephemeralContainers",
            json!([{"name": "debug", "image": "busybox"}]),
        )],
    );
    let got = lines(&pod, "restricted", "latest");
    assert!(
        got.contains(&"PSS012 spec.ephemeralContainers[0]: allowPrivilegeEscalation != false (container \"debug\" must set securityContext.allowPrivilegeEscalation=false)".to_string()),
        "{got:#?}"
    );
}

#[test]
fn windows_pods_are_exempt_from_three_restricted_controls_from_1_25() {
    let windows = with(
        baseline_pod(),
        &[
            ("/spec/os/name", json!("windows")),
            ("/spec/securityContext/runAsNonRoot", json!(true)),
        ],
    );
    assert_passes(&windows, "restricted", "1.25");
    assert_passes(&windows, "restricted", "latest");
    // 1.24 still requires seccomp, capabilities and allowPrivilegeEscalation (2 containers each).
    assert_codes(
        &windows,
        "restricted",
        "1.24",
        &["PSS012", "PSS012", "PSS016", "PSS016", "PSS017", "PSS017"],
    );
    // runAsNonRoot is not exempt.
    let windows_root = without(windows, "/spec/securityContext/runAsNonRoot");
    assert_codes(&windows_root, "restricted", "latest", &["PSS014", "PSS014"]);
    // Linux (or unset os) pods are not exempt.
    let linux = with(
        baseline_pod(),
        &[
            ("/spec/os/name", json!("linux")),
            ("/spec/securityContext/runAsNonRoot", json!(true)),
        ],
    );
    assert_codes(
        &linux,
        "restricted",
        "latest",
        &["PSS012", "PSS012", "PSS016", "PSS016", "PSS017", "PSS017"],
    );
}

#[test]
fn pss013_restricted_volume_types() {
    let good = with(
        restricted_pod(),
        &[(
            "/spec/volumes",
            json!([
                {"name": "a", "configMap": {"name": "c"}},
                {"name": "b", "csi": {"driver": "x"}},
                {"name": "c", "downwardAPI": {"items": []}},
                {"name": "d", "emptyDir": {}},
                {"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}},
                {"name": "f", "image": {"reference": "quay.io/models/llama:1"}},
                {"name": "g", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "h", "projected": {"sources": []}},
                {"name": "i", "secret": {"secretName": "s"}},
                {"name": "j"}
            ]),
        )],
    );
    // image volumes were allowed by amending the 1.0 check, so every version accepts them.
    assert_passes(&good, "restricted", "1.0");
    assert_passes(&good, "restricted", "latest");

    let bad = with(
        restricted_pod(),
        &[(
            "/spec/volumes",
            json!([{"name": "media", "nfs": {"server": "nas", "path": "/media"}}, {"name": "repo", "gitRepo": {"repository": "x"}}]),
        )],
    );
    assert_eq!(
        lines(&bad, "restricted", "latest"),
        [
            "PSS013 spec.volumes[0].nfs: restricted volume types (volume \"media\" uses restricted volume type \"nfs\")",
            "PSS013 spec.volumes[1].gitRepo: restricted volume types (volume \"repo\" uses restricted volume type \"gitRepo\")",
        ]
    );
    // gitRepo and nfs are fine at the baseline level.
    assert_passes(&bad, "baseline", "latest");
}

#[test]
fn pss014_pod_level_run_as_non_root_satisfies_containers() {
    assert_passes(&restricted_pod(), "restricted", "latest");
    // Set only in every container: passes.
    let per_container = with(
        without(restricted_pod(), "/spec/securityContext/runAsNonRoot"),
        &[
            (
                "/spec/containers/0/securityContext/runAsNonRoot",
                json!(true),
            ),
            (
                "/spec/initContainers/0/securityContext/runAsNonRoot",
                json!(true),
            ),
        ],
    );
    assert_passes(&per_container, "restricted", "latest");
    // Set in one container only: the other one fails, pointing at its securityContext.
    let one_container = without(
        per_container.clone(),
        "/spec/initContainers/0/securityContext/runAsNonRoot",
    );
    assert_eq!(
        lines(&one_container, "restricted", "latest"),
        ["PSS014 spec.initContainers[0].securityContext: runAsNonRoot != true (pod or container \"init\" must set securityContext.runAsNonRoot=true)"]
    );
}

#[test]
fn pss014_explicit_false_fails_even_when_the_other_level_says_true() {
    let container_false = with(
        restricted_pod(),
        &[(
            "/spec/containers/0/securityContext/runAsNonRoot",
            json!(false),
        )],
    );
    assert_eq!(
        lines(&container_false, "restricted", "latest"),
        ["PSS014 spec.containers[0].securityContext.runAsNonRoot: runAsNonRoot != true (container \"app\" must not set securityContext.runAsNonRoot=false)"]
    );
    let pod_false = with(
        restricted_pod(),
        &[
            ("/spec/securityContext/runAsNonRoot", json!(false)),
            (
                "/spec/containers/0/securityContext/runAsNonRoot",
                json!(true),
            ),
            (
                "/spec/initContainers/0/securityContext/runAsNonRoot",
                json!(true),
            ),
        ],
    );
    assert_eq!(
        lines(&pod_false, "restricted", "latest"),
        ["PSS014 spec.securityContext.runAsNonRoot: runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"]
    );
}

#[test]
fn pss014_unset_everywhere_points_at_each_container() {
    let unset = without(restricted_pod(), "/spec/securityContext/runAsNonRoot");
    assert_eq!(
        lines(&unset, "restricted", "1.0"),
        [
            "PSS014 spec.initContainers[0].securityContext: runAsNonRoot != true (pod or container \"init\" must set securityContext.runAsNonRoot=true)",
            "PSS014 spec.containers[0].securityContext: runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true)",
        ]
    );
}

#[test]
fn pss014_and_pss015_relax_for_user_namespaces_from_1_35() {
    let root = with(
        without(restricted_pod(), "/spec/securityContext/runAsNonRoot"),
        &[
            ("/spec/securityContext/runAsUser", json!(0)),
            ("/spec/hostUsers", json!(false)),
        ],
    );
    assert_codes(&root, "restricted", "1.34", &["PSS014", "PSS014", "PSS015"]);
    assert_passes(&root, "restricted", "1.35");
    assert_passes(&root, "restricted", "latest");
    let host_users = with(root, &[("/spec/hostUsers", json!(true))]);
    assert_codes(
        &host_users,
        "restricted",
        "latest",
        &["PSS014", "PSS014", "PSS015"],
    );
}

#[test]
fn pss015_run_as_user_zero_from_1_23() {
    let pod_root = with(
        restricted_pod(),
        &[("/spec/securityContext/runAsUser", json!(0))],
    );
    assert_eq!(
        lines(&pod_root, "restricted", "1.23"),
        ["PSS015 spec.securityContext.runAsUser: runAsUser=0 (pod must not set runAsUser=0)"]
    );
    assert_passes(&pod_root, "restricted", "1.22");
    let container_root = with(
        restricted_pod(),
        &[("/spec/containers/0/securityContext/runAsUser", json!(0))],
    );
    assert_eq!(
        lines(&container_root, "restricted", "latest"),
        ["PSS015 spec.containers[0].securityContext.runAsUser: runAsUser=0 (container \"app\" must not set runAsUser=0)"]
    );
    let non_root = with(
        restricted_pod(),
        &[
            ("/spec/securityContext/runAsUser", json!(1000)),
            ("/spec/containers/0/securityContext/runAsUser", json!(65534)),
        ],
    );
    assert_passes(&non_root, "restricted", "latest");
    assert_passes(&container_root, "baseline", "latest");
}

#[test]
fn pss016_seccomp_inheritance_and_override() {
    // Pod-level RuntimeDefault covers containers.
    assert_passes(&restricted_pod(), "restricted", "latest");
    // Localhost at container level only, in every container: passes.
    let per_container = with(
        without(restricted_pod(), "/spec/securityContext/seccompProfile"),
        &[
            (
                "/spec/containers/0/securityContext/seccompProfile",
                json!({"type": "Localhost", "localhostProfile": "p.json"}),
            ),
            (
                "/spec/initContainers/0/securityContext/seccompProfile",
                json!({"type": "RuntimeDefault"}),
            ),
        ],
    );
    assert_passes(&per_container, "restricted", "latest");
    // A container overriding the pod with Unconfined fails.
    let container_unconfined = with(
        restricted_pod(),
        &[(
            "/spec/containers/0/securityContext/seccompProfile/type",
            json!("Unconfined"),
        )],
    );
    assert_eq!(
        lines(&container_unconfined, "restricted", "latest"),
        ["PSS016 spec.containers[0].securityContext.seccompProfile.type: seccompProfile (container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\")"]
    );
    // Unset everywhere: each container fails from 1.19 on.
    let unset = without(restricted_pod(), "/spec/securityContext/seccompProfile");
    assert_eq!(
        lines(&unset, "restricted", "1.19"),
        [
            "PSS016 spec.initContainers[0].securityContext: seccompProfile (pod or container \"init\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
            "PSS016 spec.containers[0].securityContext: seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
        ]
    );
    assert_passes(&unset, "restricted", "1.18");
    // Pod-level Unconfined: one explicit violation, reported by the restricted control only.
    let pod_unconfined = with(
        restricted_pod(),
        &[(
            "/spec/securityContext/seccompProfile/type",
            json!("Unconfined"),
        )],
    );
    assert_codes(&pod_unconfined, "restricted", "latest", &["PSS016"]);
    assert_codes(&pod_unconfined, "baseline", "latest", &["PSS010"]);
}

#[test]
fn pss016_below_1_19_restricted_runs_the_annotation_check() {
    let mut pod = restricted_pod();
    pod["metadata"]["annotations"] =
        json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"});
    assert_codes(&pod, "restricted", "1.18", &["PSS010"]);
    assert_passes(&pod, "restricted", "1.19");
}

#[test]
fn pss017_drop_all_and_only_net_bind_service() {
    let good = with(
        restricted_pod(),
        &[(
            "/spec/containers/0/securityContext/capabilities/add",
            json!(["NET_BIND_SERVICE"]),
        )],
    );
    assert_passes(&good, "restricted", "latest");

    let bad = with(
        restricted_pod(),
        &[
            (
                "/spec/containers/0/securityContext/capabilities",
                json!({"drop": ["all"], "add": ["NET_BIND_SERVICE", "CHOWN"]}),
            ),
            (
                "/spec/initContainers/0/securityContext",
                json!({"allowPrivilegeEscalation": false}),
            ),
        ],
    );
    assert_eq!(
        lines(&bad, "restricted", "latest"),
        [
            "PSS017 spec.initContainers[0].securityContext: unrestricted capabilities (container \"init\" must set securityContext.capabilities.drop=[\"ALL\"])",
            "PSS017 spec.containers[0].securityContext.capabilities.drop: unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]; \"all\" does not count: admission compares the name `ALL` exactly)",
            "PSS017 spec.containers[0].securityContext.capabilities.add[1]: unrestricted capabilities (container \"app\" must not include \"CHOWN\" in securityContext.capabilities.add)",
        ]
    );
    // Before 1.22 only the baseline allow-list applies (CHOWN is in it).
    assert_passes(&bad, "restricted", "1.21");
}

#[test]
fn pss019_restricted_keeps_proc_mount_default_for_user_namespaces() {
    let pod = with(
        restricted_pod(),
        &[
            ("/spec/hostUsers", json!(false)),
            (
                "/spec/containers/0/securityContext/procMount",
                json!("Unmasked"),
            ),
        ],
    );
    assert_eq!(
        lines(&pod, "restricted", "1.35"),
        ["PSS019 spec.containers[0].securityContext.procMount: procMount (container \"app\" must not set securityContext.procMount to \"Unmasked\")"]
    );
    // Before 1.35 the baseline control itself fails it at both levels.
    assert_codes(&pod, "restricted", "1.34", &["PSS009"]);
    assert_passes(&pod, "baseline", "1.35");
}

#[test]
fn versions_newer_than_the_newest_known_behave_like_latest() {
    let pod = with(
        baseline_pod(),
        &[(
            "/spec/securityContext/sysctls",
            json!([{"name": "net.ipv4.tcp_notsent_lowat", "value": "16384"}]),
        )],
    );
    assert_passes(&pod, "baseline", "1.99");
    assert_passes(&pod, "baseline", "latest");
    assert_passes(&pod, "baseline", "v1.37.1");
    assert_codes(&pod, "baseline", "1.36", &["PSS011"]);
}
