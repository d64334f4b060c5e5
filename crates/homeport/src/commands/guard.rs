//! `homeport guard run|on|off|auto|status`: the gaming guard (library: homeport-guard).

use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::{GlobalArgs, GuardAction, GuardArgs, GuardModeArgs, GuardRunArgs};
use crate::output::Output;
use homeport_diag::{Diagnostic, SourceMap};
use homeport_guard::{command, settings, GuardConfig, Mode};
use homeport_plan::cluster::Cluster;
use std::path::PathBuf;

const INVALID_SETTINGS: &str = "HP1201";
const GUARD_FAILED: &str = "HP1202";

pub fn run(global: &GlobalArgs, args: &GuardArgs, out: &Output) -> u8 {
    match &args.action {
        GuardAction::Run(a) => run_guard(global, a, out),
        GuardAction::On(a) => set_mode(a, Mode::On, out),
        GuardAction::Off(a) => set_mode(a, Mode::Off, out),
        GuardAction::Auto(a) => set_mode(a, Mode::Auto, out),
        GuardAction::Status(a) => status(a, out),
    }
}

fn fail(out: &Output, code: &str, message: String, help: &str) -> u8 {
    out.diagnostics(
        &[Diagnostic::error(code, message).with_help(help)],
        &SourceMap::default(),
    );
    EXIT_INVALID
}

/// `--cluster`, else `./cluster.yaml` when present, else the built-in cluster.
fn load_cluster(global: &GlobalArgs, out: &Output) -> Result<Cluster, u8> {
    let path = global.cluster.clone().or_else(|| {
        let p = PathBuf::from("cluster.yaml");
        p.is_file().then_some(p)
    });
    let Some(path) = path else {
        return Ok(Cluster::default_k3s());
    };
    let mut sources = SourceMap::default();
    Cluster::load(&path, &mut sources).map_err(|diags| {
        out.diagnostics(&diags.0, &sources);
        EXIT_INVALID
    })
}

fn run_guard(global: &GlobalArgs, args: &GuardRunArgs, out: &Output) -> u8 {
    let cluster = match load_cluster(global, out) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let node = match settings::for_node(&cluster, &args.node) {
        Ok(n) => n,
        Err(e) => {
            return fail(out, INVALID_SETTINGS, e.to_string(), "pass the name of an `availability: opportunistic` node of --cluster, with valid `gaming:` hints")
        }
    };
    let mut config = GuardConfig::new(&args.node);
    config.processes = node.processes;
    config.schedule = node.schedule;
    config.hold = args.hold.unwrap_or(node.hold);
    config.poll = args.poll.max(std::time::Duration::from_millis(50));
    config.dry_run = args.dry_run;
    config.metrics = args.metrics;
    config.socket = Some(args.socket.clone());
    match command::run(config) {
        Ok(()) => EXIT_OK,
        Err(e) => fail(out, GUARD_FAILED, e.to_string(), "check the API server configuration (KUBECONFIG, in-cluster service account) and --metrics"),
    }
}

fn node_name(args: &GuardModeArgs) -> String {
    args.node.clone().unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_default()
    })
}

fn set_mode(args: &GuardModeArgs, mode: Mode, out: &Output) -> u8 {
    match command::set_mode(&args.socket, &node_name(args), mode) {
        Ok(line) => {
            out.stdout(&format!("{line}\n"));
            EXIT_OK
        }
        Err(e) => fail(
            out,
            GUARD_FAILED,
            e.to_string(),
            "start `homeport guard run` here, or pass --node and a KUBECONFIG that may patch nodes",
        ),
    }
}

fn status(args: &GuardModeArgs, out: &Output) -> u8 {
    match command::status(&args.socket, &node_name(args)) {
        Ok(v) => {
            out.stdout(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
            EXIT_OK
        }
        Err(e) => fail(
            out,
            GUARD_FAILED,
            e.to_string(),
            "start `homeport guard run` here, or pass --node and a KUBECONFIG that may read nodes",
        ),
    }
}
