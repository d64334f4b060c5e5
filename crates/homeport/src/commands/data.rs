//! `homeport data plan | copy | verify | send | receive`: arguments, then the homeport-data
//! library, then printing. Differences go to stdout; progress and summaries to stderr.

use super::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK};
use crate::cli::GlobalArgs;
use crate::output::Output;
use clap::{Args, Subcommand};
use homeport_data::{human_bytes, DataError};
use homeport_diag::{Diagnostic, SourceMap};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct DataArgs {
    #[command(subcommand)]
    pub command: DataCommand,
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Per service: each bind mount and volume, where it goes, its size, and the commands
    /// that move and verify it (databases: dump, restore, row counts)
    Plan(PlanArgs),
    /// Copy a tree, keeping everything, write its manifest and verify the copy against it
    Copy(CopyArgs),
    /// Compare a tree with a manifest: exit 0 when it matches, 1 listing every difference
    Verify(VerifyArgs),
    /// Write a tree as a stream on stdout (for `data receive` in a pod)
    Send(SendArgs),
    /// Read a stream from stdin into DST, write its manifest and verify DST against it
    Receive(ReceiveArgs),
}

impl DataArgs {
    /// The Compose options after `data plan` (the only data command that reads a project).
    pub fn compose(&self) -> Option<&crate::cli::ComposeArgs> {
        match &self.command {
            DataCommand::Plan(a) => Some(&a.compose),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Also write the source's manifest here
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// Where to write the tree: absent or empty
    #[arg(value_name = "DST")]
    pub dst: PathBuf,
    /// The manifest to write (outside DST)
    #[arg(long, value_name = "FILE")]
    pub manifest: PathBuf,
    /// Give every entry this owner (the pod's runAsUser:fsGroup) instead of the sender's
    #[arg(long, value_name = "UID:GID", value_parser = parse_owner)]
    pub chown: Option<(u32, u32)>,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub compose: crate::cli::ComposeArgs,
    /// Also write the receiver pod manifests (for claims not reachable as a path) here,
    /// under receivers/
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The directory to copy (a bind mount's host path or a volume's _data directory)
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Where to copy it: absent or empty unless --resume
    #[arg(value_name = "DST")]
    pub dst: PathBuf,
    /// The manifest to write (outside SRC and DST); its journal is FILE.journal
    #[arg(long, value_name = "FILE")]
    pub manifest: PathBuf,
    /// Finish an interrupted copy without copying complete files again
    #[arg(long)]
    pub resume: bool,
    /// Give every entry this owner (the pod's runAsUser:fsGroup) instead of the source's
    #[arg(long, value_name = "UID:GID", value_parser = parse_owner)]
    pub chown: Option<(u32, u32)>,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_owner(s: &str) -> Result<(u32, u32), String> {
    let (u, g) = s
        .split_once(':')
        .ok_or_else(|| "expected UID:GID, e.g. 1000:1000".to_string())?;
    let num = |v: &str| {
        v.parse::<u32>()
            .map_err(|_| format!("`{v}` is not a numeric id (expected UID:GID, e.g. 1000:1000)"))
    };
    Ok((num(u)?, num(g)?))
}

pub fn run(global: &GlobalArgs, args: &DataArgs, out: &Output) -> u8 {
    match &args.command {
        DataCommand::Plan(a) => plan(global, a, out),
        DataCommand::Copy(a) => copy(a, out),
        DataCommand::Verify(a) => verify(a, out),
        DataCommand::Send(a) => send(a, out),
        DataCommand::Receive(a) => receive(a, out),
    }
}

fn plan(global: &GlobalArgs, args: &PlanArgs, out: &Output) -> u8 {
    let planned = match super::project::load_and_plan(global, out) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The plan's notes are `homeport plan`'s business; errors matter here too.
    out.diagnostics(
        planned.plan.diagnostics.iter().filter(|d| d.is_error()),
        &planned.sources,
    );
    let data = homeport_data::plan::plan(&planned.project, &planned.plan);
    // Facts from this host, gathered after planning and shown beside it.
    let measured = homeport_data::plan_text::measure(&data);
    let receivers = homeport_data::plan_text::receivers(&data);
    let receivers_dir = match &args.out {
        Some(dir) => dir.join("receivers").display().to_string(),
        None => "receivers".to_string(),
    };
    if let Some(dir) = &args.out {
        let dir = dir.join("receivers");
        for r in &receivers {
            let written = std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(dir.join(&r.name), &r.content));
            if let Err(e) = written {
                let d = Diagnostic::error(
                    homeport_data::codes::IO,
                    format!("{}: {e}", dir.join(&r.name).display()),
                );
                out.diagnostics([&d], &SourceMap::new());
                return EXIT_INVALID;
            }
        }
    }
    out.stdout(&homeport_data::plan_text::render(
        &data,
        &measured,
        &receivers_dir,
    ));
    if args.out.is_none() && !receivers.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "note: {} receiver pod manifests are needed: `homeport data plan --out DIR` writes them under DIR/receivers",
            receivers.len()
        );
    }
    EXIT_OK
}

fn copy(args: &CopyArgs, out: &Output) -> u8 {
    let opts = homeport_data::CopyOptions {
        resume: args.resume,
        chown: args.chown,
        quiet: args.quiet,
    };
    let report = match homeport_data::copy(&args.src, &args.dst, &args.manifest, &opts) {
        Ok(r) => r,
        Err(e) => return fail(&e, out),
    };
    let mut err = std::io::stderr().lock();
    for s in &report.skipped {
        let _ = writeln!(err, "warning: not copied: {s}");
    }
    for v in &report.vanished {
        let _ = writeln!(
            err,
            "warning: not copied: {v}: it disappeared from the source during the copy"
        );
    }
    if report.xattrs_dropped {
        let _ = writeln!(
            err,
            "warning: {} does not support extended attributes; they were not copied",
            args.dst.display()
        );
    }
    if report.removed > 0 {
        let _ = writeln!(
            err,
            "removed {} entries from {} that the source no longer has",
            report.removed,
            args.dst.display()
        );
    }
    let _ = writeln!(
        err,
        "copied {} files ({}), kept {} complete files ({}) from an earlier run; {} entries; manifest {}",
        report.files_copied,
        human_bytes(report.bytes_copied),
        report.files_kept,
        human_bytes(report.bytes_kept),
        report.entries,
        args.manifest.display()
    );
    print_differences(&report.differences, out, &mut err)
}

fn verify(args: &VerifyArgs, out: &Output) -> u8 {
    let expected = match homeport_data::read_manifest(&args.manifest) {
        Ok(m) => m,
        Err(e) => return fail(&e, out),
    };
    let differences = match homeport_data::verify(&expected, &args.dir, args.quiet) {
        Ok(d) => d,
        Err(e) => return fail(&e, out),
    };
    let mut err = std::io::stderr().lock();
    if differences.is_empty() {
        let _ = writeln!(
            err,
            "{} matches {} ({} entries)",
            args.dir.display(),
            args.manifest.display(),
            expected.len()
        );
    }
    print_differences(&differences, out, &mut err)
}

fn send(args: &SendArgs, out: &Output) -> u8 {
    if std::io::stdout().is_terminal() {
        let d = Diagnostic::error(homeport_data::codes::STREAM, "refusing to write a binary stream to a terminal")
            .with_help("pipe it: `homeport data send SRC | kubectl exec -i POD -- homeport data receive /data --manifest /tmp/manifest`");
        out.diagnostics([&d], &SourceMap::new());
        return EXIT_INVALID;
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    match homeport_data::stream::send(&args.src, &mut stdout, args.manifest.as_deref()) {
        Ok(report) => {
            let mut err = std::io::stderr().lock();
            for s in &report.skipped {
                let _ = writeln!(err, "warning: not sent: {s}");
            }
            let _ = writeln!(
                err,
                "sent {} entries ({})",
                report.entries,
                human_bytes(report.bytes)
            );
            EXIT_OK
        }
        Err(e) => fail(&e, out),
    }
}

fn receive(args: &ReceiveArgs, out: &Output) -> u8 {
    let opts = homeport_data::stream::ReceiveOptions {
        chown: args.chown,
        quiet: args.quiet,
    };
    let mut stdin = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
    let report = match homeport_data::stream::receive(&mut stdin, &args.dst, &args.manifest, &opts)
    {
        Ok(r) => r,
        Err(e) => return fail(&e, out),
    };
    let mut err = std::io::stderr().lock();
    if report.xattrs_dropped {
        let _ = writeln!(
            err,
            "warning: {} does not support extended attributes; they were not kept",
            args.dst.display()
        );
    }
    if report.root_kept {
        let _ = writeln!(
            err,
            "note: {} is not ours: it keeps its owner, mode and times (the manifest records them)",
            args.dst.display()
        );
    }
    let _ = writeln!(
        err,
        "received {} entries ({}); manifest {}",
        report.entries,
        human_bytes(report.bytes),
        args.manifest.display()
    );
    if report.differences.is_empty() {
        let _ = writeln!(
            err,
            "{} matches {}",
            args.dst.display(),
            args.manifest.display()
        );
    }
    print_differences(&report.differences, out, &mut err)
}

fn print_differences(
    differences: &[homeport_data::Difference],
    out: &Output,
    err: &mut impl Write,
) -> u8 {
    if differences.is_empty() {
        return EXIT_OK;
    }
    let mut text = String::new();
    for d in differences {
        text.push_str(&d.to_string());
        text.push('\n');
    }
    out.stdout(&text);
    let _ = writeln!(err, "error: {} differences", differences.len());
    EXIT_FINDINGS
}

fn fail(e: &DataError, out: &Output) -> u8 {
    let mut d = Diagnostic::error(e.code(), e.to_string());
    if let Some(help) = e.help() {
        d = d.with_help(help);
    }
    out.diagnostics([&d], &SourceMap::new());
    EXIT_INVALID
}
