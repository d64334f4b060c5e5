use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL024",
    name: "job-missing-ttl",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A Job is never cleaned up (no `ttlSecondsAfterFinished`)",
    fix: "set `spec.ttlSecondsAfterFinished` (for example 86400)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Jobs (not those of a CronJob, which keeps a history limit) without
`spec.ttlSecondsAfterFinished`. (kube-linter's `job-ttl-seconds-after-finished`.)

## Why is this bad?
Finished Jobs and their pods stay forever, and a GitOps tool cannot re-apply a Job whose
pod template is immutable: the next sync of a changed migration Job fails until someone
deletes the old one by hand.

## Example
```yaml
kind: Job
spec:
  template: {}
```

## Fix
```yaml
kind: Job
spec:
  ttlSecondsAfterFinished: 86400
  template: {}
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Job" || obj.group() != "batch" {
        return;
    }
    if obj
        .value
        .get("spec")
        .and_then(|s| s.get("ttlSecondsAfterFinished"))
        .is_none()
    {
        out.report(
            FieldPath::parse("spec"),
            format!("Job `{}` has no ttlSecondsAfterFinished", obj.name),
        );
    }
}
