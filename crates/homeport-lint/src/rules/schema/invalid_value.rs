use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SCH004",
    name: "invalid-value",
    category: Category::Schema,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A value outside what the schema allows (enum, format, range)",
    fix: "use one of the values the schema allows",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Schema,
    doc: r#"## What it does
Reports values of the right type that the API server would still refuse: an integer out of
the `int32` range, invalid base64 in a Secret's `data`, a timestamp that is not RFC 3339, a
value not in the schema's enum.

## Why is this bad?
The object is rejected when applied.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  password: not base64!
```

## Fix
```yaml
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData:
  password: "not base64!"
```
"#,
};
