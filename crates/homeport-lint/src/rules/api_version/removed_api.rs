use super::version_tuple;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "API001",
    name: "removed-api",
    category: Category::ApiVersion,
    severity: Severity::Error,
    default_enabled: true,
    summary: "An apiVersion that the target Kubernetes version no longer serves",
    fix: "migrate the object to the replacement apiVersion",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports objects written against an API version that was removed in or before the target
Kubernetes version (`--kubernetes-version`, default 1.33), following the upstream deprecated
API migration guide: `extensions/v1beta1` Deployments and Ingresses, `policy/v1beta1`
PodDisruptionBudgets, `batch/v1beta1` CronJobs, `autoscaling/v2beta2` HPAs and the rest.

## Why is this bad?
The API server answers "no matches for kind": the object cannot be applied at all. Old
charts and blog-post manifests are full of these.

## Example
```yaml
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
```

## Fix
```yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
```
Some migrations change fields too (an Ingress backend's `serviceName`/`servicePort` became
`service.name`/`service.port.number`); the schema rules report what else must change.
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some((deprecated, removed, replacement)) =
        homeport_k8s_schema::removed_in(&obj.api_version, &obj.kind)
    else {
        return;
    };
    if cx.version < version_tuple(removed) {
        return;
    }
    let f = out.report(
        FieldPath::parse("apiVersion"),
        format!(
            "{} `{}` was deprecated in Kubernetes {deprecated} and removed in {removed}; the target is {}.{}",
            obj.kind, obj.api_version, cx.version.0, cx.version.1
        ),
    );
    if replacement.is_empty() {
        f.with_help(format!("{} has no replacement API; remove it", obj.kind));
    } else {
        f.with_help(format!("use `apiVersion: {replacement}`"));
    }
}
