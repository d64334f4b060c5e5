//! Gathering the project's image facts before planning (`homeport.lock`, then the
//! registries), as the global `--offline` and `--locked` say; warnings printed here.

use super::project::compose_paths;
use super::EXIT_INVALID;
use crate::cli::GlobalArgs;
use crate::output::Output;
use homeport_compose::Project;
use homeport_diag::SourceMap;
use homeport_images::{Credentials, Gathered, Options};
use std::path::PathBuf;

/// `homeport.lock` beside the first compose file.
pub fn lock_file(project: &Project) -> PathBuf {
    let dir = compose_paths(project)
        .first()
        .and_then(|f| f.parent().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| project.working_dir.clone());
    homeport_images::lock_path(&dir)
}

/// Resolve the project's images (`update`: ask the registries even for locked images). On
/// an unreadable lock, or a lock that would change under `--locked`, exit 2.
pub fn gather(
    global: &GlobalArgs,
    project: &Project,
    update: bool,
    out: &Output,
    sources: &SourceMap,
) -> Result<Gathered, u8> {
    let options = Options {
        offline: global.images.offline,
        update,
        credentials: if global.images.offline {
            Credentials::default()
        } else {
            Credentials::from_environment()
        },
        ..Options::default()
    };
    match homeport_images::gather(project, &lock_file(project), &options, global.images.locked) {
        Ok(gathered) => {
            out.diagnostics(&gathered.diagnostics, sources);
            Ok(gathered)
        }
        Err(diags) => {
            out.diagnostics(&diags, sources);
            Err(EXIT_INVALID)
        }
    }
}
