//! The pod template: containers, init waits, volumes, security contexts, placement.

use crate::meta;
use homeport_plan::cluster::{format_cpu_millis, format_memory_bytes};
use homeport_plan::*;
use serde_json::{json, Map, Value};

/// Pinned image of the dependency-wait init containers.
pub const WAIT_IMAGE: &str = "busybox:1.36.1";

fn probe(p: &ProbePlan) -> Value {
    let mut m = Map::new();
    match &p.action {
        ProbeAction::Exec(cmd) => {
            m.insert("exec".into(), json!({"command": cmd}));
        }
        ProbeAction::Http { port, path } => {
            m.insert("httpGet".into(), json!({"path": path, "port": port}));
        }
        ProbeAction::Tcp { port } => {
            m.insert("tcpSocket".into(), json!({"port": port}));
        }
    }
    if p.initial_delay_seconds > 0 {
        m.insert("initialDelaySeconds".into(), json!(p.initial_delay_seconds));
    }
    m.insert("periodSeconds".into(), json!(p.period_seconds.max(1)));
    m.insert("timeoutSeconds".into(), json!(p.timeout_seconds.max(1)));
    m.insert("failureThreshold".into(), json!(p.failure_threshold.max(1)));
    Value::Object(m)
}

fn resources(r: &ResourcePlan) -> Value {
    let mut requests = Map::new();
    requests.insert(
        "cpu".into(),
        json!(format_cpu_millis(r.cpu_request_millis.max(1))),
    );
    requests.insert(
        "memory".into(),
        json!(format_memory_bytes(r.memory_request_bytes.max(1))),
    );
    let mut limits = Map::new();
    if let Some(c) = r.cpu_limit_millis {
        limits.insert("cpu".into(), json!(format_cpu_millis(c.max(1))));
    }
    limits.insert(
        "memory".into(),
        json!(format_memory_bytes(r.memory_limit_bytes.max(1))),
    );
    if let Some((name, n)) = &r.gpu {
        limits.insert(name.clone(), json!(n.to_string()));
        requests.insert(name.clone(), json!(n.to_string()));
    }
    json!({"requests": requests, "limits": limits})
}

fn security_context(s: &ContainerSecurity) -> Value {
    let mut m = Map::new();
    if s.privileged {
        m.insert("privileged".into(), json!(true));
        m.insert("allowPrivilegeEscalation".into(), json!(true));
    } else {
        m.insert("allowPrivilegeEscalation".into(), json!(false));
    }
    if s.run_as_non_root {
        m.insert("runAsNonRoot".into(), json!(true));
    }
    if let Some(u) = s.run_as_user {
        m.insert("runAsUser".into(), json!(u));
    }
    if let Some(g) = s.run_as_group {
        m.insert("runAsGroup".into(), json!(g));
    }
    m.insert("readOnlyRootFilesystem".into(), json!(s.read_only_root));
    let mut caps = Map::new();
    if !s.privileged {
        caps.insert("drop".into(), json!(["ALL"]));
    }
    if !s.cap_add.is_empty() {
        caps.insert("add".into(), json!(s.cap_add));
    }
    if !caps.is_empty() {
        m.insert("capabilities".into(), Value::Object(caps));
    }
    Value::Object(m)
}

fn container(c: &ContainerPlan) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name));
    m.insert("image".into(), json!(c.image));
    if let Some(p) = &c.image_pull_policy {
        m.insert("imagePullPolicy".into(), json!(p));
    }
    if let Some(cmd) = &c.command {
        m.insert("command".into(), json!(cmd));
    }
    if let Some(args) = &c.args {
        m.insert("args".into(), json!(args));
    }
    if let Some(w) = &c.working_dir {
        m.insert("workingDir".into(), json!(w));
    }
    let mut env_from = Vec::new();
    if !c.config_env.is_empty() {
        env_from.push(json!({"configMapRef": {"name": format!("{}-env", c.name)}}));
    }
    if !c.secret_env.is_empty() {
        env_from.push(json!({"secretRef": {"name": format!("{}-env", c.name)}}));
    }
    if !env_from.is_empty() {
        m.insert("envFrom".into(), json!(env_from));
    }
    if !c.ports.is_empty() {
        let ports: Vec<Value> = c
            .ports
            .iter()
            .map(|p| json!({"name": p.name, "containerPort": p.target, "protocol": p.protocol}))
            .collect();
        m.insert("ports".into(), json!(ports));
    }
    m.insert("resources".into(), resources(&c.resources));
    if let Some(p) = &c.probes.startup {
        m.insert("startupProbe".into(), probe(p));
    }
    if let Some(p) = &c.probes.readiness {
        m.insert("readinessProbe".into(), probe(p));
    }
    if let Some(p) = &c.probes.liveness {
        m.insert("livenessProbe".into(), probe(p));
    }
    m.insert("securityContext".into(), security_context(&c.security));
    if !c.mounts.is_empty() {
        let mounts: Vec<Value> = c
            .mounts
            .iter()
            .map(|mt| {
                let mut v = Map::new();
                v.insert("name".into(), json!(mt.volume));
                v.insert("mountPath".into(), json!(mt.path));
                if let Some(s) = &mt.sub_path {
                    v.insert("subPath".into(), json!(s));
                }
                if mt.read_only {
                    v.insert("readOnly".into(), json!(true));
                }
                Value::Object(v)
            })
            .collect();
        m.insert("volumeMounts".into(), json!(mounts));
    }
    if c.tty {
        m.insert("tty".into(), json!(true));
    }
    if c.stdin {
        m.insert("stdin".into(), json!(true));
    }
    Value::Object(m)
}

/// Requests and limits of the wait and seed init containers (counted by the quota).
fn init_resources() -> Value {
    json!({
        "requests": {"cpu": format_cpu_millis(INIT_CPU_REQUEST_MILLIS), "memory": format_memory_bytes(INIT_MEMORY_REQUEST_BYTES)},
        "limits": {"cpu": format_cpu_millis(INIT_CPU_LIMIT_MILLIS), "memory": format_memory_bytes(INIT_MEMORY_LIMIT_BYTES)},
    })
}

fn wait_container(plan: &Plan, pod: &PodPlan, w: &WaitFor) -> Value {
    let host = match plan.pods.iter().find(|p| p.name == w.host) {
        Some(t) if t.namespace != pod.namespace => format!("{}.{}.svc", t.name, t.namespace),
        _ => w.host.clone(),
    };
    let name: String = format!("wait-for-{}", w.host).chars().take(63).collect();
    json!({
        "name": name.trim_end_matches('-'),
        "image": WAIT_IMAGE,
        "imagePullPolicy": "Always",
        "command": ["sh", "-c", format!("until nc -z -w 2 {host} {port}; do echo waiting for {host}:{port}; sleep 2; done", port = w.port)],
        "resources": init_resources(),
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "runAsNonRoot": true,
            "runAsUser": 65534,
            "runAsGroup": 65534,
            "readOnlyRootFilesystem": true,
            "capabilities": {"drop": ["ALL"]},
        },
    })
}

/// Copy a configuration directory's files into its claim on first start: only when the claim
/// is empty (a fresh volume may hold `lost+found`), so the application's own changes are never
/// overwritten. Runs as the application's user so the files are its own.
fn seed_container(pod: &PodPlan, i: usize, s: &SeedPlan) -> Value {
    let sec = pod.containers.get(s.container).map(|c| &c.security);
    let (uid, gid) = match sec {
        Some(c) if c.run_as_user.is_some() => (c.run_as_user, c.run_as_group.or(c.run_as_user)),
        Some(c) if !c.run_as_non_root => (None, None),
        _ => (Some(65534), Some(65534)),
    };
    let mut ctx = json!({
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "capabilities": {"drop": ["ALL"]},
    });
    if let Some(u) = uid {
        ctx["runAsNonRoot"] = json!(u != 0);
        ctx["runAsUser"] = json!(u);
    }
    if let Some(g) = gid {
        ctx["runAsGroup"] = json!(g);
    }
    let mut mounts = vec![json!({"name": s.volume, "mountPath": "/seed-target"})];
    for f in &s.files {
        mounts.push(json!({"name": f.volume, "mountPath": format!("/seed/{}", f.name), "subPath": f.key, "readOnly": true}));
    }
    let name = if i == 0 {
        "seed".to_string()
    } else {
        format!("seed-{}", i + 1)
    };
    json!({
        "name": name,
        "image": WAIT_IMAGE,
        "imagePullPolicy": "Always",
        "command": ["sh", "-c", "if [ -z \"$(ls -A /seed-target | grep -v '^lost+found$')\" ]; then cp -R /seed/. /seed-target/ && echo seeded; else echo not empty, left as is; fi"],
        "resources": init_resources(),
        "securityContext": ctx,
        "volumeMounts": mounts,
    })
}

fn volume(v: &PodVolume) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(v.name));
    match &v.source {
        VolumeSource::EmptyDir { memory, size_limit } => {
            let mut e = Map::new();
            if *memory {
                e.insert("medium".into(), json!("Memory"));
            }
            if let Some(s) = size_limit {
                e.insert("sizeLimit".into(), json!(format_memory_bytes(*s)));
            }
            m.insert("emptyDir".into(), Value::Object(e));
        }
        VolumeSource::Claim { claim, read_only } => {
            let mut c = Map::new();
            c.insert("claimName".into(), json!(claim));
            if *read_only {
                c.insert("readOnly".into(), json!(true));
            }
            m.insert("persistentVolumeClaim".into(), Value::Object(c));
        }
        VolumeSource::ConfigMap { name } => {
            m.insert("configMap".into(), json!({"name": name}));
        }
        VolumeSource::Secret { name } => {
            m.insert("secret".into(), json!({"secretName": name}));
        }
        VolumeSource::HostPath { path, kind } => {
            let mut h = Map::new();
            h.insert("path".into(), json!(path));
            if let Some(k) = kind {
                h.insert("type".into(), json!(k));
            }
            m.insert("hostPath".into(), Value::Object(h));
        }
    }
    Value::Object(m)
}

fn affinity(plan: &Plan, pod: &PodPlan) -> Option<Value> {
    let mut node = Map::new();
    let mut exprs: Vec<Value> = Vec::new();
    if let Some(arch) = &pod.placement.arch {
        exprs.push(json!({"key": "kubernetes.io/arch", "operator": "In", "values": [arch]}));
    }
    if !pod.placement.required_nodes.is_empty() {
        exprs.push(json!({"key": "kubernetes.io/hostname", "operator": "In", "values": pod.placement.required_nodes}));
    }
    for e in &pod.placement.expressions {
        let mut m = Map::new();
        m.insert("key".into(), json!(e.key));
        m.insert("operator".into(), json!(e.operator));
        if !e.values.is_empty() {
            m.insert("values".into(), json!(e.values));
        }
        exprs.push(Value::Object(m));
    }
    if !exprs.is_empty() {
        node.insert(
            "requiredDuringSchedulingIgnoredDuringExecution".into(),
            json!({"nodeSelectorTerms": [{"matchExpressions": exprs}]}),
        );
    }
    let mut preferred: Vec<Value> = Vec::new();
    if !pod.placement.preferred_nodes.is_empty() {
        preferred.push(json!({"weight": 100, "preference": {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": pod.placement.preferred_nodes}]}}));
    }
    if let Some(arch) = &pod.placement.preferred_arch {
        preferred.push(json!({"weight": 50, "preference": {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": [arch]}]}}));
    }
    if !preferred.is_empty() {
        node.insert(
            "preferredDuringSchedulingIgnoredDuringExecution".into(),
            json!(preferred),
        );
    }
    let mut out = Map::new();
    if !node.is_empty() {
        out.insert("nodeAffinity".into(), Value::Object(node));
    }
    let pinned_together = pod.placement.colocate_with.as_deref() == Some(pod.name.as_str());
    if pod.replicas > 1
        && !pinned_together
        && matches!(
            pod.workload,
            WorkloadKind::Deployment | WorkloadKind::StatefulSet
        )
    {
        // Spread replicas over nodes when there are several (soft: a single node still works).
        out.insert(
            "podAntiAffinity".into(),
            json!({"preferredDuringSchedulingIgnoredDuringExecution": [{
                "weight": 100,
                "podAffinityTerm": {
                    "labelSelector": {"matchLabels": meta::selector(plan, pod)},
                    "topologyKey": "kubernetes.io/hostname",
                },
            }]}),
        );
    }
    if let Some(target) = &pod.placement.colocate_with {
        out.insert(
            "podAffinity".into(),
            json!({"requiredDuringSchedulingIgnoredDuringExecution": [{
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": target, "app.kubernetes.io/instance": meta::instance(plan)}},
                "topologyKey": "kubernetes.io/hostname",
            }]}),
        );
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// The pod template (`metadata` + `spec`).
pub fn template(plan: &Plan, pod: &PodPlan, restart_policy: Option<&str>) -> Value {
    let mut labels = meta::labels(plan, pod);
    for net in &pod.network.networks {
        labels.insert(format!("net.homeport.dev/{}", net), json!("true"));
    }
    if pod.placement.preemptible {
        labels.insert("homeport.dev/preemptible".into(), json!("true"));
    }
    let mut spec = Map::new();
    // Its own ServiceAccount; the token only where the workload talks to the API.
    let account = plan.tenancy.account(&pod.namespace, &pod.name);
    if let Some(sa) = account {
        spec.insert("serviceAccountName".into(), json!(sa.name));
    }
    spec.insert(
        "automountServiceAccountToken".into(),
        json!(account.is_some_and(|sa| sa.needs_token())),
    );
    spec.insert("enableServiceLinks".into(), json!(false));
    if let Some(r) = restart_policy {
        spec.insert("restartPolicy".into(), json!(r));
    }
    if pod.host_network {
        spec.insert("hostNetwork".into(), json!(true));
        spec.insert("dnsPolicy".into(), json!("ClusterFirstWithHostNet"));
    }
    if pod.host_pid {
        spec.insert("hostPID".into(), json!(true));
    }
    if pod.host_ipc {
        spec.insert("hostIPC".into(), json!(true));
    }
    if let Some(rc) = &pod.runtime_class {
        spec.insert("runtimeClassName".into(), json!(rc));
    }
    if let Some(refs) = crate::pull_secrets::references(&pod.production.image_pull_secrets) {
        spec.insert("imagePullSecrets".into(), refs);
    }
    let mut psc = Map::new();
    if pod.containers.iter().all(|c| c.security.run_as_non_root) {
        psc.insert("runAsNonRoot".into(), json!(true));
    }
    if let Some(g) = pod.fs_group {
        psc.insert("fsGroup".into(), json!(g));
        psc.insert("fsGroupChangePolicy".into(), json!("OnRootMismatch"));
    }
    if !pod.supplemental_groups.is_empty() {
        psc.insert("supplementalGroups".into(), json!(pod.supplemental_groups));
    }
    psc.insert("seccompProfile".into(), json!({"type": "RuntimeDefault"}));
    if !pod.sysctls.is_empty() {
        let s: Vec<Value> = pod
            .sysctls
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect();
        psc.insert("sysctls".into(), json!(s));
    }
    spec.insert("securityContext".into(), Value::Object(psc));
    if let Some(a) = affinity(plan, pod) {
        spec.insert("affinity".into(), a);
    }
    if pod.placement.preemptible {
        spec.insert(
            "tolerations".into(),
            json!([{"key": "homeport.dev/opportunistic", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]),
        );
    }
    if !pod.host_aliases.is_empty() {
        let h: Vec<Value> = pod
            .host_aliases
            .iter()
            .map(|(ip, names)| json!({"ip": ip, "hostnames": names}))
            .collect();
        spec.insert("hostAliases".into(), json!(h));
    }
    if let Some(t) = pod.termination_grace_seconds {
        spec.insert("terminationGracePeriodSeconds".into(), json!(t));
    }
    // A native sidecar (the VPN the others route through) starts first and keeps running.
    let sidecar = pod
        .native_sidecar
        .and_then(|i| pod.containers.get(i))
        .map(|c| {
            let mut v = container(c);
            v["restartPolicy"] = json!("Always");
            v
        });
    let inits: Vec<Value> = sidecar
        .into_iter()
        .chain(
            pod.seeds
                .iter()
                .enumerate()
                .map(|(i, s)| seed_container(pod, i, s)),
        )
        .chain(pod.init_waits.iter().map(|w| wait_container(plan, pod, w)))
        .collect();
    if !inits.is_empty() {
        spec.insert("initContainers".into(), json!(inits));
    }
    let containers: Vec<Value> = pod
        .containers
        .iter()
        .enumerate()
        .filter(|(i, _)| pod.native_sidecar != Some(*i))
        .map(|(_, c)| container(c))
        .collect();
    spec.insert("containers".into(), json!(containers));
    if !pod.volumes.is_empty() {
        let vols: Vec<Value> = pod.volumes.iter().map(volume).collect();
        spec.insert("volumes".into(), json!(vols));
    }
    json!({
        "metadata": {"labels": labels, "annotations": {meta::SOURCE_ANNOTATION: pod.source}},
        "spec": spec,
    })
}
