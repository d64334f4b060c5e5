use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SCH005",
    name: "unknown-api-kind",
    category: Category::Schema,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A built-in API group that does not serve this apiVersion/kind",
    fix: "use an apiVersion and kind that the target Kubernetes version serves",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Schema,
    doc: r#"## What it does
Reports objects whose `apiVersion` belongs to a built-in API group (`apps`, `batch`,
`networking.k8s.io`, ...) but whose `apiVersion`/`kind` pair the target Kubernetes version
does not serve: a typo (`apps/v2`, `Deployments`) or a version that never existed. Removed
API versions are reported by `API001` with their replacement instead.

## Why is this bad?
`kubectl apply` fails with "no matches for kind".

## Example
```yaml
apiVersion: apps/v2
kind: Deployment
```

## Fix
```yaml
apiVersion: apps/v1
kind: Deployment
```
"#,
};
