use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC012",
    name: "privilege-escalation-enabled",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container explicitly allows privilege escalation",
    fix: "set `securityContext.allowPrivilegeEscalation: false`",
    overlaps: &["PSS012"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers that allow privilege escalation explicitly
(`allowPrivilegeEscalation: true`) or implicitly through `privileged: true` or the
`SYS_ADMIN` capability, at any Pod Security level. The restricted control `PSS012` also
requires the field to be set to `false`; when it reports the pod, this rule stays quiet.
(kube-linter's `privilege-escalation-container`.)

## Why is this bad?
With escalation allowed, a setuid binary in the image (`sudo`, `su`, `ping` on old images)
gives a process more privileges than the container was started with.

## Example
```yaml
securityContext:
  allowPrivilegeEscalation: true
```

## Fix
```yaml
securityContext:
  allowPrivilegeEscalation: false
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        let explicit = container_security(c, "allowPrivilegeEscalation").and_then(Value::as_bool);
        let privileged = container_security(c, "privileged").and_then(Value::as_bool) == Some(true);
        let sys_admin = container_security(c, "capabilities")
            .and_then(|caps| caps.get("add"))
            .and_then(Value::as_array)
            .is_some_and(|add| {
                add.iter()
                    .filter_map(Value::as_str)
                    .any(|cap| cap.trim_start_matches("CAP_") == "SYS_ADMIN")
            });
        if explicit == Some(true) {
            out.report(
                c.path.join("securityContext.allowPrivilegeEscalation"),
                format!("{} allows privilege escalation", c.describe()),
            );
        } else if explicit != Some(false) && (privileged || sys_admin) {
            let why = if privileged {
                "privileged"
            } else {
                "granted SYS_ADMIN"
            };
            out.report(
                c.path.key("securityContext"),
                format!(
                    "{} is {why}, which allows privilege escalation",
                    c.describe()
                ),
            );
        }
    }
}
