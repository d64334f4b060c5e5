use crate::rules::prelude::*;
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    code: "REL012",
    name: "duplicate-env-var",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container sets the same environment variable twice",
    fix: "keep one entry per variable name",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `env` entries whose `name` already appeared earlier in the same container.
(kube-linter's `duplicate-env-var`, kube-score's `environment-variable-key-duplication`.)

## Why is this bad?
The last entry wins, silently; whoever edits the first one wonders why nothing changes.
Server-side apply may also refuse the object because `env` is keyed by name.

## Example
```yaml
env:
  - {name: LOG_LEVEL, value: info}
  - {name: LOG_LEVEL, value: debug}
```

## Fix
```yaml
env:
  - {name: LOG_LEVEL, value: debug}
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        let Some(env) = c.get("env").and_then(Value::as_array) else {
            continue;
        };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, e) in env.iter().enumerate() {
            let Some(name) = e.get("name").and_then(Value::as_str) else {
                continue;
            };
            if let Some(first) = seen.insert(name, i) {
                out.report(
                    c.path.key("env").index(i).key("name"),
                    format!(
                        "{} sets `{name}` again (first at env[{first}]); the last one wins",
                        c.describe()
                    ),
                );
            }
        }
    }
}
