//! `homeport plan`: the decisions per service and per node, with reasons.

use super::project;
use super::{EXIT_FINDINGS, EXIT_INVALID, EXIT_OK};
use crate::cli::{GlobalArgs, PlanArgs, PlanFormat};
use crate::output::Output;

pub fn run(global: &GlobalArgs, args: &PlanArgs, out: &Output) -> u8 {
    let loaded = project::load_project(global);
    let mut sources = loaded.sources;
    out.diagnostics(&loaded.diagnostics, &sources);
    let Some(project) = loaded.project else {
        return EXIT_INVALID;
    };
    let cluster = match project::load_cluster(global, &project, &mut sources) {
        Ok((cluster, _)) => cluster,
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            return EXIT_INVALID;
        }
    };
    let plan = homeport_plan::plan_with_sources(&project, &cluster, Some(&sources));
    let text = match args.format {
        PlanFormat::Table => {
            out.diagnostics(&plan.diagnostics, &sources);
            plan.to_table()
        }
        PlanFormat::Json => {
            // Diagnostics are part of the JSON document; stderr stays quiet.
            let mut t = serde_json::to_string_pretty(&plan.to_json_with_sources(Some(&sources)))
                .unwrap_or_default();
            t.push('\n');
            t
        }
    };
    out.stdout(&text);
    if plan.diagnostics.has_errors() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
