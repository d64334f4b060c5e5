use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SCH001",
    name: "unknown-field",
    category: Category::Schema,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A field that the object's schema does not define",
    fix: "remove the field or fix its spelling and indentation",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Schema,
    doc: r#"## What it does
Checks every field of a built-in object against the OpenAPI schema of the target Kubernetes
version (`--kubernetes-version`, default 1.33) and reports fields the schema does not define.

## Why is this bad?
A misspelled or misplaced field is silently dropped by older clients and rejected by
`kubectl apply` with strict field validation (the default since Kubernetes 1.27). Either way
the setting you wrote does not take effect: a `resource:` instead of `resources:` means no
limits at all.

## Example
```yaml
spec:
  containers:
    - name: web
      image: nginx:1.27
      resource:            # should be `resources`
        limits: {memory: 256Mi}
```

## Fix
```yaml
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources:
        limits: {memory: 256Mi}
```
"#,
};
