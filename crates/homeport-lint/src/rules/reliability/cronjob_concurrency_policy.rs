use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL023",
    name: "cronjob-concurrency-policy",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A CronJob lets runs overlap (no `concurrencyPolicy`, or `Allow`)",
    fix: "set `spec.concurrencyPolicy: Forbid` (or `Replace`)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports CronJobs whose `concurrencyPolicy` is unset or `Allow`.

## Why is this bad?
When a run takes longer than the schedule's interval, the next one starts beside it: two
backups writing the same archive, two database dumps competing for locks, twice the
memory on a small node. Most scheduled jobs are not written to run concurrently.

## Example
```yaml
kind: CronJob
spec:
  schedule: "*/5 * * * *"
```

## Fix
```yaml
kind: CronJob
spec:
  schedule: "*/5 * * * *"
  concurrencyPolicy: Forbid
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "CronJob" || obj.group() != "batch" {
        return;
    }
    let policy = obj
        .value
        .get("spec")
        .and_then(|s| s.get("concurrencyPolicy"))
        .and_then(Value::as_str);
    match policy {
        None => {
            out.report(
                FieldPath::parse("spec"),
                format!(
                    "CronJob `{}` lets runs overlap (concurrencyPolicy defaults to Allow)",
                    obj.name
                ),
            );
        }
        Some("Allow") => {
            out.report(
                FieldPath::parse("spec.concurrencyPolicy"),
                format!("CronJob `{}` lets runs overlap", obj.name),
            );
        }
        _ => {}
    }
}
