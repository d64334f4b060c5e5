//! The node side of the contract as pure functions: what the guard reads from a Node
//! (its taint, state annotations and manual mode) and the one merge patch that moves the
//! node to the wanted state.

use crate::mode::{Mode, MODE_ANNOTATION};
use k8s_openapi::api::core::v1::Node;
use serde_json::{json, Map, Value};

pub const GAMING_TAINT_KEY: &str = "homeport.dev/gaming";
pub const STATE_ANNOTATION: &str = "homeport.dev/gaming-state";
pub const SINCE_ANNOTATION: &str = "homeport.dev/gaming-since";
pub const PREEMPTIBLE_LABEL: &str = "homeport.dev/preemptible";
/// Every write the guard makes carries this field manager.
pub const FIELD_MANAGER: &str = "homeport-guard";

/// What the guard wants the node to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub gaming: bool,
    /// RFC 3339 time of the last transition.
    pub since: String,
    /// The manual mode to record in the annotation (`None`: leave it as it is).
    pub mode: Option<Mode>,
}

/// What the node shows now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    pub tainted: bool,
    pub state: Option<String>,
    pub since: Option<String>,
    /// The manual mode annotation (`None` when absent or not on|off|auto).
    pub mode: Option<Mode>,
    pub resource_version: Option<String>,
}

impl Observed {
    pub fn of(node: &Node) -> Observed {
        let annotations = node.metadata.annotations.as_ref();
        let get = |k: &str| annotations.and_then(|a| a.get(k)).cloned();
        Observed {
            tainted: taints(node).iter().any(is_gaming_taint),
            state: get(STATE_ANNOTATION),
            since: get(SINCE_ANNOTATION),
            mode: get(MODE_ANNOTATION).and_then(|m| m.parse().ok()),
            resource_version: node.metadata.resource_version.clone(),
        }
    }

    /// The node says someone is gaming (a guard before this one tainted it).
    pub fn is_gaming(&self) -> bool {
        self.tainted || self.state.as_deref() == Some("gaming")
    }
}

fn taints(node: &Node) -> Vec<Value> {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .map(|ts| {
            ts.iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn is_gaming_taint(t: &Value) -> bool {
    t.get("key").and_then(Value::as_str) == Some(GAMING_TAINT_KEY)
        && t.get("effect").and_then(Value::as_str) == Some("NoSchedule")
}

/// The taint the guard sets while someone is gaming.
pub fn gaming_taint() -> Value {
    json!({"key": GAMING_TAINT_KEY, "value": "true", "effect": "NoSchedule"})
}

/// The JSON merge patch that gives `node` the wanted taint and annotations, or `None` when it
/// already has them. The patch carries the node's resourceVersion: a node changed in between
/// (another writer's taint) makes the server answer 409 and the guard retries on fresh data,
/// so other taints are never lost.
pub fn patch_for(node: &Node, wanted: &Wanted) -> Option<Value> {
    let observed = Observed::of(node);
    let state = if wanted.gaming { "gaming" } else { "idle" };
    let mut annotations = Map::new();
    if observed.state.as_deref() != Some(state) || observed.since.is_none() {
        annotations.insert(STATE_ANNOTATION.into(), json!(state));
        annotations.insert(SINCE_ANNOTATION.into(), json!(wanted.since));
    }
    if let Some(mode) = wanted.mode {
        if observed.mode.unwrap_or_default() != mode {
            annotations.insert(MODE_ANNOTATION.into(), json!(mode.as_str()));
        }
    }
    let taint_ok = observed.tainted == wanted.gaming;
    if taint_ok && annotations.is_empty() {
        return None;
    }
    let mut metadata = Map::new();
    if let Some(rv) = &observed.resource_version {
        metadata.insert("resourceVersion".into(), json!(rv));
    }
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), Value::Object(annotations));
    }
    let mut patch = Map::new();
    patch.insert("metadata".into(), Value::Object(metadata));
    if !taint_ok {
        let mut list: Vec<Value> = taints(node)
            .into_iter()
            .filter(|t| !is_gaming_taint(t))
            .collect();
        if wanted.gaming {
            list.push(gaming_taint());
        }
        patch.insert("spec".into(), json!({"taints": list}));
    }
    Some(Value::Object(patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(v: Value) -> Node {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    fn wanted(gaming: bool) -> Wanted {
        Wanted {
            gaming,
            since: "2026-12-04T18:00:00Z".into(),
            mode: None,
        }
    }

    #[test]
    fn tainting_keeps_other_taints_and_sets_annotations() {
        let n = node(
            json!({"metadata": {"name": "rog", "resourceVersion": "7"}, "spec": {"taints": [
            {"key": "homeport.dev/opportunistic", "value": "true", "effect": "NoSchedule"}]}}),
        );
        let p = patch_for(&n, &wanted(true)).expect("a patch");
        assert_eq!(
            p,
            json!({
                "metadata": {"resourceVersion": "7", "annotations": {
                    "homeport.dev/gaming-state": "gaming", "homeport.dev/gaming-since": "2026-12-04T18:00:00Z"}},
                "spec": {"taints": [
                    {"effect": "NoSchedule", "key": "homeport.dev/opportunistic", "value": "true"},
                    {"key": "homeport.dev/gaming", "value": "true", "effect": "NoSchedule"}]}
            })
        );
    }

    #[test]
    fn untainting_removes_only_the_gaming_taint_and_nothing_when_done() {
        let n = node(json!({"metadata": {"name": "rog", "annotations": {
            "homeport.dev/gaming-state": "gaming", "homeport.dev/gaming-since": "x"}},
            "spec": {"taints": [{"key": "a", "effect": "NoExecute"}, {"key": "homeport.dev/gaming", "value": "true", "effect": "NoSchedule"}]}}));
        assert!(Observed::of(&n).is_gaming());
        let p = patch_for(&n, &wanted(false)).expect("a patch");
        assert_eq!(
            p["spec"]["taints"],
            json!([{"key": "a", "effect": "NoExecute"}])
        );
        assert_eq!(
            p["metadata"]["annotations"]["homeport.dev/gaming-state"],
            "idle"
        );
        let done = node(json!({"metadata": {"name": "rog", "annotations": {
            "homeport.dev/gaming-state": "idle", "homeport.dev/gaming-since": "x"}}}));
        assert_eq!(patch_for(&done, &wanted(false)), None);
    }

    #[test]
    fn mode_annotation_is_read_and_written() {
        let n = node(
            json!({"metadata": {"name": "rog", "annotations": {"homeport.dev/gaming-mode": "on"}}}),
        );
        assert_eq!(Observed::of(&n).mode, Some(Mode::On));
        let mut w = wanted(false);
        w.mode = Some(Mode::Auto);
        let p = patch_for(&n, &w).expect("a patch");
        assert_eq!(
            p["metadata"]["annotations"]["homeport.dev/gaming-mode"],
            "auto"
        );
    }
}
