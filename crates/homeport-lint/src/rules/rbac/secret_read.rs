use super::{
    bindings_of, describe_subject, is_binding, is_role, policy_rules, role_ref, subjects,
    READ_VERBS,
};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC002",
    name: "rbac-secret-read",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole can read Secrets",
    fix: "grant `get` on the named Secrets the workload needs (`resourceNames`), or mount them instead of reading them through the API",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports rules of Roles and ClusterRoles that grant `get`, `list` or `watch` on `secrets`
(also through `*`) without limiting them to named Secrets (`resourceNames`; `list` and
`watch` are never limited by it). A ClusterRole bound cluster-wide (by a
ClusterRoleBinding of the input) to a ServiceAccount is an error: every pod running as
that account can read every Secret of the cluster. Bindings of the built-in ClusterRoles
`admin` and `edit`, which read Secrets, are reported the same way (a ClusterRoleBinding of
them to a ServiceAccount is an error); `cluster-admin` is RBC006's. (kube-linter's
`access-to-secrets`, Trivy's KSV041.)

## Why is this bad?
`list` returns the Secrets with their data. Anyone who can run a pod as the bound service
account (or take over one) reads every database password, TLS key and token in scope,
including the tokens of more powerful service accounts.

## Example
```yaml
kind: ClusterRole
metadata: {name: backup}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
```

## Fix
```yaml
kind: Role
metadata: {name: backup, namespace: media}
rules:
  - apiGroups: [""]
    resources: [secrets]
    resourceNames: [backup-credentials]
    verbs: [get]
```
"#,
};

/// Built-in ClusterRoles (not in the input) that can read Secrets.
const BUILTIN_SECRET_READERS: &[&str] = &["admin", "edit"];

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if is_binding(obj) {
        check_builtin_binding(cx, obj, out);
        return;
    }
    if !is_role(obj) {
        return;
    }
    let me = out.object_index();
    for rule in policy_rules(obj) {
        let named = rule.has_resource_names();
        let verbs: Vec<&str> = READ_VERBS
            .iter()
            .copied()
            .filter(|v| rule.grants("", "secrets", &[v]) && !(named && *v == "get"))
            .collect();
        if verbs.is_empty() {
            continue;
        }
        let scope = match obj.kind.as_str() {
            "Role" => format!("in namespace `{}`", cx.index.namespace(me)),
            _ => "in the namespaces it is bound in".to_string(),
        };
        // Cluster-wide: a ClusterRoleBinding of the input grants this ClusterRole to a
        // ServiceAccount.
        let cluster_wide: Vec<String> = if obj.kind == "ClusterRole" {
            bindings_of(cx, me, obj)
                .into_iter()
                .filter_map(|b| cx.index.whole(b))
                .filter(|b| b.kind == "ClusterRoleBinding")
                .flat_map(|b| subjects(b, ""))
                .filter(|s| s.kind == "ServiceAccount")
                .map(|s| describe_subject(&s))
                .collect()
        } else {
            Vec::new()
        };
        let verbs = verbs.join("`, `");
        if cluster_wide.is_empty() {
            out.report(
                rule.path.clone(),
                format!("{} `{}` can `{verbs}` Secrets {scope}", obj.kind, obj.name),
            );
        } else {
            out.report(
                rule.path.clone(),
                format!(
                    "ClusterRole `{}` can `{verbs}` every Secret of the cluster, and a ClusterRoleBinding grants it to {}",
                    obj.name,
                    cluster_wide.join(", ")
                ),
            )
            .with_severity(Severity::Error);
        }
    }
}

/// A binding of a built-in ClusterRole that reads Secrets.
fn check_builtin_binding(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(("ClusterRole", role)) = role_ref(obj) else {
        return;
    };
    if !BUILTIN_SECRET_READERS.contains(&role)
        || cx.index.find("default", "ClusterRole", role).is_some()
    {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    let accounts: Vec<String> = subjects(obj, ns)
        .iter()
        .filter(|s| s.kind == "ServiceAccount")
        .map(describe_subject)
        .collect();
    if accounts.is_empty() {
        return;
    }
    if obj.kind == "ClusterRoleBinding" {
        out.report(
            FieldPath::parse("roleRef.name"),
            format!(
                "ClusterRoleBinding `{}` grants the built-in `{role}` ClusterRole, which reads every Secret of the cluster, to {}",
                obj.name,
                accounts.join(", ")
            ),
        )
        .with_severity(Severity::Error);
    } else {
        out.report(
            FieldPath::parse("roleRef.name"),
            format!(
                "RoleBinding `{}` grants the built-in `{role}` ClusterRole, which reads Secrets, in namespace `{ns}` to {}",
                obj.name,
                accounts.join(", ")
            ),
        );
    }
}
