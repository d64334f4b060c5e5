//! The input indexed once for the rules that follow references between objects
//! (Services to pods, NetworkPolicies to pods, HPAs to workloads, ...).
//!
//! The checker indexes what it keeps of each object ([`narrow`](crate::narrow)), not the
//! objects themselves: what a rule reads here of another object is that part only.

use crate::selector::{scalar_text, Selector};
use crate::workload::{pod_template, PodTemplate};
use homeport_manifest::Object;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The namespace objects without `metadata.namespace` are applied to by default.
pub const DEFAULT_NAMESPACE: &str = "default";

pub struct Index<'a> {
    objects: &'a [Object],
    /// Pod labels of each object that runs pods (`None` for the others).
    pod_labels: Vec<Option<&'a Map<String, Value>>>,
    workloads: Vec<usize>,
    workloads_by_ns: HashMap<&'a str, Vec<usize>>,
    /// namespace -> label key -> label value -> workloads whose pods carry that label.
    by_label: HashMap<&'a str, HashMap<&'a str, HashMap<String, Vec<usize>>>>,
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
    pub fn new(objects: &'a [Object]) -> Self {
        let mut ix = Index {
            objects,
            pod_labels: Vec::with_capacity(objects.len()),
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
        for (i, obj) in objects.iter().enumerate() {
            let ns = namespace_of(obj);
            let kind = obj.kind.as_str();
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
                .entry(obj.name.as_str())
                .or_insert(i);
            let template = pod_template(obj);
            let labels = template.as_ref().and_then(|t| t.labels());
            if template.is_some() {
                ix.workloads.push(i);
                ix.workloads_by_ns.entry(ns).or_default().push(i);
                for (k, v) in labels.into_iter().flatten() {
                    if let Some(v) = scalar_text(v) {
                        ix.by_label
                            .entry(ns)
                            .or_default()
                            .entry(k.as_str())
                            .or_default()
                            .entry(v)
                            .or_default()
                            .push(i);
                    }
                }
            }
            ix.pod_labels.push(labels);
        }
        ix
    }

    pub fn objects(&self) -> &'a [Object] {
        self.objects
    }

    /// The namespace of object `i` (`default` when unset).
    pub fn namespace(&self, i: usize) -> &'a str {
        self.objects.get(i).map_or(DEFAULT_NAMESPACE, namespace_of)
    }

    /// Objects that run pods.
    pub fn workloads(&self) -> &[usize] {
        &self.workloads
    }

    pub fn workloads_in(&self, ns: &str) -> &[usize] {
        self.workloads_by_ns.get(ns).map_or(&[], Vec::as_slice)
    }

    /// The pod template of object `i`, if it runs pods (read when asked: few rules ask).
    pub fn template(&self, i: usize) -> Option<PodTemplate<'a>> {
        self.objects.get(i).and_then(pod_template)
    }

    pub fn pod_labels(&self, i: usize) -> Option<&'a Map<String, Value>> {
        self.pod_labels.get(i).copied().flatten()
    }

    pub fn of_kind(&self, kind: &str) -> &[usize] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    pub fn of_kind_in(&self, ns: &str, kind: &str) -> &[usize] {
        self.by_ns_kind
            .get(ns)
            .and_then(|m| m.get(kind))
            .map_or(&[], Vec::as_slice)
    }

    pub fn find(&self, ns: &str, kind: &str, name: &str) -> Option<&'a Object> {
        self.by_name
            .get(ns)
            .and_then(|m| m.get(kind))
            .and_then(|m| m.get(name))
            .and_then(|&i| self.objects.get(i))
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
            .filter(|&w| selector.matches(self.pod_labels(w)))
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
                    let Some(sel) = self.objects.get(s).and_then(service_selector) else {
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

    fn covered_by(&self, kind: &str, selector_key: &str) -> HashSet<usize> {
        let mut set = HashSet::new();
        for &p in self.of_kind(kind) {
            let Some(sel) = self
                .objects
                .get(p)
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

fn namespace_of(obj: &Object) -> &str {
    obj.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE)
}
