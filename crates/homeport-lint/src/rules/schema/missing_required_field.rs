use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SCH003",
    name: "missing-required-field",
    category: Category::Schema,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A field that the schema requires is missing",
    fix: "add the required field",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Schema,
    doc: r#"## What it does
Reports objects that lack a field their schema requires, such as a container's `name`, a
Deployment's `selector` or a Service port's `port`.

## Why is this bad?
The API server rejects the object, so nothing of it is applied.

## Example
```yaml
spec:
  containers:
    - image: nginx:1.27
```

## Fix
```yaml
spec:
  containers:
    - name: web
      image: nginx:1.27
```
"#,
};
