use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC001",
    name: "docker-socket-mount",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container runtime socket (docker.sock, containerd.sock, ...) mounted from the host",
    fix: "remove the hostPath volume; on k3s there is no Docker daemon, and the socket is root on the node",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports hostPath volumes that mount a container runtime socket: `docker.sock`,
`containerd.sock`, `crio.sock`, `podman.sock`, `dockershim.sock`. (kube-linter's
`docker-sock` and `container-runtime-sock`.)

## Why is this bad?
Whoever talks to the runtime socket can start a privileged container with the host's root
filesystem mounted: it is root on the node. Compose stacks often mount
`/var/run/docker.sock` for Traefik, Portainer or Watchtower; on k3s there is no Docker
daemon at all (k3s runs containerd), so the mount does not even work as intended.

## Example
```yaml
volumes:
  - name: docker
    hostPath:
      path: /var/run/docker.sock
```

## Fix
Remove the volume. Use the Kubernetes API instead: Traefik's Kubernetes providers,
Kubernetes-native dashboards, or an image update controller such as Keel or Renovate.
"#,
};

const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "dockershim.sock",
    "cri-dockerd.sock",
];

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    for (path, volume) in t.volumes() {
        let Some(p) = host_path(volume) else { continue };
        if let Some(sock) = SOCKETS.iter().find(|s| p.ends_with(*s)) {
            out.report(
                path.join("hostPath.path"),
                format!("volume mounts the container runtime socket `{p}` ({sock}) from the node"),
            );
        }
    }
}
