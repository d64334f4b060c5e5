//! One table of what looks like a secret, used by the planner (an environment value belongs in
//! a Kubernetes Secret rather than a ConfigMap; a flag value in a command moves to a Secret),
//! `inspect` and `plan` redaction, error excerpts, and lint's SEC004. A name added here is
//! recognised everywhere at once.

mod program_flags;

pub use program_flags::{
    glued_password, password_key, program_flag_takes_secret, program_of, AUTH_FLAG_PROGRAMS,
    GLUED_PASSWORD_PROGRAMS,
};

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
    "AUTHKEY",
    "PSK",
    "HTPASSWD",
    "PRESHAREDKEY",
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
    "AUTHKEY",
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
    ("APP", "KEY"),
    ("PRESHARED", "KEY"),
    ("BASIC", "AUTH"),
    ("AUTH", "TOKEN"),
    ("CONNECTION", "STRING"),
    // Traefik's `...middlewares.<m>.basicauth.users` label: htpasswd lines.
    ("BASICAUTH", "USERS"),
    ("DIGESTAUTH", "USERS"),
];

/// Segments before a final `KEY` that make the key not secret (`WIREGUARD_PUBLIC_KEY`,
/// `STRIPE_PUBLISHABLE_KEY`, `SORT_KEY`): any other `<SOMETHING>_KEY` is taken as secret
/// (`STRIPE_KEY`, `SERVICE_ROLE_KEY`, `SPAMHAUS_DQS_KEY`): a non-secret in a Secret still
/// works, a secret in a ConfigMap leaks.
const NOT_SECRET_BEFORE_KEY: &[&str] = &[
    "PUBLIC",
    "PUBLISHABLE",
    "PUB",
    "SORT",
    "PARTITION",
    "PRIMARY",
    "FOREIGN",
    "CACHE",
    "ROUTING",
    "HOT",
    "SHORTCUT",
    "GROUP",
    "LABEL",
    "ID",
];

/// Prefixes of well-known API tokens (Stripe, GitHub, GitLab, Slack, OpenAI, Anthropic,
/// Hugging Face, Google, npm, PyPI, DigitalOcean, SendGrid): a value that starts with one and
/// goes on with at least 16 token characters is a secret whatever its name.
const TOKEN_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "whsec_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xapp-",
    "sk-",
    "hf_",
    "AIza",
    "npm_",
    "pypi-",
    "dop_v1_",
    "SG.",
];

/// Last flag segments that name what the flag takes rather than carry it
/// (`--password-file PATH`, `--token-ttl 3600`, `--password-stdin`).
const FLAG_NOT_A_VALUE: &[&str] = &[
    "FILE", "PATH", "DIR", "FD", "STDIN", "ENV", "CMD", "COMMAND", "LENGTH", "LEN", "TTL",
    "TIMEOUT", "EXPIRY", "POLICY", "NAME", "MIN", "MAX", "HASH", "TYPE", "MODE",
];

/// First flag segments of switches about a secret rather than with one (`--no-password`,
/// `--skip-auth-token`).
const FLAG_SWITCH_WORDS: &[&str] = &[
    "NO", "SKIP", "DISABLE", "ENABLE", "WITHOUT", "ALLOW", "REQUIRE", "ASK", "PROMPT", "RESET",
    "SHOW", "HIDE", "GENERATE", "CHANGE", "USE",
];

/// Command-line flags whose value is a password (`--requirepass abc`, `--masterauth=abc`,
/// `-u user:pw` for curl is [`CREDENTIAL_FLAGS`]).
pub const PASSWORD_FLAGS: &[&str] = &[
    "--requirepass",
    "--masterauth",
    "--password",
    "--pass",
    "--passwd",
    "--db-password",
    "--admin-password",
    "--auth",
    "--auth-token",
    "--token",
    "--api-key",
    "--secret",
    "--client-secret",
    "--access-key",
    "--secret-key",
    "--psk",
];

/// Flags whose value is `user:password` (curl `-u`, `--user`, `--proxy-user`): the password
/// part is secret.
pub const CREDENTIAL_FLAGS: &[&str] = &["-u", "--user", "--proxy-user", "--basic-auth"];

/// Whether a command-line flag (without its value) takes a secret.
/// Besides the listed flags, any long flag whose name ends in a secret word or pair
/// (`--db-pass`, `--redis-password`, `--jwt-secret`, `--openai-api-key`), unless its last word
/// says what it takes (`--password-file`) or it is a switch (`--no-password`).
pub fn flag_takes_secret(flag: &str) -> bool {
    let lower = flag.to_ascii_lowercase();
    if PASSWORD_FLAGS.contains(&lower.as_str()) || CREDENTIAL_FLAGS.contains(&lower.as_str()) {
        return true;
    }
    let Some(name) = lower.strip_prefix("--") else {
        return false;
    };
    let upper = name.to_ascii_uppercase();
    let segments: Vec<&str> = upper
        .split(['-', '_', '.'])
        .filter(|s| !s.is_empty())
        .collect();
    let (Some(last), Some(first)) = (segments.last(), segments.first()) else {
        return false;
    };
    if FLAG_NOT_A_VALUE.contains(last) || FLAG_SWITCH_WORDS.contains(first) {
        return false;
    }
    let last_is_secret = [
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PW",
        "PWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "AUTHKEY",
        "PSK",
    ]
    .contains(last);
    let pair_is_secret = segments
        .windows(2)
        .last()
        .is_some_and(|w| SECRET_PAIRS.iter().any(|(a, b)| w[0] == *a && w[1] == *b));
    last_is_secret || pair_is_secret
}

/// Whether `NAME=value` in a command line sets a secret (`PGPASSWORD=...`, `MYSQL_PWD=...`,
/// `API_TOKEN=...`): `NAME` is a variable name that looks secret.
pub fn is_secret_assignment(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && looks_secret(name, "")
}

/// Whether `key` is a VPN user name (`VPN_USER`, `OPENVPN_USER`, `WIREGUARD_USERNAME`...) that
/// is secret because a VPN password sits next to it in `keys` (the provider account's login).
pub fn is_vpn_user_beside_password<'a>(key: &str, keys: impl IntoIterator<Item = &'a str>) -> bool {
    let upper = key.to_ascii_uppercase();
    let segments: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let is_vpn = |s: &&str| s.contains("VPN") || *s == "WIREGUARD";
    let user = matches!(segments.last(), Some(&"USER" | &"USERNAME" | &"LOGIN"));
    if !user || !segments.iter().any(is_vpn) {
        return false;
    }
    keys.into_iter().any(|k| {
        let k = k.to_ascii_uppercase();
        let segs: Vec<&str> = k.split(['_', '-', '.']).collect();
        segs.iter().any(is_vpn) && looks_secret(&k, "")
    })
}

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
    // `HOMEPAGE_VAR_<NAME>_KEY`: homepage's widget API keys.
    let homepage_key = upper.starts_with("HOMEPAGE_VAR_") && segments.last() == Some(&"KEY");
    // `DISCORD_WEBHOOK`, `SLACK_WEBHOOK_URL`: the token is in the URL path.
    let webhook = segments.iter().any(|s| s.ends_with("WEBHOOK")) && value.contains("://");
    // `<SOMETHING>_KEY` unless it is public or an identifier (see NOT_SECRET_BEFORE_KEY) or
    // its value is a file path (`REDIS_TLS_KEY=/certs/redis.key`).
    let some_key = segments.len() >= 2
        && segments.last() == Some(&"KEY")
        && !NOT_SECRET_BEFORE_KEY.contains(&segments[segments.len() - 2])
        && !value.starts_with('/')
        && !value.ends_with(".key")
        && !value.ends_with(".pem");
    let key_says = if upper == "PWD" || upper == "OLDPWD" {
        false
    } else if homepage_key || webhook || some_key {
        true
    } else {
        segments.iter().any(|s| {
            SECRET_WORDS.contains(s) || SECRET_SUFFIXES.iter().any(|suffix| s.ends_with(suffix))
        }) || segments
            .windows(2)
            .any(|w| SECRET_PAIRS.iter().any(|(a, b)| w[0] == *a && w[1] == *b))
    };
    key_says || value_has_credentials(value)
}

/// `scheme://user:password@host` (a password in a URL), a connection string with
/// `Password=`/`Pwd=` (ADO.NET, JDBC, ODBC), a webhook URL with its token in the path, or a PEM
/// private key.
pub fn value_has_credentials(value: &str) -> bool {
    if value.contains("PRIVATE KEY-----") || is_known_token(value) {
        return true;
    }
    if connection_string_password(value)
        || option_sets_secret(value)
        || has_bearer_token(value)
        || json_holds_secret(value)
    {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if [
        "/api/webhooks/",
        "hooks.slack.com/services/",
        "/webhookb2/",
        "/hooks/",
    ]
    .iter()
    .any(|p| lower.contains(p))
    {
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

/// Replace `value` in `word` by `reference`; whether anything was replaced. A value shorter
/// than 6 characters is replaced only as a whole word (`abc12` in `--requirepass abc12` or
/// `:abc12@`, not inside `xabc12y`), so a short password does not rewrite unrelated text.
pub fn replace_value(word: &mut String, value: &str, reference: &str) -> bool {
    if value.is_empty() || !word.contains(value) {
        return false;
    }
    if value.chars().count() >= 6 {
        *word = word.replace(value, reference);
        return true;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(word.len());
    let mut rest = word.as_str();
    let mut replaced = false;
    let mut prev: Option<char> = None;
    while let Some(i) = rest.find(value) {
        let before = rest[..i]
            .chars()
            .next_back()
            .or(if i == 0 { prev } else { None });
        let after = rest[i + value.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_none_or(|c| !is_word(c)) && after.is_none_or(|c| !is_word(c)) {
            out.push_str(reference);
            replaced = true;
        } else {
            out.push_str(value);
        }
        prev = value.chars().next_back();
        rest = &rest[i + value.len()..];
    }
    out.push_str(rest);
    if replaced {
        *word = out;
    }
    replaced
}

/// Redact what a person reading a command line should not see: values after flags that take
/// a secret (`--requirepass abc`, `--password=abc`, `-u user:pw`), as `<redacted>`.
pub fn redact_flag_values(words: &mut [String]) {
    let mut i = 0;
    let mut program = None;
    while i < words.len() {
        if let Some(p) = program_of(&words[i]) {
            program = Some(p);
        }
        // `Authorization: Bearer <token>` (the word after `Bearer`, its closing quotes kept).
        if words[i]
            .trim_start_matches(['"', '\''])
            .eq_ignore_ascii_case("bearer")
            && i + 1 < words.len()
        {
            let next = &words[i + 1];
            let token = next.trim_end_matches(['"', '\'', ';', ')']);
            if token.len() >= 8 && !token.starts_with('$') {
                words[i + 1] = format!("<redacted>{}", &next[token.len()..]);
            }
            i += 2;
            continue;
        }
        if glued_password(program, &words[i]).is_some() {
            words[i] = "-p<redacted>".to_string();
            i += 1;
            continue;
        }
        if program_flag_takes_secret(program, &words[i]) && i + 1 < words.len() {
            words[i + 1] = "<redacted>".to_string();
            i += 2;
            continue;
        }
        let (flag, inline) = match words[i].split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (words[i].clone(), None),
        };
        let lower = flag.to_ascii_lowercase();
        let credential = CREDENTIAL_FLAGS.contains(&lower.as_str());
        let assignment = inline.is_some() && is_secret_assignment(&flag);
        if (flag.starts_with('-') && flag_takes_secret(&flag)) || assignment {
            let redact = |v: &str| -> Option<String> {
                if credential {
                    let (user, pw) = v.split_once(':')?;
                    (!pw.is_empty()).then(|| format!("{user}:<redacted>"))
                } else {
                    (!v.is_empty()).then(|| "<redacted>".to_string())
                }
            };
            match inline {
                Some(v) => {
                    if let Some(r) = redact(&v) {
                        words[i] = format!("{flag}={r}");
                    }
                }
                None if i + 1 < words.len() && !words[i + 1].starts_with("--") => {
                    if let Some(r) = redact(&words[i + 1]) {
                        words[i + 1] = r;
                        i += 1;
                    }
                }
                None => {}
            }
        }
        i += 1;
    }
}

/// The literal values that [`redact_flag_values`] would hide in `words` (and in each word that
/// is itself a shell line), so the same values can be hidden elsewhere too.
pub fn flag_secret_values(words: &[String]) -> Vec<String> {
    const MARK: &str = "<redacted>";
    let mut all: Vec<String> = words.to_vec();
    for w in words.iter().filter(|w| w.contains(' ')) {
        all.extend(w.split_whitespace().map(str::to_string));
    }
    let mut redacted = all.clone();
    redact_flag_values(&mut redacted);
    let closing = |w: &str| w.len() - w.trim_end_matches(['"', '\'', ';', ')']).len();
    all.iter()
        .zip(&redacted)
        .filter(|(o, r)| o != r)
        .map(|(o, r)| (&o[..o.len() - closing(o)], &r[..r.len() - closing(r)]))
        .filter(|(_, r)| r.ends_with(MARK))
        .filter_map(|(o, r)| o.get(r.len() - MARK.len()..).map(str::to_string))
        .filter(|v| !v.is_empty())
        .collect()
}

/// [`redact_flag_values`] on a shell line (whitespace-separated words; spacing is kept as
/// single spaces where something was redacted).
pub fn redact_flag_values_in_line(line: &str) -> String {
    let mut words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let before = words.clone();
    redact_flag_values(&mut words);
    if words == before {
        line.to_string()
    } else {
        words.join(" ")
    }
}

/// A value shaped like a well-known API token (see [`TOKEN_PREFIXES`]).
fn is_known_token(value: &str) -> bool {
    TOKEN_PREFIXES.iter().any(|p| {
        value.strip_prefix(p).is_some_and(|rest| {
            rest.len() >= 16
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
    })
}

/// Options inside a value that set a secret: a JVM system property
/// (`JAVA_OPTS=-Dspring.datasource.password=x -Xmx1g`) or a long flag that takes one
/// (`EXTRA_ARGS=--db-password=x`).
fn option_sets_secret(value: &str) -> bool {
    value.split_whitespace().any(|token| {
        let token = token.trim_matches(['"', '\'']);
        let Some((name, v)) = token.split_once('=') else {
            return false;
        };
        if v.is_empty() || v.starts_with('$') {
            return false;
        }
        match name.strip_prefix("-D") {
            Some(property) => !property.is_empty() && looks_secret(property, ""),
            None => name.starts_with("--") && flag_takes_secret(name),
        }
    })
}

/// An HTTP `Authorization: Bearer <token>` credential, or a JSON Web Token
/// (`eyJ<header>.eyJ<claims>.<signature>`), anywhere in the value.
fn has_bearer_token(value: &str) -> bool {
    let token_char = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    bearer_token_range(value).is_some()
        || value.match_indices("eyJ").any(|(i, _)| {
            let token: String = value[i..].chars().take_while(|c| token_char(*c)).collect();
            let parts: Vec<&str> = token.split('.').collect();
            parts.len() >= 3 && parts[1].starts_with("eyJ") && parts.iter().all(|p| p.len() >= 2)
        })
}

/// A JSON object value with a secret-looking member anywhere inside
/// (`SPRING_APPLICATION_JSON={"spring":{"datasource":{"password":"x"}}}`).
fn json_holds_secret(value: &str) -> bool {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| match v {
                serde_json::Value::String(s) => {
                    !s.is_empty() && !s.starts_with('$') && looks_secret(k, s)
                }
                other => walk(other),
            }),
            serde_json::Value::Array(items) => items.iter().any(walk),
            _ => false,
        }
    }
    let trimmed = value.trim_start();
    trimmed.starts_with(['{', '['])
        && serde_json::from_str::<serde_json::Value>(trimmed).is_ok_and(|v| walk(&v))
}

/// Where the literal token of the first `Bearer <token>` in `text` is (at least 8 token
/// characters; a `$VAR` reference is not a literal).
pub fn bearer_token_range(text: &str) -> Option<std::ops::Range<usize>> {
    let token_char = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    let lower = text.to_ascii_lowercase();
    lower.match_indices("bearer ").find_map(|(i, m)| {
        let after = &text[i + m.len()..];
        let start = i + m.len() + (after.len() - after.trim_start().len());
        let len: usize = text[start..]
            .chars()
            .take_while(|c| token_char(*c))
            .map(char::len_utf8)
            .sum();
        (len >= 8).then_some(start..start + len)
    })
}

/// `...;Password=x;...`, `jdbc:...?password=x`, `Pwd=x` with a non-empty value.
fn connection_string_password(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["password=", "pwd=", "passwd="].iter().any(|needle| {
        lower.match_indices(needle).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let boundary = before.is_none_or(|c| matches!(c, ';' | '?' | '&' | ' ' | ':' | ','));
            let rest = &lower[i + needle.len()..];
            boundary && rest.chars().next().is_some_and(|c| c != ';' && c != '&')
        })
    })
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
            "APP_KEY",
            "TS_AUTHKEY",
            "TAILSCALE_AUTHKEY",
            "WIREGUARD_PRESHARED_KEY",
            "WIREGUARD_PRIVATE_KEY",
            "HOMEPAGE_VAR_SONARR_KEY",
            "BASIC_AUTH",
            "TRAEFIK_BASIC_AUTH",
            "STRIPE_KEY",
            "SERVICE_ROLE_KEY",
            "SPAMHAUS_DQS_KEY",
            "VAULT_ENC_KEY",
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
            "WIREGUARD_PUBLIC_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "SORT_KEY",
            "KEY",
        ] {
            assert!(!looks_secret(k, "x"), "{k}");
        }
        assert!(!looks_secret("REDIS_TLS_KEY", "/certs/redis.key"));
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
        assert!(looks_secret(
            "DISCORD_WEBHOOK",
            "https://discord.com/api/webhooks/123/abcDEF"
        ));
        assert!(looks_secret(
            "NOTIFY",
            "https://discord.com/api/webhooks/123/abcDEF"
        ));
        assert!(!looks_secret("WEBHOOK_ENABLED", "true"));
        assert!(looks_secret(
            "CONNECTIONSTRINGS__DEFAULT",
            "Server=db;Database=app;User Id=sa;Password=Hunter2!;"
        ));
        assert!(looks_secret("DB", "Server=db;Uid=sa;Pwd=abc"));
        assert!(looks_secret(
            "JDBC",
            "jdbc:postgresql://db/app?user=a&password=b"
        ));
        assert!(!looks_secret("DB", "Server=db;Password=;"));
        assert!(!looks_secret("HOMEPAGE_VAR_TITLE", "My home"));
        assert!(looks_secret("STRIPE", "sk_live_abcdefghijklmnop"));
        assert!(looks_secret("HF", "hf_abcdefghijklmnopqrstuvwxyz0123"));
        assert!(looks_secret("LLM", "sk-proj-abcdefghijklmnop0123"));
        assert!(!looks_secret("MODE", "sk-short"));
        assert!(!looks_secret("NAME", "hf_hub cache dir"));
    }

    #[test]
    fn options_and_bearer_tokens_inside_values() {
        // JVM system properties and long flags inside an options variable.
        assert!(looks_secret(
            "JAVA_OPTS",
            "-Xmx512m -Dspring.datasource.password=Sup3rS3cret"
        ));
        assert!(looks_secret(
            "EXTRA_ARGS",
            "--verbose --db-password=hunter22"
        ));
        assert!(!looks_secret("JAVA_OPTS", "-Xmx512m -Dfile.encoding=UTF-8"));
        assert!(!looks_secret(
            "JAVA_OPTS",
            "-Dspring.datasource.password=${DB_PASSWORD}"
        ));
        assert!(!looks_secret(
            "EXTRA_ARGS",
            "--password-file=/run/secrets/pw"
        ));
        // Authorization headers and JSON Web Tokens.
        assert!(looks_secret(
            "HEADERS",
            "Authorization: Bearer abcdef0123456789"
        ));
        assert!(looks_secret(
            "SUPABASE_ANON",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(!looks_secret("AUTH_SCHEME", "Bearer"));
        // JSON values with a secret member.
        assert!(looks_secret(
            "SPRING_APPLICATION_JSON",
            r#"{"spring":{"datasource":{"password":"Sup3rS3cret"}}}"#
        ));
        assert!(looks_secret("CONFIG", r#"[{"apiKey":"abcd1234abcd1234"}]"#));
        assert!(!looks_secret("CONFIG", r#"{"password":"","user":"x"}"#));
        assert!(!looks_secret("CONFIG", r#"{"theme":"dark"}"#));
        assert!(looks_secret(
            "traefik.http.middlewares.auth.basicauth.users",
            "admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"
        ));
        assert!(!looks_secret("GREETING", "say eyJ to me"));
    }

    #[test]
    fn bearer_tokens_in_command_lines() {
        let line = "curl -H 'Authorization: Bearer abcdef0123456789' http://x/health";
        assert_eq!(
            redact_flag_values_in_line(line),
            "curl -H 'Authorization: Bearer <redacted>' http://x/health"
        );
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        assert_eq!(flag_secret_values(&words), vec!["abcdef0123456789"]);
        assert_eq!(
            redact_flag_values_in_line("echo Bearer $TOKEN"),
            "echo Bearer $TOKEN"
        );
    }

    #[test]
    fn vpn_users_beside_vpn_passwords() {
        let keys = ["VPN_SERVICE_PROVIDER", "OPENVPN_USER", "OPENVPN_PASSWORD"];
        assert!(is_vpn_user_beside_password("OPENVPN_USER", keys));
        assert!(is_vpn_user_beside_password("VPN_USER", ["VPN_PASSWORD"]));
        assert!(!is_vpn_user_beside_password("OPENVPN_USER", ["TZ"]));
        assert!(!is_vpn_user_beside_password(
            "POSTGRES_USER",
            ["POSTGRES_PASSWORD"]
        ));
    }

    #[test]
    fn short_values_are_replaced_as_whole_words_only() {
        let mut w = "redis-server --requirepass abc12".to_string();
        assert!(replace_value(&mut w, "abc12", "$(P)"));
        assert_eq!(w, "redis-server --requirepass $(P)");
        let mut w = "xabc12y".to_string();
        assert!(!replace_value(&mut w, "abc12", "$(P)"));
        let mut w = "postgres://u:abc@db".to_string();
        assert!(replace_value(&mut w, "abc", "$(P)"));
        assert_eq!(w, "postgres://u:$(P)@db");
        let mut w = "PGPASSWORD=s3cretpw pg_isready".to_string();
        assert!(replace_value(&mut w, "s3cretpw", "<r>"));
        assert_eq!(w, "PGPASSWORD=<r> pg_isready");
    }

    #[test]
    fn program_flags_are_redacted() {
        let mut words: Vec<String> = ["mysql", "-h", "db", "-psecret", "-p", "app"]
            .map(String::from)
            .to_vec();
        redact_flag_values(&mut words);
        assert_eq!(words, ["mysql", "-h", "db", "-p<redacted>", "-p", "app"]);
        let mut words: Vec<String> = ["redis-cli", "-a", "pw", "ping"].map(String::from).to_vec();
        assert_eq!(flag_secret_values(&words), ["pw"]);
        redact_flag_values(&mut words);
        assert_eq!(words, ["redis-cli", "-a", "<redacted>", "ping"]);
        let mut words: Vec<String> = ["ls", "-a", "-pfoo"].map(String::from).to_vec();
        redact_flag_values(&mut words);
        assert_eq!(words, ["ls", "-a", "-pfoo"]);
        assert_eq!(
            redact_flag_values_in_line("mysqldump -uroot -ps3cret app > /dump.sql"),
            "mysqldump -uroot -p<redacted> app > /dump.sql"
        );
        assert_eq!(
            flag_secret_values(&["sh".into(), "-c".into(), "mysql -ps3cret".into()]),
            ["s3cret"]
        );
    }

    #[test]
    fn flag_values_are_redacted() {
        assert_eq!(
            redact_flag_values_in_line("redis-server --requirepass abc12 --port 1"),
            "redis-server --requirepass <redacted> --port 1"
        );
        assert_eq!(
            redact_flag_values_in_line("curl -u admin:pw http://x"),
            "curl -u admin:<redacted> http://x"
        );
        assert_eq!(
            redact_flag_values_in_line("x --masterauth=zz9"),
            "x --masterauth=<redacted>"
        );
        assert_eq!(
            redact_flag_values_in_line("docker run -u 1000 x"),
            "docker run -u 1000 x"
        );
        assert_eq!(
            redact_flag_values_in_line("PGPASSWORD=pw1 psql -h db"),
            "PGPASSWORD=<redacted> psql -h db"
        );
        assert_eq!(redact_flag_values_in_line("echo TOKEN x"), "echo TOKEN x");
    }

    #[test]
    fn flags() {
        assert!(flag_takes_secret("--requirepass"));
        assert!(flag_takes_secret("--masterauth"));
        assert!(flag_takes_secret("-u"));
        assert!(!flag_takes_secret("--port"));
        for f in [
            "--db-pass",
            "--redis-password",
            "--jwt-secret",
            "--openai-api-key",
            "--api-token",
        ] {
            assert!(flag_takes_secret(f), "{f}");
        }
        for f in [
            "--password-file",
            "--password-stdin",
            "--no-password",
            "--token-ttl",
            "--passthrough",
            "--secret-name",
            "-pass",
        ] {
            assert!(!flag_takes_secret(f), "{f}");
        }
    }
}
