//! PSS002: sharing the host's network, PID or IPC namespace.

use serde_json::Value;

use crate::context::{At, PodContext, Sink};
use crate::{Control, Level, PathSegment, Version};

pub(crate) const CONTROL: Control = Control {
    code: "PSS002",
    name: "host-namespace-shared",
    level: Level::Baseline,
    upstream_id: "hostNamespaces",
    since: Version::new(1, 0),
    summary: "Pods must not share the host's network, PID or IPC namespace.",
    doc: r#"## What it does
Flags `spec.hostNetwork: true`, `spec.hostPID: true` and `spec.hostIPC: true`.
Allowed values: undefined, `false`.

## Why is this bad?
`hostNetwork` puts the pod on the node's network stack: it can bind any node port, sniff node
traffic and reach services listening on localhost, and NetworkPolicies no longer apply to it.
`hostPID` lets it see (and with enough privilege, signal or ptrace) every process on the node.
`hostIPC` shares the node's System V IPC and POSIX shared memory.

## Example
```yaml
spec:
  hostNetwork: true
  containers:
    - name: dns
      image: pihole/pihole:2024.07.0
```

## Fix
Remove the field and expose the workload through a Service (a `LoadBalancer` or `NodePort`
for LAN services such as DNS), or run it in a namespace that enforces the privileged level.

## Versions
Baseline from policy v1.0 (upstream check `hostNamespaces`, one version).
"#,
};

pub(crate) fn check(ctx: &PodContext<'_>, sink: &mut Sink<'_>) {
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if ctx.spec().at(key) == Some(&Value::Bool(true)) {
            sink.push(
                "host namespaces",
                key,
                ctx.spec_path(&[PathSegment::key(key)]),
            );
        }
    }
}
