//! Small readers shared by the rules.

use crate::context::{Context, Emitter};
use crate::workload::{Container, PodTemplate};
use serde_json::Value;

/// The pod template of the object being checked (read once per object by the checker).
pub fn template<'a>(cx: &Context<'a>, _out: &Emitter<'_>) -> Option<&'a PodTemplate<'a>> {
    cx.template
}

/// The pod template and every declared container (init and regular), for rules that check
/// containers.
pub fn declared_containers<'a>(
    cx: &Context<'a>,
    out: &Emitter<'_>,
) -> Option<(&'a PodTemplate<'a>, Vec<&'a Container<'a>>)> {
    let t = template(cx, out)?;
    Some((t, t.declared_containers()))
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag and digest: `ghcr.io/org/app`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Split `registry:5000/org/app:1.2@sha256:...`.
pub fn parse_image(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => ImageRef {
            repository: &rest[..last_slash + i],
            tag: Some(&rest[last_slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            repository: rest,
            tag: None,
            digest,
        },
    }
}

/// Whether an image text is a template placeholder we cannot judge (`${IMAGE}`, `{{ }}`).
pub fn is_placeholder(text: &str) -> bool {
    text.contains("${") || text.contains("{{") || text.contains("$(")
}

/// A resource quantity that is set and not zero.
pub fn quantity_set(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => {
            let t = s.trim();
            !t.is_empty()
                && t.trim_start_matches(['0', '.'])
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
        }
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f > 0.0),
        _ => false,
    }
}

/// `resources.<kind>.<name>` of a container.
pub fn resource<'a>(c: &Container<'a>, kind: &str, name: &str) -> Option<&'a Value> {
    c.value.get("resources")?.get(kind)?.get(name)
}

/// Words of an identifier: `DB_PASSWORD_FILE` → `db`, `password`, `file`; `apiKey` →
/// `api`, `key`.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a key or variable name says it holds a credential: `DB_PASSWORD`, `apiKey`,
/// `SECRET_KEY_BASE`, `auth.token`; not `PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`.
pub fn names_a_secret(name: &str) -> bool {
    let w = words(name);
    let Some(last) = w.last() else { return false };
    // The value is where the secret is, not the secret.
    const POINTERS: &[&str] = &[
        "file",
        "path",
        "dir",
        "name",
        "ref",
        "url",
        "uri",
        "host",
        "port",
        "user",
        "username",
        "id",
        "length",
        "len",
        "ttl",
        "expiry",
        "expiration",
        "expires",
        "enabled",
        "enable",
        "type",
        "header",
        "mode",
        "policy",
        "method",
        "algorithm",
        "version",
        "required",
        "location",
        "endpoint",
        "issuer",
        "audience",
        "lifetime",
        "timeout",
        "count",
        "min",
        "max",
        "size",
        "hash",
        "format",
        "source",
        "provider",
        "store",
        "env",
        "var",
        "key_id",
    ];
    if POINTERS.contains(&last.as_str()) {
        return false;
    }
    let has = |s: &str| w.iter().any(|x| x == s);
    let pair = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
    has("password")
        || has("passwd")
        || has("pwd")
        || has("secret")
        || has("token")
        || has("apikey")
        || has("credential")
        || has("credentials")
        || has("privatekey")
        || pair("api", "key")
        || pair("private", "key")
        || pair("access", "key")
        || pair("secret", "key")
        || pair("auth", "key")
        || pair("encryption", "key")
        || pair("client", "secret")
}

/// Whether a literal value is something worth calling a secret: not empty, not a reference
/// to somewhere else (a path, a variable, a template).
pub fn looks_like_literal_secret(value: &str) -> bool {
    let v = value.trim();
    !(v.is_empty()
        || is_placeholder(v)
        || v.starts_with('/')
        || v.starts_with("file:")
        || v.starts_with("vault:")
        || v.starts_with("ref+")
        || v.eq_ignore_ascii_case("true")
        || v.eq_ignore_ascii_case("false")
        || v.eq_ignore_ascii_case("none")
        || v.eq_ignore_ascii_case("null"))
}

/// A hostPath volume's path, normalized (no trailing slash, `//` collapsed).
pub fn host_path(volume: &Value) -> Option<String> {
    let p = volume.get("hostPath")?.get("path")?.as_str()?;
    let mut out = String::with_capacity(p.len());
    for part in p.split('/').filter(|s| !s.is_empty() && *s != ".") {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// An int-or-string port: a number or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

impl PortRef {
    pub fn read(v: Option<&Value>) -> Option<PortRef> {
        match v? {
            Value::Number(n) => n.as_i64().map(PortRef::Number),
            Value::String(s) => match s.parse::<i64>() {
                Ok(n) => Some(PortRef::Number(n)),
                Err(_) if !s.is_empty() => Some(PortRef::Name(s.clone())),
                Err(_) => None,
            },
            _ => None,
        }
    }
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => write!(f, "`{s}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_into_repository_tag_digest() {
        assert_eq!(parse_image("nginx").tag, None);
        let i = parse_image("localhost:5000/org/app:1.2@sha256:abc");
        assert_eq!(i.repository, "localhost:5000/org/app");
        assert_eq!(i.tag, Some("1.2"));
        assert_eq!(i.digest, Some("sha256:abc"));
        assert_eq!(parse_image("localhost:5000/app").tag, None);
    }

    #[test]
    fn secret_names() {
        for yes in [
            "DB_PASSWORD",
            "apiKey",
            "SECRET_KEY_BASE",
            "auth.token",
            "MYSQL_ROOT_PASSWORD",
            "client_secret",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(names_a_secret(yes), "{yes}");
        }
        for no in [
            "PASSWORD_FILE",
            "TOKEN_URL",
            "SECRET_NAME",
            "MONKEY",
            "keyboard",
            "PUBLIC_KEY_PATH",
            "TOKENIZER",
            "DB_HOST",
        ] {
            assert!(!names_a_secret(no), "{no}");
        }
    }

    #[test]
    fn quantities() {
        assert!(quantity_set(Some(&Value::String("100m".into()))));
        assert!(!quantity_set(Some(&Value::String("0".into()))));
        assert!(quantity_set(Some(&serde_json::json!(0.5))));
        assert!(!quantity_set(None));
    }
}
