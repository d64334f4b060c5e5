//! Snapshots of what users see: messages and paths for representative objects, and the
//! control table.

mod common;

use common::lines;
use homeport_pss::controls;
use serde_json::json;

fn kitchen_sink_deployment() -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "media", "namespace": "media"},
        "spec": {
            "selector": {"matchLabels": {"app": "media"}},
            "template": {
                "metadata": {
                    "labels": {"app": "media"},
                    "annotations": {"container.apparmor.security.beta.kubernetes.io/jellyfin": "unconfined"}
                },
                "spec": {
                    "hostNetwork": true,
                    "securityContext": {
                        "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}],
                        "seLinuxOptions": {"type": "spc_t", "user": "system_u"}
                    },
                    "initContainers": [{
                        "name": "chown",
                        "image": "busybox:1.36",
                        "securityContext": {"runAsUser": 0, "runAsNonRoot": false, "capabilities": {"add": ["CHOWN"]}}
                    }],
                    "containers": [{
                        "name": "jellyfin",
                        "image": "jellyfin/jellyfin:10.9.9",
                        "ports": [{"containerPort": 8096, "hostPort": 8096}],
                        "securityContext": {
                            "privileged": true,
                            "allowPrivilegeEscalation": true,
                            "procMount": "Unmasked",
                            "seccompProfile": {"type": "Unconfined"},
                            "capabilities": {"add": ["SYS_ADMIN"]}
                        },
                        "livenessProbe": {"httpGet": {"host": "10.0.0.1", "path": "/health", "port": 8096}}
                    }],
                    "volumes": [
                        {"name": "config", "hostPath": {"path": "/srv/jellyfin"}},
                        {"name": "media", "nfs": {"server": "nas.lan", "path": "/volume1/media"}},
                        {"name": "cache", "emptyDir": {}}
                    ]
                }
            }
        }
    })
}

#[test]
fn kitchen_sink_deployment_baseline() {
    insta::assert_snapshot!(lines(&kitchen_sink_deployment(), "baseline", "latest").join("\n"));
}

#[test]
fn kitchen_sink_deployment_restricted() {
    insta::assert_snapshot!(lines(&kitchen_sink_deployment(), "restricted", "latest").join("\n"));
}

#[test]
fn compose_style_cronjob_restricted() {
    // What a naive Compose conversion produces: no securityContext at all.
    let cronjob = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "backup"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "restic", "image": "restic/restic:0.17.0"}]
            }}}}
        }
    });
    insta::assert_snapshot!(lines(&cronjob, "restricted", "latest").join("\n"));
}

#[test]
fn control_table() {
    let table: Vec<String> = controls()
        .iter()
        .map(|c| {
            format!(
                "{} {:<32} {:<10} since {:<5} {:<27} {}",
                c.code, c.name, c.level, c.since, c.upstream_id, c.summary
            )
        })
        .collect();
    insta::assert_snapshot!(table.join("\n"));
}
