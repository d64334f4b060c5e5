//! The well-known removed Kubernetes APIs, after the official "Deprecated API Migration
//! Guide" (kubernetes.io/docs/reference/using-api/deprecation-guide) and, for removals after
//! it, the schemas of the versions embedded here.

/// A built-in API version of a kind that Kubernetes stopped serving.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RemovedApi {
    /// The removed apiVersion: `"policy/v1beta1"`.
    pub api_version: &'static str,
    /// The kind: `"PodDisruptionBudget"`.
    pub kind: &'static str,
    /// The Kubernetes version that deprecated it: `"1.21"`.
    pub deprecated_in: &'static str,
    /// The first Kubernetes version that no longer serves it: `"1.25"`.
    pub removed_in: &'static str,
    /// The apiVersion to migrate to (the stable one, where there is one), or `""` when the
    /// API has no replacement that is still served (PodSecurityPolicy: use Pod Security
    /// Admission).
    pub replacement: &'static str,
}

const fn r(
    api_version: &'static str,
    kind: &'static str,
    deprecated_in: &'static str,
    removed_in: &'static str,
    replacement: &'static str,
) -> RemovedApi {
    RemovedApi {
        api_version,
        kind,
        deprecated_in,
        removed_in,
        replacement,
    }
}

/// Every removed API this crate knows, by removal version.
///
/// "Deprecated in" is the release whose API server first warned about the version (the
/// `deprecated` release of Kubernetes' prerelease-lifecycle annotations). The replacement is
/// the stable apiVersion: for FlowSchema and PriorityLevelConfiguration that is
/// `flowcontrol.apiserver.k8s.io/v1` (served from 1.29; on 1.26 to 1.28 use `v1beta3`).
/// Removals after 1.32 are those seen between the embedded schemas (a beta version dropped
/// once its stable version had been served for a few releases).
#[rustfmt::skip]
pub static REMOVED_APIS: &[RemovedApi] = &[
    // 1.16
    r("extensions/v1beta1", "DaemonSet", "1.8", "1.16", "apps/v1"),
    r("extensions/v1beta1", "Deployment", "1.8", "1.16", "apps/v1"),
    r("extensions/v1beta1", "ReplicaSet", "1.8", "1.16", "apps/v1"),
    r("extensions/v1beta1", "NetworkPolicy", "1.9", "1.16", "networking.k8s.io/v1"),
    r("extensions/v1beta1", "PodSecurityPolicy", "1.11", "1.16", ""),
    r("apps/v1beta1", "Deployment", "1.8", "1.16", "apps/v1"),
    r("apps/v1beta1", "StatefulSet", "1.8", "1.16", "apps/v1"),
    r("apps/v1beta1", "ReplicaSet", "1.8", "1.16", "apps/v1"),
    r("apps/v1beta1", "ControllerRevision", "1.8", "1.16", "apps/v1"),
    r("apps/v1beta2", "DaemonSet", "1.9", "1.16", "apps/v1"),
    r("apps/v1beta2", "Deployment", "1.9", "1.16", "apps/v1"),
    r("apps/v1beta2", "ReplicaSet", "1.9", "1.16", "apps/v1"),
    r("apps/v1beta2", "StatefulSet", "1.9", "1.16", "apps/v1"),
    r("apps/v1beta2", "ControllerRevision", "1.9", "1.16", "apps/v1"),
    // 1.22
    r("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", "1.16", "1.22", "admissionregistration.k8s.io/v1"),
    r("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", "1.16", "1.22", "admissionregistration.k8s.io/v1"),
    r("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.16", "1.22", "apiextensions.k8s.io/v1"),
    r("apiregistration.k8s.io/v1beta1", "APIService", "1.19", "1.22", "apiregistration.k8s.io/v1"),
    r("authentication.k8s.io/v1beta1", "TokenReview", "1.19", "1.22", "authentication.k8s.io/v1"),
    r("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", "1.19", "1.22", "authorization.k8s.io/v1"),
    r("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", "1.19", "1.22", "authorization.k8s.io/v1"),
    r("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", "1.19", "1.22", "authorization.k8s.io/v1"),
    r("authorization.k8s.io/v1beta1", "SubjectAccessReview", "1.19", "1.22", "authorization.k8s.io/v1"),
    r("certificates.k8s.io/v1beta1", "CertificateSigningRequest", "1.19", "1.22", "certificates.k8s.io/v1"),
    r("coordination.k8s.io/v1beta1", "Lease", "1.19", "1.22", "coordination.k8s.io/v1"),
    r("extensions/v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1"),
    r("networking.k8s.io/v1beta1", "Ingress", "1.19", "1.22", "networking.k8s.io/v1"),
    r("networking.k8s.io/v1beta1", "IngressClass", "1.19", "1.22", "networking.k8s.io/v1"),
    r("rbac.authorization.k8s.io/v1beta1", "ClusterRole", "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    r("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    r("rbac.authorization.k8s.io/v1beta1", "Role", "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    r("rbac.authorization.k8s.io/v1beta1", "RoleBinding", "1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    r("scheduling.k8s.io/v1beta1", "PriorityClass", "1.14", "1.22", "scheduling.k8s.io/v1"),
    r("storage.k8s.io/v1beta1", "CSIDriver", "1.19", "1.22", "storage.k8s.io/v1"),
    r("storage.k8s.io/v1beta1", "CSINode", "1.17", "1.22", "storage.k8s.io/v1"),
    r("storage.k8s.io/v1beta1", "StorageClass", "1.19", "1.22", "storage.k8s.io/v1"),
    r("storage.k8s.io/v1beta1", "VolumeAttachment", "1.19", "1.22", "storage.k8s.io/v1"),
    // 1.25
    r("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
    r("discovery.k8s.io/v1beta1", "EndpointSlice", "1.21", "1.25", "discovery.k8s.io/v1"),
    r("events.k8s.io/v1beta1", "Event", "1.22", "1.25", "events.k8s.io/v1"),
    r("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25", "autoscaling/v2"),
    r("policy/v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1"),
    r("policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25", ""),
    r("node.k8s.io/v1beta1", "RuntimeClass", "1.22", "1.25", "node.k8s.io/v1"),
    // 1.26
    r("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    r("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", "1.23", "1.26", "flowcontrol.apiserver.k8s.io/v1"),
    r("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2"),
    // 1.27
    r("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1"),
    // 1.29
    r("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    r("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", "1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    // 1.32
    r("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    r("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", "1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    // After the guide: beta versions absent from the embedded schemas from this release on.
    r("authentication.k8s.io/v1beta1", "SelfSubjectReview", "1.28", "1.33", "authentication.k8s.io/v1"),
    r("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", "1.30", "1.34", "admissionregistration.k8s.io/v1"),
    r("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", "1.30", "1.34", "admissionregistration.k8s.io/v1"),
    r("networking.k8s.io/v1beta1", "IPAddress", "1.33", "1.37", "networking.k8s.io/v1"),
    r("networking.k8s.io/v1beta1", "ServiceCIDR", "1.33", "1.37", "networking.k8s.io/v1"),
    r("storage.k8s.io/v1beta1", "VolumeAttributesClass", "1.34", "1.37", "storage.k8s.io/v1"),
];

/// When `api_version`/`kind` was deprecated and removed, and what replaces it:
/// `removed_in("policy/v1beta1", "PodDisruptionBudget") == Some(("1.21", "1.25", "policy/v1"))`.
/// The replacement is `""` when there is none (PodSecurityPolicy). `None` for APIs that were
/// never removed (or are not in [`REMOVED_APIS`]); alpha versions are not listed.
pub fn removed_in(
    api_version: &str,
    kind: &str,
) -> Option<(&'static str, &'static str, &'static str)> {
    REMOVED_APIS
        .iter()
        .find(|r| r.api_version == api_version && r.kind == kind)
        .map(|r| (r.deprecated_in, r.removed_in, r.replacement))
}
