//! YAML with positions.
//!
//! serde-based YAML libraries forget where a value came from; homeport needs that for every
//! diagnostic (`file:line:col` with a caret). [`parse`] builds a [`Node`] tree from
//! yaml-rust2's event stream, keeping each node's [`Span`](homeport_diag::Span) and tag,
//! resolving anchors, aliases and merge keys (`<<: *a`, `<<: [*a, *b]`), and rejecting
//! duplicate keys, runaway alias expansion and absurd nesting with a diagnostic instead of
//! exhausting memory or the stack.
//!
//! [`emit`] writes a `serde_json::Value` back as block-style YAML, deterministically.

mod emit;
mod node;
mod parse;

pub use emit::{emit, emit_documents};
pub use node::{Entry, Map, Node, ScalarStyle, Value};
pub use parse::{parse, parse_each, parse_each_at, parse_one, Limits};

/// Diagnostic code for text that is not valid YAML.
pub const INVALID_YAML: &str = "HP0001";
