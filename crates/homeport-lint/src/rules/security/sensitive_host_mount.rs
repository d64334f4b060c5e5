use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC002",
    name: "sensitive-host-mount",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A sensitive host directory (/, /etc, /proc, /var/lib/kubelet, ...) mounted into a pod",
    fix: "mount only the file or data directory the container needs, read-only, or use a PersistentVolume",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports hostPath volumes that mount a whole system directory of the node: `/`, `/boot`,
`/dev`, `/etc`, `/lib`, `/proc`, `/sys`, `/usr`, `/root`, `/run`, `/var/run`,
`/var/lib/kubelet`, `/var/lib/rancher` (k3s data and its join token), `/etc/rancher`,
`/etc/kubernetes`, `/var/lib/docker`, `/var/lib/containerd`. Single files below them, such
as `/etc/localtime`, are not reported. (kube-linter's `sensitive-host-mounts`, extended for
k3s.)

## Why is this bad?
A container that can read `/etc` or `/var/lib/rancher` can read the node's credentials and
the cluster join token; one that can write them owns the node.

## Example
```yaml
volumes:
  - name: host
    hostPath:
      path: /etc
```

## Fix
```yaml
volumes:
  - name: tz
    hostPath:
      path: /etc/localtime
      type: File
```
"#,
};

const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/proc",
    "/sys",
    "/usr",
    "/root",
    "/run",
    "/var/run",
    "/var/lib/kubelet",
    "/var/lib/rancher",
    "/var/lib/rancher/k3s",
    "/etc/rancher",
    "/etc/kubernetes",
    "/var/lib/docker",
    "/var/lib/containerd",
];

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    for (path, volume) in t.volumes() {
        let Some(p) = host_path(volume) else { continue };
        if SENSITIVE.contains(&p.as_str()) {
            out.report(
                path.join("hostPath.path"),
                format!("volume mounts the node's `{p}` directory"),
            );
        }
    }
}
