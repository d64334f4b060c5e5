use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC006",
    name: "default-service-account",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: false,
    summary: "Pods run as the namespace's `default` service account",
    fix: "create a ServiceAccount for the workload and set `serviceAccountName`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports pods that run as the `default` service account (explicitly or by leaving
`serviceAccountName` unset). Off by default, as in kube-linter (`default-service-account`);
enable it with `--select SEC006`.

## Why is this bad?
Every pod of the namespace shares the `default` account, so a permission granted to one of
them (a RoleBinding to `default`) is granted to all of them.

## Example
```yaml
spec:
  template:
    spec:
      containers: [{name: web, image: nginx:1.27}]
```

## Fix
```yaml
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{name: web, image: nginx:1.27}]
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    if t.service_account() == "default" {
        let path = if t.get("serviceAccountName").is_some() {
            t.spec_path.key("serviceAccountName")
        } else {
            t.spec_path.clone()
        };
        out.report(path, "pods run as the `default` service account");
    }
}
