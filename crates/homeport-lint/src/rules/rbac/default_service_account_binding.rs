use super::{is_binding, subjects};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC007",
    name: "rbac-default-service-account-binding",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A binding grants a role to a namespace's `default` ServiceAccount",
    fix: "create a ServiceAccount for the workload that needs the role, bind that, and set `serviceAccountName`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports RoleBindings and ClusterRoleBindings with a subject that is the `default`
ServiceAccount of a namespace (SEC006 reports the pods that run as it).

## Why is this bad?
Every pod of the namespace that does not name a service account runs as `default`: the
role goes to all of them, including the ones added later by someone who never saw this
binding.

## Example
```yaml
kind: RoleBinding
subjects:
  - {kind: ServiceAccount, name: default}
```

## Fix
```yaml
kind: RoleBinding
subjects:
  - {kind: ServiceAccount, name: backup}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_binding(obj) {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    for s in subjects(obj, ns) {
        if s.kind == "ServiceAccount" && s.name == "default" {
            out.report(
                s.path.key("name"),
                format!(
                    "{} `{}` grants its role to every pod of namespace `{}` that names no service account",
                    obj.kind,
                    obj.name,
                    s.namespace.unwrap_or(ns)
                ),
            );
        }
    }
}
