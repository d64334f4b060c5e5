//! `homeport-guard`: the gaming guard as a binary of its own, for the long-running install
//! (the systemd unit). It is `homeport guard run` with the same options and behaviour, without
//! the rest of homeport: no command-line framework, no Compose or rendering code mapped in, so
//! the idle agent stays small (README, "The gaming guard": measured).

use homeport_diag::{render_human, ColorChoice, Diagnostic, SourceMap};
use homeport_guard::duration::parse_duration;
use homeport_guard::{command, settings, socket, GuardConfig};
use homeport_plan::cluster::Cluster;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: homeport-guard --node NAME [--cluster FILE] [--poll DUR] [--hold DUR] [--dry-run]
                      [--metrics ADDR] [--socket PATH]

The gaming guard for one opportunistic node (the same agent as `homeport guard run`).
  --node NAME      the node this guard watches (its `gaming:` entry comes from --cluster)
  --cluster FILE   the cluster inventory (default: ./cluster.yaml when present)
  --poll DUR       detection interval (default 1s)
  --hold DUR       no gaming for this long before work comes back
                   (default: the inventory's gaming.hold, else 2m)
  --dry-run        log every API request that would be made instead of making it
  --metrics ADDR   serve Prometheus metrics on ADDR, path /metrics
  --socket PATH    control socket for `homeport guard on|off|auto|status`
                   (default $HOMEPORT_GUARD_SOCKET, else /run/homeport/guard.sock)
";

const INVALID: &str = "HP1201";
const FAILED: &str = "HP1202";

#[derive(Debug, Default)]
struct Args {
    node: Option<String>,
    cluster: Option<PathBuf>,
    poll: Option<Duration>,
    hold: Option<Duration>,
    dry_run: bool,
    metrics: Option<SocketAddr>,
    socket: Option<PathBuf>,
}

enum Parsed {
    Run(Args),
    Help,
    Version,
}

fn parse(argv: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut args = Args::default();
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "-V" | "--version" => return Ok(Parsed::Version),
            "--node" => args.node = Some(value("--node")?),
            "--cluster" => args.cluster = Some(PathBuf::from(value("--cluster")?)),
            "--poll" => {
                args.poll =
                    Some(parse_duration(&value("--poll")?).map_err(|e| format!("--poll: {e}"))?)
            }
            "--hold" => {
                args.hold =
                    Some(parse_duration(&value("--hold")?).map_err(|e| format!("--hold: {e}"))?)
            }
            "--metrics" => {
                let v = value("--metrics")?;
                args.metrics = Some(v.parse().map_err(|e| format!("--metrics `{v}`: {e}"))?);
            }
            "--socket" => args.socket = Some(PathBuf::from(value("--socket")?)),
            "--dry-run" if inline.is_none() => args.dry_run = true,
            other => return Err(format!("unexpected argument `{other}`")),
        }
    }
    Ok(Parsed::Run(args))
}

fn fail(code: &str, message: String, help: &str, sources: &SourceMap) -> ExitCode {
    let d = Diagnostic::error(code, message).with_help(help);
    eprintln!("{}", render_human(&d, sources, ColorChoice::Never));
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Version) => {
            println!("homeport-guard {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            return fail(
                INVALID,
                e,
                "see `homeport-guard --help`",
                &SourceMap::default(),
            );
        }
    };
    let Some(node) = args.node else {
        return fail(
            INVALID,
            "--node is required".into(),
            "pass the name of an `availability: opportunistic` node of --cluster",
            &SourceMap::default(),
        );
    };
    let mut sources = SourceMap::default();
    let cluster_path = args.cluster.or_else(|| {
        let p = PathBuf::from("cluster.yaml");
        p.is_file().then_some(p)
    });
    let cluster = match cluster_path {
        None => Cluster::default_k3s(),
        Some(path) => match Cluster::load(&path, &mut sources) {
            Ok(c) => c,
            Err(diags) => {
                for d in &diags.0 {
                    eprintln!("{}", render_human(d, &sources, ColorChoice::Never));
                }
                return ExitCode::from(2);
            }
        },
    };
    let settings = match settings::for_node(&cluster, &node) {
        Ok(s) => s,
        Err(e) => {
            return fail(
                INVALID,
                e.to_string(),
                "pass the name of an `availability: opportunistic` node of --cluster, with valid `gaming:` hints",
                &sources,
            )
        }
    };
    // The inventory and its sources are not needed any more: give their memory back.
    drop(cluster);
    drop(sources);
    let mut config = GuardConfig::new(&node);
    config.processes = settings.processes;
    config.schedule = settings.schedule;
    config.hold = args.hold.unwrap_or(settings.hold);
    config.poll = args
        .poll
        .unwrap_or(Duration::from_secs(1))
        .max(Duration::from_millis(50));
    config.dry_run = args.dry_run;
    config.metrics = args.metrics;
    config.socket = Some(args.socket.unwrap_or_else(socket::default_path));
    match command::run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(
            FAILED,
            e.to_string(),
            "check the API server configuration (KUBECONFIG, in-cluster service account) and --metrics",
            &SourceMap::default(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(v: &[&str]) -> Result<Args, String> {
        match parse(v.iter().map(|s| s.to_string()))? {
            Parsed::Run(a) => Ok(a),
            _ => Err("not a run".into()),
        }
    }

    #[test]
    fn parses_the_options_of_guard_run() {
        let a = run_args(&[
            "--node",
            "rog",
            "--cluster=c.yaml",
            "--poll",
            "250ms",
            "--hold",
            "30s",
            "--dry-run",
            "--metrics",
            "127.0.0.1:9477",
            "--socket",
            "/tmp/g.sock",
        ])
        .expect("parses");
        assert_eq!(a.node.as_deref(), Some("rog"));
        assert_eq!(a.cluster, Some(PathBuf::from("c.yaml")));
        assert_eq!(a.poll, Some(Duration::from_millis(250)));
        assert_eq!(a.hold, Some(Duration::from_secs(30)));
        assert!(a.dry_run);
        assert_eq!(a.metrics, Some("127.0.0.1:9477".parse().expect("addr")));
        assert_eq!(a.socket, Some(PathBuf::from("/tmp/g.sock")));
    }

    #[test]
    fn refuses_unknown_and_incomplete_options() {
        assert!(run_args(&["--nod", "rog"]).is_err_and(|e| e.contains("`--nod`")));
        assert!(run_args(&["--node"]).is_err_and(|e| e.contains("needs a value")));
        assert!(run_args(&["--poll", "soon"]).is_err_and(|e| e.starts_with("--poll")));
        assert!(run_args(&["--metrics", "x"]).is_err_and(|e| e.contains("--metrics")));
    }
}
