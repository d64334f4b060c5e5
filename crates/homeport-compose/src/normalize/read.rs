//! Typed readers over document nodes: each reports a diagnostic (with the node's span) and
//! returns `None` instead of failing, so normalisation collects every problem in one pass.

use crate::codes;
use crate::load::Loader;
use crate::units;
use homeport_diag::{Diagnostic, Span};
use homeport_yaml::{Map, Node, Value};

impl Loader<'_> {
    pub(crate) fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = node.type_name();
        // "must be a mapping with `type`, found a mapping" contradicts itself: say what is
        // missing instead.
        let message = if expected.starts_with(found) {
            format!("`{what}` is {found}, but not {expected}")
        } else {
            format!("`{what}` must be {expected}, found {found}")
        };
        self.error(
            Diagnostic::error(codes::WRONG_TYPE, message)
                .with_span(node.span)
                .with_label(format!("expected {expected}"))
                .with_help(format!("write `{}` as {expected}", last_segment(what))),
        );
    }

    pub(crate) fn invalid(&mut self, span: Span, message: String, help: &str) {
        self.error(
            Diagnostic::error(codes::INVALID_VALUE, message)
                .with_span(span)
                .with_help(help.to_string()),
        );
    }

    /// A mapping (`null` → `None` quietly).
    pub(crate) fn map_of<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Map> {
        match &node.value {
            Value::Map(m) => Some(m),
            _ if node.is_null() => None,
            _ => {
                self.wrong_type(node, what, "a mapping");
                None
            }
        }
    }

    /// A sequence (`null` → `None` quietly).
    pub(crate) fn seq_of<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ if node.is_null() => None,
            _ => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    /// Any non-null scalar as text (numbers and booleans as written).
    pub(crate) fn str_of(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Scalar(..) if node.is_null() => None,
            Value::Scalar(s, _) => Some(s.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    pub(crate) fn bool_of(&mut self, node: &Node, what: &str) -> Option<bool> {
        if node.is_null() {
            return None;
        }
        if let Some(b) = node.as_bool() {
            return Some(b);
        }
        if let Some(s) = node.as_str() {
            match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "on" => return Some(true),
                "false" | "no" | "n" | "off" => return Some(false),
                _ => {}
            }
        }
        self.wrong_type(node, what, "a boolean");
        None
    }

    pub(crate) fn i64_of(&mut self, node: &Node, what: &str) -> Option<i64> {
        if node.is_null() {
            return None;
        }
        if let Some(i) = node.as_i64() {
            return Some(i);
        }
        if let Some(i) = node.as_str().and_then(|s| s.trim().parse::<i64>().ok()) {
            return Some(i);
        }
        self.wrong_type(node, what, "an integer");
        None
    }

    pub(crate) fn u64_of(&mut self, node: &Node, what: &str) -> Option<u64> {
        let i = self.i64_of(node, what)?;
        match u64::try_from(i) {
            Ok(v) => Some(v),
            Err(_) => {
                self.invalid(
                    node.span,
                    format!("`{what}` must not be negative"),
                    "use 0 or a positive number",
                );
                None
            }
        }
    }

    pub(crate) fn u32_of(&mut self, node: &Node, what: &str) -> Option<u32> {
        let v = self.u64_of(node, what)?;
        match u32::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                self.invalid(
                    node.span,
                    format!("`{what}` is too large"),
                    "use a smaller number",
                );
                None
            }
        }
    }

    pub(crate) fn f64_of(&mut self, node: &Node, what: &str) -> Option<f64> {
        if node.is_null() {
            return None;
        }
        let parsed = node
            .as_f64()
            .or_else(|| node.as_str().and_then(|s| s.trim().parse::<f64>().ok()))
            .filter(|f| f.is_finite());
        if parsed.is_none() {
            self.wrong_type(node, what, "a number");
        }
        parsed
    }

    /// A memory size: a number of bytes or a string with a unit (`128m`, `1.5G`, `512mb`).
    pub(crate) fn bytes_of(&mut self, node: &Node, what: &str) -> Option<u64> {
        if node.is_null() {
            return None;
        }
        if let Some(i) = node.as_i64() {
            return u64::try_from(i).ok().or_else(|| {
                self.invalid(
                    node.span,
                    format!("`{what}` must not be negative"),
                    "give a size such as 512m",
                );
                None
            });
        }
        let Some(s) = node.as_str().filter(|_| node.is_scalar()) else {
            self.wrong_type(node, what, "a size such as `512m`");
            return None;
        };
        let parsed = units::parse_bytes(s);
        if parsed.is_none() {
            self.invalid(
                node.span,
                format!("`{what}`: `{s}` is not a size"),
                "write a number of bytes or a number with a unit: b, k, m, g (e.g. 512m, 1.5g)",
            );
        }
        parsed
    }

    /// A Go duration in nanoseconds (`1m30s`, `10s`, `500ms`).
    pub(crate) fn duration_of(&mut self, node: &Node, what: &str) -> Option<u64> {
        if node.is_null() {
            return None;
        }
        let Some(s) = node.as_str().filter(|_| node.is_scalar()) else {
            self.wrong_type(node, what, "a duration such as `30s`");
            return None;
        };
        let parsed = units::parse_duration_ns(s);
        if parsed.is_none() {
            self.invalid(
                node.span,
                format!("`{what}`: `{s}` is not a duration"),
                "write a number with a unit: ns, us, ms, s, m, h (e.g. 30s, 1m30s)",
            );
        }
        parsed
    }

    /// A list of scalars; non-scalar items are reported and skipped.
    pub(crate) fn str_list(&mut self, node: &Node, what: &str) -> Vec<(String, Span)> {
        let Some(items) = self.seq_of(node, what) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.str_of(item, &format!("{what}[{i}]")) {
                out.push((s, item.span));
            }
        }
        out
    }

    /// A string or a list of strings.
    pub(crate) fn str_or_list(&mut self, node: &Node, what: &str) -> Vec<(String, Span)> {
        match &node.value {
            Value::Scalar(s, _) if !node.is_null() => vec![(s.clone(), node.span)],
            Value::Seq(_) => self.str_list(node, what),
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_type(node, what, "a string or a list of strings");
                Vec::new()
            }
        }
    }

    /// A list of `KEY=VALUE` strings or a mapping of scalars: `(key, value, span of the
    /// value or list item)`. `KEY` alone or `KEY: null` give `None`.
    pub(crate) fn key_values(
        &mut self,
        node: &Node,
        what: &str,
    ) -> Vec<(String, Option<String>, Span)> {
        match &node.value {
            Value::Map(m) => {
                let mut out = Vec::with_capacity(m.len());
                for e in &m.entries {
                    let key = e.key_str().to_string();
                    let value = match &e.value.value {
                        Value::Scalar(..) if e.value.is_null() => None,
                        Value::Scalar(s, _) => Some(s.clone()),
                        _ => {
                            self.wrong_type(
                                &e.value,
                                &format!("{what}.{key}"),
                                "a string, number or boolean",
                            );
                            continue;
                        }
                    };
                    // An empty value (`KEY:` alone) has no text of its own: the parser puts
                    // it at the next token, often the next service. Point at the key.
                    let span = if value.is_none() {
                        e.key.span
                    } else {
                        e.value.span
                    };
                    out.push((key, value, span));
                }
                out
            }
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let Some(s) = self.str_of(item, &format!("{what}[{i}]")) else {
                        continue;
                    };
                    match s.split_once('=') {
                        Some((k, v)) => out.push((k.to_string(), Some(v.to_string()), item.span)),
                        None => out.push((s, None, item.span)),
                    }
                }
                out
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_type(node, what, "a mapping or a list of `KEY=VALUE` strings");
                Vec::new()
            }
        }
    }

    /// `key_values` folded into a sorted map of strings (missing values become "").
    pub(crate) fn string_map(
        &mut self,
        node: &Node,
        what: &str,
    ) -> indexmap::IndexMap<String, String> {
        let mut out: indexmap::IndexMap<String, String> = self
            .key_values(node, what)
            .into_iter()
            .map(|(k, v, _)| (k, v.unwrap_or_default()))
            .collect();
        out.sort_keys();
        out
    }
}

fn last_segment(what: &str) -> &str {
    what.rsplit('.').next().unwrap_or(what)
}
