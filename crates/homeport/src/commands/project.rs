//! Loading what every planning command needs: the Compose project (from the global options,
//! as `docker compose` reads them) and the cluster inventory.

use super::EXIT_INVALID;
use crate::cli::GlobalArgs;
use crate::output::Output;
use homeport_compose::{LoadOptions, Loaded, Project};
use homeport_diag::{Diagnostics, SourceMap};
use homeport_plan::cluster::Cluster;
use homeport_plan::Plan;
use std::path::{Path, PathBuf};

/// What `plan`, `render` and `convert` share: the loaded project, the cluster inventory file
/// (if one was read), every source file, and the plan.
pub struct Planned {
    pub project: Project,
    pub sources: SourceMap,
    pub cluster_file: Option<PathBuf>,
    pub plan: Plan,
    /// The pull secrets' credentials from the user's Docker config, kept out of the plan.
    pub pull_credentials: homeport_render::PullCredentials,
}

/// Load the project and the cluster inventory, then plan. Loader and inventory diagnostics
/// are printed here; the plan's own diagnostics are left to the caller (`plan --format json`
/// puts them in its document). On invalid input, returns the exit code.
pub fn load_and_plan(global: &GlobalArgs, out: &Output) -> Result<Planned, u8> {
    let loaded = load_project(global);
    let mut sources = loaded.sources;
    out.diagnostics(&loaded.diagnostics, &sources);
    let project = loaded.project.ok_or(EXIT_INVALID)?;
    let (cluster, cluster_file) = match load_cluster(global, &project, &mut sources) {
        Ok(found) => found,
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            return Err(EXIT_INVALID);
        }
    };
    let gathered = super::image_facts::gather(global, &project, false, out, &sources)?;
    let mut facts = gathered.facts();
    facts.host = super::host_facts::gather(global, &project, out, &sources)?;
    // The Docker config is a local file: read even `--offline`, for the pull secrets.
    let credentials = homeport_images::Credentials::from_environment();
    homeport_images::pull::gather_registry_facts(&project, &credentials, &mut facts);
    let pull_credentials = homeport_render::PullCredentials::new(
        homeport_images::pull::pull_credentials(&facts, &credentials),
    );
    let plan = homeport_plan::plan_with_facts(&project, &cluster, Some(&sources), &facts);
    Ok(Planned {
        project,
        sources,
        cluster_file,
        plan,
        pull_credentials,
    })
}

/// `LoadOptions` from the global options and the process environment.
pub fn load_options(global: &GlobalArgs) -> LoadOptions {
    LoadOptions {
        files: global.files.clone(),
        project_directory: global.project_directory.clone(),
        project_name: global.project_name.clone(),
        env_files: global.env_files.clone(),
        profiles: global.profiles.clone(),
        environment: std::env::vars().collect(),
        cwd: current_dir(),
    }
}

/// Load the Compose project the global options name.
pub fn load_project(global: &GlobalArgs) -> Loaded {
    homeport_compose::load(&load_options(global))
}

fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The compose files of `project` as paths (its `files` are display names, relative to the
/// working directory when inside it).
pub fn compose_paths(project: &Project) -> Vec<PathBuf> {
    let cwd = current_dir();
    project.files.iter().map(|f| cwd.join(f)).collect()
}

/// The cluster inventory file to use: `--cluster`, else `cluster.yaml` beside the first
/// compose file when there is one, else none (the built-in single-node k3s cluster).
pub fn cluster_path(global: &GlobalArgs, project: &Project) -> Option<PathBuf> {
    if let Some(path) = &global.cluster {
        return Some(path.clone());
    }
    let dir = compose_paths(project)
        .first()
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| project.working_dir.clone());
    let candidate = dir.join("cluster.yaml");
    candidate.is_file().then_some(candidate)
}

/// Load the cluster inventory for `project`; its file is added to `sources`.
pub fn load_cluster(
    global: &GlobalArgs,
    project: &Project,
    sources: &mut SourceMap,
) -> Result<(Cluster, Option<PathBuf>), Diagnostics> {
    match cluster_path(global, project) {
        Some(path) => {
            let shown = display_path(&path);
            let cluster =
                match homeport_diag::input::read_text(&path, homeport_diag::input::MAX_INPUT_BYTES)
                {
                    Ok(text) => Cluster::from_str(&shown, &text, sources)?,
                    Err(_) => Cluster::load(&path, sources)?,
                };
            Ok((cluster, Some(path)))
        }
        None => Ok((Cluster::default_k3s(), None)),
    }
}

/// A path relative to the working directory when it is inside it, as diagnostics show files.
fn display_path(path: &Path) -> String {
    let cwd = current_dir();
    match path.strip_prefix(&cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}
