//! PSS006: host ports.

use serde_json::Value;

use crate::context::{number_is_zero, quote, At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS006",
    name: "host-port",
    level: Level::Baseline,
    upstream_id: "hostPorts",
    since: Version::new(1, 0),
    summary: "Containers must not bind host ports.",
    doc: r#"## What it does
Flags every `ports[*].hostPort` of a container, init container or ephemeral container that is
set to anything but `0`. Allowed values: undefined, `0`.

## Why is this bad?
A host port binds the port on the node's address: it bypasses Services and NetworkPolicies,
exposes the pod on every network the node is on, and pins the pod to nodes where the port is
free.

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
    ports:
      - containerPort: 80
        hostPort: 8080
```

## Fix
Remove `hostPort` and publish the port through a Service (`NodePort` or `LoadBalancer`) or an
Ingress.

## Versions
Baseline from policy v1.0 (upstream check `hostPorts`, one version). No port range was ever
allowed: only `0` or unset.
"#,
};

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    for container in ctx.containers() {
        let Some(ports) = container.value.at("ports").and_then(Value::as_array) else {
            continue;
        };
        for (i, port) in ports.iter().enumerate() {
            let Some(host_port) = port.at("hostPort") else {
                continue;
            };
            if number_is_zero(host_port) != Some(false) {
                continue;
            }
            sink.push(
                "hostPort",
                &format!(
                    "container {} uses hostPort {}",
                    quote(container.name()),
                    host_port
                ),
                container.path(
                    ctx,
                    &[
                        PathSegment::key("ports"),
                        PathSegment::Index(i),
                        PathSegment::key("hostPort"),
                    ],
                ),
            );
        }
    }
}
