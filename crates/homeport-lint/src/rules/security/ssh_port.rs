use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC019",
    name: "ssh-port",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A container exposes port 22 (SSH)",
    fix: "use `kubectl exec` instead of an SSH server; if it is an SSH service on purpose (Git), suppress with a reason",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers that declare TCP port 22. (kube-linter's `ssh-port`.)

## Why is this bad?
An SSH server inside an application container is an extra way in, with its own keys to
manage; `kubectl exec` does the same job through the API's authentication. Git servers
(Gitea, GitLab) expose SSH on purpose: suppress the finding there with a reason.

## Example
```yaml
ports:
  - containerPort: 22
```

## Fix
Remove the port and the SSH daemon from the image.
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        for (i, p) in c.ports().iter().enumerate() {
            let tcp = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") == "TCP";
            if tcp && p.get("containerPort").and_then(Value::as_i64) == Some(22) {
                out.report(
                    c.path.key("ports").index(i).key("containerPort"),
                    format!("{} exposes SSH port 22", c.describe()),
                );
            }
        }
    }
}
