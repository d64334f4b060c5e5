use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC008",
    name: "deprecated-service-account-field",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "The deprecated `serviceAccount` field is used",
    fix: "use `serviceAccountName` (and remove `serviceAccount`)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pod specs that set the deprecated `serviceAccount` field. (kube-linter's
`deprecated-service-account-field`.)

## Why is this bad?
`serviceAccount` is an alias kept for old clients; when both fields are set and differ,
which one wins is easy to get wrong.

## Example
```yaml
spec:
  serviceAccount: backend
```

## Fix
```yaml
spec:
  serviceAccountName: backend
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let Some(old) = t.get("serviceAccount").and_then(Value::as_str) else {
        return;
    };
    if old.is_empty() {
        return;
    }
    let new = t.get("serviceAccountName").and_then(Value::as_str);
    let message = match new {
        Some(n) if n != old => format!(
            "`serviceAccount: {old}` is deprecated and differs from `serviceAccountName: {n}`"
        ),
        _ => format!("`serviceAccount: {old}` is deprecated"),
    };
    out.report(t.spec_path.key("serviceAccount"), message);
}
