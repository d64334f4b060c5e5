//! Every workload kind carries its pod template to the checks, with paths from the object's
//! root; other objects and the privileged level report nothing.

mod common;

use common::*;
use homeport_pss::{evaluate, pod_spec_path, JsonPath, Level, Version};
use serde_json::{json, Value};

fn privileged_spec() -> Value {
    json!({"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]})
}

fn template() -> Value {
    json!({"metadata": {"labels": {"app": "x"}}, "spec": privileged_spec()})
}

#[test]
fn every_carrier_reports_with_its_own_path() {
    let cases = [
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": privileged_spec()}),
            "spec",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": template()}}),
            "spec.template.spec",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {"template": template()}}),
            "spec.template.spec",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": template()}}),
            "spec.template.spec",
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "spec": {"template": template()}}),
            "spec.template.spec",
        ),
        (
            json!({"apiVersion": "v1", "kind": "ReplicationController", "spec": {"template": template()}}),
            "spec.template.spec",
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": template()}}),
            "spec.template.spec",
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": template()}}}}),
            "spec.jobTemplate.spec.template.spec",
        ),
        (
            json!({"apiVersion": "v1", "kind": "PodTemplate", "template": template()}),
            "template.spec",
        ),
    ];
    for (object, spec_path) in cases {
        let violations = evaluate(&object, Level::Baseline, Version::LATEST);
        assert_eq!(violations.len(), 1, "{object}");
        assert_eq!(violations[0].control.code, "PSS003");
        assert_eq!(
            violations[0].path_string(),
            format!("{spec_path}.containers[0].securityContext.privileged")
        );
        let (path, _, _) = pod_spec_path(&object).expect("carrier");
        assert_eq!(JsonPath(&path).to_string(), spec_path);
    }
}

#[test]
fn template_annotations_are_read_from_the_template_metadata() {
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}},
        "spec": {"template": {
            "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}
        }}
    });
    assert_eq!(
        lines(&deployment, "baseline", "latest"),
        ["PSS007 spec.template.metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/app\"]: forbidden AppArmor profile (annotation must not set AppArmor profile type to \"container.apparmor.security.beta.kubernetes.io/app=\"unconfined\"\")"]
    );
}

#[test]
fn objects_without_pod_specs_report_nothing() {
    for object in [
        json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80}]}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Deployment", "spec": {"template": template()}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 1}}),
        json!({"kind": "Pod"}),
        json!("Pod"),
    ] {
        assert!(
            evaluate(&object, Level::Restricted, Version::LATEST).is_empty(),
            "{object}"
        );
    }
}

#[test]
fn the_privileged_level_reports_nothing() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": privileged_spec()});
    assert!(evaluate(&pod, Level::Privileged, Version::LATEST).is_empty());
    assert!(!evaluate(&pod, Level::Baseline, Version::LATEST).is_empty());
}

#[test]
fn restricted_includes_every_baseline_control_not_overridden() {
    let pod = with(
        restricted_pod(),
        &[
            ("/spec/hostPID", json!(true)),
            ("/spec/containers/0/securityContext/privileged", json!(true)),
            (
                "/spec/containers/0/ports",
                json!([{"containerPort": 80, "hostPort": 80}]),
            ),
        ],
    );
    assert_codes(
        &pod,
        "restricted",
        "latest",
        &["PSS002", "PSS003", "PSS006"],
    );
}
