//! `homeport bootstrap`: the cluster side. Reads the cluster inventory and, when there is
//! one, the Compose project (its plan says which add-ons it needs), and writes the per-node
//! k3s configuration, preflight scripts, add-on manifests and a README, all or nothing.

use super::project;
use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::{BootstrapArgs, GlobalArgs};
use crate::output::Output;
use homeport_compose::Project;
use homeport_diag::{Diagnostic, SourceMap};
use homeport_plan::cluster::Cluster;
use homeport_plan::Plan;
use homeport_write::{write_tree, WriteOptions};
use std::io::Write;
use std::path::PathBuf;

/// What bootstrap reads: the inventory (and its file), and the project and its plan if any.
struct Inputs {
    cluster: Cluster,
    cluster_file: Option<PathBuf>,
    project: Option<Project>,
    plan: Option<Plan>,
    sources: SourceMap,
}

/// The Compose project when there is one. Without `-f` and without a compose file around,
/// bootstrap works from the inventory alone; any other loading problem is reported.
fn load(global: &GlobalArgs, out: &Output) -> Result<Inputs, u8> {
    let loaded = project::load_project(global);
    let mut sources = loaded.sources;
    let no_compose_file = loaded.project.is_none()
        && global.files.is_empty()
        && std::env::var_os("COMPOSE_FILE").is_none()
        && loaded
            .diagnostics
            .iter()
            .all(|d| d.code == homeport_compose::codes::NO_COMPOSE_FILE);
    if !no_compose_file {
        out.diagnostics(&loaded.diagnostics, &sources);
    }
    match loaded.project {
        Some(project) => {
            let (cluster, cluster_file) = project::load_cluster(global, &project, &mut sources)
                .map_err(|diags| {
                    out.diagnostics(&diags, &sources);
                    EXIT_INVALID
                })?;
            let plan = homeport_plan::plan_with_sources(&project, &cluster, Some(&sources));
            Ok(Inputs {
                cluster,
                cluster_file,
                project: Some(project),
                plan: Some(plan),
                sources,
            })
        }
        None if no_compose_file => {
            let path = global.cluster.clone().or_else(|| {
                let here = PathBuf::from("cluster.yaml");
                here.is_file().then_some(here)
            });
            let Some(path) = path else {
                let d = Diagnostic::error(
                    homeport_bootstrap::codes::NO_INVENTORY,
                    "no cluster inventory: bootstrap needs one",
                )
                .with_help("pass --cluster cluster.yaml, or run it where cluster.yaml (or the compose file with cluster.yaml beside it) is");
                out.diagnostics([&d], &sources);
                return Err(EXIT_INVALID);
            };
            let cluster = Cluster::load(&path, &mut sources).map_err(|diags| {
                out.diagnostics(&diags, &sources);
                EXIT_INVALID
            })?;
            Ok(Inputs {
                cluster,
                cluster_file: Some(path),
                project: None,
                plan: None,
                sources,
            })
        }
        None => Err(EXIT_INVALID),
    }
}

pub fn run(global: &GlobalArgs, args: &BootstrapArgs, out: &Output) -> u8 {
    let inputs = match load(global, out) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    if let Some(plan) = &inputs.plan {
        let errors = plan.diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "note: the plan of the Compose project has {errors} error(s) (see `homeport plan`); bootstrap only uses the add-ons it needs"
            );
        }
    }

    // The gaming guard for the opportunistic nodes (nothing when there are none).
    let image = args
        .guard_image
        .clone()
        .unwrap_or_else(|| format!("ghcr.io/homeport/homeport:{}", env!("CARGO_PKG_VERSION")));
    let guard = homeport_guard::deploy::manifests(
        &inputs.cluster,
        &homeport_guard::deploy::DeployOptions::new(&image),
    );
    let extra: Vec<homeport_bootstrap::addons::AddonFile> = if guard.is_empty() {
        Vec::new()
    } else {
        vec![homeport_bootstrap::addons::AddonFile {
            path: "addons/gaming-guard.yaml".into(),
            objects: guard,
            summary: format!(
                "the gaming guard (`homeport guard run`, image `{image}`) on the opportunistic nodes: taints them while someone games and evicts their preemptible pods"
            ),
        }]
    };

    let result = match homeport_bootstrap::bootstrap(&inputs.cluster, inputs.plan.as_ref(), extra) {
        Ok(result) => result,
        Err(d) => {
            out.diagnostics([&d], &inputs.sources);
            return EXIT_INVALID;
        }
    };
    out.diagnostics(&result.warnings, &inputs.sources);

    let mut protected: Vec<PathBuf> = inputs
        .project
        .as_ref()
        .map(project::compose_paths)
        .unwrap_or_default();
    protected.extend(global.env_files.iter().cloned());
    protected.extend(inputs.cluster_file.clone());
    let options = WriteOptions {
        force: args.force,
        replace_unmarked: false,
        protected,
    };
    if let Err(d) = write_tree(&args.out, &result.files, &options) {
        out.diagnostics([&d], &inputs.sources);
        return EXIT_INVALID;
    }
    let _ = writeln!(
        std::io::stderr(),
        "wrote {} files to {}: follow {}",
        result.files.len(),
        args.out.display(),
        args.out.join("README.md").display()
    );
    EXIT_OK
}
