use super::version_tuple;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "API002",
    name: "deprecated-api",
    category: Category::ApiVersion,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "An apiVersion that the target Kubernetes version deprecates",
    fix: "migrate the object to the replacement apiVersion before it is removed",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports objects written against an API version that the target Kubernetes version still
serves but has deprecated, with the release that removes it.

## Why is this bad?
The next cluster upgrade past the removal release breaks the deployment; `kubectl` already
prints a deprecation warning on every apply.

## Example
```yaml
# with --kubernetes-version 1.24
apiVersion: batch/v1beta1
kind: CronJob
```

## Fix
```yaml
apiVersion: batch/v1
kind: CronJob
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some((deprecated, removed, replacement)) =
        homeport_k8s_schema::removed_in(&obj.api_version, &obj.kind)
    else {
        return;
    };
    if cx.version < version_tuple(deprecated) || cx.version >= version_tuple(removed) {
        return;
    }
    let f = out.report(
        FieldPath::parse("apiVersion"),
        format!(
            "{} `{}` is deprecated since Kubernetes {deprecated} and will be removed in {removed}",
            obj.kind, obj.api_version
        ),
    );
    if !replacement.is_empty() {
        f.with_help(format!("use `apiVersion: {replacement}`"));
    }
}
