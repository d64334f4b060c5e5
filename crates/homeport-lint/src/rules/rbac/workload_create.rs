use super::{is_role, policy_rules};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC005",
    name: "rbac-workload-create",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole can create pods or workloads",
    fix: "grant only what the subject needs; an operator that must create workloads deserves a reviewed role (suppress with a reason)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports rules that grant `create` (or `*`) on pods or on the built-in workload kinds
(Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs,
CronJobs). (kube-linter's `access-to-create-pods`, Trivy's KSV048.)

## Why is this bad?
Whoever can create a pod can run any image, as any ServiceAccount of the namespace, and
mount every Secret of the namespace: creating pods is reading Secrets and holding every
permission of every service account there.

## Example
```yaml
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [create, update]
```

## Fix
```yaml
rules:
  - apiGroups: [apps]
    resources: [deployments/scale]
    verbs: [update, patch]
```
"#,
};

/// API group and resource of the kinds that run pods.
const WORKLOADS: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_role(obj) {
        return;
    }
    for rule in policy_rules(obj) {
        let kinds: Vec<&str> = WORKLOADS
            .iter()
            .filter(|(g, r)| rule.grants(g, r, &["create"]))
            .map(|(_, r)| *r)
            .collect();
        if !kinds.is_empty() {
            out.report(
                rule.path.clone(),
                format!(
                    "{} `{}` can create {}",
                    obj.kind,
                    obj.name,
                    kinds.join(", ")
                ),
            );
        }
    }
}
