//! PSS018: probes and lifecycle handlers aimed at another host.

use serde_json::Value;

use crate::context::{object, quote, At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS018",
    name: "probe-host-set",
    level: Level::Baseline,
    upstream_id: "hostProbesAndHostLifecycle",
    since: Version::new(1, 34),
    summary: "Probes and lifecycle handlers must not set a host.",
    doc: r#"## What it does
Flags a non-empty `host` in the `httpGet` and `tcpSocket` handlers of `livenessProbe`,
`readinessProbe`, `startupProbe`, `lifecycle.postStart` and `lifecycle.preStop` of every
container, init container and ephemeral container. Allowed values: undefined, `""`. Loopback
addresses (`127.0.0.1`, `::1`, `localhost`) are forbidden too.

## Why is this bad?
The kubelet performs probes and lifecycle HTTP/TCP calls from the node. A `host` makes it
connect to any address the node can reach (the node's own localhost, the cloud metadata
service, internal admin interfaces): a blind server-side request forgery with the node's
network position.

## Example
```yaml
containers:
  - name: app
    image: ghcr.io/example/app:1.0
    livenessProbe:
      httpGet:
        host: 169.254.169.254
        path: /latest/meta-data/
        port: 80
```

## Fix
Remove `host`: the kubelet then targets the pod's own IP. To send a `Host` header, use
`httpGet.httpHeaders`.

## Versions
Baseline from policy v1.34 (upstream check `hostProbesAndHostLifecycle`, KEP-4940); not
checked at older policy versions. (In Kubernetes 1.34 it also sat behind the locked-on
`ProbeHostPodSecurityStandards` gate, removed in 1.35.)
"#,
};

const PROBES: &[&str] = &["livenessProbe", "readinessProbe", "startupProbe"];
const HANDLERS: &[&str] = &["httpGet", "tcpSocket"];

fn check_handler(
    ctx: &PodContext<'_>,
    sink: &mut Sink<'_>,
    container: &crate::context::ContainerRef<'_>,
    handler: Option<&Value>,
    prefix: &[PathSegment],
) {
    let Some(handler) = object(handler) else {
        return;
    };
    for kind in HANDLERS {
        let host = object(handler.at(kind))
            .and_then(|action| action.at("host"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if host.is_empty() {
            continue;
        }
        let mut rest = prefix.to_vec();
        rest.push(PathSegment::key(kind));
        rest.push(PathSegment::key("host"));
        sink.push(
            "probe or lifecycle host",
            &format!(
                "container {} uses probe or lifecycle host {}",
                quote(container.name()),
                quote(host)
            ),
            container.path(ctx, &rest),
        );
    }
}

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    for container in ctx.containers() {
        for probe in PROBES {
            check_handler(
                ctx,
                sink,
                &container,
                container.value.at(probe),
                &[PathSegment::key(probe)],
            );
        }
        let lifecycle = object(container.value.at("lifecycle"));
        for hook in ["postStart", "preStop"] {
            check_handler(
                ctx,
                sink,
                &container,
                lifecycle.and_then(|l| l.at(hook)),
                &[PathSegment::key("lifecycle"), PathSegment::key(hook)],
            );
        }
    }
}
