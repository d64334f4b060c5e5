//! `homeport inspect`: the normalized Compose model (like `docker compose config`).

use super::project::load_project;
use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::{DataFormat, GlobalArgs, InspectArgs};
use crate::output::Output;
use homeport_compose::looks_secret;
use serde_json::Value;

pub fn run(global: &GlobalArgs, args: &InspectArgs, out: &Output) -> u8 {
    let loaded = load_project(global);
    out.diagnostics(loaded.diagnostics.iter(), &loaded.sources);
    let Some(project) = loaded.project else {
        return EXIT_INVALID;
    };
    let mut value = match serde_json::to_value(&project) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: cannot serialize the project: {e}");
            return EXIT_INVALID;
        }
    };
    if !args.reveal_secrets {
        let known: Vec<String> = project
            .interpolated_secrets
            .iter()
            .map(|(_, v)| v.clone())
            .collect();
        redact(&mut value, &known);
    }
    let text = match args.format {
        DataFormat::Yaml => homeport_yaml::emit(&value),
        DataFormat::Json => {
            let mut t = serde_json::to_string_pretty(&value).unwrap_or_default();
            t.push('\n');
            t
        }
    };
    out.stdout(&text);
    EXIT_OK
}

const REDACTED: &str = "<redacted>";

/// Replace secret-looking environment values and build args, and secret contents; and the
/// same values, plus values of flags that take a secret, wherever they appear in commands,
/// entrypoints and healthchecks (`PGPASSWORD=... pg_isready`, `--requirepass ...`).
/// `known` are secret values interpolated into the files.
fn redact(project: &mut Value, known: &[String]) {
    let mut values: Vec<String> = known.to_vec();
    if let Some(services) = project.get("services").and_then(Value::as_object) {
        for service in services.values() {
            if let Some(env) = service.get("environment").and_then(Value::as_object) {
                let keys: Vec<&str> = env.keys().map(String::as_str).collect();
                for (key, value) in env {
                    if let Value::String(s) = value {
                        if secret_pair(key, s, &keys) {
                            values.push(s.clone());
                        }
                    }
                }
            }
        }
    }
    if let Some(services) = project.get("services").and_then(Value::as_object) {
        for service in services.values() {
            for command in commands_of(service) {
                values.extend(homeport_secrets::flag_secret_values(&words_of(command)));
            }
        }
    }
    if let Some(secrets) = project.get("secrets").and_then(Value::as_object) {
        for secret in secrets.values() {
            if let Some(Value::String(s)) = secret.get("content") {
                values.push(s.clone());
            }
        }
    }
    values.retain(|v| !v.is_empty());
    values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    values.dedup();
    if let Some(services) = project.get_mut("services").and_then(Value::as_object_mut) {
        for service in services.values_mut() {
            for key in ["command", "entrypoint"] {
                if let Some(v) = service.get_mut(key) {
                    redact_command(v, &values);
                }
            }
            if let Some(test) = service
                .get_mut("healthcheck")
                .and_then(|h| h.get_mut("test"))
            {
                match test.get_mut("command") {
                    Some(command) => redact_command(command, &values),
                    None => redact_command(test, &values),
                }
            }
            if let Some(env) = service
                .get_mut("environment")
                .and_then(Value::as_object_mut)
            {
                redact_pairs(env);
            }
            if let Some(labels) = service.get_mut("labels").and_then(Value::as_object_mut) {
                redact_pairs(labels);
            }
            if let Some(labels) = service
                .get_mut("deploy")
                .and_then(|d| d.get_mut("labels"))
                .and_then(Value::as_object_mut)
            {
                redact_pairs(labels);
            }
            if let Some(args) = service
                .get_mut("build")
                .and_then(|b| b.get_mut("args"))
                .and_then(Value::as_object_mut)
            {
                redact_pairs(args);
            }
        }
    }
    if let Some(secrets) = project.get_mut("secrets").and_then(Value::as_object_mut) {
        for secret in secrets.values_mut() {
            if let Some(content) = secret.get_mut("content") {
                *content = Value::String(REDACTED.into());
            }
        }
    }
}

/// A service's command, entrypoint and healthcheck command values.
fn commands_of(service: &Value) -> Vec<&Value> {
    let test = service.get("healthcheck").and_then(|h| h.get("test"));
    [
        service.get("command"),
        service.get("entrypoint"),
        test.and_then(|t| t.get("command")).or(test),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn words_of(command: &Value) -> Vec<String> {
    match command {
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|w| w.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn secret_pair(key: &str, value: &str, keys: &[&str]) -> bool {
    looks_secret(key, value)
        || homeport_secrets::is_vpn_user_beside_password(key, keys.iter().copied())
}

/// A command as a string or a list of words: known secret values and flag values redacted.
fn redact_command(command: &mut Value, values: &[String]) {
    let scrub = |s: &mut String| {
        for v in values {
            homeport_secrets::replace_value(s, v, REDACTED);
        }
    };
    match command {
        Value::String(s) => {
            scrub(s);
            *s = homeport_secrets::redact_flag_values_in_line(s);
        }
        Value::Array(items) => {
            let mut words: Vec<String> = items
                .iter()
                .map(|w| w.as_str().map(str::to_string).unwrap_or_default())
                .collect();
            for w in words.iter_mut() {
                scrub(w);
                if w.contains(' ') {
                    *w = homeport_secrets::redact_flag_values_in_line(w);
                }
            }
            homeport_secrets::redact_flag_values(&mut words);
            for (item, w) in items.iter_mut().zip(words) {
                if item.is_string() {
                    *item = Value::String(w);
                }
            }
        }
        _ => {}
    }
}

fn redact_pairs(map: &mut serde_json::Map<String, Value>) {
    let keys: Vec<String> = map.keys().cloned().collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    for (key, value) in map.iter_mut() {
        if let Value::String(s) = value {
            if secret_pair(key, s, &keys) {
                *value = Value::String(REDACTED.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_secret_values_only() {
        let mut v = json!({
            "services": {"db": {"environment": {"POSTGRES_PASSWORD": "hunter2", "TZ": "UTC", "EMPTY": null},
                                 "build": {"args": {"NPM_TOKEN": "t"}}}},
            "secrets": {"s": {"content": "x"}}
        });
        redact(&mut v, &[]);
        assert_eq!(
            v["services"]["db"]["environment"]["POSTGRES_PASSWORD"],
            "<redacted>"
        );
        assert_eq!(v["services"]["db"]["environment"]["TZ"], "UTC");
        assert_eq!(v["services"]["db"]["environment"]["EMPTY"], Value::Null);
        assert_eq!(
            v["services"]["db"]["build"]["args"]["NPM_TOKEN"],
            "<redacted>"
        );
        assert_eq!(v["secrets"]["s"]["content"], "<redacted>");
    }

    #[test]
    fn redacts_labels_and_bearer_tokens() {
        let mut v = json!({
            "services": {"web": {
                "labels": {"com.example.token": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                           "traefik.http.middlewares.a.basicauth.users": "admin:$apr1$x$y",
                           "traefik.enable": "true"},
                "deploy": {"labels": {"api.password": "hunter22"}},
                "healthcheck": {"test": {"command": "curl -H 'Authorization: Bearer abcdef0123456789' http://x"}}}}
        });
        redact(&mut v, &[]);
        let web = &v["services"]["web"];
        assert_eq!(web["labels"]["com.example.token"], "<redacted>");
        assert_eq!(
            web["labels"]["traefik.http.middlewares.a.basicauth.users"],
            "<redacted>"
        );
        assert_eq!(web["labels"]["traefik.enable"], "true");
        assert_eq!(web["deploy"]["labels"]["api.password"], "<redacted>");
        assert_eq!(
            web["healthcheck"]["test"]["command"],
            "curl -H 'Authorization: Bearer <redacted>' http://x"
        );
    }
}
