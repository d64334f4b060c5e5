use super::image_arch::{normalize_arch, single_arch};
use super::nodes::eligible;
use crate::rules::prelude::*;
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    code: "PLC003",
    name: "image-arch-mismatch",
    category: Category::Placement,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A single-architecture image on nodes of another architecture",
    fix: "pin the pod to nodes of the image's architecture (`nodeSelector: {kubernetes.io/arch: amd64}`) or use a multi-architecture image",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Finds images built for one CPU architecture: a small table of popular amd64-only images
(SQL Server, SteamCMD, Selenium's Chrome images, TensorFlow's GPU images) and the naming
conventions of single-architecture images (`amd64/…`, `arm64v8/…`, tags or names ending
in `-amd64`, `-arm64`, `-armhf`). Then compares with where the pod can run:
* its `nodeSelector`/required node affinity on `kubernetes.io/arch` (error when it
  excludes the image's architecture);
* with `--cluster`, the architectures of the nodes it may be scheduled on: an error when
  none has the image's architecture, a warning when some do not (the pod may land there).

Multi-architecture images are not reported; an image pinned by digest is judged by its
name only.

## Why is this bad?
The container fails at start with `exec format error` (or crash-loops); on a mixed cluster
it fails only on some nodes, only sometimes: after the scheduler happens to pick the
Raspberry Pi.

## Example
```yaml
# cluster.yaml: rog-strix (amd64), pi (arm64)
spec:
  containers:
    - name: db
      image: mcr.microsoft.com/mssql/server:2022-latest
```

## Fix
```yaml
spec:
  nodeSelector:
    kubernetes.io/arch: amd64
  containers:
    - name: db
      image: mcr.microsoft.com/mssql/server:2022-latest
```
"#,
};

/// Architectures the pod's own `kubernetes.io/arch` constraints allow, if it has any.
fn declared_archs(t: &PodTemplate<'_>) -> Option<(BTreeSet<String>, FieldPath)> {
    if let Some(a) = t
        .get("nodeSelector")
        .and_then(|s| s.get("kubernetes.io/arch"))
        .and_then(Value::as_str)
    {
        let path = t.spec_path.key("nodeSelector").key("kubernetes.io/arch");
        return Some((BTreeSet::from([normalize_arch(a).to_string()]), path));
    }
    let terms = t
        .get("affinity")?
        .get("nodeAffinity")?
        .get("requiredDuringSchedulingIgnoredDuringExecution")?
        .get("nodeSelectorTerms")?
        .as_array()?;
    let mut archs = BTreeSet::new();
    for term in terms {
        for e in term
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if e.get("key").and_then(Value::as_str) == Some("kubernetes.io/arch")
                && e.get("operator").and_then(Value::as_str) == Some("In")
            {
                for v in e
                    .get("values")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(v) = v.as_str() {
                        archs.insert(normalize_arch(v).to_string());
                    }
                }
            }
        }
    }
    (!archs.is_empty()).then(|| {
        (
            archs,
            t.spec_path
                .join("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"),
        )
    })
}

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let images: Vec<(&Container<'_>, &'static str, String)> = t
        .declared_containers()
        .into_iter()
        .filter_map(|c| single_arch(c.image()).map(|(a, why)| (c, a, why)))
        .collect();
    if images.is_empty() {
        return;
    }
    if let Some((archs, _)) = declared_archs(t) {
        for (c, arch, why) in &images {
            if !archs.contains(*arch) {
                out.report(
                    c.path.key("image"),
                    format!(
                        "image `{}` of {} runs on {arch} only ({why}), but the pod requires kubernetes.io/arch {}",
                        c.image(),
                        c.describe(),
                        archs.iter().cloned().collect::<Vec<_>>().join(" or ")
                    ),
                );
            }
        }
        return;
    }
    let Some(cluster) = cx.cluster else { return };
    let Ok(nodes) = eligible(cluster, t) else {
        return;
    };
    if nodes.is_empty() {
        return;
    }
    for (c, arch, why) in &images {
        let (fit, misfit): (Vec<&crate::cluster::Node>, Vec<&crate::cluster::Node>) = nodes
            .iter()
            .copied()
            .partition(|n| normalize_arch(&n.arch) == *arch);
        if misfit.is_empty() {
            continue;
        }
        let names: Vec<String> = misfit
            .iter()
            .map(|n| format!("{} ({})", n.name, n.arch))
            .collect();
        let f = out.report(
            c.path.key("image"),
            format!(
                "image `{}` of {} runs on {arch} only ({why}); the pod may be scheduled on {}",
                c.image(),
                c.describe(),
                names.join(", ")
            ),
        );
        f.with_help(format!(
            "add `nodeSelector: {{kubernetes.io/arch: {arch}}}` to the pod template"
        ));
        if !fit.is_empty() {
            f.with_severity(Severity::Warning);
        }
    }
}
