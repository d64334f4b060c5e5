//! What a control's check sees: the pod spec and metadata, the policy version, typed
//! accessors that treat `null` like a missing field, and the sink that builds violations.

use serde_json::{Map, Value};

use crate::carrier::{static_path, Located};
use crate::{Control, PathSegment, Version, Violation};

/// The pod being checked.
pub(crate) struct PodContext<'a> {
    located: Located<'a>,
    /// The effective policy version (already clamped to [`Version::LATEST`]).
    pub(crate) version: Version,
    /// The three container lists, looked up once: every control walks them.
    container_lists: [(&'static str, &'a [Value]); 3],
    pod_security_context: Option<&'a Map<String, Value>>,
}

impl<'a> PodContext<'a> {
    pub(crate) fn new(located: Located<'a>, version: Version) -> PodContext<'a> {
        let spec = located.spec;
        let list = |name: &'static str| {
            let values = spec
                .at(name)
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            (name, values)
        };
        PodContext {
            container_lists: [
                list("initContainers"),
                list("containers"),
                list("ephemeralContainers"),
            ],
            pod_security_context: object(spec.at("securityContext")),
            located,
            version: version.effective(),
        }
    }

    /// The pod spec.
    pub(crate) fn spec(&self) -> &'a Map<String, Value> {
        self.located.spec
    }

    /// `spec.securityContext`, when it is an object.
    pub(crate) fn pod_security_context(&self) -> Option<&'a Map<String, Value>> {
        self.pod_security_context
    }

    /// A field of `spec.securityContext`, `None` when absent or null.
    pub(crate) fn pod_sc_field(&self, key: &str) -> Option<&'a Value> {
        present(self.pod_security_context()?.at(key))
    }

    /// The pod's annotations, when they are an object.
    pub(crate) fn annotations(&self) -> Option<&'a Map<String, Value>> {
        object(self.located.metadata.at("annotations"))
    }

    /// `spec.os.name == "windows"`: restricted controls that Windows ignores exempt such pods
    /// from policy 1.25 on.
    pub(crate) fn is_windows(&self) -> bool {
        object(self.spec().at("os"))
            .and_then(|os| os.at("name"))
            .and_then(Value::as_str)
            == Some("windows")
    }

    /// `spec.hostUsers: false`: the pod runs in a user namespace (KEP-127), which relaxes some
    /// controls from policy 1.35 on.
    pub(crate) fn uses_user_namespace(&self) -> bool {
        self.spec().at("hostUsers") == Some(&Value::Bool(false))
    }

    /// Every container in upstream's visiting order: init containers, containers, ephemeral
    /// containers. Entries that are not objects are skipped (schema validation reports them).
    pub(crate) fn containers(&self) -> impl Iterator<Item = ContainerRef<'a>> + 'a {
        self.container_lists.into_iter().flat_map(|(list, values)| {
            values.iter().enumerate().filter_map(move |(index, value)| {
                value
                    .as_object()
                    .map(|value| ContainerRef { list, index, value })
            })
        })
    }

    /// The path to the pod spec followed by `rest`.
    pub(crate) fn spec_path(&self, rest: &[PathSegment]) -> Vec<PathSegment> {
        let mut path = static_path(self.located.carrier.spec);
        path.extend_from_slice(rest);
        path
    }

    /// The path to the pod metadata followed by `rest`.
    pub(crate) fn metadata_path(&self, rest: &[PathSegment]) -> Vec<PathSegment> {
        let mut path = static_path(self.located.carrier.metadata);
        path.extend_from_slice(rest);
        path
    }

    /// The path to the pod's annotation `key`.
    pub(crate) fn annotation_path(&self, key: &str) -> Vec<PathSegment> {
        self.metadata_path(&[
            PathSegment::key("annotations"),
            PathSegment::Key(key.to_string().into()),
        ])
    }
}

/// One container of the pod.
#[derive(Clone, Copy)]
pub(crate) struct ContainerRef<'a> {
    /// `initContainers`, `containers` or `ephemeralContainers`.
    pub(crate) list: &'static str,
    pub(crate) index: usize,
    pub(crate) value: &'a Map<String, Value>,
}

impl<'a> ContainerRef<'a> {
    /// The container's name (`""` when missing, as upstream's zero value).
    pub(crate) fn name(&self) -> &'a str {
        self.value.at("name").and_then(Value::as_str).unwrap_or("")
    }

    /// `securityContext`, when it is an object.
    pub(crate) fn security_context(&self) -> Option<&'a Map<String, Value>> {
        object(self.value.at("securityContext"))
    }

    /// A field of the container's `securityContext`, `None` when absent or null.
    pub(crate) fn sc_field(&self, key: &str) -> Option<&'a Value> {
        present(self.security_context()?.at(key))
    }

    /// The path to this container followed by `rest`.
    pub(crate) fn path(&self, ctx: &PodContext<'_>, rest: &[PathSegment]) -> Vec<PathSegment> {
        let mut path =
            ctx.spec_path(&[PathSegment::key(self.list), PathSegment::Index(self.index)]);
        path.extend_from_slice(rest);
        path
    }

    /// The path to this container followed by `keys` as far as they exist.
    pub(crate) fn nearest_path(
        &self,
        ctx: &PodContext<'_>,
        keys: &[&'static str],
    ) -> Vec<PathSegment> {
        let mut path = self.path(ctx, &[]);
        push_existing(&mut path, self.value, keys);
        path
    }
}

/// Appends each key of `keys` whose field exists (and is not null) below `start`, stopping at
/// the first missing one.
fn push_existing(path: &mut Vec<PathSegment>, start: &Map<String, Value>, keys: &[&'static str]) {
    let mut current = Some(start);
    for key in keys {
        let Some(value) = current.and_then(|map| present(map.at(key))) else {
            break;
        };
        path.push(PathSegment::key(key));
        current = value.as_object();
    }
}

/// Field lookup tuned for Kubernetes objects: their maps are small, and a linear scan of a
/// few keys beats hashing the key (serde_json's ordered map hashes with SipHash).
pub(crate) trait At {
    /// The field `key`, if this is an object that has it.
    fn at(&self, key: &str) -> Option<&Value>;
}

impl At for Map<String, Value> {
    #[inline]
    fn at(&self, key: &str) -> Option<&Value> {
        if self.len() <= 16 {
            self.iter().find_map(|(k, v)| (k == key).then_some(v))
        } else {
            self.get(key)
        }
    }
}

impl At for Value {
    #[inline]
    fn at(&self, key: &str) -> Option<&Value> {
        self.as_object()?.at(key)
    }
}

/// `Some` when the value exists and is not `null` (a JSON null decodes to Go's nil).
pub(crate) fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

/// The value as an object, when it is one.
pub(crate) fn object(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value.and_then(Value::as_object)
}

/// A field of an optional object, `None` when absent or null.
pub(crate) fn field<'a>(map: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a Value> {
    present(map?.at(key))
}

/// The string at `key` of an optional object, `""` when absent (Go's zero value).
pub(crate) fn str_field<'a>(map: Option<&'a Map<String, Value>>, key: &str) -> &'a str {
    field(map, key).and_then(Value::as_str).unwrap_or("")
}

/// Whether a JSON number is a non-zero number (`None` for non-numbers).
pub(crate) fn number_is_zero(value: &Value) -> Option<bool> {
    if let Some(i) = value.as_i64() {
        Some(i == 0)
    } else if let Some(u) = value.as_u64() {
        Some(u == 0)
    } else {
        value.as_f64().map(|f| f == 0.0)
    }
}

/// Go's `%q`-like quoting used in upstream details.
pub(crate) fn quote(text: &str) -> String {
    format!("{text:?}")
}

/// Collects the violations of one control.
pub(crate) struct Sink<'v> {
    pub(crate) control: &'static Control,
    pub(crate) out: &'v mut Vec<Violation>,
}

impl Sink<'_> {
    /// Records a violation with upstream's `reason (detail)` message.
    pub(crate) fn push(&mut self, reason: &str, detail: &str, path: Vec<PathSegment>) {
        let message = if detail.is_empty() {
            reason.to_string()
        } else {
            format!("{reason} ({detail})")
        };
        self.out.push(Violation {
            control: self.control,
            message,
            path,
        });
    }
}
