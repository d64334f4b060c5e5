//! Suppressing findings on one object with annotations:
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     homeport.dev/ignore: "PSS014,REL003"     # codes, prefixes, rule names or categories
//!     homeport.dev/ignore-reason: "s6-overlay starts as root, then drops privileges"
//! ```
//!
//! The annotations may sit on the object or on its pod template. A suppression without a
//! reason still suppresses, but is itself reported (`LNT001`); a value that names no rule is
//! reported too (`LNT002`). Neither can be suppressed by the annotation it is about.

use crate::finding::RawFinding;
use crate::registry::rule_by_code;
use crate::selection::{rules_named, Selection};
use crate::workload::pod_template;
use homeport_manifest::{FieldPath, Object};
use serde_json::{Map, Value};
use std::collections::HashSet;

pub const IGNORE_ANNOTATION: &str = "homeport.dev/ignore";
pub const REASON_ANNOTATION: &str = "homeport.dev/ignore-reason";
pub const MISSING_REASON: &str = "LNT001";
pub const UNKNOWN_CODE: &str = "LNT002";

/// The codes suppressed on one object.
#[derive(Debug, Default)]
pub struct Suppressed {
    pub codes: HashSet<&'static str>,
}

/// Read an object's suppressions; report problems with them into `out`.
pub fn read(
    index: usize,
    obj: &Object,
    selection: &Selection,
    out: &mut Vec<RawFinding>,
) -> Suppressed {
    let mut s = Suppressed::default();
    let mut places: Vec<(FieldPath, &Map<String, Value>)> = Vec::new();
    if let Some(a) = obj.annotations() {
        places.push((FieldPath::parse("metadata.annotations"), a));
    }
    if obj.kind != "Pod" {
        if let Some(t) = pod_template(obj) {
            if let Some(a) = t.annotations() {
                places.push((t.meta_path.key("annotations"), a));
            }
        }
    }
    for (path, annotations) in places {
        let Some(value) = annotations.get(IGNORE_ANNOTATION).and_then(Value::as_str) else {
            continue;
        };
        let value_path = path.key(IGNORE_ANNOTATION);
        for token in value
            .split([',', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            match rules_named(token) {
                Ok(rules) => s.codes.extend(rules.iter().map(|r| r.code)),
                Err(_) => report(
                    out,
                    selection,
                    UNKNOWN_CODE,
                    index,
                    value_path.clone(),
                    format!(
                        "`{IGNORE_ANNOTATION}` names `{token}`, which is not a rule code, prefix, name or category"
                    ),
                ),
            }
        }
        let reason = annotations
            .get(REASON_ANNOTATION)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        if reason.is_empty() {
            report(
                out,
                selection,
                MISSING_REASON,
                index,
                value_path,
                format!("`{IGNORE_ANNOTATION}` has no `{REASON_ANNOTATION}` saying why these findings do not apply"),
            );
        }
    }
    s
}

fn report(
    out: &mut Vec<RawFinding>,
    selection: &Selection,
    code: &str,
    index: usize,
    path: FieldPath,
    message: String,
) {
    if !selection.contains(code) {
        return;
    }
    if let Some(rule) = rule_by_code(code) {
        out.push(RawFinding {
            rule,
            severity: rule.severity,
            object: index,
            path,
            message,
            help: None,
        });
    }
}
