//! Normalisation: the merged document → the typed [`Project`](crate::model::Project), with
//! profiles applied, implicit dependencies added, references checked and Kubernetes names
//! assigned.

mod deploy;
mod environment;
mod hints;
mod ports;
mod rbac_hint;
mod read;
mod references;
mod service;
mod top_level;
mod volumes;

use crate::codes;
use crate::load::{Env, Loader};
use crate::model::*;
use crate::names::{is_valid_project_name, normalize_project_name};
use homeport_diag::Diagnostic;
use homeport_yaml::{Map, Node};
use std::path::PathBuf;

pub(crate) struct ProjectInput {
    pub explicit_name: Option<String>,
    pub project_dir: PathBuf,
    pub files: Vec<String>,
    pub env: Env,
    pub profiles: Vec<String>,
}

/// What every service's normalisation needs from the project.
pub(crate) struct ProjectCx {
    pub env: Env,
}

pub(crate) fn project(ld: &mut Loader, root: Node, input: ProjectInput) -> Option<Project> {
    let map = root.as_map()?;
    let name = project_name(ld, map, &input)?;
    let mut project = Project {
        name: name.clone(),
        working_dir: input.project_dir.clone(),
        files: input.files.clone(),
        networks: top_level::networks(ld, map.get("networks"), &name),
        volumes: top_level::volumes(ld, map.get("volumes"), &name),
        secrets: top_level::file_objects(ld, map.get("secrets"), &name, true),
        configs: top_level::file_objects(ld, map.get("configs"), &name, false),
        ..Project::default()
    };
    for e in &map.entries {
        let k = e.key_str();
        if k == "x-homeport" {
            project.hints = hints::project_hints(ld, &e.value);
        } else if k.starts_with("x-") {
            project.extensions.insert(k.to_string(), e.value.to_json());
        } else if k == "models" {
            project.other.insert(k.to_string(), e.value.to_json());
        }
    }
    project.extensions.sort_keys();

    // `environment:` sources of secrets and configs read the project environment (shell and
    // `.env`), not a service's environment.
    for o in project
        .secrets
        .values_mut()
        .chain(project.configs.values_mut())
    {
        if let Some(var) = &o.environment {
            o.environment_value = input.env.get(var).cloned();
        }
    }
    project.interpolated_secrets = interpolated_secrets(ld, &input.env);
    let cx = ProjectCx { env: input.env };
    let mut services = Vec::new();
    if let Some(node) = map.get("services") {
        if let Some(sm) = ld.map_of(node, "services") {
            for e in &sm.entries {
                if let Some(s) = service::service(ld, &e.key, &e.value, &cx) {
                    services.push(s);
                }
            }
        }
    }

    // Profiles: services without profiles are always on; `*` enables every profile.
    let all = input.profiles.iter().any(|p| p == "*");
    let (mut active, inactive): (Vec<Service>, Vec<Service>) =
        services.into_iter().partition(|s| {
            s.profiles.is_empty() || all || s.profiles.iter().any(|p| input.profiles.contains(p))
        });
    active.sort_by(|a, b| a.name.cmp(&b.name));
    project.inactive_services = inactive.iter().map(|s| s.name.clone()).collect();
    project.inactive_services.sort();

    references::check(ld, &mut project, &mut active, &inactive, &cx.env);
    for s in active {
        project.services.insert(s.name.clone(), s);
    }
    project.networks.sort_keys();
    project.volumes.sort_keys();
    project.secrets.sort_keys();
    project.configs.sort_keys();
    references::assign_names(ld, &mut project);
    if project.services.is_empty() {
        ld.diags.push(
            Diagnostic::warning(codes::NO_SERVICES, "the project has no services")
                .with_help(if project.inactive_services.is_empty() {
                    "define services under `services:`".to_string()
                } else {
                    format!(
                        "every service is behind a profile; enable one with --profile (services: {})",
                        project.inactive_services.join(", ")
                    )
                }),
        );
    }
    Some(project)
}

/// Secret-looking variables that were interpolated somewhere, with their (non-empty) values.
fn interpolated_secrets(ld: &Loader, env: &Env) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ld
        .interpolated
        .values()
        .flatten()
        .filter_map(|var| {
            let value = env.get(var)?;
            (!value.is_empty() && crate::looks_secret(var, value))
                .then(|| (var.clone(), value.clone()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn project_name(ld: &mut Loader, map: &Map, input: &ProjectInput) -> Option<String> {
    if let Some(n) = &input.explicit_name {
        if is_valid_project_name(n) {
            return Some(n.clone());
        }
        ld.error(
            Diagnostic::error(
                codes::INVALID_PROJECT_NAME,
                format!("project name `{n}` is not valid"),
            )
            .with_help(
                "use lowercase letters, digits, `_` and `-`, starting with a letter or digit",
            ),
        );
        return None;
    }
    if let Some(node) = map.get("name") {
        if let Some(n) = ld.str_of(node, "name") {
            let normalized = normalize_project_name(&n);
            if normalized.is_empty() {
                ld.invalid(
                    node.span,
                    format!("project name `{n}` has no usable characters"),
                    "use lowercase letters, digits, `_` and `-`",
                );
                return None;
            }
            if normalized != n {
                // Say so: `name: ../../tmp/pwn` must not quietly become another name.
                ld.error(
                    Diagnostic::warning(
                        codes::INVALID_PROJECT_NAME,
                        format!("project name `{n}` is not a valid name; using `{normalized}`"),
                    )
                    .with_span(node.span)
                    .with_help("use lowercase letters, digits, `_` and `-`, starting with a letter or digit"),
                );
            }
            return Some(normalized);
        }
    }
    let dir_name = input
        .project_dir
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let normalized = normalize_project_name(&dir_name);
    if normalized.is_empty() {
        ld.error(
            Diagnostic::error(
                codes::INVALID_PROJECT_NAME,
                format!(
                    "cannot derive a project name from the directory `{}`",
                    input.project_dir.display()
                ),
            )
            .with_help("pass -p NAME or set `name:` in the compose file"),
        );
        return None;
    }
    Some(normalized)
}
