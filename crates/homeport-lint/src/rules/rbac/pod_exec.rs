use super::{is_role, policy_rules};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC004",
    name: "rbac-pod-exec",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole can exec into or attach to pods",
    fix: "remove `pods/exec` and `pods/attach`; debugging is for people, bound to them for the time they need it",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports rules that grant `create` or `get` on `pods/exec` or `pods/attach` (also through
`*`, `pods/*` or `*/exec`): `kubectl exec` over WebSockets needs only `get`. (Trivy's
KSV053.)

## Why is this bad?
Exec runs any command in any container the role can see, as that container's user, with
its service account token, mounted Secrets and network access. It bypasses every control on
what the pod runs.

## Example
```yaml
rules:
  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [create]
```

## Fix
Leave exec to cluster administrators.
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_role(obj) {
        return;
    }
    for rule in policy_rules(obj) {
        let subresources: Vec<&str> = ["pods/exec", "pods/attach"]
            .into_iter()
            .filter(|r| rule.grants("", r, &["create", "get"]))
            .collect();
        if !subresources.is_empty() {
            out.report(
                rule.path.clone(),
                format!(
                    "{} `{}` can open `{}` (a shell in any pod it can see)",
                    obj.kind,
                    obj.name,
                    subresources.join("`, `")
                ),
            );
        }
    }
}
