//! Namespaces as tenants, checked on realistic stacks from the rendered objects alone: every
//! pod runs as its own ServiceAccount, RBAC exists only where the workload talks to the API
//! (least privilege, lint's RBAC rules silent), and each namespace's ResourceQuota equals the
//! workloads' requests and limits plus the headroom docs/quota.md documents, recomputed here
//! independently, so every workload at its autoscaling maximum, mid-rollout, next to the
//! backup jobs, fits.

mod support;

use homeport_plan::cluster::{parse_cpu_millis, parse_memory_bytes};
use serde_json::Value;
use std::collections::BTreeMap;
use support::check::{check_stack, copy_stack};
use support::*;

const WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];

fn ns_of(o: &Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or("")
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

/// Totals a quota counts, by resource name (`requests.cpu` in millis, memory in bytes).
type Figures = BTreeMap<String, u64>;

fn add(into: &mut Figures, from: &Figures, times: u64) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v * times;
    }
}

fn quantity(resource: &str, v: &Value) -> u64 {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if resource == "cpu" {
        parse_cpu_millis(&text).unwrap()
    } else if resource == "memory" || resource == "storage" {
        parse_memory_bytes(&text).unwrap()
    } else {
        text.parse().unwrap()
    }
}

/// One container's requests and limits, as a quota names them.
fn container_figures(c: &Value) -> Figures {
    let mut f = Figures::new();
    for (kind, key) in [("requests", "requests"), ("limits", "limits")] {
        let Some(m) = c["resources"][kind].as_object() else {
            continue;
        };
        for (res, q) in m {
            if res == "ephemeral-storage" {
                // The quota does not limit it (the data receiver asks for some).
                continue;
            }
            if res == "cpu" || res == "memory" {
                *f.entry(format!("{key}.{res}")).or_default() += quantity(res, q);
            } else if kind == "requests" {
                *f.entry(format!("requests.{res}")).or_default() += quantity(res, q);
            }
        }
    }
    f
}

/// What Kubernetes charges one pod: max(sum of containers + sidecars, each init container +
/// the sidecars started before it), per resource.
fn pod_figures(spec: &Value) -> Figures {
    let mut regular = Figures::new();
    for c in spec["containers"].as_array().unwrap() {
        add(&mut regular, &container_figures(c), 1);
    }
    let mut sidecars = Figures::new();
    let mut peak = Figures::new();
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        let f = container_figures(c);
        if c["restartPolicy"] == "Always" {
            add(&mut regular, &f, 1);
            add(&mut sidecars, &f, 1);
            continue;
        }
        let mut here = sidecars.clone();
        add(&mut here, &f, 1);
        for (k, v) in here {
            let e = peak.entry(k).or_default();
            *e = (*e).max(v);
        }
    }
    for (k, v) in peak {
        let e = regular.entry(k).or_default();
        *e = (*e).max(v);
    }
    regular.insert("pods".into(), 1);
    regular
}

fn pod_spec(w: &Value) -> &Value {
    &pod_template(w)["spec"]
}

/// The replicas a workload may run at once: its autoscaler's maximum (or its replicas),
/// plus the rolling-update surge; one per node for a DaemonSet; one for a Job or CronJob.
fn max_pods(objects: &[Value], w: &Value, nodes: u64) -> (u64, u64) {
    let kind = w["kind"].as_str().unwrap();
    match kind {
        "Deployment" | "StatefulSet" => {
            let scaler = objects.iter().find(|o| {
                ns_of(o) == ns_of(w)
                    && (o["kind"] == "HorizontalPodAutoscaler" || o["kind"] == "ScaledObject")
                    && o["spec"]["scaleTargetRef"]["name"] == w["metadata"]["name"]
            });
            // Under an autoscaler the workload carries no replicas: the scaler's max counts.
            let max = match scaler {
                Some(s) if s["kind"] == "HorizontalPodAutoscaler" => {
                    s["spec"]["maxReplicas"].as_u64().unwrap()
                }
                Some(s) => s["spec"]["maxReplicaCount"].as_u64().unwrap(),
                None => w["spec"]["replicas"].as_u64().unwrap_or(1),
            };
            let surge = if kind == "Deployment" && w["spec"]["strategy"]["type"] != "Recreate" {
                match &w["spec"]["strategy"]["rollingUpdate"]["maxSurge"] {
                    Value::Number(n) => n.as_u64().unwrap(),
                    Value::String(p) => {
                        let pct: u64 = p.trim_end_matches('%').parse().unwrap();
                        (max * pct).div_ceil(100)
                    }
                    _ => (max * 25).div_ceil(100),
                }
            } else {
                0
            };
            (max, surge)
        }
        "DaemonSet" => (nodes, 0),
        "CronJob" => {
            assert_eq!(
                w["spec"]["concurrencyPolicy"],
                "Forbid",
                "{}: one run at a time",
                name(w)
            );
            (1, 0)
        }
        _ => (1, 0),
    }
}

/// The quota each namespace needs, recomputed from the rendered objects (docs/quota.md).
fn expected_quotas(objects: &[Value], nodes: u64) -> BTreeMap<String, Figures> {
    let mut out: BTreeMap<String, Figures> = BTreeMap::new();
    for w in objects
        .iter()
        .filter(|o| WORKLOADS.contains(&o["kind"].as_str().unwrap_or("")))
    {
        let ns = ns_of(w).to_string();
        let (max, surge) = max_pods(objects, w, nodes);
        let f = pod_figures(pod_spec(w));
        let entry = out.entry(ns).or_default();
        add(entry, &f, max + surge);
        for t in w["spec"]["volumeClaimTemplates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            *entry.entry("persistentvolumeclaims".into()).or_default() += max;
            *entry.entry("requests.storage".into()).or_default() +=
                max * quantity("storage", &t["spec"]["resources"]["requests"]["storage"]);
        }
    }
    let mut with_claims: Vec<String> = Vec::new();
    for c in kind(objects, "PersistentVolumeClaim") {
        let entry = out.entry(ns_of(c).to_string()).or_default();
        *entry.entry("persistentvolumeclaims".into()).or_default() += 1;
        *entry.entry("requests.storage".into()).or_default() +=
            quantity("storage", &c["spec"]["resources"]["requests"]["storage"]);
        with_claims.push(ns_of(c).to_string());
    }
    for w in objects.iter().filter(|o| {
        o["spec"]["volumeClaimTemplates"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    }) {
        with_claims.push(ns_of(w).to_string());
    }
    // One receiver pod of `homeport data` at a time, as it writes it, in each namespace with
    // claims to fill.
    with_claims.sort();
    with_claims.dedup();
    for ns in with_claims {
        let claim = homeport_data::plan::Claim {
            namespace: ns.clone(),
            name: "data".into(),
            storage_class: None,
            access_mode: "ReadWriteOnce".into(),
            size: "1Gi".into(),
        };
        let manifest = homeport_data::receiver::manifest(&claim, (1000, 1000));
        let receiver = parse_stream(&manifest)
            .into_iter()
            .find(|o| o["kind"] == "Pod")
            .expect("the receiver manifest holds a Pod");
        add(
            out.entry(ns).or_default(),
            &pod_figures(&receiver["spec"]),
            1,
        );
    }
    out
}

fn quota_hard(q: &Value) -> Figures {
    q["spec"]["hard"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let res = if k.ends_with("cpu") {
                "cpu"
            } else if k.ends_with("memory") {
                "memory"
            } else if k == "requests.storage" {
                "storage"
            } else {
                "count"
            };
            (k.clone(), quantity(res, v))
        })
        .filter(|(_, v)| *v > 0)
        .collect()
}

/// Every tenancy property of `objects`; `api_clients` are the workloads (namespace, name)
/// expected to talk to the Kubernetes API.
fn check_tenancy(objects: &[Value], nodes: u64, api_clients: &[(&str, &str)]) {
    // Every container homeport writes has requests and limits for cpu and memory.
    for w in objects
        .iter()
        .filter(|o| WORKLOADS.contains(&o["kind"].as_str().unwrap_or("")))
    {
        let spec = pod_spec(w);
        for c in spec["containers"]
            .as_array()
            .unwrap()
            .iter()
            .chain(spec["initContainers"].as_array().into_iter().flatten())
        {
            for part in ["requests", "limits"] {
                for res in ["cpu", "memory"] {
                    assert!(
                        !c["resources"][part][res].is_null(),
                        "{} {}: container {} has no {part}.{res}",
                        w["kind"],
                        name(w),
                        c["name"]
                    );
                }
            }
        }
    }

    // Every workload runs as a ServiceAccount of its own (backup jobs as their database's).
    let mut owners: BTreeMap<(String, String), String> = BTreeMap::new();
    for w in objects
        .iter()
        .filter(|o| WORKLOADS.contains(&o["kind"].as_str().unwrap_or("")))
    {
        let spec = pod_spec(w);
        let sa = spec["serviceAccountName"]
            .as_str()
            .unwrap_or_else(|| panic!("{} {} has no serviceAccountName", w["kind"], name(w)));
        assert_ne!(sa, "default");
        let account = kind(objects, "ServiceAccount")
            .into_iter()
            .find(|a| ns_of(a) == ns_of(w) && name(a) == sa)
            .unwrap_or_else(|| panic!("{}: no ServiceAccount {sa}", name(w)));
        let backup = w["metadata"]["annotations"]["homeport.dev/backup-of"].as_str();
        match backup {
            Some(db) => assert_eq!(sa, db, "{}: backup jobs run as the database", name(w)),
            None => {
                let previous = owners.insert((ns_of(w).into(), sa.into()), name(w).into());
                assert!(
                    previous.is_none(),
                    "{sa} shared by {} and {previous:?}",
                    name(w)
                );
                assert_eq!(sa, name(w));
            }
        }
        let client = api_clients.contains(&(ns_of(w), sa));
        assert_eq!(
            spec["automountServiceAccountToken"].as_bool(),
            Some(client),
            "{}: token mounted only for API clients",
            name(w)
        );
        assert_eq!(
            account["automountServiceAccountToken"].as_bool(),
            Some(client)
        );
    }

    // RBAC only for the API clients, bound to their own account; least privilege.
    let mut bound: Vec<(String, String)> = Vec::new();
    for b in objects
        .iter()
        .filter(|o| o["kind"] == "RoleBinding" || o["kind"] == "ClusterRoleBinding")
    {
        let subjects = b["subjects"].as_array().unwrap();
        assert_eq!(subjects.len(), 1, "{}", name(b));
        let s = &subjects[0];
        assert_eq!(s["kind"], "ServiceAccount");
        let role_kind = if b["kind"] == "RoleBinding" {
            "Role"
        } else {
            "ClusterRole"
        };
        assert_eq!(b["roleRef"]["kind"], role_kind);
        let role = objects
            .iter()
            .find(|o| {
                o["kind"] == role_kind
                    && name(o) == b["roleRef"]["name"].as_str().unwrap()
                    && (role_kind == "ClusterRole" || ns_of(o) == ns_of(b))
            })
            .unwrap_or_else(|| panic!("{}: its role is not written", name(b)));
        for rule in role["rules"].as_array().unwrap() {
            for field in ["apiGroups", "resources", "verbs"] {
                assert!(
                    !rule[field].as_array().unwrap().iter().any(|v| v == "*"),
                    "{}: `*` in {field}",
                    name(role)
                );
            }
            assert!(
                !rule["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v == "secrets"),
                "{}: reads Secrets",
                name(role)
            );
        }
        bound.push((
            s["namespace"].as_str().unwrap().to_string(),
            s["name"].as_str().unwrap().to_string(),
        ));
    }
    for (ns, sa) in &bound {
        assert!(
            api_clients.contains(&(ns.as_str(), sa.as_str())),
            "{ns}/{sa} is bound to a role but does not talk to the API"
        );
    }
    for (ns, sa) in api_clients {
        assert!(
            bound.iter().any(|(n, s)| n == ns && s == sa),
            "{ns}/{sa} talks to the API but has no role"
        );
    }

    // The quota is exactly the recomputed figures; and the dry run at every maximum fits.
    let expected = expected_quotas(objects, nodes);
    let quotas = kind(objects, "ResourceQuota");
    assert_eq!(quotas.len(), expected.len(), "one quota per namespace");
    for (ns, want) in &expected {
        let q = quotas
            .iter()
            .find(|q| ns_of(q) == ns)
            .unwrap_or_else(|| panic!("no ResourceQuota in {ns}"));
        let hard = quota_hard(q);
        let want: Figures = want
            .iter()
            .filter(|(_, v)| **v > 0)
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        assert_eq!(&hard, &want, "quota of {ns}");
        // Dry run: every workload at its maximum plus surge, and every Job running, uses at
        // most the quota; one more pod of the largest workload does not fit.
        for (k, used) in &want {
            assert!(used <= hard.get(k).unwrap_or(&0), "{ns}: {k} over quota");
        }
        let limit_range = kind(objects, "LimitRange")
            .into_iter()
            .find(|l| ns_of(l) == ns)
            .unwrap_or_else(|| panic!("no LimitRange in {ns}"));
        let l = &limit_range["spec"]["limits"][0];
        assert_eq!(l["type"], "Container");
        for part in ["default", "defaultRequest"] {
            for res in ["cpu", "memory"] {
                assert!(!l[part][res].is_null(), "{ns}: LimitRange {part}.{res}");
            }
        }
    }
}

/// Nodes of the stack's cluster (DaemonSets run one pod on each).
fn node_count(compose: &std::path::Path) -> u64 {
    let out = run(homeport()
        .arg("-f")
        .arg(compose)
        .args(["plan", "--format", "json"]));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    plan["nodes"]
        .as_array()
        .map_or(1, |n| n.len().max(1) as u64)
}

/// Lint's RBAC findings (rule codes RBC...) on the rendered objects.
fn rbac_findings(text: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("render.yaml");
    std::fs::write(&file, text).unwrap();
    let out = run(homeport().arg("lint").arg(&file).args(["--color", "never"]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .filter(|l| l.contains("[RBC"))
        .map(str::to_string)
        .collect()
}

#[test]
fn tenants_stack_accounts_least_privilege_rbac_and_exact_quotas() {
    let compose = stack_compose("tenants");
    let (objects, plan) = check_stack(&compose, &["fake-tenant-password"]);
    check_tenancy(
        &objects,
        node_count(&compose),
        &[
            ("observability", "prometheus"),
            ("observability", "promtail"),
            ("observability", "homepage"),
            ("tenants", "worker"),
        ],
    );
    // Prometheus, Promtail and Homepage read cluster-scoped nodes: ClusterRoles, read-only.
    let prom = named(&objects, "ClusterRole", "observability-prometheus").expect("ClusterRole");
    let rules = prom["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "nodes/metrics")));
    for r in rules {
        assert_eq!(r["verbs"], serde_json::json!(["get", "list", "watch"]));
    }
    let homepage = named(&objects, "ClusterRole", "observability-homepage").unwrap();
    for r in homepage["rules"].as_array().unwrap() {
        assert_eq!(r["verbs"], serde_json::json!(["get", "list"]));
    }
    // The worker's hint: a Role in its namespace for configmaps, a ClusterRole for namespaces.
    let role = named(&objects, "Role", "worker").expect("worker Role");
    assert_eq!(ns_of(role), "tenants");
    assert_eq!(
        role["rules"][0]["resources"],
        serde_json::json!(["configmaps"])
    );
    let cr = named(&objects, "ClusterRole", "tenants-worker").expect("worker ClusterRole");
    assert_eq!(
        cr["rules"][0]["resources"],
        serde_json::json!(["namespaces"])
    );
    assert_eq!(cr["rules"][0]["verbs"], serde_json::json!(["get"]));
    // Grafana needs no API: no role at all.
    assert!(named(&objects, "ClusterRole", "observability-grafana").is_none());
    // The plan explains it.
    assert!(plan.contains("SERVICE ACCOUNTS"), "{plan}");
    assert!(plan.contains("rolling-update surge"), "{plan}");
    assert!(plan.contains("autoscaling to 6 replicas"), "{plan}");
    // The API's quota share: 6 replicas at most, surge 2 (25% of 6, rounded up).
    let q = kind(&objects, "ResourceQuota")
        .into_iter()
        .find(|q| ns_of(q) == "tenants")
        .unwrap();
    assert!(
        q["spec"]["hard"]["pods"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 8 + 3
    );
    let (text, _) = render(&compose);
    assert_eq!(rbac_findings(&text), Vec::<String>::new());
}

#[test]
fn realistic_stacks_every_pod_own_account_and_quota_fits_every_maximum() {
    for (stack, clients) in [
        ("transcode-service", &[][..]),
        ("media-server", &[][..]),
        ("gpu-autoscale", &[][..]),
        ("shop-api", &[][..]),
    ] {
        let (_tmp, compose) = copy_stack(stack);
        let (objects, _) = check_stack(&compose, &[]);
        check_tenancy(&objects, node_count(&compose), clients);
        let (text, _) = render(&compose);
        assert_eq!(rbac_findings(&text), Vec::<String>::new(), "{stack}");
    }
}

#[test]
fn corpus_prometheus_gets_a_read_only_cluster_role() {
    let Some(corpus) = homeport_testkit::require_corpus() else {
        return;
    };
    let compose = corpus.join("docker/awesome-compose/prometheus-grafana/compose.yaml");
    let (objects, _) = check_stack(&compose, &[]);
    check_tenancy(
        &objects,
        node_count(&compose),
        &[("prometheus-grafana", "prometheus")],
    );
}

#[test]
fn quota_false_writes_no_quota_nor_limit_range() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = tmp.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "name: noquota\nx-homeport:\n  quota: false\nservices:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n",
    )
    .unwrap();
    let (_, objects) = render(&compose);
    assert!(kind(&objects, "ResourceQuota").is_empty());
    assert!(kind(&objects, "LimitRange").is_empty());
    // Still its own account.
    assert!(named(&objects, "ServiceAccount", "web").is_some());
    let plan = run(homeport().arg("-f").arg(&compose).arg("plan"));
    assert!(String::from_utf8_lossy(&plan.stdout).contains("x-homeport.quota: false"));
}

#[test]
fn bad_rbac_hints_are_errors_with_their_location() {
    for (hint, message) in [
        ("[{resources: [pods], verbs: [\"*\"]}]", "never grants `*`"),
        (
            "[{resources: [pods], verbs: [escalate]}]",
            "never grants `escalate`",
        ),
        (
            "[{resources: [\"*\"], verbs: [get]}]",
            "is not a resource name",
        ),
        (
            "[{resources: [pods], verbs: [read]}]",
            "is not a Kubernetes API verb",
        ),
        (
            "[{resources: [pods], verbs: [get], scope: global}]",
            "is not one of namespace, cluster",
        ),
        ("[{verbs: [get]}]", "names no `resources`"),
        ("true", "does not say what the service may do"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let compose = tmp.path().join("compose.yaml");
        std::fs::write(
            &compose,
            format!("name: bad\nservices:\n  web:\n    image: nginx:1.27\n    x-homeport:\n      rbac: {hint}\n"),
        )
        .unwrap();
        let out_dir = tmp.path().join("out");
        let out = run(homeport()
            .arg("-f")
            .arg(&compose)
            .arg("convert")
            .arg("--out")
            .arg(&out_dir));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{hint}: {stderr}");
        assert!(stderr.contains(message), "{hint}: {stderr}");
        assert!(
            stderr.contains("compose.yaml:6:"),
            "{hint}: location: {stderr}"
        );
        assert!(!out_dir.exists(), "{hint}: nothing written");
    }
}

#[test]
fn hinted_secret_access_is_written_with_a_warning_and_an_explained_exception() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = tmp.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "name: sec\nservices:\n  sync:\n    image: ghcr.io/example/secret-sync:1.0.0\n    x-homeport:\n      rbac:\n        - {resources: [secrets], verbs: [get, list]}\n",
    )
    .unwrap();
    let output = run(homeport().arg("-f").arg(&compose).arg("render"));
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let objects = parse_stream(&text);
    let role = named(&objects, "Role", "sync").expect("Role");
    assert_eq!(
        role["metadata"]["annotations"]["homeport.dev/ignore"],
        "rbac-secret-read"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("HP0530"));
    assert_eq!(rbac_findings(&text), Vec::<String>::new());
}

fn compose_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            compose_files(&path, out);
        } else {
            let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
            if name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml")) {
                out.push(path);
            }
        }
    }
}

/// Every corpus file that renders: each pod its own account, the token only where a role is
/// bound, no `*` nor Secrets in any role, and each quota exactly the recomputed figures.
#[test]
fn every_corpus_stack_gets_accounts_and_exact_quotas() {
    let Some(corpus) = homeport_testkit::require_corpus() else {
        return;
    };
    let mut files = Vec::new();
    compose_files(&corpus, &mut files);
    let mut checked = 0;
    for file in &files {
        let output = run(homeport()
            .arg("-f")
            .arg(file)
            .arg("render")
            .env_remove("HOME"));
        if output.status.code() != Some(0) {
            continue;
        }
        let objects = parse_stream(&String::from_utf8_lossy(&output.stdout));
        let clients: Vec<(String, String)> = objects
            .iter()
            .filter(|o| o["kind"] == "RoleBinding" || o["kind"] == "ClusterRoleBinding")
            .map(|b| {
                let s = &b["subjects"][0];
                (
                    s["namespace"].as_str().unwrap_or("").to_string(),
                    s["name"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let clients: Vec<(&str, &str)> = clients
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str()))
            .collect();
        let nodes = node_count(file);
        let result = std::panic::catch_unwind(|| check_tenancy(&objects, nodes, &clients));
        assert!(result.is_ok(), "{}", file.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} corpus stacks rendered");
}

/// A data service granted API access by hint has no internet egress, yet reaches the API
/// server: its NetworkPolicy admits the API ports only.
#[test]
fn an_api_client_without_internet_egress_reaches_the_api_server() {
    let tmp = tempfile::tempdir().unwrap();
    let compose = tmp.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "name: cache\nservices:\n  web:\n    image: ghcr.io/example/web:1.0\n    ports: [\"8080:8080\"]\n    depends_on: [redis]\n  redis:\n    image: redis:7.4\n    x-homeport:\n      rbac:\n        - {resources: [endpoints], verbs: [get]}\n",
    )
    .unwrap();
    let (_, objects) = render(&compose);
    let np = named(&objects, "NetworkPolicy", "redis").expect("redis NetworkPolicy");
    let egress = np["spec"]["egress"].as_array().unwrap();
    let api: Vec<&Value> = egress
        .iter()
        .filter(|e| {
            e["to"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| !t["ipBlock"].is_null())
        })
        .collect();
    assert_eq!(api.len(), 1, "{egress:?}");
    let ports: Vec<u64> = api[0]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["port"].as_u64().unwrap())
        .collect();
    assert_eq!(ports, vec![6443, 443]);
    // The web app (no API access) gets nothing of the kind beyond its own internet egress.
    let web = named(&objects, "NetworkPolicy", "web").unwrap();
    assert!(web["spec"]["egress"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["ports"]
            .as_array()
            .is_none_or(|p| !p.iter().any(|p| p["port"] == 6443))));
}
