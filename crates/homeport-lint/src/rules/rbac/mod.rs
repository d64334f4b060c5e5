//! `rbac`: Roles, ClusterRoles and their bindings: what a subject can do once bound (read
//! Secrets, run pods, escalate, exec into pods), and bindings that point at the wrong thing
//! (`cluster-admin`, the `default` ServiceAccount, subjects the input does not hold).
//! (kube-linter's `access-to-secrets`, `access-to-create-pods`, `wildcard-in-rules`,
//! `cluster-admin-role-binding`; Checkov's CKV_K8S_49, CKV_K8S_157/158; Trivy's KSV041,
//! KSV044, KSV048, KSV053.)

pub mod admission_webhook_control;
pub mod binding_subject_missing;
pub mod cluster_admin_binding;
pub mod default_service_account_binding;
pub mod escalation_verbs;
pub mod pod_exec;
pub mod secret_read;
pub mod wildcard;
pub mod workload_create;

use crate::context::Context;
use crate::index::Index;
use homeport_manifest::{FieldPath, Object};
use serde_json::Value;

/// Whether the object is a Role or ClusterRole of `rbac.authorization.k8s.io`.
pub(crate) fn is_role(obj: &Object) -> bool {
    matches!(obj.kind.as_str(), "Role" | "ClusterRole")
        && obj.group() == "rbac.authorization.k8s.io"
}

/// Whether the object is a RoleBinding or ClusterRoleBinding.
pub(crate) fn is_binding(obj: &Object) -> bool {
    matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
        && obj.group() == "rbac.authorization.k8s.io"
}

/// One entry of a role's `rules[]`.
pub(crate) struct PolicyRule<'a> {
    pub path: FieldPath,
    pub value: &'a Value,
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

impl<'a> PolicyRule<'a> {
    pub fn verbs(&self) -> Vec<&'a str> {
        strings(self.value.get("verbs"))
    }

    pub fn resources(&self) -> Vec<&'a str> {
        strings(self.value.get("resources"))
    }

    pub fn api_groups(&self) -> Vec<&'a str> {
        strings(self.value.get("apiGroups"))
    }

    /// Whether `resourceNames` limits the rule to named objects.
    pub fn has_resource_names(&self) -> bool {
        self.value
            .get("resourceNames")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    }

    /// Whether the rule applies to resources of API group `group` (`""` is core).
    pub fn covers_group(&self, group: &str) -> bool {
        self.api_groups().iter().any(|g| *g == "*" || *g == group)
    }

    /// Whether the rule grants `verb` (or `*`).
    pub fn grants_verb(&self, verb: &str) -> bool {
        self.verbs().iter().any(|v| *v == "*" || *v == verb)
    }

    /// Whether the rule names `resource` (or `*`); `pods/exec` is also matched by `*/exec`
    /// and `pods/*`.
    pub fn names_resource(&self, resource: &str) -> bool {
        let (base, sub) = resource.split_once('/').unwrap_or((resource, ""));
        self.resources().iter().any(|r| {
            *r == "*"
                || *r == resource
                || (!sub.is_empty() && (*r == format!("{base}/*") || *r == format!("*/{sub}")))
        })
    }

    /// Whether the rule grants any of `verbs` on `resource` of `group`.
    pub fn grants(&self, group: &str, resource: &str, verbs: &[&str]) -> bool {
        self.covers_group(group)
            && self.names_resource(resource)
            && verbs.iter().any(|v| self.grants_verb(v))
    }
}

/// The `rules[]` of a Role or ClusterRole (aggregated ClusterRoles get theirs from the
/// cluster, so they have none here).
pub(crate) fn policy_rules(obj: &Object) -> Vec<PolicyRule<'_>> {
    let Some(list) = obj.value.get("rules").and_then(Value::as_array) else {
        return Vec::new();
    };
    let base = FieldPath::parse("rules");
    list.iter()
        .enumerate()
        .filter(|(_, v)| v.is_object())
        .map(|(i, v)| PolicyRule {
            path: base.index(i),
            value: v,
        })
        .collect()
}

/// A binding's `roleRef`: kind and name.
pub(crate) fn role_ref(obj: &Object) -> Option<(&str, &str)> {
    let r = obj.value.get("roleRef")?;
    Some((r.get("kind")?.as_str()?, r.get("name")?.as_str()?))
}

/// A binding subject with its path.
pub(crate) struct Subject<'a> {
    pub path: FieldPath,
    pub kind: &'a str,
    pub name: &'a str,
    /// The subject's namespace: its own `namespace`, else (for a ServiceAccount in a
    /// RoleBinding) the binding's.
    pub namespace: Option<&'a str>,
}

pub(crate) fn subjects<'a>(obj: &'a Object, binding_ns: &'a str) -> Vec<Subject<'a>> {
    let Some(list) = obj.value.get("subjects").and_then(Value::as_array) else {
        return Vec::new();
    };
    let base = FieldPath::parse("subjects");
    list.iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let kind = s.get("kind")?.as_str()?;
            let name = s.get("name")?.as_str()?;
            let own = s
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty());
            let namespace = match (own, obj.kind.as_str()) {
                (Some(n), _) => Some(n),
                (None, "RoleBinding") => Some(binding_ns),
                _ => None,
            };
            Some(Subject {
                path: base.index(i),
                kind,
                name,
                namespace,
            })
        })
        .collect()
}

/// The bindings of the input that grant the role `obj` (a Role: RoleBindings of its
/// namespace; a ClusterRole: every binding that names it).
pub(crate) fn bindings_of(cx: &Context<'_>, role: usize, obj: &Object) -> Vec<usize> {
    let index: &Index<'_> = cx.index;
    let mut out = Vec::new();
    for kind in ["RoleBinding", "ClusterRoleBinding"] {
        for &b in index.of_kind(kind) {
            let Some(binding) = index.whole(b) else {
                continue;
            };
            if !is_binding(binding) {
                continue;
            }
            let Some((ref_kind, ref_name)) = role_ref(binding) else {
                continue;
            };
            if ref_kind != obj.kind || ref_name != obj.name {
                continue;
            }
            if obj.kind == "Role" && index.namespace(b) != index.namespace(role) {
                continue;
            }
            out.push(b);
        }
    }
    out
}

/// `ServiceAccount ns/name` for messages.
pub(crate) fn describe_subject(s: &Subject<'_>) -> String {
    match s.namespace {
        Some(ns) => format!("{} `{ns}/{}`", s.kind, s.name),
        None => format!("{} `{}`", s.kind, s.name),
    }
}

/// The verbs that read an object's content (`list` and `watch` return whole objects).
pub(crate) const READ_VERBS: &[&str] = &["get", "list", "watch"];
