//! `homeport plan`: the decisions per service and per node, with reasons.

use super::project;
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::cli::{GlobalArgs, PlanArgs, PlanFormat};
use crate::output::Output;

pub fn run(global: &GlobalArgs, args: &PlanArgs, out: &Output) -> u8 {
    let planned = match project::load_and_plan(global, out) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    let (sources, plan) = (planned.sources, planned.plan);
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
        PlanFormat::Mermaid => {
            out.diagnostics(&plan.diagnostics, &sources);
            plan.to_mermaid()
        }
        PlanFormat::Dot => {
            out.diagnostics(&plan.diagnostics, &sources);
            plan.to_dot()
        }
    };
    out.stdout(&text);
    if plan.diagnostics.has_errors() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
