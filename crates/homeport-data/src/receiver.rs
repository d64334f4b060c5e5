//! The receiver pod for a claim that is not reachable as a path: it mounts the claim at
//! `/data` under the restricted Pod Security level and waits; homeport's own binary is copied
//! into it (`kubectl cp`) and runs `data receive` there, fed by `data send` on the Docker
//! host. The claim is created with it, as the tree declares it (a StatefulSet adopts its
//! claim by name), so the data is in place before the workload first starts.

use crate::plan::{Claim, Move};
use homeport_plan::cluster::{format_cpu_millis, format_memory_bytes};
// The quota of the claim's namespace leaves room for exactly these.
use homeport_plan::{
    DATA_RECEIVER_CPU_LIMIT_MILLIS, DATA_RECEIVER_CPU_REQUEST_MILLIS,
    DATA_RECEIVER_MEMORY_LIMIT_BYTES, DATA_RECEIVER_MEMORY_REQUEST_BYTES,
};

/// Image of the receiver: glibc and `tar` (for `kubectl cp`), nothing else needed.
pub const IMAGE: &str = "debian:bookworm-slim";
/// Where homeport's binary is copied in the pod (an emptyDir; the root filesystem is read-only).
pub const BINARY: &str = "/opt/homeport/homeport";
/// uid:gid of the receiver when the workload's user is unknown.
pub const DEFAULT_OWNER: (u32, u32) = (65532, 65532);

pub fn pod_name(claim: &Claim) -> String {
    let name = format!("homeport-receive-{}", claim.name);
    name.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The owner files get in the claim: the workload's user, else the default.
pub fn owner(m: &Move) -> (u32, u32) {
    m.chown.unwrap_or(DEFAULT_OWNER)
}

/// The receiver's manifest: the claim, the pod, and a NetworkPolicy that isolates it.
pub fn manifest(claim: &Claim, owner: (u32, u32)) -> String {
    let mut out = String::new();
    {
        out.push_str(&format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {}\n  namespace: {}\n  labels:\n    app.kubernetes.io/managed-by: homeport\nspec:\n  accessModes: [{}]\n",
            claim.name, claim.namespace, claim.access_mode
        ));
        if let Some(class) = &claim.storage_class {
            out.push_str(&format!("  storageClassName: {class}\n"));
        }
        out.push_str(&format!(
            "  resources:\n    requests:\n      storage: {}\n---\n",
            claim.size
        ));
    }
    let (uid, gid) = owner;
    out.push_str(&format!(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: {pod}
  namespace: {ns}
  labels:
    app.kubernetes.io/managed-by: homeport
    app.kubernetes.io/component: data-receiver
    homeport.dev/claim: {claim}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  terminationGracePeriodSeconds: 5
  securityContext:
    runAsNonRoot: true
    runAsUser: {uid}
    runAsGroup: {gid}
    fsGroup: {gid}
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: receiver
      image: {image}
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
      resources:
        requests:
          cpu: "{cpu_request}"
          memory: {memory_request}
          ephemeral-storage: 64Mi
        limits:
          cpu: "{cpu_limit}"
          memory: {memory_limit}
          ephemeral-storage: 1Gi
      volumeMounts:
        - name: data
          mountPath: /data
        - name: homeport
          mountPath: /opt/homeport
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: {claim}
    - name: homeport
      emptyDir:
        sizeLimit: 256Mi
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
---
# The receiver needs no network: `kubectl exec` and `kubectl cp` reach it through the kubelet.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {pod}
  namespace: {ns}
  labels:
    app.kubernetes.io/managed-by: homeport
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/component: data-receiver
      homeport.dev/claim: {claim}
  policyTypes: [Ingress, Egress]
"#,
        pod = pod_name(claim),
        ns = claim.namespace,
        image = IMAGE,
        claim = claim.name,
        cpu_request = format_cpu_millis(DATA_RECEIVER_CPU_REQUEST_MILLIS),
        memory_request = format_memory_bytes(DATA_RECEIVER_MEMORY_REQUEST_BYTES),
        cpu_limit = format_cpu_millis(DATA_RECEIVER_CPU_LIMIT_MILLIS),
        memory_limit = format_memory_bytes(DATA_RECEIVER_MEMORY_LIMIT_BYTES),
    ));
    out
}
