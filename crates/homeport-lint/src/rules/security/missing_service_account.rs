use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC007",
    name: "missing-service-account",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Pods name a ServiceAccount that the input does not define",
    fix: "add the ServiceAccount, or fix the name in `serviceAccountName`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pods whose `serviceAccountName` names a ServiceAccount that is not in the input,
when the input defines ServiceAccounts in that namespace (so it is the place they are
managed). (kube-linter's `non-existent-service-account`.)

## Why is this bad?
The pods are never created: the ReplicaSet reports `serviceaccount "x" not found` and the
Deployment sits at zero ready replicas.

## Example
```yaml
apiVersion: v1
kind: ServiceAccount
metadata: {name: backend}
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      serviceAccountName: backnd
```

## Fix
```yaml
      serviceAccountName: backend
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let sa = t.service_account();
    if sa == "default" {
        return;
    }
    let ns = obj
        .namespace
        .as_deref()
        .unwrap_or(crate::index::DEFAULT_NAMESPACE);
    if cx.index.of_kind_in(ns, "ServiceAccount").is_empty() {
        return;
    }
    if cx.index.find(ns, "ServiceAccount", sa).is_none() {
        let key = if t.get("serviceAccountName").is_some() {
            "serviceAccountName"
        } else {
            "serviceAccount"
        };
        out.report(
            t.spec_path.key(key),
            format!("ServiceAccount `{sa}` is not defined in namespace `{ns}`"),
        );
    }
}
