use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC014",
    name: "host-pid",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Pods share the node's process namespace",
    fix: "remove `hostPID: true`",
    overlaps: &["PSS002"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pod specs with `hostPID: true`, at any Pod Security level (the baseline control
`PSS002` reports the same; when it does, this rule stays quiet). (kube-linter's
`host-pid`.)

## Why is this bad?
The pod sees every process of the node, including their environment variables (and the secrets in them), and with ptrace rights can attach to them.

## Example
```yaml
spec:
  hostPID: true
```

## Fix
```yaml
spec:
  hostPID: false
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    if t.get("hostPID").and_then(Value::as_bool) == Some(true) {
        out.report(
            t.spec_path.key("hostPID"),
            "pods share the node's process namespace",
        );
    }
}
