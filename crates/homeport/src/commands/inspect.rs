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
        redact(&mut value);
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

/// Replace secret-looking environment values and build args, and secret contents.
fn redact(project: &mut Value) {
    if let Some(services) = project.get_mut("services").and_then(Value::as_object_mut) {
        for service in services.values_mut() {
            if let Some(env) = service
                .get_mut("environment")
                .and_then(Value::as_object_mut)
            {
                redact_pairs(env);
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

fn redact_pairs(map: &mut serde_json::Map<String, Value>) {
    for (key, value) in map.iter_mut() {
        if let Value::String(s) = value {
            if looks_secret(key, s) {
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
        redact(&mut v);
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
}
