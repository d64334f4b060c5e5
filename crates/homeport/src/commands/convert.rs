//! `homeport convert`: load, plan, render, and write a deployable tree (Kustomize base or
//! plain manifests), all or nothing.

use super::project;
use super::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK};
use crate::cli::{ConvertArgs, GitOpsKind, GlobalArgs, OutputFormat, SecretsMode};
use crate::output::Output;
use homeport_diag::{Diagnostic, SourceMap};
use homeport_write::{write_tree, GitOps, GitOpsTool, WriteOptions, INVALID_OPTION};
use std::io::Write;

pub fn run(global: &GlobalArgs, args: &ConvertArgs, out: &Output) -> u8 {
    // An earlier run killed mid-swap may have left the output missing: finish that first,
    // whatever happens to this run.
    homeport_write::recover_interrupted(&args.out);
    let options = match deploy_options(args) {
        Ok(o) => o,
        Err(d) => {
            out.diagnostics([&d], &SourceMap::new());
            return EXIT_INVALID;
        }
    };
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
    let rendered = homeport_render::render_with(plan, project, &planned.pull_credentials);
    if args.output == OutputFormat::Helm {
        return helm(args, out, plan, &rendered, sources);
    }
    let (objects, store_entries) = match &options.store {
        Some(store) => match homeport_write::external_secrets(&rendered, store) {
            Ok((objects, entries)) => (objects, Some(entries)),
            Err(diags) => {
                out.diagnostics(&diags, sources);
                return EXIT_INVALID;
            }
        },
        None => (rendered, None),
    };
    let sync_waves = options
        .gitops
        .as_ref()
        .is_some_and(|g| g.tool == GitOpsTool::ArgoCd);
    let files = match args.output {
        OutputFormat::Manifests => homeport_write::manifests(&objects),
        OutputFormat::Kustomize | OutputFormat::Helm => {
            homeport_write::kustomize(&objects, sync_waves)
        }
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
    if let Some(g) = &options.gitops {
        let gitops_objects = homeport_write::gitops(&plan.project, g, &objects);
        files.push(homeport_write::gitops_file(&gitops_objects, g.tool));
        if g.tool == GitOpsTool::Flux {
            files.extend(homeport_write::flux_stage_files(&objects));
        }
    }
    let diagram = plan.to_mermaid();
    let readme = homeport_write::readme(&homeport_write::TreeFacts {
        project: &plan.project,
        kind: tree_kind,
        files: &files,
        objects: &objects,
        store: options.store.as_deref().zip(store_entries.as_deref()),
        gitops: options.gitops.as_ref(),
        diagram: &diagram,
    });
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
    let write_options = WriteOptions {
        force: args.force,
        replace_unmarked: args.replace_unmarked,
        protected,
    };
    if let Err(d) = write_tree(&args.out, &files, &write_options) {
        out.diagnostics([&d], sources);
        return EXIT_INVALID;
    }
    let secrets = files.iter().filter(|f| f.secret).count();
    if options.gitops.is_some() && secrets > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "note: the {secrets} secret files are git-ignored, so the GitOps operator cannot build \
             the tree from git; use `--secrets external-secrets --secret-store NAME` (see README.md)"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "wrote {} files ({} holding secrets, git-ignored) to {}",
        files.len(),
        secrets,
        args.out.display()
    );
    EXIT_OK
}

/// `--gitops` and `--secrets`, checked before anything is planned.
struct DeployOptions {
    gitops: Option<GitOps>,
    /// `--secrets external-secrets`: the store name.
    store: Option<String>,
}

// A diagnostic on a cold path; boxing it would only add noise.
#[allow(clippy::result_large_err)]
fn deploy_options(args: &ConvertArgs) -> Result<DeployOptions, Diagnostic> {
    let g = &args.gitops;
    let store = match (g.secrets, &g.secret_store) {
        (SecretsMode::ExternalSecrets, Some(name)) if is_dns_subdomain(name) => Some(name.clone()),
        (SecretsMode::ExternalSecrets, Some(name)) => {
            return Err(Diagnostic::error(
                INVALID_OPTION,
                format!("`--secret-store {name}` is not a Kubernetes object name"),
            )
            .with_help(
                "give the name of a ClusterSecretStore: lowercase letters, digits, `-` and `.`",
            ))
        }
        (SecretsMode::ExternalSecrets, None) => {
            return Err(Diagnostic::error(
                INVALID_OPTION,
                "`--secrets external-secrets` needs `--secret-store NAME`",
            )
            .with_help("name the ClusterSecretStore the ExternalSecrets read from"))
        }
        (SecretsMode::Files, Some(_)) => {
            return Err(Diagnostic::error(
                INVALID_OPTION,
                "`--secret-store` is only used with `--secrets external-secrets`",
            )
            .with_help("add `--secrets external-secrets`, or drop `--secret-store`"))
        }
        (SecretsMode::Files, None) => None,
    };
    let gitops = match (g.gitops, &g.repo) {
        (Some(_), _) if args.output != OutputFormat::Kustomize => {
            return Err(Diagnostic::error(
                INVALID_OPTION,
                "`--gitops` deploys the Kustomize tree's prod overlay",
            )
            .with_help("drop `--output`, or use `--output kustomize`"))
        }
        (Some(kind), Some(repo)) => Some(GitOps {
            tool: match kind {
                GitOpsKind::Argocd => GitOpsTool::ArgoCd,
                GitOpsKind::Flux => GitOpsTool::Flux,
            },
            repo: repo.clone(),
            path: g.path.clone(),
            revision: g.revision.clone(),
        }),
        _ => None,
    };
    if let Some(gitops) = &gitops {
        if gitops.path.split('/').any(|p| p == "..") {
            return Err(Diagnostic::error(
                INVALID_OPTION,
                format!("`--path {}` leaves the repository", gitops.path),
            )
            .with_help("give the tree's directory relative to the repository root"));
        }
    }
    Ok(DeployOptions { gitops, store })
}

fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
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
