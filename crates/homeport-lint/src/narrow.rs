//! What the index keeps of each object once the object itself is dropped: the part that
//! the rules read when they look at *other* objects (a Service's selector and ports, a
//! workload's pod labels and containers, a binding's subjects, a Namespace's labels).
//!
//! A streamed run ([`Checker`](crate::checker::Checker)) indexes every object first and
//! checks them afterwards one by one, so what a rule finds through the index must be here.
//! Kinds that rules look up as whole objects are kept whole (they are small and few); a
//! workload keeps `spec.replicas`, the names of its `volumeClaimTemplates`,
//! its pod labels, and of its pod spec only the containers' names, images, ports, volume
//! mounts and restart policies and the volumes' names and claims; any other object keeps
//! its identity only.
//!
//! An [`Entry`] holds that part compactly, because a large input's index holds hundreds of
//! thousands of them: the identity as plain strings (kind, API version and namespace shared
//! between entries), a workload's pod labels as pairs, and the kept part of a workload as
//! JSON text, read back only when a rule asks for it ([`Entry::object`]). Whole kinds stay
//! objects, borrowed as they are. An object no rule looks up from another (a ConfigMap, a
//! Secret, a custom resource) gets no entry at all, only its namespace ([`Narrowed`]).

use crate::index::DEFAULT_NAMESPACE;
use crate::selector::scalar_text;
use crate::workload::pod_template;
use homeport_diag::Span;
use homeport_manifest::{Identity, Object};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Kinds a rule looks up by name from another object besides those kept whole and those
/// that run pods (an HPA's scale target).
const LOOKED_UP: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// Kinds the rules read whole when they follow a reference to them.
const KEPT_WHOLE: &[&str] = &[
    "Namespace",
    "Service",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
];

/// The fields of a container that rules read on other workloads.
const CONTAINER_KEYS: &[&str] = &["name", "image", "ports", "volumeMounts", "restartPolicy"];

/// The fields of a volume that rules read on other workloads.
const VOLUME_KEYS: &[&str] = &["name", "persistentVolumeClaim"];

/// A pod label: its key (shared) and its value as text.
pub type Label = (Arc<str>, Box<str>);

/// What the index keeps of every object, in input order: an [`Entry`] for an object a rule
/// may look up from another, only the namespace for the others.
#[derive(Debug, Default)]
pub struct Narrowed {
    slots: Vec<Slot>,
    entries: Entries,
    /// The strings entries share; an object without an entry keeps its namespace's number.
    shared: Shared,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    /// The object's namespace (it has no entry).
    Namespace(u32),
    /// Its entry.
    Entry(u32),
}

impl Narrowed {
    /// Keep what the index needs of `obj`, the next object.
    pub fn push(&mut self, obj: &Object) {
        let number = self.slots.len();
        let looked_up = KEPT_WHOLE.contains(&obj.kind.as_str())
            || LOOKED_UP.contains(&obj.kind.as_str())
            || pod_template(obj).is_some();
        if looked_up {
            let at = u32::try_from(self.entries.len).unwrap_or(u32::MAX);
            self.entries.push(Entry::new(obj, number, &mut self.shared));
            self.slots.push(Slot::Entry(at));
            return;
        }
        let ns = obj.namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        let id = self.shared.number(ns);
        self.slots.push(Slot::Namespace(id));
    }

    /// How many objects were kept.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Forget the objects from the `n`th on.
    pub fn truncate(&mut self, n: usize) {
        let entries = self.slots[..n.min(self.slots.len())]
            .iter()
            .filter(|s| matches!(s, Slot::Entry(_)))
            .count();
        self.slots.truncate(n);
        self.entries.truncate(entries);
    }

    /// The entry of object `i`, if it has one.
    pub fn entry(&self, i: usize) -> Option<&Entry> {
        match self.slots.get(i)? {
            Slot::Entry(at) => self.entries.get(*at as usize),
            Slot::Namespace(_) => None,
        }
    }

    /// The namespace of object `i` (`default` when unset or unknown).
    pub fn namespace(&self, i: usize) -> &str {
        match self.slots.get(i) {
            Some(Slot::Entry(at)) => self
                .entries
                .get(*at as usize)
                .and_then(Entry::namespace)
                .unwrap_or(DEFAULT_NAMESPACE),
            Some(Slot::Namespace(id)) => self.shared.text(*id).unwrap_or(DEFAULT_NAMESPACE),
            None => DEFAULT_NAMESPACE,
        }
    }

    /// The entries, in input order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.chunks.iter().flatten()
    }
}

/// Entries in chunks of fixed size: a growing list never holds its old and its new buffer
/// at once, nor room for as many again (a large input's index holds hundreds of thousands).
#[derive(Debug, Default)]
struct Entries {
    chunks: Vec<Vec<Entry>>,
    len: usize,
}

impl Entries {
    const CHUNK: usize = 4096;

    fn push(&mut self, entry: Entry) {
        if self.chunks.last().is_none_or(|c| c.len() == Self::CHUNK) {
            self.chunks.push(Vec::with_capacity(Self::CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(entry);
        }
        self.len += 1;
    }

    fn get(&self, at: usize) -> Option<&Entry> {
        self.chunks.get(at / Self::CHUNK)?.get(at % Self::CHUNK)
    }

    fn truncate(&mut self, len: usize) {
        self.chunks.truncate(len.div_ceil(Self::CHUNK));
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.truncate(len - (len.div_ceil(Self::CHUNK) - 1) * Self::CHUNK);
        }
        self.len = len.min(self.len);
    }
}

/// What the index keeps of one object a rule may look up (see the module documentation).
#[derive(Debug)]
pub struct Entry {
    /// The object's number, in input order.
    number: usize,
    kind: Arc<str>,
    api_version: Arc<str>,
    namespace: Option<Arc<str>>,
    name: Box<str>,
    start: Span,
    document: u32,
    /// Index in a `kind: List`'s items, plus one (0: not from a list).
    item: u32,
    /// The pod labels with a scalar value, for an object that runs pods; `None` for the
    /// others.
    pod_labels: Option<Box<[Label]>>,
    kept: Body,
}

#[derive(Debug)]
enum Body {
    /// A kind the rules read whole: the object, without its field positions.
    Whole(Box<Object>),
    /// The kept part of the value as JSON text; empty for an identity only.
    Packed(Box<str>),
}

/// Strings many entries share (kinds, API versions, namespaces, label keys), held once and
/// numbered.
#[derive(Debug, Default)]
pub struct Shared {
    numbers: HashMap<Arc<str>, u32>,
    texts: Vec<Arc<str>>,
}

impl Shared {
    /// The number of `s`, held from now on.
    fn number(&mut self, s: &str) -> u32 {
        if let Some(&n) = self.numbers.get(s) {
            return n;
        }
        let n = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        let held: Arc<str> = Arc::from(s);
        self.texts.push(Arc::clone(&held));
        self.numbers.insert(held, n);
        n
    }

    /// `s` as held.
    fn get(&mut self, s: &str) -> Arc<str> {
        let n = self.number(s);
        self.texts
            .get(n as usize)
            .map_or_else(|| Arc::from(s), Arc::clone)
    }

    /// The string numbered `n`.
    fn text(&self, n: u32) -> Option<&str> {
        self.texts.get(n as usize).map(|t| &**t)
    }
}

impl Entry {
    /// What the index keeps of `obj`.
    fn new(obj: &Object, number: usize, shared: &mut Shared) -> Entry {
        let pod_labels = pod_template(obj).map(|t| {
            t.labels()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((shared.get(k), scalar_text(v)?.into_boxed_str())))
                .collect()
        });
        let kept = if KEPT_WHOLE.contains(&obj.kind.as_str()) {
            Body::Whole(Box::new(obj.narrowed(compact(&obj.value))))
        } else {
            let part = narrow(obj);
            let empty = part.as_object().is_some_and(Map::is_empty);
            Body::Packed(if empty {
                Box::from("")
            } else {
                part.to_string().into_boxed_str()
            })
        };
        Entry {
            number,
            kind: shared.get(&obj.kind),
            api_version: shared.get(&obj.api_version),
            namespace: obj.namespace.as_deref().map(|ns| shared.get(ns)),
            name: obj.name.as_str().into(),
            start: obj.span(),
            document: u32::try_from(obj.document).unwrap_or(u32::MAX),
            item: obj
                .item
                .map_or(0, |i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
            pod_labels,
            kept,
        }
    }

    /// The object's number, in input order.
    pub fn number(&self) -> usize {
        self.number
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `metadata.namespace`, when set.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The pod labels with a scalar value (as text), if the object runs pods.
    pub fn pod_labels(&self) -> Option<&[Label]> {
        self.pod_labels.as_deref()
    }

    /// Whether the object runs pods.
    pub fn runs_pods(&self) -> bool {
        self.pod_labels.is_some()
    }

    /// The object, if it is of a kind kept whole.
    pub fn whole(&self) -> Option<&Object> {
        match &self.kept {
            Body::Whole(obj) => Some(obj),
            Body::Packed(_) => None,
        }
    }

    /// The kept part of the object as an object (identity and start as the original's):
    /// borrowed for a kind kept whole, read back from its text for the others.
    pub fn object(&self) -> Cow<'_, Object> {
        match &self.kept {
            Body::Whole(obj) => Cow::Borrowed(obj),
            Body::Packed(text) => {
                let value = match &**text {
                    "" => Value::Object(Map::new()),
                    // The text is what `Value::to_string` wrote: it reads back.
                    text => serde_json::from_str(text).unwrap_or_default(),
                };
                let identity = Identity {
                    start: self.start,
                    document: self.document as usize,
                    item: self.item.checked_sub(1).map(|i| i as usize),
                    api_version: &self.api_version,
                    kind: &self.kind,
                    name: &self.name,
                    namespace: self.namespace.as_deref(),
                };
                Cow::Owned(Object::from_identity(identity, value))
            }
        }
    }
}

/// The part of `obj`'s value the index keeps, for a kind not kept whole: a workload's
/// fields listed in the module documentation, nothing of any other object.
fn narrow(obj: &Object) -> Value {
    // The identity (kind, name, namespace, API version) is in the object's fields, which
    // is where the rules read it.
    let mut narrowed = Value::Object(Map::new());
    if let Some(t) = pod_template(obj) {
        copy(&obj.value, &mut narrowed, &["spec", "replicas"]);
        let claims = obj
            .value
            .get("spec")
            .and_then(|s| s.get("volumeClaimTemplates"))
            .and_then(Value::as_array);
        if let Some(claims) = claims {
            let names: Vec<Value> = claims
                .iter()
                .map(|c| match c.get("metadata").and_then(|m| m.get("name")) {
                    Some(name) => serde_json::json!({"metadata": {"name": name}}),
                    None => Value::Null,
                })
                .collect();
            put(
                &mut narrowed,
                &["spec", "volumeClaimTemplates"],
                Value::Array(names),
            );
        }
        // The template's paths are plain keys (see `pod_template`).
        let meta_keys = keys_of(&t.meta_path);
        let spec_keys = keys_of(&t.spec_path);
        let mut labels_path: Vec<&str> = meta_keys.iter().map(String::as_str).collect();
        labels_path.push("labels");
        copy(&obj.value, &mut narrowed, &labels_path);
        let mut spec = Map::new();
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            if let Some(items) = t.spec.get(list).and_then(Value::as_array) {
                let kept = items.iter().map(|c| only(c, CONTAINER_KEYS)).collect();
                spec.insert(list.to_string(), Value::Array(kept));
            }
        }
        if let Some(items) = t.spec.get("volumes").and_then(Value::as_array) {
            let kept = items.iter().map(|v| only(v, VOLUME_KEYS)).collect();
            spec.insert("volumes".to_string(), Value::Array(kept));
        }
        let spec_path: Vec<&str> = spec_keys.iter().map(String::as_str).collect();
        put(&mut narrowed, &spec_path, Value::Object(spec));
    }
    narrowed
}

/// A copy of `value` whose mappings and sequences have no room to spare: a mapping grown
/// entry by entry holds room for four (about 450 bytes even with one entry), and a large
/// input's index holds hundreds of thousands of small ones.
fn compact(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(k.clone(), compact(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            out.extend(items.iter().map(compact));
            Value::Array(out)
        }
        other => other.clone(),
    }
}

/// The keys of a path made of keys only.
fn keys_of(path: &homeport_manifest::FieldPath) -> Vec<String> {
    path.segments()
        .iter()
        .filter_map(|s| match s {
            homeport_manifest::PathSegment::Key(k) => Some(k.clone()),
            homeport_manifest::PathSegment::Index(_) => None,
        })
        .collect()
}

/// A mapping with only `keys`; anything else as it is.
fn only(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Copy the value at `path` of `from`, if there is one, to the same path of `to`.
fn copy(from: &Value, to: &mut Value, path: &[&str]) {
    let mut at = from;
    for key in path {
        match at.get(key) {
            Some(next) => at = next,
            None => return,
        }
    }
    put(to, path, at.clone());
}

/// Set `path` of `to` to `value`, making the mappings on the way (`to` and the values on
/// the way are mappings: only [`narrow`] builds them).
fn put(to: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = to;
    for key in parents {
        let Value::Object(map) = at else { return };
        at = map
            .entry((*key).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = at {
        map.insert((*last).to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeport_diag::FileId;

    fn object(kind: &str, name: &str, item: Option<usize>) -> Object {
        let text =
            format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: {name}, namespace: ns}}\n");
        let mut obj = homeport_manifest::load_text(FileId(0), &text)
            .objects
            .remove(0);
        obj.item = item;
        obj
    }

    #[test]
    fn entries_across_chunks_keep_their_numbers_and_forget_from_any_point() {
        let mut kept = Narrowed::default();
        let n = 2 * Entries::CHUNK + 10;
        for i in 0..n {
            // Every third object is one no rule looks up: a namespace only.
            let kind = if i % 3 == 0 { "ConfigMap" } else { "Service" };
            kept.push(&object(kind, &format!("o{i}"), (i == 5).then_some(7)));
        }
        assert_eq!(kept.len(), n);
        assert!(kept.entry(0).is_none());
        assert_eq!(kept.namespace(0), "ns");
        let last = kept.entry(n - 1).unwrap();
        assert_eq!(
            (last.number(), last.name()),
            (n - 1, format!("o{}", n - 1).as_str())
        );
        let listed = kept.entry(5).unwrap().object();
        assert_eq!((listed.item, listed.name.as_str()), (Some(7), "o5"));
        assert_eq!(kept.entries().count(), n - n.div_ceil(3));
        for cut in [n - 1, Entries::CHUNK * 3 / 2, 1, 0] {
            kept.truncate(cut);
            assert_eq!(kept.len(), cut);
            assert_eq!(kept.entries().count(), cut - cut.div_ceil(3));
            assert!(kept.entries().all(|e| e.number() < cut));
        }
    }
}
