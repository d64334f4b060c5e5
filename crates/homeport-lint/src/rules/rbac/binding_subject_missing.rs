use super::{is_binding, role_ref, subjects};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC008",
    name: "rbac-binding-target-missing",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A binding names a ServiceAccount or Role that is not in the input",
    fix: "fix the name or namespace of the subject (or role), or add the ServiceAccount",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports binding subjects of kind ServiceAccount that are not in the input, and RoleBindings
whose `roleRef` is a Role that is not in the input. Like the other reference rules, a
subject is judged only when the input holds ServiceAccounts in the subject's namespace, and
a Role only when the input holds Roles in the binding's namespace, so linting one file alone
does not report everything.

## Why is this bad?
The binding grants nothing to whom it was meant for: the workload gets `Forbidden` at run
time. Worse, the permission waits for whoever creates an account of that name later.

## Example
```yaml
kind: RoleBinding
metadata: {name: backup, namespace: media}
subjects:
  - {kind: ServiceAccount, name: backups}   # the ServiceAccount is `backup`
```

## Fix
Name the ServiceAccount the workload runs as (`serviceAccountName`).
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_binding(obj) {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    for s in subjects(obj, ns) {
        if s.kind != "ServiceAccount" {
            continue;
        }
        let Some(sa_ns) = s.namespace else { continue };
        if cx.index.of_kind_in(sa_ns, "ServiceAccount").is_empty() {
            continue;
        }
        if cx.index.find(sa_ns, "ServiceAccount", s.name).is_none() {
            out.report(
                s.path.key("name"),
                format!(
                    "ServiceAccount `{}` is not in namespace `{sa_ns}` of the input",
                    s.name
                ),
            );
        }
    }
    if obj.kind == "RoleBinding" {
        if let Some(("Role", name)) = role_ref(obj) {
            if !cx.index.of_kind_in(ns, "Role").is_empty()
                && cx.index.find(ns, "Role", name).is_none()
            {
                out.report(
                    FieldPath::parse("roleRef.name"),
                    format!("Role `{name}` is not in namespace `{ns}` of the input"),
                );
            }
        }
    }
}
