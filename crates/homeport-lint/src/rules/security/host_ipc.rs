use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC015",
    name: "host-ipc",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "Pods share the node's IPC namespace",
    fix: "remove `hostIPC: true`",
    overlaps: &["PSS002"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pod specs with `hostIPC: true`, at any Pod Security level (the baseline control
`PSS002` reports the same; when it does, this rule stays quiet). (kube-linter's
`host-ipc`.)

## Why is this bad?
The pod can read and write the shared memory and message queues of every process on the node.

## Example
```yaml
spec:
  hostIPC: true
```

## Fix
```yaml
spec:
  hostIPC: false
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    if t.get("hostIPC").and_then(Value::as_bool) == Some(true) {
        out.report(
            t.spec_path.key("hostIPC"),
            "pods share the node's IPC namespace",
        );
    }
}
