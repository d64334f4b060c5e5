use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC016",
    name: "net-raw-not-dropped",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A container keeps the NET_RAW capability",
    fix: "add `capabilities: {drop: [ALL]}` (or at least `NET_RAW`) to the container's securityContext",
    overlaps: &["PSS017"],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers that do not drop `NET_RAW` (neither `ALL` nor `NET_RAW` in
`securityContext.capabilities.drop`). The restricted control `PSS017` requires dropping
`ALL`; when it reports the pod, this rule stays quiet. (kube-linter's
`drop-net-raw-capability`.)

## Why is this bad?
Container runtimes grant `NET_RAW` by default. It lets a process craft raw packets: ARP and
DNS spoofing against other pods on the node's bridge.

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
```

## Fix
```yaml
containers:
  - name: web
    image: nginx:1.27
    securityContext:
      capabilities:
        drop: [ALL]
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        let caps = container_security(c, "capabilities");
        let drops = caps
            .and_then(|caps| caps.get("drop"))
            .and_then(Value::as_array)
            .is_some_and(|d| {
                d.iter()
                    .filter_map(Value::as_str)
                    .any(|cap| matches!(cap.trim_start_matches("CAP_"), "ALL" | "NET_RAW"))
            });
        let adds_back = caps
            .and_then(|caps| caps.get("add"))
            .and_then(Value::as_array)
            .is_some_and(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|cap| matches!(cap.trim_start_matches("CAP_"), "ALL" | "NET_RAW"))
            });
        if !drops || adds_back {
            let path = match caps {
                Some(_) => c.path.join("securityContext.capabilities"),
                None => c.path.clone(),
            };
            out.report(
                path,
                format!("{} keeps the NET_RAW capability", c.describe()),
            );
        }
    }
}
