//! Objects shared by the tests.
#![allow(dead_code)]

use serde_json::{json, Value};

pub fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop"},
            "annotations": {"homeport.dev/source": "compose.yaml"}
        },
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {
                    "containers": [{
                        "name": name,
                        "image": "nginx:1.27",
                        "imagePullPolicy": "IfNotPresent",
                        "args": ["--port", "8080"],
                        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        "env": [
                            {"name": "MODE", "value": "production"},
                            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}
                        ],
                        "envFrom": [{"configMapRef": {"name": "web-config"}}],
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "128Mi"},
                            "limits": {"cpu": 1, "memory": "256Mi"}
                        },
                        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
                        "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5},
                        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": false}],
                        "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "allowPrivilegeEscalation": false,
                                            "capabilities": {"drop": ["ALL"]}}
                    }],
                    "volumes": [
                        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                        {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}
                    ],
                    "restartPolicy": "Always",
                    "terminationGracePeriodSeconds": 30,
                    "nodeSelector": {"kubernetes.io/os": "linux"}
                }
            }
        }
    })
}

pub fn service(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": name},
            "ports": [
                {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
                {"name": "metrics", "port": 9090, "targetPort": 9090}
            ]
        }
    })
}

pub fn config_map(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": {"LOG_LEVEL": "info", "nginx.conf": "server { listen 8080; }\n"},
        "binaryData": {"logo.png": "iVBORw0KGgo="}
    })
}

pub fn secret(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name},
        "type": "Opaque",
        "data": {"password": "aHVudGVyMg=="},
        "stringData": {"user": "admin"}
    })
}

pub fn pvc(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "standard",
            "resources": {"requests": {"storage": "10Gi"}}
        }
    })
}

pub fn ingress(name: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"}},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
            "rules": [{
                "host": "shop.example.com",
                "http": {"paths": [{
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"number": 80}}}
                }]}
            }]
        }
    })
}

pub fn network_policy(name: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name},
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
            "policyTypes": ["Ingress"],
            "ingress": [{
                "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}],
                "ports": [{"protocol": "TCP", "port": 5432}]
            }]
        }
    })
}

pub fn hpa(name: &str) -> Value {
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 2,
            "maxReplicas": 10,
            "metrics": [{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}
            }]
        }
    })
}

pub fn pdb(name: &str) -> Value {
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}
    })
}

fn job_spec() -> Value {
    json!({
        "backoffLimit": 3,
        "ttlSecondsAfterFinished": 600,
        "template": {
            "spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "migrate", "image": "shop/migrate:1.0", "command": ["/migrate", "up"]}]
            }
        }
    })
}

pub fn job(name: &str) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": job_spec()
    })
}

pub fn cron_job(name: &str) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": "*/5 * * * *",
            "concurrencyPolicy": "Forbid",
            "timeZone": "Etc/UTC",
            "jobTemplate": {"spec": job_spec()}
        }
    })
}

pub fn stateful_set(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "serviceName": name,
            "replicas": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {"containers": [{
                    "name": "postgres",
                    "image": "postgres:16",
                    "ports": [{"containerPort": 5432}],
                    "volumeMounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]
                }]}
            },
            "volumeClaimTemplates": [{
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}
            }]
        }
    })
}

pub fn daemon_set(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {
                    "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],
                    "hostNetwork": true,
                    "containers": [{"name": "agent", "image": "fluent/fluent-bit:3.0",
                                    "resources": {"limits": {"memory": "200Mi"}}}]
                }
            }
        }
    })
}

/// Every valid object above, by a short name.
pub fn valid_objects() -> Vec<(&'static str, Value)> {
    vec![
        ("deployment", deployment("web")),
        ("service", service("web")),
        ("configmap", config_map("web-config")),
        ("secret", secret("db")),
        ("pvc", pvc("data")),
        ("ingress", ingress("web")),
        ("networkpolicy", network_policy("db")),
        ("hpa", hpa("web")),
        ("pdb", pdb("web")),
        ("cronjob", cron_job("cleanup")),
        ("job", job("migrate")),
        ("statefulset", stateful_set("db")),
        ("daemonset", daemon_set("agent")),
    ]
}

/// Sets `value` at a `/`-separated path of keys and indexes, creating nothing.
pub fn set(object: &mut Value, path: &str, value: Value) {
    let target = object
        .pointer_mut(path)
        .unwrap_or_else(|| panic!("no {path} in the object"));
    *target = value;
}

/// Removes the key at a JSON pointer.
pub fn remove(object: &mut Value, path: &str) {
    let (parent, key) = path.rsplit_once('/').expect("a pointer with a parent");
    object
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"))
        .remove(&key.replace("~1", "/").replace("~0", "~"))
        .unwrap_or_else(|| panic!("no {path}"));
}

/// Inserts `key: value` into the object at JSON pointer `parent`.
pub fn insert(object: &mut Value, parent: &str, key: &str, value: Value) {
    object
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"))
        .insert(key.to_string(), value);
}
