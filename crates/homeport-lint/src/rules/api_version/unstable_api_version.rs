use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "API003",
    name: "unstable-api-version",
    category: Category::ApiVersion,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "An alpha or beta apiVersion while the target version serves a stable one",
    fix: "use the stable apiVersion",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports objects that use an alpha or beta version of a built-in API when the target
Kubernetes version serves the same kind under a stable (`v1`, `v2`) version. (kube-score's
`stable-version` check.)

## Why is this bad?
Pre-release API versions are removed a few releases after the stable one appears, and beta
APIs are not enabled on every cluster. The stable version has the same features and a
long support promise.

## Example
```yaml
apiVersion: storage.k8s.io/v1beta1
kind: CSIStorageCapacity
```

## Fix
```yaml
apiVersion: storage.k8s.io/v1
kind: CSIStorageCapacity
```
"#,
};

fn is_prerelease(version: &str) -> bool {
    version.contains("alpha") || version.contains("beta")
}

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let (group, version) = match obj.api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", obj.api_version.as_str()),
    };
    if !is_prerelease(version) {
        return;
    }
    // Removed or deprecated versions are reported by API001/API002 with their replacement.
    if homeport_k8s_schema::removed_in(&obj.api_version, &obj.kind).is_some() {
        return;
    }
    let Some(schema) =
        homeport_k8s_schema::schema_for(&format!("{}.{}", cx.version.0, cx.version.1))
    else {
        return;
    };
    let stable = schema.kinds().find(|(api, kind)| {
        *kind == obj.kind
            && match api.split_once('/') {
                Some((g, v)) => g == group && !is_prerelease(v),
                None => group.is_empty() && !is_prerelease(api),
            }
    });
    if let Some((api, _)) = stable {
        out.report(
            FieldPath::parse("apiVersion"),
            format!(
                "{} `{}` is a pre-release API; Kubernetes {}.{} serves it as `{api}`",
                obj.kind, obj.api_version, cx.version.0, cx.version.1
            ),
        )
        .with_help(format!("use `apiVersion: {api}`"));
    }
}
