use super::{is_role, policy_rules};
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "RBC009",
    name: "rbac-admission-webhook-control",
    category: Category::Rbac,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole can change admission webhook configurations",
    fix: "limit the rule to the webhook the controller owns (`resourceNames`), or leave webhook configuration to whoever installs the controller",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports rules that grant `create`, `update`, `patch` or `delete` (or `*`) on
`validatingwebhookconfigurations` or `mutatingwebhookconfigurations` without limiting them
to named configurations (`resourceNames`). (Checkov's CKV_K8S_155.)

## Why is this bad?
A mutating webhook sees and may rewrite every object the API server admits, Secrets
included; deleting or loosening a validating webhook switches off the policy it enforces.
Whoever holds this permission controls what every other user can create.

## Example
```yaml
rules:
  - apiGroups: [admissionregistration.k8s.io]
    resources: [validatingwebhookconfigurations]
    verbs: [get, update]
```

## Fix
```yaml
rules:
  - apiGroups: [admissionregistration.k8s.io]
    resources: [validatingwebhookconfigurations]
    resourceNames: [ingress-nginx-admission]
    verbs: [get, update]
```
"#,
};

const WEBHOOKS: &[&str] = &[
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
];

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_role(obj) {
        return;
    }
    for rule in policy_rules(obj) {
        if rule.has_resource_names() {
            continue;
        }
        let kinds: Vec<&str> = WEBHOOKS
            .iter()
            .copied()
            .filter(|r| {
                rule.grants(
                    "admissionregistration.k8s.io",
                    r,
                    &["create", "update", "patch", "delete"],
                )
            })
            .collect();
        if !kinds.is_empty() {
            out.report(
                rule.path.clone(),
                format!(
                    "{} `{}` can change all `{}`",
                    obj.kind,
                    obj.name,
                    kinds.join("` and `")
                ),
            );
        }
    }
}
