use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC004",
    name: "secret-in-configmap",
    category: Category::Security,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A ConfigMap key that holds a credential",
    fix: "move the key to a Secret",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports ConfigMap `data` keys whose name says they hold a credential (`DB_PASSWORD`,
`api_key`, `client-secret`, ...) and whose value is a literal. (kube-linter's
`configmap-with-credentials`.)

## Why is this bad?
ConfigMaps are meant to be readable: RBAC roles commonly grant `get configmaps` widely,
they are not encrypted at rest, and they end up in logs and dashboards. Credentials belong
in Secrets.

## Example
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  DB_PASSWORD: hunter2
```

## Fix
```yaml
apiVersion: v1
kind: Secret
metadata: {name: app}
stringData:
  DB_PASSWORD: hunter2
```
"#,
};

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "ConfigMap" || !obj.group().is_empty() {
        return;
    }
    let Some(data) = obj.value.get("data").and_then(Value::as_object) else {
        return;
    };
    for (key, value) in data {
        let Some(text) = value.as_str() else { continue };
        // A multi-line value is a file (nginx.conf); its key names the file, not a secret.
        if text.contains('\n') {
            continue;
        }
        // The shared table (homeport-secrets) knows names and values lint's own words miss:
        // `APP_KEY`, `TS_AUTHKEY`, a webhook URL, `Password=` in a connection string.
        let secret = names_a_secret(key)
            || homeport_secrets::looks_secret(key, text)
            || homeport_secrets::is_vpn_user_beside_password(key, data.keys().map(String::as_str));
        if secret && looks_like_literal_secret(text) {
            out.report(
                FieldPath::root().key("data").key(key.as_str()),
                format!("ConfigMap key `{key}` holds what looks like a credential"),
            );
        }
    }
}
