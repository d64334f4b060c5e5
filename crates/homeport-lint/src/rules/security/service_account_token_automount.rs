use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC005",
    name: "service-account-token-automount",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: true,
    summary: "Pods get a Kubernetes API token they probably do not use",
    fix: "set `automountServiceAccountToken: false` on the pod spec (or on its ServiceAccount)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pods that get a service account token mounted (the default) when nothing in the
input suggests they use the Kubernetes API: neither the pod spec nor its ServiceAccount
(when the input holds it) sets `automountServiceAccountToken: false`, and no RoleBinding or
ClusterRoleBinding in the input grants that ServiceAccount anything. (kube-linter's
`automount-service-account-token`.)

## Why is this bad?
Most applications (databases, web apps, media servers) never call the Kubernetes API. A
token they do not need is a credential an attacker gets for free after a compromise.

## Example
```yaml
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
```

## Fix
```yaml
spec:
  template:
    spec:
      automountServiceAccountToken: false
      containers:
        - name: web
          image: nginx:1.27
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    if t.get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        == Some(false)
    {
        return;
    }
    let ns = obj
        .namespace
        .as_deref()
        .unwrap_or(crate::index::DEFAULT_NAMESPACE);
    let sa = t.service_account();
    if let Some(account) = cx.index.find(ns, "ServiceAccount", sa) {
        if account
            .value
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
            == Some(false)
        {
            return;
        }
    }
    if is_bound(cx, ns, sa) {
        return;
    }
    out.report(
        t.spec_path.clone(),
        format!("pods run as service account `{sa}` with its API token mounted"),
    );
}

/// Whether a (Cluster)RoleBinding in the input names the service account.
pub(crate) fn is_bound(cx: &Context<'_>, ns: &str, sa: &str) -> bool {
    ["RoleBinding", "ClusterRoleBinding"].iter().any(|kind| {
        cx.index.of_kind(kind).iter().any(|&b| {
            let binding_ns = cx.index.namespace(b);
            cx.index
                .whole(b)
                .and_then(|binding| binding.value.get("subjects"))
                .and_then(Value::as_array)
                .is_some_and(|subjects| {
                    subjects.iter().any(|s| {
                        s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                            && s.get("name").and_then(Value::as_str) == Some(sa)
                            && s.get("namespace")
                                .and_then(Value::as_str)
                                .unwrap_or(binding_ns)
                                == ns
                    })
                })
        })
    })
}
