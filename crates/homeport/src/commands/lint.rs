//! `homeport lint`: check Kubernetes manifests (files, directories, stdin).
//!
//! Exit codes: 0 no error findings; 1 error findings; 2 unusable input (a file that is not
//! valid YAML, a path that cannot be read, a bad cluster file) or a usage error. Input
//! problems do not stop the run: the other files are still checked.

use super::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK};
use crate::cli::{ColorWhen, GlobalArgs, LintArgs, LintFormat, LintLevel};
use crate::output::Output;
use homeport_diag::{ColorChoice, Diagnostic, SourceMap};
use homeport_lint::{report, Cluster, Options};
use homeport_manifest::{load_paths, Input, LoadOptions};
use std::io::{IsTerminal, Read};
use std::path::Path;

/// Diagnostic code for a bad `--select`, `--ignore` or `--kubernetes-version`.
const USAGE: &str = "HP0057";

pub fn run(global: &GlobalArgs, args: &LintArgs, out: &Output) -> u8 {
    if let Some(v) = &args.kubernetes_version {
        if let Some(why) = implausible_version(v) {
            let versions = homeport_k8s_schema::supported_versions();
            out.diagnostics(
                [
                    &Diagnostic::error(USAGE, format!("--kubernetes-version {v}: {why}"))
                        .with_help(format!(
                    "pass a Kubernetes version such as {}; schemas are embedded for {} to {}",
                    versions.last().unwrap_or(&"1.33"),
                    versions.first().unwrap_or(&"?"),
                    versions.last().unwrap_or(&"?")
                )),
                ],
                &SourceMap::new(),
            );
            return EXIT_INVALID;
        }
    }
    let cluster = match &global.cluster {
        Some(path) => match read_cluster(path, out) {
            Ok(c) => Some(c),
            Err(code) => return code,
        },
        None => None,
    };

    let mut inputs = Vec::new();
    let paths: Vec<&Path> = if args.paths.is_empty() {
        vec![Path::new(".")]
    } else {
        args.paths.iter().map(|p| p.as_path()).collect()
    };
    let mut stdin_read = false;
    for p in paths {
        if p == Path::new("-") {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            let mut bytes = Vec::new();
            let limit = homeport_manifest::MAX_MANIFEST_BYTES;
            let read = std::io::stdin()
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(homeport_diag::input::ReadError::from)
                .and_then(|n| {
                    if n as u64 > limit {
                        Err(homeport_diag::input::ReadError::TooLarge { limit })
                    } else {
                        homeport_diag::input::text_of(std::mem::take(&mut bytes))
                    }
                });
            let text = match read {
                Ok(text) => text,
                Err(e) => {
                    out.diagnostics(
                        [&Diagnostic::error(
                            homeport_manifest::UNREADABLE_PATH,
                            format!("cannot read stdin: {e}"),
                        )
                        .with_help("pipe UTF-8 YAML or JSON into `homeport lint -`")],
                        &SourceMap::new(),
                    );
                    return EXIT_INVALID;
                }
            };
            inputs.push(Input::Text {
                name: "<stdin>".to_string(),
                text,
            });
        } else {
            inputs.push(Input::Path(p.to_path_buf()));
        }
    }

    let manifests = load_paths(&inputs, &LoadOptions::default());
    let options = Options {
        level: args.level.map(|l| match l {
            LintLevel::Baseline => homeport_pss::Level::Baseline,
            LintLevel::Restricted => homeport_pss::Level::Restricted,
        }),
        kubernetes_version: args.kubernetes_version.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        cluster,
        threads: 0,
    };
    let report = match homeport_lint::check(&manifests.objects, &options) {
        Ok(r) => r,
        Err(e) => {
            out.diagnostics(
                [&Diagnostic::error(USAGE, e.to_string())
                    .with_help("see `homeport rule --list` and `homeport lint --help`")],
                &SourceMap::new(),
            );
            return EXIT_INVALID;
        }
    };

    let input_diags: Vec<&Diagnostic> = manifests.diagnostics.iter().collect();
    out.diagnostics(
        input_diags.iter().copied().chain(report.diagnostics.iter()),
        &manifests.sources,
    );
    let diags: Vec<Diagnostic> = manifests.diagnostics.iter().cloned().collect();
    let text = match args.format {
        LintFormat::Text => {
            report::render_text(&report, &manifests.sources, stdout_color(global.color))
        }
        LintFormat::Json => report::render_json(&report, &manifests.sources, &diags),
        LintFormat::Sarif => pretty(&report::render_sarif(&report, &manifests.sources, &diags)),
    };
    out.stdout(&text);

    let code = if manifests.diagnostics.has_errors() {
        EXIT_INVALID
    } else if report.errors() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // The process ends right after this: freeing tens of thousands of small allocations
    // one by one would only add time (about a tenth of a large run).
    std::mem::forget(report);
    std::mem::forget(manifests);
    code
}

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Colour for the findings on stdout (the diagnostics' colour follows stderr).
fn stdout_color(when: ColorWhen) -> ColorChoice {
    match when {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto => {
            if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
                ColorChoice::Always
            } else {
                ColorChoice::Never
            }
        }
    }
}

/// Why `--kubernetes-version` cannot name a Kubernetes release (`99.99`, `2.0`, `banana`):
/// 1.x only, and no further ahead than the next release after the newest embedded schema.
/// An older 1.x is accepted (schema checks are skipped with a warning).
fn implausible_version(v: &str) -> Option<String> {
    let t = v.trim().trim_start_matches('v').trim_end_matches('+');
    let mut parts = t.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    let patch_ok = parts.next().is_none_or(|p| p.parse::<u32>().is_ok()) && parts.next().is_none();
    let (Some(major), Some(minor), true) = (major, minor, patch_ok) else {
        return Some("not a version (write MAJOR.MINOR, e.g. 1.33)".into());
    };
    if major != 1 {
        return Some(format!("Kubernetes {major}.x does not exist"));
    }
    let newest = homeport_k8s_schema::supported_versions()
        .last()
        .and_then(|l| l.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(minor);
    (minor > newest + 1).then(|| format!("Kubernetes 1.{minor} is not released"))
}

fn read_cluster(path: &Path, out: &Output) -> Result<Cluster, u8> {
    let mut sources = SourceMap::new();
    let text = match homeport_diag::input::read_text(path, homeport_diag::input::MAX_INPUT_BYTES) {
        Ok(t) => t,
        Err(e) => {
            out.diagnostics(
                [&Diagnostic::error(
                    homeport_manifest::UNREADABLE_PATH,
                    format!("cannot read cluster inventory `{}`: {e}", path.display()),
                )
                .with_help("pass an existing cluster.yaml with --cluster")],
                &sources,
            );
            return Err(EXIT_INVALID);
        }
    };
    let id = sources.add(path.display().to_string(), text.clone());
    Cluster::parse(&text, id).map_err(|diags| {
        out.diagnostics(diags.iter(), &sources);
        EXIT_INVALID
    })
}
