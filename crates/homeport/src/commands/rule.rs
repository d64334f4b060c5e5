//! `homeport rule CODE | --all | --list`: explain lint rules.

use super::{EXIT_INVALID, EXIT_OK};
use crate::cli::RuleArgs;
use crate::output::Output;
use homeport_diag::{Diagnostic, SourceMap};
use homeport_lint::{all_rules, docs, Rule};

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
            let close: Vec<String> = similar_rules(wanted)
                .iter()
                .map(|r| format!("{} ({})", r.code, r.name))
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

/// Rules whose code or name is close to `wanted` (a typo: Damerau-Levenshtein distance within
/// a third of its length), or whose name contains it or is contained in it; closest first,
/// at most five.
fn similar_rules(wanted: &str) -> Vec<&'static Rule> {
    let wanted = wanted.trim().to_ascii_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let within = (wanted.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &'static Rule)> = all_rules()
        .iter()
        .filter_map(|rule| {
            let code = strsim::damerau_levenshtein(&wanted, &rule.code.to_ascii_lowercase());
            let name = strsim::damerau_levenshtein(&wanted, rule.name);
            let contains = wanted.len() >= 4
                && (rule.name.contains(wanted.as_str()) || wanted.contains(rule.name));
            let distance = code.min(name);
            (distance <= within || contains).then_some((if contains { 0 } else { distance }, rule))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.code.cmp(b.1.code)));
    scored.into_iter().map(|(_, r)| r).take(5).collect()
}

#[cfg(test)]
mod tests {
    use super::similar_rules;

    fn codes(wanted: &str) -> Vec<&'static str> {
        similar_rules(wanted).iter().map(|r| r.code).collect()
    }

    #[test]
    fn suggestions_are_by_similarity() {
        // One digit off: the codes that differ least, not the first codes of the prefix.
        assert_eq!(codes("PSS999"), vec!["PSS009", "PSS019"]);
        assert!(codes("PSS0012").contains(&"PSS012"));
        assert!(codes("privilege-escalation").contains(&"PSS012"));
        assert!(codes("privilege-escalation").contains(&"SEC012"));
        assert_eq!(codes("proc-mount-unmaskd"), vec!["PSS009"]);
        assert!(codes("zzzzzzzz").is_empty());
    }
}
