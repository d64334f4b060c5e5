//! Helpers shared by homeport's tests: where the external tools are (kubectl, helm,
//! kubernetes-validate), running them on what homeport writes, where the shared corpus is, and
//! database servers on loopback ([`postgres`], [`mariadb`], [`redis`]) for the scripts
//! homeport writes ([`shell`]).
//!
//! The tools are installed by `scripts/install-tools` into `<workspace>/.cache/tools/bin`;
//! `scripts/test` also exports their absolute paths as `HOMEPORT_KUBECTL`, `HOMEPORT_HELM` and
//! `HOMEPORT_KUBERNETES_VALIDATE`. A test that needs a tool starts with
//!
//! ```no_run
//! use homeport_testkit::{require_tool, Tool};
//!
//! let Some(_kubectl) = require_tool(Tool::Kubectl) else {
//!     return; // not installed on this developer machine: skip
//! };
//! ```
//!
//! Under CI (`CI` set) a missing tool panics instead, so CI never skips silently.

pub mod mariadb;
pub mod postgres;
pub mod redis;
pub mod registry;
pub mod shell;

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// An external tool the tests run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    /// `kubectl` (for `kubectl kustomize`).
    Kubectl,
    /// `helm` 3.
    Helm,
    /// `kubernetes-validate` (PyPI), which checks objects against the Kubernetes schemas.
    KubernetesValidate,
}

impl Tool {
    /// Every tool, in a fixed order.
    pub const ALL: [Tool; 3] = [Tool::Kubectl, Tool::Helm, Tool::KubernetesValidate];

    /// The executable's file name.
    pub fn binary_name(self) -> &'static str {
        match self {
            Tool::Kubectl => "kubectl",
            Tool::Helm => "helm",
            Tool::KubernetesValidate => "kubernetes-validate",
        }
    }

    /// The environment variable that names the executable's path.
    pub fn env_var(self) -> &'static str {
        match self {
            Tool::Kubectl => "HOMEPORT_KUBECTL",
            Tool::Helm => "HOMEPORT_HELM",
            Tool::KubernetesValidate => "HOMEPORT_KUBERNETES_VALIDATE",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.binary_name())
    }
}

/// The cargo workspace's root directory (the repository root).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // This crate lives at <root>/crates/homeport-testkit.
    match manifest_dir.parent().and_then(Path::parent) {
        Some(root) => root.to_path_buf(),
        None => manifest_dir.join("../.."),
    }
}

/// Where `scripts/install-tools` puts the tools: `<workspace>/.cache/tools/bin`.
pub fn tools_bin_dir() -> PathBuf {
    workspace_root().join(".cache").join("tools").join("bin")
}

/// The shared folder beside the repository (`<workspace>/../shared`), or `HOMEPORT_SHARED_DIR`
/// when that is set.
pub fn shared_dir() -> PathBuf {
    shared_dir_from(std::env::var_os("HOMEPORT_SHARED_DIR"), &workspace_root())
}

fn shared_dir_from(env: Option<OsString>, root: &Path) -> PathBuf {
    match env.filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match root.parent() {
            Some(parent) => parent.join("shared"),
            None => root.join("..").join("shared"),
        },
    }
}

/// The public corpus of Compose stacks: `<shared>/corpus`.
pub fn corpus_dir() -> PathBuf {
    shared_dir().join("corpus")
}

/// The corpus directory for a test that reads it. When it is absent: under CI (`CI` set) the
/// test fails, naming the path and the variable; on a developer machine it prints one line
/// saying so and returns `None`, and the test returns early (skipped). Every corpus test
/// starts with
///
/// ```no_run
/// let Some(corpus) = homeport_testkit::require_corpus() else {
///     return;
/// };
/// ```
pub fn require_corpus() -> Option<PathBuf> {
    let dir = corpus_dir();
    match corpus_absence(&dir, in_ci()) {
        None => Some(dir),
        Some(Err(message)) => panic!("{message}"),
        Some(Ok(message)) => {
            eprintln!("{message}");
            None
        }
    }
}

/// `None` when `dir` holds the corpus; otherwise the skip line (`Ok`) or, under CI, the
/// failure message (`Err`).
fn corpus_absence(dir: &Path, ci: bool) -> Option<Result<String, String>> {
    if dir.join("SOURCES.tsv").is_file() {
        return None;
    }
    let why = format!(
        "the shared corpus is not at {} (set HOMEPORT_SHARED_DIR to the folder that holds corpus/)",
        dir.display()
    );
    Some(if ci {
        Err(format!("{why}; under CI it is required"))
    } else {
        Ok(format!("skipping: {why}"))
    })
}

/// The path of `tool`: its environment variable when set (and then only that path), else
/// `<workspace>/.cache/tools/bin/<name>`; `None` when that file does not exist.
pub fn tool(tool: Tool) -> Option<PathBuf> {
    resolve(tool, std::env::var_os(tool.env_var()), &tools_bin_dir())
}

fn resolve(tool: Tool, env: Option<OsString>, bin_dir: &Path) -> Option<PathBuf> {
    let path = match env.filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => bin_dir.join(tool.binary_name()),
    };
    path.is_file().then_some(path)
}

/// The path of kubectl, if installed. See [`tool`].
pub fn kubectl() -> Option<PathBuf> {
    tool(Tool::Kubectl)
}

/// The path of helm, if installed. See [`tool`].
pub fn helm() -> Option<PathBuf> {
    tool(Tool::Helm)
}

/// The path of kubernetes-validate, if installed. See [`tool`].
pub fn kubernetes_validate() -> Option<PathBuf> {
    tool(Tool::KubernetesValidate)
}

/// Whether this runs under CI: `CI` is set to anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    ci_flag(std::env::var_os("CI"))
}

fn ci_flag(value: Option<OsString>) -> bool {
    match value {
        Some(v) => !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false")),
        None => false,
    }
}

/// The path of `tool` for a test that needs it. When the tool is missing, this panics under
/// CI (so CI never skips silently) and otherwise prints a note and returns `None`, which the
/// caller takes as "skip this test":
///
/// ```no_run
/// # use homeport_testkit::{require_tool, Tool};
/// let Some(_helm) = require_tool(Tool::Helm) else { return };
/// ```
pub fn require_tool(tool: Tool) -> Option<PathBuf> {
    require(tool, self::tool(tool), in_ci())
}

fn require(tool: Tool, found: Option<PathBuf>, ci: bool) -> Option<PathBuf> {
    if found.is_none() {
        let why = missing_tool_message(tool);
        if ci {
            panic!("{why}; CI is set, so tests that need it must not be skipped");
        }
        eprintln!("skipping: {why}");
    }
    found
}

fn missing_tool_message(tool: Tool) -> String {
    match std::env::var_os(tool.env_var()).filter(|v| !v.is_empty()) {
        Some(path) => format!(
            "{tool} not found: {} is set to {}, which is not a file",
            tool.env_var(),
            Path::new(&path).display()
        ),
        None => format!(
            "{tool} not found: set {} or run scripts/install-tools (looked in {})",
            tool.env_var(),
            tools_bin_dir().display()
        ),
    }
}

/// A [`Command`] for `tool` with stdin closed (and, for helm, its cache, config and data
/// directories under `<workspace>/.cache/tools/helm`), or an error saying the tool is missing.
pub fn command(tool: Tool) -> Result<Command, String> {
    let path = self::tool(tool).ok_or_else(|| missing_tool_message(tool))?;
    let mut cmd = Command::new(path);
    cmd.stdin(Stdio::null());
    if tool == Tool::Helm {
        let home = workspace_root().join(".cache").join("tools").join("helm");
        cmd.env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"));
    }
    Ok(cmd)
}

/// Runs `cmd`: its stdout when it exits 0, else an error with its status, stderr and stdout.
fn run(mut cmd: Command) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{shown} failed ({}):\n{}{stdout}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Checks a multi-document YAML stream of Kubernetes objects with
/// `kubernetes-validate --strict --kubernetes-version <k8s_version>` (offline; schemas for
/// Kubernetes 1.25 to 1.37 ship with it). `k8s_version` is `X.Y` or `X.Y.Z`, `v` allowed.
///
/// Fails when any object does not validate (unknown fields included), when an object's kind
/// has no schema (a typo in `apiVersion`/`kind`, or a custom resource), when the version is
/// not supported, or when the stream holds no object at all. The error lists what
/// kubernetes-validate reported, with `<stream>` standing for the file.
/// API groups of the operators' custom resources homeport writes (KEDA, the Prometheus
/// operator, Argo CD, Flux, external-secrets, k3s' HelmChart, the VPA): kubernetes-validate
/// has no schema for them; tests check them against the vendored CRD schemas instead.
pub const OPERATOR_API_GROUPS: &[&str] = &[
    "keda.sh/",
    "monitoring.coreos.com/",
    "argoproj.io/",
    "source.toolkit.fluxcd.io/",
    "kustomize.toolkit.fluxcd.io/",
    "external-secrets.io/",
    "helm.cattle.io/",
    "autoscaling.k8s.io/",
];

/// [`validate_k8s_objects`] over the built-in kinds of `objects` (JSON is YAML), leaving out
/// the operators' custom resources ([`OPERATOR_API_GROUPS`]).
pub fn validate_builtin_k8s_objects(
    objects: &[serde_json::Value],
    k8s_version: &str,
) -> Result<(), String> {
    let builtin: String = objects
        .iter()
        .filter(|o| {
            let api = o["apiVersion"].as_str().unwrap_or("");
            !OPERATOR_API_GROUPS.iter().any(|g| api.starts_with(g))
        })
        .map(|o| format!("---\n{o}\n"))
        .collect();
    validate_k8s_objects(&builtin, k8s_version)
}

pub fn validate_k8s_objects(yaml_multi_doc: &str, k8s_version: &str) -> Result<(), String> {
    if !is_version(k8s_version) {
        return Err(format!(
            "not a Kubernetes version: {k8s_version:?} (expected X.Y or X.Y.Z)"
        ));
    }
    let mut cmd = command(Tool::KubernetesValidate)?;
    let mut file = tempfile::Builder::new()
        .prefix("homeport-validate-")
        .suffix(".yaml")
        .tempfile()
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    file.write_all(yaml_multi_doc.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("cannot write {}: {e}", file.path().display()))?;
    cmd.arg("--strict")
        .arg("--kubernetes-version")
        .arg(k8s_version)
        .arg(file.path());
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run kubernetes-validate: {e}"))?;
    let path = file.path().to_string_lossy().into_owned();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace(&path, "<stream>");

    let mut passed = 0usize;
    let mut problems = Vec::new();
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with("INFO ") && line.contains(" passed for resource ") {
            passed += 1;
        } else {
            problems.push(line);
        }
    }
    if !out.status.success() || !problems.is_empty() {
        let detail = if problems.is_empty() {
            report.trim_end().to_string()
        } else {
            problems.join("\n")
        };
        return Err(format!(
            "kubernetes-validate --strict for Kubernetes {k8s_version} ({}):\n{detail}",
            out.status
        ));
    }
    if passed == 0 {
        return Err("no Kubernetes objects in the stream".to_string());
    }
    Ok(())
}

fn is_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `kubectl kustomize <dir>`: the built objects as one YAML stream.
pub fn kustomize_build(dir: impl AsRef<Path>) -> Result<String, String> {
    tool_output(
        Tool::Kubectl,
        [OsStr::new("kustomize"), dir.as_ref().as_os_str()],
    )
}

/// `helm template <dir>` (default values, release name `release-name`): the rendered objects.
pub fn helm_template(dir: impl AsRef<Path>) -> Result<String, String> {
    tool_output(
        Tool::Helm,
        [OsStr::new("template"), dir.as_ref().as_os_str()],
    )
}

/// `helm lint --strict <dir>`: its report when the chart has neither errors nor warnings.
pub fn helm_lint(dir: impl AsRef<Path>) -> Result<String, String> {
    tool_output(
        Tool::Helm,
        [
            OsStr::new("lint"),
            OsStr::new("--strict"),
            dir.as_ref().as_os_str(),
        ],
    )
}

fn tool_output<'a>(
    tool: Tool,
    args: impl IntoIterator<Item = &'a OsStr>,
) -> Result<String, String> {
    let mut cmd = command(tool)?;
    cmd.args(args);
    run(cmd)
}

#[cfg(test)]
mod tests;
