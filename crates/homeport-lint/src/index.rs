//! The input indexed once for the rules that follow references between objects
//! (Services to pods, NetworkPolicies to pods, HPAs to workloads, ...).
//!
//! The checker indexes what it keeps of each object ([`narrow`](crate::narrow)), not the
//! objects themselves: what a rule reads here of another object is that part only.
//! Objects are numbered in input order.

use crate::narrow::{Entry, Narrowed};
use crate::selector::Selector;
use homeport_manifest::Object;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The namespace objects without `metadata.namespace` are applied to by default.
pub const DEFAULT_NAMESPACE: &str = "default";

pub struct Index<'a> {
    kept: &'a Narrowed,
    workloads: Vec<usize>,
    workloads_by_ns: HashMap<&'a str, Vec<usize>>,
    /// namespace -> label key -> label value -> workloads whose pods carry that label.
    by_label: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// namespace -> kind -> objects.
    by_ns_kind: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    /// namespace -> kind -> name -> first object.
    by_name: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, usize>>>,
    netpol_covered: OnceLock<HashSet<usize>>,
    pdb_covered: OnceLock<HashSet<usize>>,
    /// workload -> the Services of its namespace that select its pods.
    service_targeted: OnceLock<HashMap<usize, Vec<usize>>>,
}

impl<'a> Index<'a> {
    pub fn new(kept: &'a Narrowed) -> Self {
        let mut ix = Index {
            kept,
            workloads: Vec::new(),
            workloads_by_ns: HashMap::new(),
            by_label: HashMap::new(),
            by_kind: HashMap::new(),
            by_ns_kind: HashMap::new(),
            by_name: HashMap::new(),
            netpol_covered: OnceLock::new(),
            pdb_covered: OnceLock::new(),
            service_targeted: OnceLock::new(),
        };
        for entry in kept.entries() {
            let i = entry.number();
            let ns = namespace_of(entry);
            let kind = entry.kind();
            ix.by_kind.entry(kind).or_default().push(i);
            ix.by_ns_kind
                .entry(ns)
                .or_default()
                .entry(kind)
                .or_default()
                .push(i);
            ix.by_name
                .entry(ns)
                .or_default()
                .entry(kind)
                .or_default()
                .entry(entry.name())
                .or_insert(i);
            if let Some(labels) = entry.pod_labels() {
                ix.workloads.push(i);
                ix.workloads_by_ns.entry(ns).or_default().push(i);
                for (k, v) in labels {
                    ix.by_label
                        .entry(ns)
                        .or_default()
                        .entry(&**k)
                        .or_default()
                        .entry(&**v)
                        .or_default()
                        .push(i);
                }
            }
        }
        ix
    }

    /// How many objects the index holds.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The namespace of object `i` (`default` when unset).
    pub fn namespace(&self, i: usize) -> &'a str {
        self.kept.namespace(i)
    }

    /// The name of object `i`, if a rule may look it up (see [`narrow`](crate::narrow));
    /// empty for the others.
    pub fn name(&self, i: usize) -> &'a str {
        self.kept.entry(i).map_or("", Entry::name)
    }

    /// What the index keeps of object `i` ([`narrow`](crate::narrow)) as an object: the
    /// object itself for the kinds kept whole, made again for the others (workloads: few
    /// rules ask).
    pub fn object(&self, i: usize) -> Option<Cow<'a, Object>> {
        self.kept.entry(i).map(Entry::object)
    }

    /// Object `i`, if it is of a kind kept whole (Services, NetworkPolicies, bindings, ...:
    /// see [`narrow`](crate::narrow)).
    pub fn whole(&self, i: usize) -> Option<&'a Object> {
        self.kept.entry(i).and_then(Entry::whole)
    }

    /// The objects of the kinds kept whole, in input order.
    pub fn whole_objects(&self) -> impl Iterator<Item = &'a Object> {
        self.kept.entries().filter_map(Entry::whole)
    }

    /// Objects that run pods.
    pub fn workloads(&self) -> &[usize] {
        &self.workloads
    }

    pub fn workloads_in(&self, ns: &str) -> &[usize] {
        self.workloads_by_ns.get(ns).map_or(&[], Vec::as_slice)
    }

    /// The objects of `kind`, a kind a rule may look up (kept whole, running pods or a
    /// scale target: see [`narrow`](crate::narrow)); empty for other kinds.
    pub fn of_kind(&self, kind: &str) -> &[usize] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    /// As [`Index::of_kind`], in namespace `ns`.
    pub fn of_kind_in(&self, ns: &str, kind: &str) -> &[usize] {
        self.by_ns_kind
            .get(ns)
            .and_then(|m| m.get(kind))
            .map_or(&[], Vec::as_slice)
    }

    /// The first object of `kind` named `name` in `ns`.
    fn first(&self, ns: &str, kind: &str, name: &str) -> Option<usize> {
        self.by_name
            .get(ns)
            .and_then(|m| m.get(kind))
            .and_then(|m| m.get(name))
            .copied()
    }

    /// Whether the input has an object of `kind` (one a rule may look up, as for
    /// [`Index::of_kind`]) named `name` in `ns`.
    pub fn contains(&self, ns: &str, kind: &str, name: &str) -> bool {
        self.first(ns, kind, name).is_some()
    }

    /// The object of `kind` named `name` in `ns`, for a kind kept whole (`None` for the
    /// others: ask [`Index::contains`]).
    pub fn find(&self, ns: &str, kind: &str, name: &str) -> Option<&'a Object> {
        self.first(ns, kind, name).and_then(|i| self.whole(i))
    }

    /// Workloads in `ns` whose pod labels match `selector`.
    pub fn select_workloads(&self, ns: &str, selector: &Selector) -> Vec<usize> {
        if selector.invalid {
            return Vec::new();
        }
        let candidates: &[usize] = match selector.match_labels.first() {
            Some((k, v)) => self
                .by_label
                .get(ns)
                .and_then(|m| m.get(k.as_str()))
                .and_then(|m| m.get(v.as_str()))
                .map_or(&[], Vec::as_slice),
            None => self.workloads_in(ns),
        };
        candidates
            .iter()
            .copied()
            .filter(|&w| self.selects(selector, w))
            .collect()
    }

    /// Whether some NetworkPolicy of its namespace selects the workload's pods.
    pub fn covered_by_network_policy(&self, w: usize) -> bool {
        self.netpol_covered
            .get_or_init(|| self.covered_by("NetworkPolicy", "podSelector"))
            .contains(&w)
    }

    /// Whether some PodDisruptionBudget of its namespace selects the workload's pods.
    pub fn covered_by_pdb(&self, w: usize) -> bool {
        self.pdb_covered
            .get_or_init(|| self.covered_by("PodDisruptionBudget", "selector"))
            .contains(&w)
    }

    /// Whether some Service of its namespace selects the workload's pods.
    pub fn targeted_by_service(&self, w: usize) -> bool {
        !self.services_targeting(w).is_empty()
    }

    /// The Services of its namespace that select the workload's pods.
    pub fn services_targeting(&self, w: usize) -> &[usize] {
        self.service_targeted
            .get_or_init(|| {
                let mut map: HashMap<usize, Vec<usize>> = HashMap::new();
                for &s in self.of_kind("Service") {
                    let Some(sel) = self.whole(s).and_then(service_selector) else {
                        continue;
                    };
                    for w in self.select_workloads(self.namespace(s), &sel) {
                        map.entry(w).or_default().push(s);
                    }
                }
                map
            })
            .get(&w)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether `selector` selects the pods of workload `w`.
    fn selects(&self, selector: &Selector, w: usize) -> bool {
        let labels = self
            .kept
            .entry(w)
            .and_then(Entry::pod_labels)
            .unwrap_or_default();
        selector.matches_with(|key| {
            labels
                .iter()
                .find(|(k, _)| &**k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    fn covered_by(&self, kind: &str, selector_key: &str) -> HashSet<usize> {
        let mut set = HashSet::new();
        for &p in self.of_kind(kind) {
            let Some(sel) = self
                .whole(p)
                .and_then(|o| o.value.get("spec"))
                .and_then(|s| s.get(selector_key))
            else {
                continue;
            };
            let sel = Selector::from_label_selector(sel);
            set.extend(self.select_workloads(self.namespace(p), &sel));
        }
        set
    }
}

/// A Service's selector; `None` when it has none (endpoints managed by hand).
pub fn service_selector(svc: &Object) -> Option<Selector> {
    let sel = svc.value.get("spec")?.get("selector")?.as_object()?;
    if sel.is_empty() {
        return None;
    }
    Some(Selector::from_map(sel))
}

fn namespace_of(entry: &Entry) -> &str {
    entry.namespace().unwrap_or(DEFAULT_NAMESPACE)
}
