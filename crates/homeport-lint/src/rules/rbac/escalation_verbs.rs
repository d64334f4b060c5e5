use super::{is_role, policy_rules};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC003",
    name: "rbac-escalation-verbs",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole grants `escalate`, `bind` or `impersonate`",
    fix: "remove `escalate`, `bind` and `impersonate`; controllers that really need them deserve a reviewed, dedicated ClusterRole (suppress with a reason)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports rules that grant `escalate` or `bind` on roles, or `impersonate` on users, groups,
service accounts or user extras (explicitly; `*` verbs are RBC001's). (Checkov's
CKV_K8S_157 and CKV_K8S_158.)

## Why is this bad?
These verbs are the exceptions to RBAC's rule that nobody can grant more than they hold:
`escalate` edits a role to hold anything, `bind` binds any role (including
`cluster-admin`), `impersonate` acts as any user or service account.

## Example
```yaml
kind: ClusterRole
rules:
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [clusterroles]
    verbs: [bind, escalate]
```

## Fix
Grant the permissions the subject needs directly, through a binding an administrator
creates.
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_role(obj) {
        return;
    }
    for rule in policy_rules(obj) {
        let Some(verbs) = rule.value.get("verbs").and_then(Value::as_array) else {
            continue;
        };
        for (i, v) in verbs.iter().enumerate() {
            let Some(verb) = v.as_str() else { continue };
            if matches!(verb, "escalate" | "bind" | "impersonate") {
                out.report(
                    rule.path.key("verbs").index(i),
                    format!(
                        "{} `{}` grants `{verb}` on {}",
                        obj.kind,
                        obj.name,
                        rule.resources().join(", ")
                    ),
                );
            }
        }
    }
}
