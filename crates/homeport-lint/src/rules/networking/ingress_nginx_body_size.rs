use super::{ingress_backends, is_ingress};
use crate::index::service_selector;
use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "NET007",
    name: "ingress-nginx-body-size",
    category: Category::Networking,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "An ingress-nginx Ingress in front of an upload service keeps the 1 MiB body limit",
    fix: "set `nginx.ingress.kubernetes.io/proxy-body-size` to the largest upload you accept (`0` disables the limit)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Ingresses served by ingress-nginx (`ingressClassName` or the
`kubernetes.io/ingress.class` annotation names nginx, or the Ingress carries
`nginx.ingress.kubernetes.io/*` annotations) without
`nginx.ingress.kubernetes.io/proxy-body-size`, when a backend is an upload service.

An upload service is, heuristically, a workload behind a backend Service of the input that
either runs a known upload application (Nextcloud, ownCloud, Immich, PhotoPrism,
Paperless, Seafile, Filebrowser, Gitea, Forgejo, GitLab, a container registry, MinIO,
Pingvin/PsiTransfer, Vaultwarden, Jellyfin, Audiobookshelf, ...) or mounts a
PersistentVolumeClaim read-write into a container that serves the Service (user data is
written there). Ingresses handled by other controllers (Traefik, k3s's default, has no
body limit) are not reported.

## Why is this bad?
ingress-nginx refuses request bodies over 1 MiB by default (`413 Request Entity Too
Large`): photo uploads, file sync, `git push` and `docker push` fail, often with a
confusing error in the client.

## Example
```yaml
kind: Ingress
spec:
  ingressClassName: nginx
  rules:
    - host: cloud.home.arpa
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: nextcloud, port: {number: 80}}}}
```

## Fix
```yaml
metadata:
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 10g
```
"#,
};

/// Image name fragments of applications whose point is receiving uploads.
const UPLOAD_APPS: &[&str] = &[
    "nextcloud",
    "owncloud",
    "ocis",
    "immich",
    "photoprism",
    "paperless",
    "seafile",
    "filebrowser",
    "gitea",
    "forgejo",
    "gitlab",
    "registry",
    "minio",
    "pingvin",
    "psitransfer",
    "vaultwarden",
    "jellyfin",
    "audiobookshelf",
    "lychee",
    "piwigo",
    "syncthing",
];

const BODY_SIZE: &str = "nginx.ingress.kubernetes.io/proxy-body-size";

fn is_ingress_nginx(obj: &Object) -> bool {
    let class = obj
        .value
        .get("spec")
        .and_then(|s| s.get("ingressClassName"))
        .and_then(Value::as_str);
    let annotations = obj
        .value
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object);
    let annotated_class = annotations
        .and_then(|a| a.get("kubernetes.io/ingress.class"))
        .and_then(Value::as_str);
    match class.or(annotated_class) {
        Some(c) => c.contains("nginx"),
        None => annotations.is_some_and(|a| {
            a.keys()
                .any(|k| k.starts_with("nginx.ingress.kubernetes.io/"))
        }),
    }
}

/// Why workload `w` looks like an upload service, if it does.
fn upload_reason(cx: &Context<'_>, w: usize) -> Option<String> {
    let obj = cx.index.object(w)?;
    let t = pod_template(&obj)?;
    for c in t.long_running_containers() {
        let image = c.image();
        let repo = parse_image(image).repository;
        let last = repo.rsplit('/').next().unwrap_or(repo);
        if let Some(app) = UPLOAD_APPS.iter().find(|a| last.contains(*a)) {
            return Some(format!("runs {app} (`{image}`)"));
        }
    }
    let claims: Vec<&str> = t
        .volumes()
        .iter()
        .filter(|(_, v)| v.get("persistentVolumeClaim").is_some())
        .filter_map(|(_, v)| v.get("name").and_then(Value::as_str))
        .collect();
    let templates: Vec<&str> = obj
        .value
        .get("spec")
        .and_then(|s| s.get("volumeClaimTemplates"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("metadata")?.get("name")?.as_str())
                .collect()
        })
        .unwrap_or_default();
    for c in t.long_running_containers() {
        if c.ports().is_empty() {
            continue;
        }
        let Some(mounts) = c.get("volumeMounts").and_then(Value::as_array) else {
            continue;
        };
        for m in mounts {
            let name = m.get("name").and_then(Value::as_str).unwrap_or("");
            let read_only = m.get("readOnly").and_then(Value::as_bool) == Some(true);
            if !read_only && (claims.contains(&name) || templates.contains(&name)) {
                let at = m.get("mountPath").and_then(Value::as_str).unwrap_or("");
                return Some(format!(
                    "writes a persistent volume (`{name}` at `{at}`) in {}",
                    c.describe()
                ));
            }
        }
    }
    None
}

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !is_ingress(obj) || !is_ingress_nginx(obj) {
        return;
    }
    let has_limit = obj
        .value
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(BODY_SIZE))
        .is_some();
    if has_limit {
        return;
    }
    let ns = cx.index.namespace(out.object_index());
    let mut seen: Vec<String> = Vec::new();
    for (_, name, _) in ingress_backends(obj) {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let Some(svc) = cx.index.find(ns, "Service", &name) else {
            continue;
        };
        let Some(selector) = service_selector(svc) else {
            continue;
        };
        let reason = cx
            .index
            .select_workloads(ns, &selector)
            .into_iter()
            .find_map(|w| {
                let wname = cx.index.name(w);
                upload_reason(cx, w).map(|r| format!("`{wname}` {r}"))
            });
        if let Some(reason) = reason {
            let path = match obj.value.get("metadata").and_then(|m| m.get("annotations")) {
                Some(_) => FieldPath::parse("metadata.annotations"),
                None => FieldPath::parse("metadata"),
            };
            out.report(
                path,
                format!(
                    "ingress-nginx refuses request bodies over 1 MiB, and Service `{name}` looks like an upload service: {reason}"
                ),
            );
            return;
        }
    }
}
