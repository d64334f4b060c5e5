use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL032",
    name: "invalid-object-name",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "An object name that the API server refuses for its kind",
    fix: "use lowercase letters, digits and `-` (and `.` where the kind allows it), starting and ending with a letter or digit",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Checks `metadata.name` against the rule the API server applies to the kind:

* `Service`: an RFC 1035 label (at most 63 characters of lowercase letters, digits and
  `-`, starting with a letter, ending with a letter or digit);
* `Namespace`: an RFC 1123 label (the same, starting with a letter or digit);
* RBAC roles and bindings: a path segment (anything but `.`, `..`, `/` and `%`);
* every other kind, custom resources included: an RFC 1123 subdomain (at most 253
  characters of lowercase letters, digits, `-` and `.`, each dot-separated part starting
  and ending with a letter or digit).

Names that are template placeholders (`{{ }}`, `${}`) are left alone.

## Why is this bad?
The API server rejects the object; uppercase letters and underscores from Compose service
names, and names built by concatenation past 63 or 253 characters, are the usual causes.

## Example
```yaml
kind: Service
metadata:
  name: My_Service
```

## Fix
```yaml
kind: Service
metadata:
  name: my-service
```
"#,
};

/// RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// RFC 1123 subdomain: parts joined by `.`, at most 253 characters in all (a part is not
/// capped at 63 here, as in Kubernetes' `IsDNS1123Subdomain`).
fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label_chars)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` of any length.
fn is_label_chars(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Why `name` is not valid for `kind`, if it is not.
pub(crate) fn name_problem(kind: &str, name: &str) -> Option<String> {
    let why = match kind {
        "Service" => (!(is_dns1123_label(name) && name.as_bytes()[0].is_ascii_lowercase()))
            .then_some("an RFC 1035 label: at most 63 characters of lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit"),
        "Namespace" => (!is_dns1123_label(name)).then_some(
            "an RFC 1123 label: at most 63 characters of lowercase letters, digits and `-`, starting and ending with a letter or digit",
        ),
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            (name == "." || name == ".." || name.contains(['/', '%']))
                .then_some("a path segment: not `.` or `..`, without `/` or `%`")
        }
        _ => (!is_dns1123_subdomain(name)).then_some(
            "an RFC 1123 subdomain: at most 253 characters of lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit",
        ),
    }?;
    Some(format!(
        "{kind} name `{name}` is not valid: it must be {why}"
    ))
}

fn check(_cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    // `generateName` objects and template placeholders have no final name to judge.
    let Some(name) = obj
        .value
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
    else {
        return;
    };
    if obj.kind.is_empty() || obj.kind == "List" || is_placeholder(name) {
        return;
    }
    if let Some(problem) = name_problem(&obj.kind, name) {
        out.report(FieldPath::parse("metadata.name"), problem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_per_kind() {
        assert!(name_problem("Deployment", "web-1.example").is_none());
        assert!(name_problem("Deployment", "Bad_Name").is_some());
        assert!(name_problem("Deployment", "web_app").is_some());
        assert!(name_problem("ConfigMap", &"a".repeat(253)).is_none());
        assert!(name_problem("ConfigMap", &"a".repeat(254)).is_some());
        assert!(name_problem("Deployment", "-web").is_some());
        assert!(name_problem("Deployment", "").is_some());
        assert!(name_problem("Service", "web").is_none());
        assert!(name_problem("Service", "1web").is_some());
        assert!(name_problem("Service", "web.internal").is_some());
        assert!(name_problem("Service", &"a".repeat(64)).is_some());
        assert!(name_problem("Namespace", "1media").is_none());
        assert!(name_problem("Namespace", "Media").is_some());
        assert!(name_problem("ClusterRole", "system:controller:Foo").is_none());
        assert!(name_problem("ClusterRole", "a/b").is_some());
    }
}
