//! Gathering the project's host path facts before planning: read the bind-mounted paths on
//! this machine, take the rest from `homeport.lock`, and record what was read in the lock
//! (refused under `--locked`). Host reads are local: `--offline` does not stop them.
//! `HOMEPORT_LOCK_HOST=0` reads the host only, leaving the lock's `host` table alone (for
//! runs on stacks that are not the user's own, such as the test suite's shared corpus).

use super::image_facts::lock_file;
use super::EXIT_INVALID;
use crate::cli::GlobalArgs;
use crate::output::Output;
use homeport_compose::Project;
use homeport_diag::{Diagnostic, Diagnostics, SourceMap};
use homeport_images::codes;
use homeport_plan::facts::HostPathFacts;
use std::collections::BTreeMap;

/// The host facts for the planner (resolved absolute path -> facts, each with its source).
/// On an unreadable lock, or a lock that would change under `--locked`, the diagnostics are
/// printed and exit 2. Warnings (a missing path whose shipped contents only the lock knew of,
/// a lock that could not be written) are printed here.
pub fn gather(
    global: &GlobalArgs,
    project: &Project,
    out: &Output,
    sources: &SourceMap,
) -> Result<BTreeMap<String, HostPathFacts>, u8> {
    if std::env::var("HOMEPORT_LOCK_HOST").is_ok_and(|v| v == "0") {
        return Ok(homeport_host::gather(project));
    }
    let path = lock_file(project);
    let shown = path.display().to_string();
    let mut diagnostics = Diagnostics::new();
    let fail = |diagnostics: Diagnostics| {
        out.diagnostics(&diagnostics, sources);
        Err(EXIT_INVALID)
    };
    let mut lock = match homeport_images::Lock::read(&path) {
        Ok(lock) => lock,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(codes::LOCK_INVALID, e.to_string())
                    .with_help(format!("delete {shown} and run again to write a new one")),
            );
            return fail(diagnostics);
        }
    };
    let reconciled = homeport_host::reconcile(project, &lock.host);
    for key in &reconciled.without_contents {
        diagnostics.push(
            Diagnostic::warning(
                homeport_host::codes::CONTENTS_NOT_LOCKED,
                format!(
                    "host path `{key}` is missing on this machine; {shown} records files there whose contents go into the output, but contents are never stored in the lock: it is planned as missing, so the output differs from a run where it exists"
                ),
            )
            .with_help("run where the project's files are, or create the file here"),
        );
    }
    if reconciled.lock != lock.host {
        if global.images.locked {
            diagnostics.push(
                Diagnostic::error(
                    codes::LOCK_OUT_OF_DATE,
                    format!(
                        "{shown} would change (host path {}) but --locked was given",
                        reconciled
                            .changed
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .with_help("the bind-mounted path differs from what the lock recorded: run without --locked and commit the lock"),
            );
            return fail(diagnostics);
        }
        lock.host = reconciled.lock;
        if let Err(e) = lock.write_if_changed(&path) {
            diagnostics.push(Diagnostic::warning(codes::LOCK_WRITE_FAILED, e.to_string()));
        }
    }
    if !diagnostics.is_empty() {
        out.diagnostics(&diagnostics, sources);
    }
    Ok(reconciled.facts)
}
