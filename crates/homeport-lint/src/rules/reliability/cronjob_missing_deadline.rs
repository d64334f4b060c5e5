use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL022",
    name: "cronjob-missing-deadline",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A CronJob has no `startingDeadlineSeconds`",
    fix: "set `spec.startingDeadlineSeconds` (for example 300)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports CronJobs without `spec.startingDeadlineSeconds`. (kube-score's
`cronjob-has-deadline`.)

## Why is this bad?
Without a deadline, a CronJob that missed its schedule (controller down, node off
overnight) may start late at any time, and after more than 100 missed runs the controller
stops scheduling it altogether with "too many missed start times". A nightly backup
starting at noon in the middle of a work day is the typical symptom.

## Example
```yaml
kind: CronJob
spec:
  schedule: "0 3 * * *"
```

## Fix
```yaml
kind: CronJob
spec:
  schedule: "0 3 * * *"
  startingDeadlineSeconds: 600
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "CronJob" || obj.group() != "batch" {
        return;
    }
    let spec = obj.value.get("spec");
    if spec
        .and_then(|s| s.get("startingDeadlineSeconds"))
        .is_none()
    {
        out.report(
            FieldPath::parse("spec"),
            format!("CronJob `{}` has no startingDeadlineSeconds", obj.name),
        );
    }
}
