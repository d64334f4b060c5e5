//! A Compose project's image facts, as `plan`, `render`, `convert` and `images` gather them
//! before planning: read `homeport.lock`, resolve what it lacks, and write it back when it
//! changed (refused under `--locked`).

use crate::codes;
use crate::lock::{Lock, LOCK_FILE};
use crate::resolve::{resolve, Options, Resolution, Source};
use homeport_compose::Project;
use homeport_diag::{Diagnostic, Diagnostics};
use homeport_plan::facts::Facts;
use std::path::{Path, PathBuf};

/// The images of a project's services that come from a registry (not `build:`), in
/// service order.
pub fn project_images(project: &Project) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for svc in project.services.values() {
        if svc.build.is_some() {
            continue;
        }
        if let Some(image) = &svc.image {
            if !out.contains(image) {
                out.push(image.clone());
            }
        }
    }
    out
}

/// `homeport.lock` beside the first compose file (`dir`).
pub fn lock_path(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

/// What gathering gave.
#[derive(Debug, Default)]
pub struct Gathered {
    pub resolution: Resolution,
    /// The lock file was (re)written.
    pub lock_written: bool,
    /// Warnings (registries that failed); errors only on failure (then `Err`).
    pub diagnostics: Diagnostics,
}

impl Gathered {
    /// The facts for the planner.
    pub fn facts(&self) -> Facts {
        let r = &self.resolution;
        let counts = r.counts();
        let registry_access = if !r.contacted_registries {
            if counts.get(&Source::KnowledgeBase).copied().unwrap_or(0) > 0 {
                "no registry contacted".to_string()
            } else {
                "no registry contacted: every image is in homeport.lock".to_string()
            }
        } else {
            let regs: Vec<String> = r
                .sources
                .iter()
                .filter(|(_, s)| **s != Source::Lock)
                .filter_map(|(image, _)| crate::reference::parse(image))
                .map(|p| p.registry().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            format!("registries contacted: {}", regs.join(", "))
        };
        Facts {
            images: r.facts.clone(),
            registry_access,
            ..Facts::default()
        }
    }
}

/// Read the lock at `lock_file`, resolve the project's images, write the lock when it
/// changed. `locked`: a lock that would change is an error instead. `Err` carries the error
/// diagnostics (exit 2).
pub fn gather(
    project: &Project,
    lock_file: &Path,
    options: &Options,
    locked: bool,
) -> Result<Gathered, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let shown = lock_file.display().to_string();
    let lock = match Lock::read(lock_file) {
        Ok(lock) => lock,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(codes::LOCK_INVALID, e.to_string()).with_help(format!(
                    "delete {shown} and run `homeport images --update` to write a new one"
                )),
            );
            return Err(diagnostics);
        }
    };
    let images = project_images(project);
    let resolution = resolve(&images, &lock, options);
    for w in &resolution.warnings {
        let registry = if w.registry.is_empty() {
            String::new()
        } else {
            format!(" from registry `{}`", w.registry)
        };
        diagnostics.push(
            Diagnostic::warning(
                codes::REGISTRY_UNAVAILABLE,
                format!(
                    "image `{}`: no facts{registry}: {}; the knowledge base is used instead",
                    w.image, w.message
                ),
            )
            .with_help("check the reference and the registry; `--offline` uses homeport.lock and the knowledge base only"),
        );
    }
    let changed = resolution.lock != lock;
    let mut lock_written = false;
    if changed {
        if locked {
            let added: Vec<&String> = resolution
                .lock
                .images
                .iter()
                .filter(|(k, v)| lock.images.get(*k) != Some(*v))
                .map(|(k, _)| k)
                .collect();
            let names: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
            diagnostics.push(
                Diagnostic::error(
                    codes::LOCK_OUT_OF_DATE,
                    format!(
                        "{shown} would change ({}) but --locked was given",
                        names.join(", ")
                    ),
                )
                .with_help(
                    "run without --locked (or `homeport images --update`) and commit the lock",
                ),
            );
            return Err(diagnostics);
        }
        match resolution.lock.write_if_changed(lock_file) {
            Ok(written) => lock_written = written,
            Err(e) => {
                diagnostics.push(Diagnostic::warning(codes::LOCK_WRITE_FAILED, e.to_string()))
            }
        }
    }
    Ok(Gathered {
        resolution,
        lock_written,
        diagnostics,
    })
}
