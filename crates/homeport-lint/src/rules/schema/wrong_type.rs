use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SCH002",
    name: "wrong-type",
    category: Category::Schema,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A value of the wrong type (a string where a number is expected, ...)",
    fix: "write the value with the type the schema expects (quote strings, unquote numbers)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Schema,
    doc: r#"## What it does
Reports values whose JSON type does not match the schema of the target Kubernetes version:
a quoted number for `replicas`, a number for an environment variable's `value`, a mapping
where a list is expected.

## Why is this bad?
The API server rejects the object. YAML makes this easy to get wrong: `value: 8080` is a
number, but environment variable values must be strings.

## Example
```yaml
env:
  - name: PORT
    value: 8080
```

## Fix
```yaml
env:
  - name: PORT
    value: "8080"
```
"#,
};
