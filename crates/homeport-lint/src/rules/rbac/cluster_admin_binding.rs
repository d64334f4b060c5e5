use super::{describe_subject, is_binding, role_ref, subjects};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC006",
    name: "rbac-cluster-admin-binding",
    category: Category::Rbac,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A binding grants the `cluster-admin` ClusterRole",
    fix: "bind a role with only the permissions the subject needs",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports RoleBindings and ClusterRoleBindings whose `roleRef` is the `cluster-admin`
ClusterRole. (kube-linter's `cluster-admin-role-binding`.)

## Why is this bad?
`cluster-admin` can do everything, everywhere (bound by a RoleBinding: everything in that
namespace, including its Secrets and RoleBindings). A workload running as such a service
account turns any remote code execution into control of the whole cluster.

## Example
```yaml
kind: ClusterRoleBinding
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: dashboard, namespace: tools}
```

## Fix
Write a Role or ClusterRole with the verbs and resources the subject uses, and bind that.
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_binding(obj) {
        return;
    }
    if role_ref(obj) != Some(("ClusterRole", "cluster-admin")) {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    let who: Vec<String> = subjects(obj, ns).iter().map(describe_subject).collect();
    let scope = match obj.kind.as_str() {
        "ClusterRoleBinding" => "in the whole cluster".to_string(),
        _ => format!("in namespace `{ns}`"),
    };
    out.report(
        FieldPath::parse("roleRef.name"),
        format!(
            "{} `{}` makes {} `cluster-admin` {scope}",
            obj.kind,
            obj.name,
            if who.is_empty() {
                "its subjects".to_string()
            } else {
                who.join(", ")
            }
        ),
    );
}
