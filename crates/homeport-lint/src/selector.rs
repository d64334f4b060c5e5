//! Label selectors: `matchLabels` and `matchExpressions`, and Service-style plain maps.

use serde_json::{Map, Value};

/// A parsed `LabelSelector`. An empty selector selects everything (NetworkPolicy, PDB); a
/// Service without a selector selects nothing (handled by the caller).
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub expressions: Vec<Expression>,
    /// The selector could not be read (wrong types): it matches nothing.
    pub invalid: bool,
}

#[derive(Debug, Clone)]
pub struct Expression {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl Selector {
    /// A `metav1.LabelSelector` value.
    pub fn from_label_selector(v: &Value) -> Selector {
        let mut s = Selector::default();
        let Some(obj) = v.as_object() else {
            s.invalid = !v.is_null();
            return s;
        };
        if let Some(ml) = obj.get("matchLabels") {
            match ml.as_object() {
                Some(m) => s.match_labels = plain_pairs(m),
                None => s.invalid |= !ml.is_null(),
            }
        }
        if let Some(exprs) = obj.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let key = e
                    .get("key")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let operator = e
                    .get("operator")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let values = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|vs| vs.iter().filter_map(scalar_text).collect())
                    .unwrap_or_default();
                s.expressions.push(Expression {
                    key,
                    operator,
                    values,
                });
            }
        }
        s
    }

    /// A Service-style selector: a plain map of labels.
    pub fn from_map(m: &Map<String, Value>) -> Selector {
        Selector {
            match_labels: plain_pairs(m),
            ..Selector::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty() && !self.invalid
    }

    /// Whether labels satisfy the selector.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.matches_with(|k| labels.and_then(|l| l.get(k)).and_then(scalar_text))
    }

    /// Whether the labels that `get` returns satisfy the selector.
    pub fn matches_with(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        if self.invalid {
            return false;
        }
        for (k, v) in &self.match_labels {
            if get(k).as_deref() != Some(v.as_str()) {
                return false;
            }
        }
        self.expressions.iter().all(|e| e.matches(get(&e.key)))
    }
}

impl Expression {
    /// Whether a label value (or its absence) satisfies this expression. Node affinity's
    /// `Gt`/`Lt` compare integers.
    pub fn matches(&self, value: Option<String>) -> bool {
        match self.operator.as_str() {
            "In" => value.is_some_and(|v| self.values.contains(&v)),
            "NotIn" => value.is_none_or(|v| !self.values.contains(&v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            "Gt" | "Lt" => {
                let (Some(v), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|b| b.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == "Gt" {
                    v > bound
                } else {
                    v < bound
                }
            }
            _ => false,
        }
    }
}

fn plain_pairs(m: &Map<String, Value>) -> Vec<(String, String)> {
    m.iter()
        .filter_map(|(k, v)| scalar_text(v).map(|v| (k.clone(), v)))
        .collect()
}

/// Label values are strings, but YAML may have typed `true` or `3`.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn match_labels_and_expressions() {
        let s = Selector::from_label_selector(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }));
        let labels = json!({"app": "web", "tier": "b"});
        assert!(s.matches(labels.as_object()));
        let labels = json!({"app": "web", "tier": "c"});
        assert!(!s.matches(labels.as_object()));
        let labels = json!({"app": "web", "tier": "a", "legacy": "1"});
        assert!(!s.matches(labels.as_object()));
        assert!(Selector::from_label_selector(&json!({})).matches(None));
        assert!(!Selector::from_label_selector(&json!("x")).matches(None));
    }
}
