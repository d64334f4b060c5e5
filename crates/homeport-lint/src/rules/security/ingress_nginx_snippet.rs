use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC024",
    name: "ingress-nginx-snippet",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "An Ingress sets an ingress-nginx `*-snippet` annotation",
    fix: "use the dedicated annotations (`auth-url`, `proxy-*`, `configuration` via a ConfigMap the cluster admin owns) instead of raw nginx configuration",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports `nginx.ingress.kubernetes.io/*-snippet` annotations (`configuration-snippet`,
`server-snippet`, `auth-snippet`, `stream-snippet`, ...) on Ingresses.

## Why is this bad?
Snippets are pasted into the controller's nginx configuration as they are. Whoever can
create an Ingress can then read files of the controller pod, including its service account
token, which can read every Secret of the cluster (CVE-2021-25742, and the
"IngressNightmare" family, CVE-2025-1974). ingress-nginx 1.9 and later ignore snippets unless
the cluster admin sets `allow-snippet-annotations: true`, so the annotation either does
nothing or needs that dangerous switch.

## Example
```yaml
metadata:
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: SAMEORIGIN";
```

## Fix
```yaml
metadata:
  annotations:
    nginx.ingress.kubernetes.io/custom-headers: media/security-headers
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !super::super::networking::is_ingress(obj) {
        return;
    }
    let Some(annotations) = obj
        .value
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object)
    else {
        return;
    };
    for key in annotations.keys() {
        let Some(name) = key.strip_prefix("nginx.ingress.kubernetes.io/") else {
            continue;
        };
        if name.ends_with("-snippet") {
            out.report(
                FieldPath::parse("metadata.annotations").key(key.as_str()),
                format!(
                    "Ingress `{}` pastes raw nginx configuration (`{name}`) into the controller",
                    obj.name
                ),
            );
        }
    }
}
