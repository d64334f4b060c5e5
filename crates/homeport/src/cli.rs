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
    /// Compose options given before the command (`homeport -f compose.yaml plan`).
    #[command(flatten)]
    pub compose: ComposeArgs,
    #[command(flatten)]
    pub shared: SharedArgs,
    #[command(subcommand)]
    pub command: Command,
}

const COMPOSE_OPTIONS: &str = "Compose options";

/// Options with the same meaning as `docker compose`'s, for the commands that read a Compose
/// project. Accepted before the command (the contract's global options) and after it; they
/// are not offered on commands that read no Compose project (`lint`, `rule`, ...).
#[derive(Debug, Args, Clone, Default)]
pub struct ComposeArgs {
    /// Compose file; repeatable, later files override earlier ones
    #[arg(short = 'f', long = "file", value_name = "FILE", help_heading = COMPOSE_OPTIONS)]
    pub files: Vec<PathBuf>,
    /// Base for relative paths and .env (default: directory of the first file)
    #[arg(long, value_name = "DIR", help_heading = COMPOSE_OPTIONS)]
    pub project_directory: Option<PathBuf>,
    /// Project name (default: top-level `name:`, else the directory name)
    #[arg(short = 'p', long, value_name = "NAME", help_heading = COMPOSE_OPTIONS)]
    pub project_name: Option<String>,
    /// Environment file; repeatable (default: <project dir>/.env if present)
    #[arg(long = "env-file", value_name = "FILE", help_heading = COMPOSE_OPTIONS)]
    pub env_files: Vec<PathBuf>,
    /// Enable a profile; repeatable (COMPOSE_PROFILES is honoured)
    #[arg(long = "profile", value_name = "NAME", help_heading = COMPOSE_OPTIONS)]
    pub profiles: Vec<String>,
}

impl ComposeArgs {
    fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.project_directory.is_none()
            && self.project_name.is_none()
            && self.env_files.is_empty()
            && self.profiles.is_empty()
    }
}

/// Options every command accepts, before or after it.
#[derive(Debug, Args, Clone)]
pub struct SharedArgs {
    /// Cluster inventory (default: ./cluster.yaml next to the compose file, else a single k3s node)
    #[arg(long, global = true, value_name = "FILE")]
    pub cluster: Option<PathBuf>,
    /// When to colour diagnostics
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    #[command(flatten)]
    pub images: ImageFactArgs,
}

/// How image facts are gathered (`homeport.lock`, registries).
#[derive(Debug, Args, Clone)]
pub struct ImageFactArgs {
    /// Never contact an image registry: use homeport.lock and the built-in image knowledge
    /// base only
    #[arg(long, global = true, env = "HOMEPORT_OFFLINE", value_parser = clap::builder::BoolishValueParser::new())]
    pub offline: bool,
    /// Fail (exit 2) instead of changing homeport.lock (for CI)
    #[arg(long, global = true)]
    pub locked: bool,
}

/// What a command receives: the Compose options (before and after the command, merged) and
/// the shared ones.
#[derive(Debug, Clone)]
pub struct GlobalArgs {
    pub files: Vec<PathBuf>,
    pub project_directory: Option<PathBuf>,
    pub project_name: Option<String>,
    pub env_files: Vec<PathBuf>,
    pub profiles: Vec<String>,
    pub cluster: Option<PathBuf>,
    pub color: ColorWhen,
    pub images: ImageFactArgs,
}

impl Cli {
    /// The options for the command: Compose options given before it and after it (files,
    /// env files and profiles add up; a single value after the command wins). Compose options
    /// before a command that reads no Compose project are an error, not silently ignored.
    pub fn global(&self) -> Result<GlobalArgs, String> {
        let after = self.command.compose();
        if after.is_none() && !self.compose.is_empty() {
            return Err(format!(
                "`homeport {}` reads no Compose project: -f/--file, --project-directory, \
                 -p/--project-name, --env-file and --profile apply to inspect, plan, render, \
                 convert, images, bootstrap and data plan",
                self.command.name()
            ));
        }
        let before = &self.compose;
        let after = after.cloned().unwrap_or_default();
        Ok(GlobalArgs {
            files: [before.files.clone(), after.files].concat(),
            project_directory: after.project_directory.or(before.project_directory.clone()),
            project_name: after.project_name.or(before.project_name.clone()),
            env_files: [before.env_files.clone(), after.env_files].concat(),
            profiles: [before.profiles.clone(), after.profiles].concat(),
            cluster: self.shared.cluster.clone(),
            color: self.shared.color,
            images: self.shared.images.clone(),
        })
    }
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
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout
    Man,
    /// The cluster side: per-node k3s configuration, the add-ons the inventory and the
    /// project need, and a README of the steps
    Bootstrap(BootstrapArgs),
    /// Move and verify the data of bind mounts, volumes and databases
    Data(crate::commands::data::DataArgs),
    /// Resolve every image of the project in its registry and show what homeport knows of it
    Images(ImagesArgs),
    /// The gaming guard: taint an opportunistic node and evict its preemptible pods while someone games
    Guard(GuardArgs),
}

impl Command {
    /// The Compose options given after the command, for the commands that read a project.
    pub fn compose(&self) -> Option<&ComposeArgs> {
        match self {
            Command::Inspect(a) => Some(&a.compose),
            Command::Plan(a) => Some(&a.compose),
            Command::Render(a) => Some(&a.compose),
            Command::Convert(a) => Some(&a.compose),
            Command::Bootstrap(a) => Some(&a.compose),
            Command::Data(a) => a.compose(),
            Command::Images(a) => Some(&a.compose),
            Command::Lint(_)
            | Command::Rule(_)
            | Command::Completions(_)
            | Command::Man
            | Command::Guard(_) => None,
        }
    }

    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Inspect(_) => "inspect",
            Command::Plan(_) => "plan",
            Command::Render(_) => "render",
            Command::Convert(_) => "convert",
            Command::Lint(_) => "lint",
            Command::Rule(_) => "rule",
            Command::Completions(_) => "completions",
            Command::Man => "man",
            Command::Bootstrap(_) => "bootstrap",
            Command::Data(_) => "data",
            Command::Images(_) => "images",
            Command::Guard(_) => "guard",
        }
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    #[command(flatten)]
    pub compose: ComposeArgs,
    /// Directory to write; must be empty or absent unless --force
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace a non-empty DIR (its whole content)
    #[arg(long)]
    pub force: bool,
    /// The image the gaming guard's DaemonSet runs (`homeport guard run`); default
    /// ghcr.io/homeport/homeport:<version>
    #[arg(long, value_name = "IMAGE")]
    pub guard_image: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImagesArgs {
    #[command(flatten)]
    pub compose: ComposeArgs,
    /// Ask the registries again even for images homeport.lock has, and rewrite the lock
    #[arg(long)]
    pub update: bool,
    /// Output: a table of facts with their sources, or JSON
    #[arg(long, value_enum, default_value_t = ImagesFormat::Table)]
    pub format: ImagesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImagesFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct GuardArgs {
    #[command(subcommand)]
    pub action: GuardAction,
}

#[derive(Debug, Subcommand)]
pub enum GuardAction {
    /// Run the guard for one opportunistic node (on that node, or for it)
    Run(GuardRunArgs),
    /// Gaming now, whatever detection says
    On(GuardModeArgs),
    /// Never gaming, whatever detection says
    Off(GuardModeArgs),
    /// Detection decides (processes, NVML, schedule)
    Auto(GuardModeArgs),
    /// Show the guard's state (JSON)
    Status(GuardModeArgs),
}

#[derive(Debug, Args)]
pub struct GuardRunArgs {
    /// The node this guard watches (its `gaming:` entry comes from --cluster)
    #[arg(long, value_name = "NAME")]
    pub node: String,
    /// Detection interval
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = homeport_guard::duration::parse_duration)]
    pub poll: std::time::Duration,
    /// No gaming for this long before work comes back (default: the inventory's `gaming.hold`, else 2m)
    #[arg(long, value_name = "DUR", value_parser = homeport_guard::duration::parse_duration)]
    pub hold: Option<std::time::Duration>,
    /// Log every API request that would be made instead of making it
    #[arg(long)]
    pub dry_run: bool,
    /// Serve Prometheus metrics on ADDR (e.g. 127.0.0.1:9477), path /metrics
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<std::net::SocketAddr>,
    /// Control socket for `homeport guard on|off|auto|status`
    #[arg(long, value_name = "PATH", env = "HOMEPORT_GUARD_SOCKET", default_value = homeport_guard::socket::DEFAULT_SOCKET)]
    pub socket: PathBuf,
}

#[derive(Debug, Args)]
pub struct GuardModeArgs {
    /// The node whose annotation is used when no guard runs here (default: this host's name)
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Control socket of the running guard
    #[arg(long, value_name = "PATH", env = "HOMEPORT_GUARD_SOCKET", default_value = homeport_guard::socket::DEFAULT_SOCKET)]
    pub socket: PathBuf,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub compose: ComposeArgs,
    /// Output format of the normalized model
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
    #[command(flatten)]
    pub compose: ComposeArgs,
    /// Output: a table of decisions, JSON, or a picture (Mermaid, Graphviz)
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Decisions per service and per node, with reasons
    Table,
    /// The plan as a JSON document (diagnostics included)
    Json,
    /// A Mermaid flowchart: nodes with their pods, exposure, allowed network paths
    Mermaid,
    /// The same picture as a Graphviz digraph
    Dot,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub compose: ComposeArgs,
    /// Output format: a multi-document YAML stream or a JSON array
    #[arg(long, value_enum, default_value_t = DataFormat::Yaml)]
    pub format: DataFormat,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub compose: ComposeArgs,
    /// Directory to write; must be empty or absent unless --force
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What to write
    #[arg(long, value_enum, default_value_t = OutputFormat::Kustomize)]
    pub output: OutputFormat,
    /// Replace a non-empty DIR that homeport wrote (it holds a .homeport-output marker); for a
    /// Helm chart, replace homeport's own files and keep yours
    #[arg(long)]
    pub force: bool,
    /// Replace a non-empty DIR even though homeport did not write it (its whole content is lost)
    #[arg(long)]
    pub replace_unmarked: bool,
    #[command(flatten)]
    pub gitops: GitOpsArgs,
}

/// How the tree is deployed from git, and where its secret values come from.
#[derive(Debug, Args)]
pub struct GitOpsArgs {
    /// Add the GitOps objects that deploy overlays/prod from git (gitops/)
    #[arg(long, value_enum, requires = "repo")]
    pub gitops: Option<GitOpsKind>,
    /// The git repository the tree is committed to (with --gitops)
    #[arg(long, value_name = "URL", requires = "gitops")]
    pub repo: Option<String>,
    /// The tree's directory in the repository (default: its root)
    #[arg(long, value_name = "P", requires = "gitops", default_value = ".")]
    pub path: String,
    /// Branch, tag (Argo CD) or commit to deploy (default: HEAD for Argo CD, main for Flux)
    #[arg(long, value_name = "REV", requires = "gitops")]
    pub revision: Option<String>,
    /// Where Secret values go: git-ignored files, or ExternalSecret objects reading a store
    #[arg(long, value_enum, default_value_t = SecretsMode::Files)]
    pub secrets: SecretsMode,
    /// The ClusterSecretStore the ExternalSecrets read (with --secrets external-secrets)
    #[arg(long, value_name = "NAME")]
    pub secret_store: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GitOpsKind {
    /// An Argo CD Application, sync waves on the objects
    Argocd,
    /// A Flux GitRepository and Kustomization
    Flux,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretsMode {
    /// Git-ignored 0600 files (secretGenerator)
    Files,
    /// ExternalSecret objects (external-secrets.io/v1); no secret value in the tree
    ExternalSecrets,
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
    /// Report format: text for people, JSON for scripts, SARIF for code-scanning tools
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Only these rules: a code (PSS012), prefix (SEC), name, category (pod-security,
    /// schema, api-version, security, rbac, reliability, networking, placement, meta),
    /// `best-practice`, `default` (the default set, e.g. `default,SEC021`) or `all`;
    /// repeatable or comma-separated
    #[arg(long, value_name = "CODE|CATEGORY")]
    pub select: Vec<String>,
    /// Leave these rules out (same forms as --select)
    #[arg(long, value_name = "CODE|CATEGORY")]
    pub ignore: Vec<String>,
    /// Kubernetes version to check against (default: the cluster's, else 1.33)
    #[arg(long, value_name = "X.Y")]
    pub kubernetes_version: Option<String>,
    #[command(flatten)]
    pub settings: LintSettingsArgs,
}

/// Lint settings from a file, and the baseline.
#[derive(Debug, Args)]
pub struct LintSettingsArgs {
    /// Configuration file (default: `.homeport.toml` or `homeport.yaml` in the working
    /// directory or a parent, up to the git root)
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use no configuration file
    #[arg(long)]
    pub no_config: bool,
    /// Report only findings that FILE does not hold; when FILE does not exist, record
    /// today's findings in it and report none
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Rewrite the baseline with today's findings (with --baseline or the configuration's
    /// `baseline`)
    #[arg(long)]
    pub update_baseline: bool,
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
    /// A rule code (PSS012) or name (privilege-escalation-allowed)
    #[arg(value_name = "CODE")]
    pub code: Option<String>,
    /// Print the documentation of every rule
    #[arg(long)]
    pub all: bool,
    /// One line per rule: code, name, category, severity
    #[arg(long)]
    pub list: bool,
}
