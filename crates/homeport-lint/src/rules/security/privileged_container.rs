use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC011",
    name: "privileged-mode",
    category: Category::Security,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A privileged container",
    fix: "remove `privileged: true`; add only the capabilities or devices the container needs",
    overlaps: &["PSS003"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers with `securityContext.privileged: true`, at any Pod Security level
(the baseline control `PSS003` reports the same; when it does, this rule stays quiet).
(kube-linter's `privileged-container`.)

## Why is this bad?
A privileged container has every capability and every device of the node: it is root on
the node. Compose's `privileged: true` is usually there for one device (`/dev/dri` for
transcoding) or one capability (`NET_ADMIN` for a VPN).

## Example
```yaml
securityContext:
  privileged: true
```

## Fix
```yaml
securityContext:
  capabilities:
    add: [NET_ADMIN]
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        if container_security(c, "privileged").and_then(Value::as_bool) == Some(true) {
            out.report(
                c.path.join("securityContext.privileged"),
                format!("{} is privileged", c.describe()),
            );
        }
    }
}
