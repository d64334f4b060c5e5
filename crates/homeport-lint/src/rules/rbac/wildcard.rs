use super::{is_role, policy_rules};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC001",
    name: "rbac-wildcard",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole grants `*` verbs or `*` resources",
    fix: "list the verbs and resources the subject needs instead of `*`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports rules of Roles and ClusterRoles whose `verbs` or `resources` contain `*`.
(kube-linter's `wildcard-in-rules`, Checkov's CKV_K8S_49, Trivy's KSV044.)

## Why is this bad?
A wildcard grants today's verbs and resources and every one added later (new subresources,
CRDs installed next year). `verbs: ["*"]` includes `escalate`, `bind` and `impersonate`;
`resources: ["*"]` includes Secrets and `pods/exec`.

## Example
```yaml
kind: Role
rules:
  - apiGroups: [""]
    resources: ["*"]
    verbs: ["*"]
```

## Fix
```yaml
kind: Role
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch]
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_role(obj) {
        return;
    }
    for rule in policy_rules(obj) {
        for key in ["verbs", "resources"] {
            let has = rule
                .value
                .get(key)
                .and_then(Value::as_array)
                .and_then(|a| a.iter().position(|v| v.as_str() == Some("*")));
            if let Some(i) = has {
                out.report(
                    rule.path.key(key).index(i),
                    format!(
                        "{} `{}` grants every {}",
                        obj.kind,
                        obj.name,
                        match key {
                            "verbs" => "verb (`*`)",
                            _ => "resource (`*`)",
                        }
                    ),
                );
            }
        }
    }
}
