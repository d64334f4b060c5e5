use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC023",
    name: "default-namespace",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: false,
    summary: "A namespaced object is in (or, without a namespace, applied to) the `default` namespace",
    fix: "give the object its application's namespace (`metadata.namespace`, or `namespace:` in kustomization.yaml)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports namespaced objects whose `metadata.namespace` is `default`, and those without a
namespace (they go wherever the current kubectl context points, usually `default`).
Cluster-scoped kinds (Namespace, ClusterRole, PersistentVolume, StorageClass, CRDs, ...)
are not reported. Off by default (a tree whose namespace is set by Kustomize has none in
its files); enable it with `--select default,SEC023`. (Checkov's CKV_K8S_21.)

## Why is this bad?
Everything in `default` shares one set of RBAC, quotas, network policies and Pod Security
labels, and `default` has no Pod Security level: the objects of one application cannot be
isolated from another's, nor removed together.

## Example
```yaml
metadata:
  name: web
```

## Fix
```yaml
metadata:
  name: web
  namespace: media
```
"#,
};

/// Built-in kinds that are not namespaced.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "APIService",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ComponentStatus",
];

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if CLUSTER_SCOPED.contains(&obj.kind.as_str()) {
        return;
    }
    // Custom resources may be cluster-scoped (ClusterIssuer, ...): judge only built-in
    // groups and kinds named like namespaced ones.
    let group = obj.group();
    if !(group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io"))
        || obj.kind.starts_with("Cluster")
    {
        return;
    }
    match obj.namespace.as_deref() {
        Some("default") => {
            out.report(
                FieldPath::parse("metadata.namespace"),
                format!("{} `{}` is in the `default` namespace", obj.kind, obj.name),
            );
        }
        None => {
            out.report(
                FieldPath::parse("metadata"),
                format!(
                    "{} `{}` has no namespace: it goes to the current context's (usually `default`)",
                    obj.kind, obj.name
                ),
            );
        }
        Some(_) => {}
    }
}
