use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL006",
    name: "missing-readiness-probe",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Pods behind a Service have no readiness probe",
    fix: "add a `readinessProbe` that succeeds only when the container can serve requests",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports the containers behind a Service: for every Service of the input that selects the
pods, the container that declares each target port (by name or number) must have a
`readinessProbe`. A sidecar that serves no Service port needs none (a pod is ready when
every container with a probe is), nor does a container that serves only a metrics port
(named `metrics`, `exporter`, `prometheus`, `*-metrics`), but a sidecar's probe does not stand in for the container that
serves the traffic: a VPN sidecar's probe says nothing about the web UI beside it. When no
container declares a target port (an undeclared numeric port), the pod is judged as a whole:
one long-running container with a readiness probe is enough. (kube-score's `pod-probes`;
kube-linter's `no-readiness-probe`.)

## Why is this bad?
Without a readiness probe a pod receives traffic as soon as its process starts, before it
has loaded its configuration or connected to its database, and keeps receiving it while it
hangs. Rolling updates then drop requests.

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
```

## Fix
```yaml
containers:
  - name: web
    image: nginx:1.27
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      httpGet: {path: /healthz, port: http}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_long_running(obj) {
        return;
    }
    let Some(t) = template(cx, out) else { return };
    let services = cx.index.services_targeting(out.object_index());
    if services.is_empty() {
        return;
    }
    let containers = t.long_running_containers();
    // The container behind each target port, with the Services (and their ports) it serves.
    type Served = Vec<(String, Vec<String>)>;
    let mut behind: Vec<(&Container<'_>, Served)> = Vec::new();
    for &s in services {
        let Some(svc) = cx.index.whole(s) else {
            continue;
        };
        for p in service_ports(svc) {
            let Some(target) =
                PortRef::read(p.get("targetPort")).or_else(|| PortRef::read(p.get("port")))
            else {
                continue;
            };
            let serving = containers.iter().find(|c| match &target {
                PortRef::Name(n) => c.has_port_named(n),
                PortRef::Number(n) => c.has_port_number(*n),
            });
            let Some(c) = serving else { continue };
            if is_metrics_port(p, &target) {
                // A scrape target that is not ready yet loses a sample, not a request.
                continue;
            }
            let i = match behind.iter().position(|(b, _)| b.path == c.path) {
                Some(i) => i,
                None => {
                    behind.push((c, Vec::new()));
                    behind.len() - 1
                }
            };
            let served = &mut behind[i].1;
            let j = match served.iter().position(|(name, _)| *name == svc.name) {
                Some(j) => j,
                None => {
                    served.push((svc.name.clone(), Vec::new()));
                    served.len() - 1
                }
            };
            let port = target.to_string();
            if !served[j].1.contains(&port) {
                served[j].1.push(port);
            }
        }
    }
    if behind.is_empty() {
        // No target port names a declared port: judge the pod as a whole.
        if containers.iter().any(|c| c.get("readinessProbe").is_some()) {
            return;
        }
        let Some(first) = containers.first() else {
            return;
        };
        let names: Vec<String> = containers.iter().map(|c| format!("`{}`", c.name)).collect();
        out.report(
            first.path.clone(),
            format!(
                "pods receive Service traffic but no container ({}) has a readiness probe",
                names.join(", ")
            ),
        );
        return;
    }
    for (c, served) in behind {
        if c.get("readinessProbe").is_none() {
            let what: Vec<String> = served
                .iter()
                .map(|(svc, ports)| {
                    let word = if ports.len() == 1 { "port" } else { "ports" };
                    format!("Service `{svc}` {word} {}", ports.join(", "))
                })
                .collect();
            out.report(
                c.path.clone(),
                format!(
                    "{} serves {} but has no readiness probe",
                    c.describe(),
                    what.join(" and ")
                ),
            );
        }
    }
}

/// Whether a Service port is a metrics endpoint (named `metrics`, `exporter`,
/// `prometheus`, `*-metrics`), judged by its name or its target port's name.
fn is_metrics_port(port: &Value, target: &PortRef) -> bool {
    let names = [
        port.get("name").and_then(Value::as_str).unwrap_or(""),
        match target {
            PortRef::Name(n) => n.as_str(),
            PortRef::Number(_) => "",
        },
    ];
    names.iter().any(|n| {
        matches!(*n, "metrics" | "exporter" | "prometheus" | "http-metrics")
            || n.ends_with("-metrics")
    })
}

fn service_ports(svc: &Object) -> &[Value] {
    svc.value
        .get("spec")
        .and_then(|s| s.get("ports"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}
