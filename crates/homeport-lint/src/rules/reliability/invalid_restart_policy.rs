use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL025",
    name: "invalid-restart-policy",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A pod template's `restartPolicy` is not allowed for its kind",
    fix: "Jobs and CronJobs need `OnFailure` or `Never`; Deployments, StatefulSets, DaemonSets need `Always`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Jobs and CronJobs whose pod template has no `restartPolicy` or has `Always`, and
Deployments, StatefulSets, DaemonSets and ReplicaSets whose pod template has a
`restartPolicy` other than `Always`. (kube-score's `cronjob-restartpolicy`, kube-linter's
`restart-policy`.)

## Why is this bad?
The API server rejects the object: a Job's pods must finish, a Deployment's must not.

## Example
```yaml
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Always
```

## Fix
```yaml
          restartPolicy: OnFailure
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let policy = t.get("restartPolicy").and_then(Value::as_str);
    match obj.kind.as_str() {
        "Job" | "CronJob" => match policy {
            None => {
                out.report(
                    t.spec_path.clone(),
                    format!("{} pods need `restartPolicy: OnFailure` or `Never` (the default, Always, is rejected)", obj.kind),
                );
            }
            Some("Always") => {
                out.report(
                    t.spec_path.key("restartPolicy"),
                    format!("{} pods cannot use `restartPolicy: Always`", obj.kind),
                );
            }
            _ => {}
        },
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" => {
            if let Some(p) = policy.filter(|p| *p != "Always") {
                out.report(
                    t.spec_path.key("restartPolicy"),
                    format!(
                        "{} pods must use `restartPolicy: Always`, not `{p}`",
                        obj.kind
                    ),
                );
            }
        }
        _ => {}
    }
}
