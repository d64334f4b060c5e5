//! `--select` / `--ignore`: which rules run.

use crate::registry::all_rules;
use crate::rule::{Category, Rule};
use std::collections::HashSet;

/// The codes of the rules that run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    codes: HashSet<&'static str>,
}

/// A `--select`/`--ignore` value that names no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector(pub String);

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a rule code, code prefix, rule name or category (see `homeport rule --list`)",
            self.0
        )
    }
}

/// The rules a selector names: a code (`PSS012`), a code prefix (`PSS`, `REL0`), a rule
/// name (`docker-socket-mount`), a category (`pod-security`), `best-practice`
/// (api-version, security, rbac, reliability, networking, placement), `default` (the rules
/// enabled by default, so that `default,SEC021` adds an opt-in rule) or `all`.
pub fn rules_named(selector: &str) -> Result<Vec<&'static Rule>, UnknownSelector> {
    let s = selector.trim();
    let rules = all_rules();
    let picked: Vec<&'static Rule> = if s.is_empty() {
        Vec::new()
    } else if s.eq_ignore_ascii_case("all") {
        rules.iter().collect()
    } else if s == "default" {
        rules.iter().filter(|r| r.default_enabled).collect()
    } else if s == "best-practice" {
        rules
            .iter()
            .filter(|r| r.category.is_best_practice())
            .collect()
    } else if let Some(cat) = Category::parse(s) {
        rules.iter().filter(|r| r.category == cat).collect()
    } else {
        let upper = s.to_ascii_uppercase();
        rules
            .iter()
            .filter(|r| r.code.starts_with(upper.as_str()) || r.name == s)
            .collect()
    };
    if picked.is_empty() {
        return Err(UnknownSelector(selector.to_string()));
    }
    Ok(picked)
}

impl Selection {
    /// Resolve `--select` (empty: the defaults) minus `--ignore`. Values may be
    /// comma-separated.
    pub fn resolve(select: &[String], ignore: &[String]) -> Result<Selection, UnknownSelector> {
        let mut codes: HashSet<&'static str> = HashSet::new();
        let selectors: Vec<&str> = split(select);
        if selectors.is_empty() {
            codes.extend(
                all_rules()
                    .iter()
                    .filter(|r| r.default_enabled)
                    .map(|r| r.code),
            );
        }
        for s in selectors {
            codes.extend(rules_named(s)?.into_iter().map(|r| r.code));
        }
        for s in split(ignore) {
            for r in rules_named(s)? {
                codes.remove(r.code);
            }
        }
        Ok(Selection { codes })
    }

    /// Every rule.
    pub fn all() -> Selection {
        Selection {
            codes: all_rules().iter().map(|r| r.code).collect(),
        }
    }

    /// Exactly these codes.
    pub fn only(codes: &[&'static str]) -> Selection {
        Selection {
            codes: codes.iter().copied().collect(),
        }
    }

    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains(code)
    }

    pub fn any_in(&self, category: Category) -> bool {
        all_rules()
            .iter()
            .any(|r| r.category == category && self.codes.contains(r.code))
    }
}

fn split(values: &[String]) -> Vec<&str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}
