//! `homeport render`: every Kubernetes object as one multi-document YAML stream (or a JSON
//! `List`). Refuses (exit 1) when the plan has errors.

use super::project;
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::cli::{DataFormat, GlobalArgs, RenderArgs};
use crate::output::Output;
use serde_json::json;
use std::io::Write;

pub fn run(global: &GlobalArgs, args: &RenderArgs, out: &Output) -> u8 {
    let planned = match project::load_and_plan(global, out) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    let (project, sources, plan, credentials) = (
        planned.project,
        planned.sources,
        planned.plan,
        planned.pull_credentials,
    );
    out.diagnostics(&plan.diagnostics, &sources);
    if plan.diagnostics.has_errors() {
        let _ = writeln!(
            std::io::stderr(),
            "nothing rendered: fix the errors above (or hint around them with x-homeport)"
        );
        return EXIT_FINDINGS;
    }
    let objects = homeport_render::render_with(&plan, &project, &credentials);
    let text = match args.format {
        DataFormat::Yaml => homeport_yaml::emit_documents(objects.iter()),
        DataFormat::Json => {
            let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
            let mut t = serde_json::to_string_pretty(&list).unwrap_or_default();
            t.push('\n');
            t
        }
    };
    out.stdout(&text);
    EXIT_OK
}
