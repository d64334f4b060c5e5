//! `x-homeport.rbac`: the Kubernetes API rules a service needs, checked here so a rule that
//! grants too much (`*`, escalation verbs) is an error with its location, never written.

use crate::hints::{RbacHint, RbacRuleHint};
use crate::load::Loader;
use crate::schema;
use homeport_yaml::{Node, Value};

/// Verbs a rule may grant. `*`, `escalate`, `bind` and `impersonate` are refused: they
/// grant more than any one service should hold.
pub const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

const REFUSED_VERBS: &[&str] = &["*", "escalate", "bind", "impersonate"];

/// `rbac: false`, or a list of rules `{apiGroups, resources, verbs, resourceNames, scope}`.
pub(crate) fn rbac(ld: &mut Loader, node: &Node, what: &str) -> Option<RbacHint> {
    if let Some(b) = node.as_bool() {
        if b {
            ld.invalid(
                node.span,
                format!("`{what}: true` does not say what the service may do"),
                "list the rules, e.g. `- {apiGroups: [\"\"], resources: [pods], verbs: [get, list, watch]}`, or write `false` for no API access",
            );
            return None;
        }
        return Some(RbacHint::Disabled(false));
    }
    let items = ld.seq_of(node, what)?;
    let mut rules = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let w = format!("{what}[{i}]");
        if let Some(rule) = rule(ld, item, &w) {
            rules.push(rule);
        }
    }
    Some(RbacHint::Rules(rules))
}

fn strings(ld: &mut Loader, node: &Node, what: &str) -> Vec<(String, homeport_diag::Span)> {
    let Some(items) = ld.seq_of(node, what) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|n| ld.str_of(n, what).map(|s| (s, n.span)))
        .collect()
}

/// A lowercase DNS-style name (`pods`, `apps`, `metrics.k8s.io`), with an optional
/// subresource for resources (`nodes/metrics`).
fn is_name(s: &str, slash: bool) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    };
    match s.split_once('/') {
        Some((a, b)) if slash => ok(a) && ok(b),
        Some(_) => false,
        None => ok(s),
    }
}

fn rule(ld: &mut Loader, node: &Node, what: &str) -> Option<RbacRuleHint> {
    let m = ld.map_of(node, what)?;
    ld.check_keys(m, &format!("`{what}`"), schema::HINT_RBAC_RULE);
    let mut ok = true;
    let api_groups = match m.get("apiGroups") {
        Some(n) => strings(ld, n, &format!("{what}.apiGroups")),
        None => vec![(String::new(), node.span)],
    };
    for (g, span) in &api_groups {
        if !(g.is_empty() || is_name(g, false)) {
            ok = false;
            ld.invalid(
                *span,
                format!("`{what}.apiGroups`: `{g}` is not an API group"),
                "name each group (`\"\"` for the core group, `apps`, `networking.k8s.io`); `*` is never granted",
            );
        }
    }
    let resources = m
        .get("resources")
        .map(|n| strings(ld, n, &format!("{what}.resources")))
        .unwrap_or_default();
    if resources.is_empty() {
        ok = false;
        ld.invalid(
            node.span,
            format!("`{what}` names no `resources`"),
            "list the resources, e.g. `resources: [pods, services]`",
        );
    }
    for (r, span) in &resources {
        if !is_name(r, true) {
            ok = false;
            ld.invalid(
                *span,
                format!("`{what}.resources`: `{r}` is not a resource name"),
                "name each resource in lowercase plural (`pods`, `nodes/metrics`); `*` is never granted",
            );
        }
    }
    let verbs = m
        .get("verbs")
        .map(|n| strings(ld, n, &format!("{what}.verbs")))
        .unwrap_or_default();
    if verbs.is_empty() {
        ok = false;
        ld.invalid(
            node.span,
            format!("`{what}` names no `verbs`"),
            "list the verbs, e.g. `verbs: [get, list, watch]`",
        );
    }
    for (v, span) in &verbs {
        if REFUSED_VERBS.contains(&v.as_str()) {
            ok = false;
            ld.invalid(
                *span,
                format!("`{what}.verbs`: homeport never grants `{v}`"),
                "name the verbs the service needs (get, list, watch, create, update, patch, delete)",
            );
        } else if !VERBS.contains(&v.as_str()) {
            ok = false;
            ld.invalid(
                *span,
                format!("`{what}.verbs`: `{v}` is not a Kubernetes API verb"),
                &format!("use some of: {}", VERBS.join(", ")),
            );
        }
    }
    let resource_names = m
        .get("resourceNames")
        .map(|n| strings(ld, n, &format!("{what}.resourceNames")))
        .unwrap_or_default();
    let cluster = match m.get("scope") {
        None => false,
        Some(n) => match ld.str_of(n, &format!("{what}.scope")).as_deref() {
            Some("namespace") => false,
            Some("cluster") => true,
            Some(other) => {
                ok = false;
                ld.invalid(
                    n.span,
                    format!("`{what}.scope`: `{other}` is not one of namespace, cluster"),
                    "`namespace` (a Role in the service's namespace) or `cluster` (a ClusterRole, for nodes and other cluster-wide resources)",
                );
                false
            }
            None => false,
        },
    };
    if !matches!(node.value, Value::Map(_)) || !ok {
        return None;
    }
    let plain = |v: Vec<(String, homeport_diag::Span)>| v.into_iter().map(|(s, _)| s).collect();
    Some(RbacRuleHint {
        api_groups: plain(api_groups),
        resources: plain(resources),
        verbs: plain(verbs),
        resource_names: plain(resource_names),
        cluster,
    })
}
