//! `homeport rule CODE | --all | --list`: explain lint rules.

use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::RuleArgs;
use crate::output::Output;
use homeport_diag::{Diagnostic, SourceMap};
use homeport_lint::{all_rules, docs};

/// Diagnostic code for an unknown rule.
const UNKNOWN_RULE: &str = "HP0058";

pub fn run(args: &RuleArgs, out: &Output) -> u8 {
    if args.list {
        out.stdout(&docs::rule_table());
        return EXIT_OK;
    }
    if args.all {
        out.stdout(&docs::all_docs());
        return EXIT_OK;
    }
    let Some(wanted) = args.code.as_deref() else {
        return EXIT_INVALID;
    };
    let upper = wanted.trim().to_ascii_uppercase();
    let found = all_rules()
        .iter()
        .find(|r| r.code == upper || r.name == wanted.trim());
    match found {
        Some(rule) => {
            out.stdout(&docs::rule_doc(rule));
            EXIT_OK
        }
        None => {
            let close: Vec<&str> = all_rules()
                .iter()
                .filter(|r| {
                    r.code.starts_with(upper.get(..3).unwrap_or("")) || r.name.contains(wanted)
                })
                .map(|r| r.code)
                .take(8)
                .collect();
            let mut d = Diagnostic::error(UNKNOWN_RULE, format!("no rule `{wanted}`"));
            d = if close.is_empty() {
                d.with_help("`homeport rule --list` lists every rule")
            } else {
                d.with_help(format!(
                    "did you mean one of {}? `homeport rule --list` lists every rule",
                    close.join(", ")
                ))
            };
            out.diagnostics([&d], &SourceMap::new());
            EXIT_INVALID
        }
    }
}
