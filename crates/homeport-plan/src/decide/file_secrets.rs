//! Secrets inside configuration files: a file that would become a ConfigMap is scanned like
//! an environment value (secret-looking keys with a value, values equal to a known secret,
//! URLs with credentials, private keys, tokens) and becomes a Secret when it holds one.

use homeport_compose::looks_secret;

/// Known secret values shorter than this are not searched for (too many false matches).
const MIN_KNOWN_SECRET_LEN: usize = 6;

/// How crypt(3), htpasswd and LDAP password hashes begin.
const PASSWORD_HASH_PREFIXES: &[&str] = &[
    "$apr1$", "$2y$", "$2a$", "$2b$", "$1$", "$5$", "$6$", "$y$", "$argon2", "{SHA}", "{SSHA}",
];

/// Why `text` holds a secret (`line 4: key \`password\``), never the value itself; `None`
/// when it holds none. `known` are secret values from the project (`.env` secrets,
/// secret environment values).
pub fn secret_in(text: &str, known: &[&str]) -> Option<String> {
    if text.contains("PRIVATE KEY-----") {
        return Some("a private key".into());
    }
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with("//") || trimmed.starts_with(';') {
            continue;
        }
        if known
            .iter()
            .any(|k| k.len() >= MIN_KNOWN_SECRET_LEN && line.contains(k))
        {
            return Some(format!(
                "line {line_no}: a value that is a secret of the project"
            ));
        }
        // `user:<hash>` (htpasswd, shadow): a password hash can be cracked offline.
        if trimmed
            .split_once(':')
            .is_some_and(|(_, hash)| PASSWORD_HASH_PREFIXES.iter().any(|p| hash.starts_with(p)))
        {
            return Some(format!("line {line_no}: a password hash"));
        }
        // URLs with credentials anywhere on the line.
        if looks_secret("", trimmed) {
            return Some(format!("line {line_no}: a URL with credentials"));
        }
        if let Some((key, value)) = key_value(trimmed) {
            if is_real_value(value) && looks_secret(key, value) {
                return Some(format!("line {line_no}: key `{key}`"));
            }
        }
    }
    None
}

/// `key: value`, `key = value`, `KEY=value`, `"key": "value",` (first separator wins).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let line = line.strip_prefix("export ").unwrap_or(line);
    let line = line.strip_prefix("- ").unwrap_or(line);
    let i = line.find([':', '='])?;
    let key = line[..i].trim().trim_matches(['"', '\'']).trim();
    if key.is_empty() || key.contains(char::is_whitespace) && key.split_whitespace().count() > 2 {
        return None;
    }
    // `key:=value` / `key: value` / `key = value`
    let value = line[i + 1..].trim_start_matches(['=', ':']).trim();
    let value = value.trim_end_matches(',').trim();
    let value = value.trim_matches(['"', '\'']).trim();
    // The key is the last word (`set password = x`, `option "secret"`).
    let key = key.rsplit(char::is_whitespace).next().unwrap_or(key);
    let key = key.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    let value = value
        .trim_end_matches(['}', ']', ',', ';'])
        .trim()
        .trim_matches(['"', '\'']);
    Some((key, value))
}

/// A value that is really set (not empty, not a reference to the environment or a file).
fn is_real_value(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with("${")
        && !value.starts_with("{{")
        && !value.starts_with("%(")
        && !value.starts_with("env:")
        && !value.starts_with("/run/secrets/")
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "null" | "none" | "~" | "true" | "false" | "{}" | "[]" | "|" | ">"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_values_urls_and_keys() {
        let cfg = "database:\n  host: db\n  password: hunter2hunter\nqueue: amqp://app:s3cr3t@rabbit:5672/\n";
        assert_eq!(
            secret_in(cfg, &[]).as_deref(),
            Some("line 3: key `password`")
        );
        assert_eq!(
            secret_in("broker: amqp://app:s3cr3t@rabbit:5672/\n", &[]).as_deref(),
            Some("line 1: a URL with credentials")
        );
        assert!(secret_in("{\"api_key\": \"abcdef123\"}", &[]).is_some());
        assert!(secret_in("S3_SECRET_ACCESS_KEY=xyz\n", &[]).is_some());
        assert!(secret_in("-----BEGIN OPENSSH PRIVATE KEY-----\n", &[]).is_some());
        assert_eq!(
            secret_in(
                "store = minio\nsomething = Sup3rS3cret!\n",
                &["Sup3rS3cret!"]
            )
            .as_deref(),
            Some("line 2: a value that is a secret of the project")
        );
    }

    #[test]
    fn password_hashes_are_secret() {
        assert_eq!(
            secret_in("admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\n", &[]).as_deref(),
            Some("line 1: a password hash")
        );
        assert!(secret_in("bob:$2y$05$abcdefghijklmnopqrstuv\n", &[]).is_some());
        assert!(secret_in("listen: 80\nprice: $5\n", &[]).is_none());
    }

    #[test]
    fn plain_config_is_not_secret() {
        let cfg = "server {\n  listen 80;\n  location / { proxy_pass http://app:3000; }\n}\n";
        assert_eq!(secret_in(cfg, &[]), None);
        assert_eq!(
            secret_in("password: \"\"\ntoken: ${TOKEN}\n# password: x\n", &[]),
            None
        );
        assert_eq!(secret_in("password_file: /run/secrets/db\n", &[]), None);
        assert_eq!(
            secret_in("name: app\n", &["app"]),
            None,
            "short known values are ignored"
        );
    }
}
