//! Walking a value alongside the compiled schema.
//!
//! The walk keeps the current path as borrowed segments and allocates only when it reports
//! a violation, so validating a valid object allocates nothing but the path stack.

use serde_json::{Map, Number, Value};

use crate::compile::{Extra, Format, T_ANY, T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR};
use crate::formats::{check_base64, is_rfc3339};
use crate::{is_builtin_group, removed_in, PathSegment, SchemaViolation, VersionSchema};
use crate::{ViolationKind as VK, ViolationKind};

/// Deeper documents are not checked further (a guard against stack exhaustion; real
/// manifests are far shallower).
const MAX_DEPTH: usize = 128;

const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

#[derive(Clone, Copy)]
enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

struct Validator<'s, 'v> {
    schema: &'s VersionSchema,
    path: Vec<Seg<'v>>,
    out: Vec<SchemaViolation>,
}

pub(crate) fn validate_object(schema: &VersionSchema, object: &Value) -> Vec<SchemaViolation> {
    let mut v = Validator::new(schema);
    v.object(object, 0);
    v.out
}

pub(crate) fn validate_value(
    schema: &VersionSchema,
    id: u32,
    value: &Value,
) -> Vec<SchemaViolation> {
    let mut v = Validator::new(schema);
    v.check(id, value, 0);
    v.out
}

impl<'s, 'v> Validator<'s, 'v> {
    fn new(schema: &'s VersionSchema) -> Self {
        Validator {
            schema,
            path: Vec::with_capacity(16),
            out: Vec::new(),
        }
    }

    fn owned_path(&self) -> Vec<PathSegment> {
        self.path
            .iter()
            .map(|s| match *s {
                Seg::Key(k) => PathSegment::Key(k.to_string()),
                Seg::Index(i) => PathSegment::Index(i),
            })
            .collect()
    }

    /// A violation at the current path.
    fn report(&mut self, kind: ViolationKind, message: String) {
        let path = self.owned_path();
        self.out.push(SchemaViolation {
            path,
            message,
            kind,
        });
    }

    /// A violation at key `key` of the current object.
    fn report_at(&mut self, key: &str, kind: ViolationKind, message: String) {
        let mut path = self.owned_path();
        path.push(PathSegment::Key(key.to_string()));
        self.out.push(SchemaViolation {
            path,
            message,
            kind,
        });
    }

    /// A whole Kubernetes object: find its kind's schema and check against it.
    fn object(&mut self, value: &'v Value, depth: usize) {
        let Some(map) = value.as_object() else {
            self.report(
                VK::WrongType,
                format!(
                    "expected a Kubernetes object (a mapping with apiVersion and kind), got {}",
                    describe(value)
                ),
            );
            return;
        };
        let api = self.type_meta(map, "apiVersion");
        let kind = self.type_meta(map, "kind");
        let (Some(api), Some(kind)) = (api, kind) else {
            return;
        };
        if api == "v1" && kind == "List" {
            self.list(map, depth);
            return;
        }
        let schema = self.schema;
        let id = schema.lookup_id(api, kind).or_else(|| {
            // A kind in the wrong case: validate against the kind it names, whose `kind`
            // enum then reports the spelling (as kubernetes-validate does).
            schema
                .all_kinds()
                .iter()
                .find(|(a, k, _)| &**a == api && k.eq_ignore_ascii_case(kind))
                .map(|(_, _, id)| *id)
        });
        match id {
            Some(id) => self.check(id, value, depth),
            None => self.unknown_kind(api, kind),
        }
    }

    /// `apiVersion` or `kind` of an object: a non-empty string.
    fn type_meta(&mut self, map: &'v Map<String, Value>, key: &'static str) -> Option<&'v str> {
        match map.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
            Some(Value::String(_)) => {
                self.report(
                    VK::MissingRequired,
                    format!("\"{key}\" is empty (every Kubernetes object has one)"),
                );
                None
            }
            None => {
                self.report(
                    VK::MissingRequired,
                    format!("missing required field \"{key}\" (every Kubernetes object has one)"),
                );
                None
            }
            Some(other) => {
                self.report_at(
                    key,
                    VK::WrongType,
                    format!("expected string, got {}", describe(other)),
                );
                None
            }
        }
    }

    /// kubectl's `v1 List`: every item is an object of its own.
    fn list(&mut self, map: &'v Map<String, Value>, depth: usize) {
        if depth >= MAX_DEPTH {
            self.report(VK::Other, "nested too deeply to validate".to_string());
            return;
        }
        for (k, v) in map {
            match k.as_str() {
                "apiVersion" | "kind" => {}
                "metadata" => {
                    if let Some(id) = self.schema.def_id(LIST_META) {
                        self.path.push(Seg::Key(k));
                        self.check(id, v, depth + 1);
                        self.path.pop();
                    }
                }
                "items" => match v {
                    Value::Array(items) => {
                        self.path.push(Seg::Key(k));
                        for (i, item) in items.iter().enumerate() {
                            self.path.push(Seg::Index(i));
                            self.object(item, depth + 1);
                            self.path.pop();
                        }
                        self.path.pop();
                    }
                    Value::Null => {}
                    other => self.report_at(
                        k,
                        VK::WrongType,
                        format!("expected array, got {}", describe(other)),
                    ),
                },
                _ => self.report_at(
                    k,
                    VK::UnknownField,
                    unknown_field_message(k, ["apiVersion", "items", "kind", "metadata"]),
                ),
            }
        }
        if !map.contains_key("items") {
            self.report(
                VK::MissingRequired,
                "missing required field \"items\"".to_string(),
            );
        }
    }

    fn unknown_kind(&mut self, api: &str, kind: &str) {
        let schema = self.schema;
        let version = schema.version;
        if let Some((deprecated, removed, replacement)) = removed_in(api, kind) {
            let advice = if replacement.is_empty() {
                "it has no replacement".to_string()
            } else {
                format!("use {replacement}")
            };
            self.report_at(
                "apiVersion",
                VK::UnknownKind,
                format!(
                    "{api} {kind} is not served by Kubernetes {version}: deprecated in \
                     {deprecated}, removed in {removed}; {advice}"
                ),
            );
            return;
        }
        let mut served: Vec<&str> = schema
            .all_kinds()
            .iter()
            .filter(|(_, k, _)| &**k == kind)
            .map(|(a, _, _)| &**a)
            .collect();
        if !served.is_empty() {
            served.sort_by_key(|a| std::cmp::Reverse(api_version_rank(a)));
            let mut list = served
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if served.len() > 3 {
                list.push_str(", ...");
            }
            self.report_at(
                "apiVersion",
                VK::UnknownKind,
                format!(
                    "{api} {kind} is not a built-in kind of Kubernetes {version}; \
                     {kind} is served as {list}"
                ),
            );
        } else if is_builtin_group(api) {
            let suggestion = closest(kind, schema.all_kinds().iter().map(|(_, k, _)| &**k))
                .map(|k| format!("; did you mean \"{k}\"?"))
                .unwrap_or_default();
            self.report_at(
                "kind",
                VK::UnknownKind,
                format!(
                    "{kind} is not a built-in kind of {api} in Kubernetes {version}{suggestion}"
                ),
            );
        } else {
            self.report_at(
                "kind",
                VK::UnknownKind,
                format!(
                    "{api} {kind} is not a built-in kind of Kubernetes {version} (a custom \
                     resource?); it was not validated"
                ),
            );
        }
    }

    /// Checks `value` against node `id`.
    fn check(&mut self, id: u32, value: &'v Value, depth: usize) {
        let schema = self.schema;
        let node = schema.node(id);
        if !type_ok(node.types, value) {
            self.report(
                VK::WrongType,
                format!("expected {}, got {}", expected(node.types), describe(value)),
            );
            return;
        }
        let allowed = schema.enum_of(node);
        if !allowed.is_empty() && !allowed.contains(value) {
            let list = allowed
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            self.report(
                VK::InvalidEnum,
                format!("expected one of {list}, got {}", describe(value)),
            );
        }
        match value {
            Value::Object(map) => {
                if depth >= MAX_DEPTH {
                    self.report(VK::Other, "nested too deeply to validate".to_string());
                    return;
                }
                for (k, v) in map {
                    let target = match schema.prop(node, k) {
                        Some(pid) => pid,
                        None => match node.additional {
                            Extra::Any => continue,
                            Extra::Schema(aid) => aid,
                            Extra::Forbid => {
                                let names = schema.props_of(node).iter().map(|(n, _)| &**n);
                                self.report_at(
                                    k,
                                    VK::UnknownField,
                                    unknown_field_message(k, names),
                                );
                                continue;
                            }
                        },
                    };
                    self.path.push(Seg::Key(k));
                    self.check(target, v, depth + 1);
                    self.path.pop();
                }
                for r in schema.required_of(node) {
                    if !map.contains_key(&**r) {
                        self.report(
                            VK::MissingRequired,
                            format!("missing required field \"{r}\""),
                        );
                    }
                }
            }
            Value::Array(items) => {
                let Some(item_id) = node.items else { return };
                if depth >= MAX_DEPTH {
                    self.report(VK::Other, "nested too deeply to validate".to_string());
                    return;
                }
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    self.check(item_id, item, depth + 1);
                    self.path.pop();
                }
            }
            Value::Number(n) => {
                if let Some(problem) = number_format_problem(node.format, n) {
                    self.report(VK::InvalidFormat, problem);
                }
            }
            Value::String(s) => match node.format {
                Format::Byte => {
                    if let Err(at) = check_base64(s) {
                        self.report(
                            VK::InvalidFormat,
                            format!(
                                "expected base64 (the API server decodes this field), got {}: \
                                 invalid at byte {at}",
                                describe(value)
                            ),
                        );
                    }
                }
                Format::DateTime => {
                    if !is_rfc3339(s) {
                        self.report(
                            VK::InvalidFormat,
                            format!(
                                "expected an RFC 3339 date-time such as \
                                 2024-01-02T15:04:05Z, got {}",
                                describe(value)
                            ),
                        );
                    }
                }
                Format::None | Format::Int32 | Format::Int64 => {}
            },
            Value::Null | Value::Bool(_) => {}
        }
    }
}

fn is_integral(n: &Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

fn type_ok(types: u8, value: &Value) -> bool {
    if types == T_ANY {
        return true;
    }
    let bit = match value {
        Value::Null => T_NULL,
        Value::Bool(_) => T_BOOL,
        Value::Number(n) => {
            return types & T_NUM != 0 || (types & T_INT != 0 && is_integral(n));
        }
        Value::String(_) => T_STR,
        Value::Array(_) => T_ARR,
        Value::Object(_) => T_OBJ,
    };
    types & bit != 0
}

/// "integer or string", from type bits (`null` named only when it is all there is).
fn expected(types: u8) -> String {
    let mut names = Vec::new();
    for (bit, name) in [
        (T_OBJ, "object"),
        (T_ARR, "array"),
        (T_STR, "string"),
        (T_INT, "integer"),
        (T_NUM, "number"),
        (T_BOOL, "boolean"),
    ] {
        if types & bit != 0 && !(bit == T_INT && types & T_NUM != 0) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return "null".to_string();
    }
    names.join(" or ")
}

/// A short description of a value for messages: `string "3"`, `integer 3`, `object`.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("integer {n}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => {
            const MAX: usize = 40;
            if s.chars().count() > MAX {
                let cut: String = s.chars().take(MAX).collect();
                format!("string {}...", Value::String(cut))
            } else {
                format!("string {}", Value::String(s.clone()))
            }
        }
        Value::Array(_) => "array".to_string(),
        Value::Object(_) => "object".to_string(),
    }
}

fn number_format_problem(format: Format, n: &Number) -> Option<String> {
    let (name, in_range) = match format {
        Format::Int32 => (
            "int32",
            match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => i32::try_from(i).is_ok(),
                (None, Some(_), _) => false,
                (None, None, Some(f)) => (-2_147_483_648.0..=2_147_483_647.0).contains(&f),
                (None, None, None) => true,
            },
        ),
        Format::Int64 => (
            "int64",
            match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(_), _, _) => true,
                (None, Some(_), _) => false,
                (None, None, Some(f)) => {
                    (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
                }
                (None, None, None) => true,
            },
        ),
        Format::None | Format::Byte | Format::DateTime => return None,
    };
    (!in_range).then(|| format!("{n} is out of range for {name}"))
}

fn unknown_field_message<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match closest(key, known) {
        Some(s) => format!("unknown field \"{key}\"; did you mean \"{s}\"?"),
        None => format!("unknown field \"{key}\""),
    }
}

/// The candidate closest to `word` (case-insensitive edit distance), if close enough to be
/// a likely typo.
fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    let limit = match w.len() {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let cl: Vec<char> = c.chars().flat_map(char::to_lowercase).collect();
        if cl.len().abs_diff(w.len()) > limit {
            continue;
        }
        let d = edit_distance(&w, &cl);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Orders API versions by preference: GA over beta over alpha, then newer first.
fn api_version_rank(api_version: &str) -> (u8, u32, u32) {
    let v = api_version.rsplit('/').next().unwrap_or(api_version);
    let Some(rest) = v.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let major = rest[..digits].parse().unwrap_or(0);
    let tail = &rest[digits..];
    let (stability, n) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("imagePullPolcy", ["image", "imagePullPolicy", "name"]),
            Some("imagePullPolicy")
        );
        assert_eq!(
            closest("replicaz", ["replicas", "selector"]),
            Some("replicas")
        );
        assert_eq!(closest("foo", ["replicas", "selector"]), None);
        assert_eq!(
            closest("Deploymnet", ["Deployment", "DaemonSet"]),
            Some("Deployment")
        );
    }

    #[test]
    fn ranks() {
        let mut v = vec!["x/v1beta1", "x/v2", "x/v1", "x/v1alpha1", "x/v2beta2"];
        v.sort_by_key(|a| std::cmp::Reverse(api_version_rank(a)));
        assert_eq!(v, ["x/v2", "x/v1", "x/v2beta2", "x/v1beta1", "x/v1alpha1"]);
    }

    #[test]
    fn expected_names() {
        assert_eq!(expected(T_INT | T_STR), "string or integer");
        assert_eq!(expected(T_NUM | T_STR | T_NULL), "string or number");
        assert_eq!(expected(T_INT | T_NULL), "integer");
        assert_eq!(expected(T_NULL), "null");
    }
}
