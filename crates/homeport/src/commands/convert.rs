//! `homeport convert`: load, plan, render, and write a deployable tree (Kustomize base or
//! plain manifests), all or nothing.

use super::project;
use super::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK};
use crate::cli::{ConvertArgs, GlobalArgs, OutputFormat};
use crate::output::Output;
use homeport_diag::SourceMap;
use homeport_write::{write_tree, WriteOptions};
use std::io::Write;

pub fn run(global: &GlobalArgs, args: &ConvertArgs, out: &Output) -> u8 {
    // An earlier run killed mid-swap may have left the output missing: finish that first,
    // whatever happens to this run.
    homeport_write::recover_interrupted(&args.out);
    let planned = match project::load_and_plan(global, out) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    let (project, sources, plan) = (&planned.project, &planned.sources, &planned.plan);
    out.diagnostics(&plan.diagnostics, sources);
    if plan.diagnostics.has_errors() {
        let _ = writeln!(
            std::io::stderr(),
            "nothing written: fix the errors above (or hint around them with x-homeport)"
        );
        return EXIT_FINDINGS;
    }
    let objects = homeport_render::render(plan, project);
    if args.output == OutputFormat::Helm {
        return helm(args, out, plan, &objects, sources);
    }
    let files = match args.output {
        OutputFormat::Manifests => homeport_write::manifests(&objects),
        OutputFormat::Kustomize | OutputFormat::Helm => homeport_write::kustomize(&objects),
    };
    let mut files = match files {
        Ok(files) => files,
        Err(diags) => {
            out.diagnostics(&diags, sources);
            return EXIT_INVALID;
        }
    };
    let tree_kind = match args.output {
        OutputFormat::Manifests => homeport_write::TreeKind::Manifests,
        OutputFormat::Kustomize | OutputFormat::Helm => homeport_write::TreeKind::Kustomize,
    };
    let readme = homeport_write::readme(&plan.project, tree_kind, &files, &plan.to_mermaid());
    files.push(readme);
    let runbook_tree = match args.output {
        OutputFormat::Manifests => homeport_data::runbook::TreeKind::Manifests,
        _ => homeport_data::runbook::TreeKind::Kustomize,
    };
    files.push(homeport_write::OutputFile {
        path: "RUNBOOK.md".into(),
        contents: homeport_data::runbook::runbook(project, plan, runbook_tree).into_bytes(),
        secret: false,
    });

    let mut protected = project::compose_paths(project);
    protected.extend(global.env_files.iter().cloned());
    protected.push(project.working_dir.join(".env"));
    protected.extend(planned.cluster_file.clone());
    let options = WriteOptions {
        force: args.force,
        replace_unmarked: args.replace_unmarked,
        protected,
    };
    if let Err(d) = write_tree(&args.out, &files, &options) {
        out.diagnostics([&d], sources);
        return EXIT_INVALID;
    }
    let secrets = files.iter().filter(|f| f.secret).count();
    let _ = writeln!(
        std::io::stderr(),
        "wrote {} files ({} holding secrets, git-ignored) to {}",
        files.len(),
        secrets,
        args.out.display()
    );
    EXIT_OK
}

/// `--output helm`: the chart derived from the same objects, written keeping the user's files.
fn helm(
    args: &ConvertArgs,
    out: &Output,
    plan: &homeport_plan::Plan,
    objects: &[serde_json::Value],
    sources: &SourceMap,
) -> u8 {
    let files = match homeport_helm::chart(plan, objects) {
        Ok(files) => files,
        Err(diags) => {
            out.diagnostics(&diags, sources);
            return EXIT_INVALID;
        }
    };
    match homeport_helm::write_chart(&args.out, &files, args.force) {
        Ok(summary) => {
            let _ = writeln!(
                std::io::stderr(),
                "wrote the Helm chart to {}: {}",
                args.out.display(),
                summary.describe()
            );
            EXIT_OK
        }
        Err(d) => {
            out.diagnostics([&d], sources);
            EXIT_INVALID
        }
    }
}
