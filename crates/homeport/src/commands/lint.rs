//! `homeport lint`: check Kubernetes manifests (files, directories, stdin).
//!
//! Exit codes: 0 no error findings; 1 error findings; 2 unusable input (a file that is not
//! valid YAML, a path that cannot be read, a bad cluster file, a bad configuration or
//! baseline file) or a usage error. Input problems do not stop the run: the other files are
//! still checked.
//!
//! Settings come from the flags, then the configuration file (`--config`, else
//! `.homeport.toml`/`homeport.yaml` found upward from the working directory to the git
//! root). Kustomize patch files under the linted directories are left out (HP0059). The
//! configuration's `per-path-ignores` and the baseline (`--baseline`) filter the findings.

use super::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK};
use crate::cli::{ColorWhen, GlobalArgs, LintArgs, LintFormat, LintLevel};
use crate::output::Output;
use homeport_diag::{ColorChoice, Diagnostic, SourceMap};
use homeport_lint::baseline::{Baseline, Fingerprinter};
use homeport_lint::config::{self, Config};
use homeport_lint::kustomize::Patches;
use homeport_lint::report::{Counts, Format, ReportWriter};
use homeport_lint::{stream, Checker, Cluster, Options};
use homeport_manifest::{read_inputs_holding, Input};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Diagnostic code for a bad `--select`, `--ignore` or `--kubernetes-version`.
const USAGE: &str = "HP0057";

/// Inputs up to this size are held as text; larger ones are read a few documents at a time
/// (twice: once for the index, once to check them), so lint's memory does not grow with them.
const HELD_BYTES: u64 = 16 * 1024 * 1024;

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
            let input = match read_stdin() {
                Ok(input) => input,
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
            inputs.push(input);
        } else {
            inputs.push(Input::Path(p.to_path_buf()));
        }
    }

    let config = match read_config(args, out) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let baseline_path: Option<PathBuf> = args
        .settings
        .baseline
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.baseline.clone()));
    if args.settings.update_baseline && baseline_path.is_none() {
        out.diagnostics(
            [
                &Diagnostic::error(USAGE, "--update-baseline needs a baseline file")
                    .with_help("pass --baseline FILE, or set `baseline` in the configuration"),
            ],
            &SourceMap::new(),
        );
        return EXIT_INVALID;
    }

    let dirs: Vec<&Path> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::Path(p) => Some(p.as_path()),
            Input::Text { .. } | Input::Spooled { .. } => None,
        })
        .collect();
    let patches = Patches::find(&dirs);
    // Objects are not held: the files are parsed once for the index and once more to check
    // them, a batch of documents at a time, each batch's findings written before the next is
    // parsed. The text of files up to HELD_BYTES is held (positions and excerpts are read
    // from it); larger ones are read in parts of whole documents in both passes.
    let mut manifests = read_inputs_holding(&inputs, HELD_BYTES);
    drop(inputs);
    let options = lint_options(args, config.as_ref(), cluster);
    let mut checker = match Checker::new(&options) {
        Ok(c) => c,
        Err(e) => {
            out.diagnostics(
                [&Diagnostic::error(USAGE, e.to_string())
                    .with_help("see `homeport rule --list` and `homeport lint --help`")],
                &SourceMap::new(),
            );
            return EXIT_INVALID;
        }
    };
    // Kustomize patch files are fragments, not objects: their objects and their input
    // problems go, and a warning per kustomization says how to lint the build.
    let file_ids: Vec<homeport_diag::FileId> =
        manifests.sources.files().map(|(id, _)| id).collect();
    let patch_files: std::collections::HashSet<homeport_diag::FileId> = file_ids
        .iter()
        .copied()
        .filter(|&id| {
            !patches.is_empty()
                && manifests
                    .sources
                    .get(id)
                    .is_some_and(|f| patches.contains(&f.name))
        })
        .collect();
    let indexed = stream::index_files(
        &mut checker,
        &mut manifests.sources,
        &manifests.streamed,
        file_ids,
        &|id| patch_files.contains(&id),
    );
    manifests.diagnostics.extend(indexed.diagnostics);
    for d in patches.diagnostics() {
        manifests.diagnostics.push(d);
    }
    let manifests = manifests;
    let sources = &manifests.sources;
    let mut report = checker.report();
    let pass = checker.pass();
    let streamed = &manifests.streamed;
    let file_of = |f: &homeport_lint::Finding| {
        let place = homeport_lint::report::finding_place(sources, f);
        (!place.file.is_empty()).then_some((place.file, place.start.line))
    };
    let mut baseline = match &baseline_path {
        Some(path) => match read_baseline(path, args.settings.update_baseline, &file_of, out) {
            Ok(b) => Some(b),
            Err(code) => return code,
        },
        None => None,
    };
    let recording = baseline.as_ref().is_some_and(BaselineUse::records);
    // What the configuration and the baseline leave of a batch of findings.
    let mut keep = |checked: &mut homeport_lint::Checked, report: &mut homeport_lint::Report| {
        report.suppressed += checked.suppressed;
        report.unchecked_custom_resources += checked.unchecked_custom_resources;
        if let Some(c) = &config {
            report.suppressed +=
                c.apply_per_path_ignores(&mut checked.findings, |f| file_of(f).map(|(n, _)| n));
        }
        if let Some(b) = &mut baseline {
            report.baselined += b.filter(&mut checked.findings);
        }
    };

    // Nothing to check is not a success: an empty stdin after a failed `helm template`, an
    // empty directory or only non-Kubernetes documents must not pass a CI step.
    let nothing = checker.indexed() == 0;
    let nothing_to_check = (nothing && !manifests.diagnostics.has_errors()).then(|| {
        Diagnostic::error(
            homeport_manifest::NO_MANIFESTS,
            "no Kubernetes objects in the input",
        )
        .with_help(
            "pass files or directories holding manifests, or pipe them into `homeport lint -`",
        )
    });
    let show_diagnostics = |report: &homeport_lint::Report| {
        let input_diags: Vec<&Diagnostic> = manifests.diagnostics.iter().collect();
        out.diagnostics(
            input_diags
                .iter()
                .copied()
                .chain(&nothing_to_check)
                .chain(report.diagnostics.iter()),
            &manifests.sources,
        );
    };
    let mut diags: Vec<Diagnostic> = manifests.diagnostics.iter().cloned().collect();
    diags.extend(nothing_to_check.clone());
    let format = match args.format {
        // With no object checked, a "no findings" line would read as a pass.
        LintFormat::Text if nothing => None,
        LintFormat::Text => Some(Format::Text(stdout_color(global.color))),
        LintFormat::Json => Some(Format::Json),
        LintFormat::Sarif => Some(Format::Sarif),
    };
    let mut errors = 0;
    // The check pass; what it returns: a file read in parts that could not be read again,
    // or read differently.
    let check = |found: &mut dyn FnMut(homeport_lint::Checked)| {
        stream::check_files(&pass, sources, streamed, &indexed.files, found)
    };
    let mut lost: Vec<Diagnostic> = Vec::new();
    if recording {
        // Recording the baseline: every finding goes into it, none into the report.
        lost = check(&mut |mut checked| keep(&mut checked, &mut report));
        report.diagnostics.extend(lost.iter().cloned());
        if let Some(b) = baseline.take() {
            if let Err(code) = b.record(out) {
                return code;
            }
        }
        show_diagnostics(&report);
        if let Some(format) = format {
            out.stdout_with(|w| {
                let writer = ReportWriter::begin(w, format, sources, &diags)?;
                writer.finish(w, &report)
            });
        }
    } else {
        show_diagnostics(&report);
        match format {
            Some(format) => out.stdout_with(|w| {
                let mut writer = ReportWriter::begin(w, format, sources, &diags)?;
                // After a failed write the check goes on, for the exit code; nothing more
                // is written.
                let mut failed = None;
                lost = check(&mut |mut checked| {
                    keep(&mut checked, &mut report);
                    if failed.is_none() {
                        if let Err(e) = writer.write(w, std::mem::take(&mut checked.findings)) {
                            failed = Some(e);
                        }
                    } else {
                        errors += Counts::of(&checked.findings).errors;
                    }
                });
                errors += writer.counts().errors;
                report.diagnostics.extend(lost.iter().cloned());
                match failed {
                    Some(e) => Err(e),
                    None => writer.finish(w, &report),
                }
            }),
            None => {
                lost = check(&mut |mut checked| {
                    keep(&mut checked, &mut report);
                    errors += Counts::of(&checked.findings).errors;
                });
            }
        }
        out.diagnostics(lost.iter(), sources);
    }

    if manifests.diagnostics.has_errors() || nothing_to_check.is_some() || !lost.is_empty() {
        EXIT_INVALID
    } else if errors > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Stdin as an input: held as text up to [`HELD_BYTES`], else spooled to an unnamed
/// temporary file that is read in parts like a large file.
fn read_stdin() -> Result<Input, homeport_diag::input::ReadError> {
    let name = "<stdin>".to_string();
    let limit = homeport_manifest::MAX_MANIFEST_BYTES;
    let mut stdin = std::io::stdin().lock();
    let mut bytes = Vec::new();
    (&mut stdin).take(HELD_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 <= HELD_BYTES {
        let text = homeport_diag::input::text_of(bytes)?;
        return Ok(Input::Text { name, text });
    }
    let mut spool = tempfile::tempfile()?;
    spool.write_all(&bytes)?;
    let held = bytes.len() as u64;
    drop(bytes);
    // Up to one byte past the limit, to tell a stream at the limit from a longer one.
    let allowed = limit.saturating_sub(held);
    let rest = std::io::copy(&mut (&mut stdin).take(allowed + 1), &mut spool)?;
    if rest > allowed {
        return Err(homeport_diag::input::ReadError::TooLarge { limit });
    }
    Ok(Input::Spooled {
        name,
        file: std::sync::Arc::new(spool),
    })
}

/// The run's options: flags first, then the configuration file.
fn lint_options(args: &LintArgs, config: Option<&Config>, cluster: Option<Cluster>) -> Options {
    let level = args
        .level
        .map(|l| match l {
            LintLevel::Baseline => homeport_pss::Level::Baseline,
            LintLevel::Restricted => homeport_pss::Level::Restricted,
        })
        .or(config.and_then(|c| c.level));
    let select = if !args.select.is_empty() {
        args.select.clone()
    } else if let Some(c) = config {
        let mut s = c.select.clone().unwrap_or_default();
        if !c.extend_select.is_empty() {
            if s.is_empty() {
                s.push("default".to_string());
            }
            s.extend(c.extend_select.iter().cloned());
        }
        s
    } else {
        Vec::new()
    };
    let mut ignore = config.map(|c| c.ignore.clone()).unwrap_or_default();
    ignore.extend(args.ignore.iter().cloned());
    Options {
        level,
        kubernetes_version: args
            .kubernetes_version
            .clone()
            .or_else(|| config.and_then(|c| c.kubernetes_version.clone())),
        select,
        ignore,
        cluster,
        threads: 0,
    }
}

/// The configuration: `--config FILE`, else the one found upward from the working
/// directory (none with `--no-config`).
fn read_config(args: &LintArgs, out: &Output) -> Result<Option<Config>, u8> {
    let path = match (&args.settings.config, args.settings.no_config) {
        (Some(p), _) => p.clone(),
        (None, true) => return Ok(None),
        (None, false) => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            match config::discover(&cwd) {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    let mut sources = SourceMap::new();
    config::load(&path, &mut sources)
        .map(Some)
        .map_err(|diags| {
            out.diagnostics(diags.iter(), &sources);
            EXIT_INVALID
        })
}

/// How the run uses its baseline: records today's findings (the file does not exist, or
/// `--update-baseline`), or drops those it holds.
enum BaselineUse<'f> {
    Record {
        path: PathBuf,
        fingerprints: Fingerprinter<&'f FileOf<'f>>,
        entries: Vec<homeport_lint::baseline::Entry>,
    },
    Filter {
        baseline: Baseline,
        fingerprints: Fingerprinter<&'f FileOf<'f>>,
    },
}

/// A finding's file as the loader named it, and its line.
type FileOf<'f> = dyn Fn(&homeport_lint::Finding) -> Option<(String, usize)> + 'f;

fn baseline_failed(e: homeport_lint::baseline::BaselineError, out: &Output) -> u8 {
    out.diagnostics(
        [&Diagnostic::error(homeport_lint::baseline::BASELINE, e.to_string())
            .with_help("pass a baseline written by `homeport lint --baseline FILE`, or a path where one can be written")],
        &SourceMap::new(),
    );
    EXIT_INVALID
}

/// Record today's findings when the file does not exist or `update` is set; read it
/// otherwise.
fn read_baseline<'f>(
    path: &Path,
    update: bool,
    file_of: &'f FileOf<'f>,
    out: &Output,
) -> Result<BaselineUse<'f>, u8> {
    let fingerprints = Fingerprinter::new(path, file_of);
    if update || !path.exists() {
        return Ok(BaselineUse::Record {
            path: path.to_path_buf(),
            fingerprints,
            entries: Vec::new(),
        });
    }
    let baseline = Baseline::read(path).map_err(|e| baseline_failed(e, out))?;
    Ok(BaselineUse::Filter {
        baseline,
        fingerprints,
    })
}

impl BaselineUse<'_> {
    fn records(&self) -> bool {
        matches!(self, BaselineUse::Record { .. })
    }

    /// Drop the findings the baseline holds (or, recording, all of them, kept as entries);
    /// returns how many were dropped.
    fn filter(&mut self, findings: &mut Vec<homeport_lint::Finding>) -> usize {
        match self {
            BaselineUse::Record {
                fingerprints,
                entries,
                ..
            } => {
                entries.extend(findings.iter().map(|f| fingerprints.entry(f)));
                let n = findings.len();
                findings.clear();
                n
            }
            BaselineUse::Filter {
                baseline,
                fingerprints,
            } => baseline.take(findings, |f| fingerprints.entry(f)),
        }
    }

    /// Write the recorded entries (`report.baselined` counts them already).
    fn record(self, out: &Output) -> Result<(), u8> {
        let BaselineUse::Record { path, entries, .. } = self else {
            return Ok(());
        };
        let n = entries.len();
        Baseline::write(&path, entries).map_err(|e| baseline_failed(e, out))?;
        out.diagnostics(
            [&Diagnostic::info(
                homeport_lint::baseline::BASELINE,
                format!(
                    "recorded {n} findings in the baseline `{}`; later runs report only new ones",
                    path.display()
                ),
            )
            .with_help("commit the file; `--update-baseline` records the findings again")],
            &SourceMap::new(),
        );
        Ok(())
    }
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
