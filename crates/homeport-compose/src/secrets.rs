//! One table of what looks like a secret, used by `inspect` redaction and by the planner to
//! decide that an environment value belongs in a Kubernetes Secret rather than a ConfigMap.

/// Words that mark a key as secret when they appear as one of its `_`/`-`/`.`-separated
/// segments (case-insensitive).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PW",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "TOKENS",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "PRIVATEKEY",
    "SALT",
    "JWT",
    "DSN",
];

/// Endings that mark a compound segment as secret (`WEBPASSWORD`, `ADMINTOKEN`,
/// `RPCSECRET`), where the words are run together without a separator.
const SECRET_SUFFIXES: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
];

/// Adjacent segment pairs that mark a key as secret (`API_KEY`, `PRIVATE_KEY`, ...).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("PRIVATE", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
    ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("MASTER", "KEY"),
    ("LICENSE", "KEY"),
    ("AUTH", "KEY"),
    ("CLIENT", "SECRET"),
    ("SESSION", "KEY"),
];

/// Whether an environment entry (or similar key/value pair) looks like it holds a secret: the
/// key names one (`DB_PASSWORD`, `API_KEY`, `GITHUB_TOKEN`...), or the value carries
/// credentials (`postgres://user:pass@host/db`, a PEM private key). Keys ending in `_FILE`
/// whose value is a path (the Docker `*_FILE` convention) point at a secret, they are not one.
pub fn looks_secret(key: &str, value: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let segments: Vec<&str> = upper
        .split(['_', '-', '.', '/'])
        .filter(|s| !s.is_empty())
        .collect();
    if segments.last() == Some(&"FILE") && value.starts_with('/') {
        return false;
    }
    // `PWD` alone is the shell's working directory.
    let key_says = if upper == "PWD" || upper == "OLDPWD" {
        false
    } else {
        segments.iter().any(|s| {
            SECRET_WORDS.contains(s) || SECRET_SUFFIXES.iter().any(|suffix| s.ends_with(suffix))
        }) || segments
            .windows(2)
            .any(|w| SECRET_PAIRS.iter().any(|(a, b)| w[0] == *a && w[1] == *b))
    };
    key_says || value_has_credentials(value)
}

/// `scheme://user:password@host` (a password in a URL) or a PEM private key.
fn value_has_credentials(value: &str) -> bool {
    if value.contains("PRIVATE KEY-----") {
        return true;
    }
    let mut rest = value;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let authority_end = after.find(['/', '?', '#', ' ']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        if let Some(at) = authority.rfind('@') {
            let userinfo = &authority[..at];
            if userinfo.contains(':') && !userinfo.ends_with(':') {
                return true;
            }
            // A bare token as the user (Sentry DSNs: https://<key>@host/1).
            if !userinfo.is_empty() && !userinfo.contains(':') && userinfo.len() >= 16 {
                return true;
            }
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for k in [
            "POSTGRES_PASSWORD",
            "DB_PASS",
            "api_key",
            "API-KEY",
            "GITHUB_TOKEN",
            "SECRET_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "MYSQL_ROOT_PASSWORD",
            "JWT_SECRET",
            "N8N_ENCRYPTION_KEY",
            "SENTRY_DSN",
            "APIKEY",
            "OAUTH_CLIENT_SECRET",
            "WEBPASSWORD",
            "PIHOLE_PW",
            "ADMINTOKEN",
            "RPC_SECRET",
        ] {
            assert!(looks_secret(k, "x"), "{k}");
        }
        for k in [
            "PATH",
            "TZ",
            "POSTGRES_USER",
            "PWD",
            "KEYCLOAK_URL",
            "PASSENGER",
            "PUID",
        ] {
            assert!(!looks_secret(k, "x"), "{k}");
        }
    }

    #[test]
    fn secret_values() {
        assert!(looks_secret("DATABASE_URL", "postgres://u:p@db:5432/app"));
        assert!(looks_secret(
            "X",
            "https://0123456789abcdef0123@sentry.io/1"
        ));
        assert!(!looks_secret("URL", "http://example.com/a@b"));
        assert!(!looks_secret("URL", "postgres://user@db/app"));
        assert!(!looks_secret("POSTGRES_PASSWORD_FILE", "/run/secrets/db"));
        assert!(looks_secret("POSTGRES_PASSWORD_FILE", "hunter2"));
        assert!(looks_secret("K", "-----BEGIN RSA PRIVATE KEY-----\nabc"));
    }
}
