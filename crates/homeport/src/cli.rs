//! Command-line arguments (contract: shared/docs/contract.md). Parsed and resolved here only;
//! libraries never see clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "homeport",
    version,
    about = "Move Docker Compose stacks onto production-grade Kubernetes (k3s first)"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options with the same meaning as `docker compose`'s.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Compose file; repeatable, later files override earlier ones
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Base for relative paths and .env (default: directory of the first file)
    #[arg(long, global = true, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Project name (default: top-level `name:`, else the directory name)
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub project_name: Option<String>,
    /// Environment file; repeatable (default: <project dir>/.env if present)
    #[arg(long = "env-file", global = true, value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Enable a profile; repeatable (COMPOSE_PROFILES is honoured)
    #[arg(long = "profile", global = true, value_name = "NAME")]
    pub profiles: Vec<String>,
    /// Cluster inventory (default: ./cluster.yaml next to the compose file, else a single k3s node)
    #[arg(long, global = true, value_name = "FILE")]
    pub cluster: Option<PathBuf>,
    /// When to colour diagnostics
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the normalized Compose model (like `docker compose config`)
    Inspect(InspectArgs),
    /// Decisions per service and per node, with reasons
    Plan(PlanArgs),
    /// Every Kubernetes object, one multi-document stream on stdout
    Render(RenderArgs),
    /// Write a deployable tree: a Kustomize base (default) or plain manifests
    Convert(ConvertArgs),
    /// Check Kubernetes manifests: Pod Security Standards, best practices, schema
    Lint(LintArgs),
    /// Explain a lint rule
    Rule(RuleArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[arg(long, value_enum, default_value_t = DataFormat::Yaml)]
    pub format: DataFormat,
    /// Print secret-looking environment values and secret contents instead of `<redacted>`
    #[arg(long)]
    pub reveal_secrets: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[arg(long, value_enum, default_value_t = DataFormat::Yaml)]
    pub format: DataFormat,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Directory to write; must be empty or absent unless --force
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What to write
    #[arg(long, value_enum, default_value_t = OutputFormat::Kustomize)]
    pub output: OutputFormat,
    /// Replace a non-empty DIR (its whole content); for a Helm chart, replace homeport's own
    /// files and keep yours
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A Kustomize base; secrets via secretGenerator from git-ignored files
    Kustomize,
    /// A Helm chart rendering the same objects (secrets from install-time values or existing Secrets)
    Helm,
    /// Plain manifests, one file per object kind per service
    Manifests,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files, directories (searched recursively for *.yaml, *.yml, *.json) or `-` for stdin
    /// (default: the current directory)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Pod Security level for every pod (default: the namespace's
    /// `pod-security.kubernetes.io/enforce` label, else restricted)
    #[arg(long, value_enum)]
    pub level: Option<LintLevel>,
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Only these rules: a code (PSS012), prefix (SEC), name, category (pod-security,
    /// schema, api-version, security, reliability, networking, placement, meta),
    /// `best-practice` or `all`; repeatable or comma-separated
    #[arg(long, value_name = "CODE|CATEGORY")]
    pub select: Vec<String>,
    /// Leave these rules out (same forms as --select)
    #[arg(long, value_name = "CODE|CATEGORY")]
    pub ignore: Vec<String>,
    /// Kubernetes version to check against (default: the cluster's, else 1.33)
    #[arg(long, value_name = "X.Y")]
    pub kubernetes_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintLevel {
    Baseline,
    Restricted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["code", "all", "list"])))]
pub struct RuleArgs {
    /// A rule code (PSS012) or name (privilege-escalation)
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
    /// Print the documentation of every rule
    #[arg(long)]
    pub all: bool,
    /// One line per rule: code, name, category, severity
    #[arg(long)]
    pub list: bool,
}
