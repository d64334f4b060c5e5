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
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[arg(long, value_enum, default_value_t = DataFormat::Yaml)]
    pub format: DataFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Yaml,
    Json,
}
