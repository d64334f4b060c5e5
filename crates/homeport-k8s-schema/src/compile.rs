//! Decoding the embedded data (gzipped JSON, see `scripts/gen-k8s-schema`) and compiling it
//! into a flat index: one [`Node`] per definition (node `i` is definition `i`, definitions
//! sorted by name) and per inline schema, with `$ref`s resolved to node ids.

use std::collections::HashMap;
use std::io::Read;

use serde_json::{Map, Value};

use crate::VersionSchema;

/// JSON types, as bits of [`Node::types`].
pub(crate) const T_NULL: u8 = 1;
pub(crate) const T_BOOL: u8 = 2;
pub(crate) const T_INT: u8 = 4;
pub(crate) const T_NUM: u8 = 8;
pub(crate) const T_STR: u8 = 16;
pub(crate) const T_ARR: u8 = 32;
pub(crate) const T_OBJ: u8 = 64;
pub(crate) const T_ANY: u8 = T_NULL | T_BOOL | T_INT | T_NUM | T_STR | T_ARR | T_OBJ;

/// The value formats that are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    None,
    Int32,
    Int64,
    Byte,
    DateTime,
}

/// What keys that are not properties may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Extra {
    /// Anything (no `additionalProperties`).
    Any,
    /// Nothing (`additionalProperties: false`): strict.
    Forbid,
    /// Values of this node (a map).
    Schema(u32),
}

/// One compiled schema. Ranges index the [`VersionSchema`]'s shared vectors.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) types: u8,
    pub(crate) format: Format,
    pub(crate) additional: Extra,
    /// Item schema of an array; `None` = any items.
    pub(crate) items: Option<u32>,
    /// Range of `props` (sorted by name).
    pub(crate) props: (u32, u32),
    /// Range of `required`.
    pub(crate) required: (u32, u32),
    /// Range of `enums` (empty = no enum).
    pub(crate) enums: (u32, u32),
}

const PLACEHOLDER: Node = Node {
    types: T_ANY,
    format: Format::None,
    additional: Extra::Any,
    items: None,
    props: (0, 0),
    required: (0, 0),
    enums: (0, 0),
};

const FORMAT_VERSION: u64 = 1;

/// Decompresses, parses and compiles one version's data.
pub(crate) fn load(version: &'static str, gz: &[u8]) -> Result<VersionSchema, String> {
    let mut raw = Vec::with_capacity(gz.len() * 16);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut raw)
        .map_err(|e| format!("gunzip: {e}"))?;
    let doc: Value = serde_json::from_slice(&raw).map_err(|e| format!("JSON: {e}"))?;
    compile(version, &doc)
}

fn compile(version: &'static str, doc: &Value) -> Result<VersionSchema, String> {
    let doc = doc.as_object().ok_or("not an object")?;
    if doc.get("format").and_then(Value::as_u64) != Some(FORMAT_VERSION) {
        return Err(format!("format is not {FORMAT_VERSION}"));
    }
    if doc.get("kubernetes").and_then(Value::as_str) != Some(version) {
        return Err(format!("data is not for Kubernetes {version}"));
    }
    let source = doc
        .get("source")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let defs = doc
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or("no definitions")?;

    let mut names: Vec<&str> = defs.keys().map(String::as_str).collect();
    names.sort_unstable();
    let ids: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i as u32))
        .collect();

    let mut c = Compiler {
        ids: &ids,
        nodes: vec![PLACEHOLDER; names.len()],
        props: Vec::new(),
        required: Vec::new(),
        enums: Vec::new(),
    };
    for (i, name) in names.iter().enumerate() {
        let body = defs[*name]
            .as_object()
            .ok_or_else(|| format!("{name}: not an object"))?;
        if body.contains_key("$ref") {
            return Err(format!("{name}: a definition that is only a $ref"));
        }
        let node = c.node(body, name)?;
        c.nodes[i] = node;
    }

    let mut kinds = Vec::new();
    for k in doc
        .get("kinds")
        .and_then(Value::as_array)
        .ok_or("no kinds")?
    {
        let (Some(api), Some(kind), Some(def)) = (
            k.get(0).and_then(Value::as_str),
            k.get(1).and_then(Value::as_str),
            k.get(2).and_then(Value::as_str),
        ) else {
            return Err(format!("bad kinds entry {k}"));
        };
        let id = *ids
            .get(def)
            .ok_or_else(|| format!("kind {api} {kind}: no definition {def}"))?;
        kinds.push((Box::<str>::from(api), Box::<str>::from(kind), id));
    }
    kinds.sort_unstable();
    kinds.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);

    Ok(VersionSchema {
        version,
        source,
        nodes: c.nodes,
        props: c.props,
        required: c.required,
        enums: c.enums,
        names: names.into_iter().map(Box::from).collect(),
        kinds,
    })
}

struct Compiler<'d> {
    ids: &'d HashMap<&'d str, u32>,
    nodes: Vec<Node>,
    props: Vec<(Box<str>, u32)>,
    required: Vec<Box<str>>,
    enums: Vec<Value>,
}

impl Compiler<'_> {
    /// The node id for a schema: a definition's id for a `$ref`, else a new node.
    fn id(&mut self, schema: &Value, at: &str) -> Result<u32, String> {
        let obj = schema
            .as_object()
            .ok_or_else(|| format!("{at}: schema is not an object"))?;
        if let Some(r) = obj.get("$ref") {
            let name = r
                .as_str()
                .ok_or_else(|| format!("{at}: $ref not a string"))?;
            return self
                .ids
                .get(name)
                .copied()
                .ok_or_else(|| format!("{at}: unresolvable $ref {name}"));
        }
        let node = self.node(obj, at)?;
        let id = u32::try_from(self.nodes.len()).map_err(|_| "too many nodes")?;
        self.nodes.push(node);
        Ok(id)
    }

    fn node(&mut self, obj: &Map<String, Value>, at: &str) -> Result<Node, String> {
        let mut node = PLACEHOLDER;
        if let Some(t) = obj.get("type") {
            let list = t
                .as_array()
                .ok_or_else(|| format!("{at}: type is not a list"))?;
            node.types = 0;
            for t in list {
                node.types |= match t.as_str() {
                    Some("null") => T_NULL,
                    Some("boolean") => T_BOOL,
                    Some("integer") => T_INT,
                    Some("number") => T_NUM,
                    Some("string") => T_STR,
                    Some("array") => T_ARR,
                    Some("object") => T_OBJ,
                    _ => return Err(format!("{at}: unknown type {t}")),
                };
            }
        }
        node.format = match obj.get("format").and_then(Value::as_str) {
            Some("int32") => Format::Int32,
            Some("int64") => Format::Int64,
            Some("byte") => Format::Byte,
            Some("date-time") => Format::DateTime,
            _ => Format::None,
        };
        if let Some(props) = obj.get("properties") {
            let props = props
                .as_object()
                .ok_or_else(|| format!("{at}: properties is not an object"))?;
            let mut list = Vec::with_capacity(props.len());
            for (k, v) in props {
                list.push((Box::<str>::from(k.as_str()), self.id(v, k)?));
            }
            list.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            let start = self.props.len() as u32;
            self.props.extend(list);
            node.props = (start, self.props.len() as u32);
        }
        if let Some(req) = obj.get("required") {
            let req = req
                .as_array()
                .ok_or_else(|| format!("{at}: required is not a list"))?;
            let start = self.required.len() as u32;
            for r in req {
                let r = r
                    .as_str()
                    .ok_or_else(|| format!("{at}: required entry {r}"))?;
                self.required.push(r.into());
            }
            node.required = (start, self.required.len() as u32);
        }
        node.additional = match obj.get("additionalProperties") {
            None => Extra::Any,
            Some(Value::Bool(false)) => Extra::Forbid,
            Some(Value::Bool(true)) => Extra::Any,
            Some(schema) => Extra::Schema(self.id(schema, at)?),
        };
        if let Some(items) = obj.get("items") {
            node.items = Some(self.id(items, at)?);
        }
        if let Some(values) = obj.get("enum") {
            let values = values
                .as_array()
                .ok_or_else(|| format!("{at}: enum is not a list"))?;
            let start = self.enums.len() as u32;
            self.enums.extend(values.iter().cloned());
            node.enums = (start, self.enums.len() as u32);
        }
        Ok(node)
    }
}
