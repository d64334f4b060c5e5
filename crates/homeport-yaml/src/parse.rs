//! Building the node tree from yaml-rust2's event stream.

use crate::node::{Entry, Map, Node, ScalarStyle, Value};
use crate::INVALID_YAML;
use homeport_diag::{Diagnostic, FileId, Origin, Span};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Bounds that keep hostile input (billion laughs, deep nesting) from exhausting memory or the
/// stack. The defaults are far above any real Compose or Kubernetes file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Total nodes, counting every node an alias expands to.
    pub max_nodes: usize,
    /// Nesting depth of collections.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_nodes: 2_000_000,
            max_depth: 256,
        }
    }
}

/// Tags homeport understands: the YAML 1.2 core schema's and Compose's `!reset`/`!override`.
/// Any other tag (`!!binary`, `!!python/object`, `!Ref`) is an error: reading it as a plain
/// value would silently change what the author meant.
const KNOWN_TAGS: [&str; 10] = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!map",
    "!!seq",
    "!!merge",
    "!reset",
    "!override",
];

/// Parse every document in `text`. On failure, returns the diagnostics (at least one).
///
/// A leading byte-order mark is skipped (spans still index `text`). Characters YAML forbids
/// (NUL and other control characters) are refused before parsing: the YAML library would
/// otherwise stop at a NUL and silently drop the rest of the file.
pub fn parse(text: &str, file: FileId, limits: Limits) -> Result<Vec<Node>, Vec<Diagnostic>> {
    let mut documents = Vec::new();
    parse_each(text, file, limits, |doc| documents.push(doc))?;
    Ok(documents)
}

/// Like [`parse`], but hands each document to `on_document` as soon as it is complete and
/// keeps none: memory is bounded by the largest document, not the whole stream. Documents
/// before an error have been handed over when `Err` is returned.
pub fn parse_each(
    text: &str,
    file: FileId,
    limits: Limits,
    on_document: impl FnMut(Node),
) -> Result<(), Vec<Diagnostic>> {
    parse_each_at(text, Origin::default(), file, limits, on_document)
}

/// Like [`parse_each`], for `text` that is part of `file` starting at `origin` (a file too
/// large to hold, read a few documents at a time): spans and the line numbers in messages
/// are the whole file's.
pub fn parse_each_at(
    text: &str,
    origin: Origin,
    file: FileId,
    limits: Limits,
    mut on_document: impl FnMut(Node),
) -> Result<(), Vec<Diagnostic>> {
    if let Some(d) = forbidden_character(text, file) {
        return Err(vec![shifted(d, origin)]);
    }
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut builder = Builder::new(text, base, file, limits);
    builder.origin = origin;
    let mut parser = Parser::new_from_str(&text[base..]);
    // Drive the parser event by event: `Parser::load` recurses once per nesting level and
    // overflows the stack on deep input before any depth check could stop it.
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, mark)) => {
                if event == Event::DocumentStart {
                    // Anchors belong to their document.
                    builder.anchors.clear();
                }
                builder.on_event(event, mark);
                if builder.failed() {
                    break;
                }
                for doc in builder.documents.drain(..) {
                    on_document(doc);
                }
            }
            Err(e) => {
                let offset = builder.offsets.byte(e.marker());
                let message = e.info().to_string();
                builder
                    .errors
                    .push(shifted(invalid_yaml(text, file, offset, &message), origin));
                break;
            }
        }
    }
    if builder.errors.is_empty() {
        Ok(())
    } else {
        Err(builder.errors)
    }
}

/// The first character YAML does not allow in a stream, as a diagnostic at its position:
/// C0 controls other than tab, line feed and carriage return, DEL, C1 controls other than NEL,
/// and U+FFFE/U+FFFF. A byte-order mark is allowed anywhere (YAML 1.2 allows it).
fn forbidden_character(text: &str, file: FileId) -> Option<Diagnostic> {
    let (offset, c) = text.char_indices().find(|&(_, c)| {
        matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}')
            || (('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}')
            || c == '\u{fffe}'
            || c == '\u{ffff}'
    })?;
    let name = match c {
        '\0' => " (NUL)".to_string(),
        '\u{1b}' => " (ESC)".to_string(),
        '\u{7f}' => " (DEL)".to_string(),
        _ => String::new(),
    };
    Some(
        Diagnostic::error(
            INVALID_YAML,
            format!(
                "control character U+{:04X}{name} is not allowed in YAML",
                u32::from(c)
            ),
        )
        .with_span(Span::new(file, offset, offset + c.len_utf8()))
        .with_label("here")
        .with_help(if c == '\0' {
            "a NUL byte usually means a binary or corrupted file; YAML text cannot hold one (write it as \"\\0\" inside double quotes)"
        } else {
            "remove it, or write it as an escape (\"\\x1b\") inside a double-quoted string"
        }),
    )
}

/// `d` with its span moved from its text's offsets to its file's.
fn shifted(mut d: Diagnostic, origin: Origin) -> Diagnostic {
    if let Some(span) = &mut d.span {
        let by = u32::try_from(origin.offset).unwrap_or(u32::MAX);
        span.start = span.start.saturating_add(by);
        span.end = span.end.saturating_add(by);
    }
    d
}

/// A parser error as a diagnostic. A tab in the indentation is reported at the tab, with
/// "indent with spaces" (the parser's own position is after it).
fn invalid_yaml(text: &str, file: FileId, offset: usize, message: &str) -> Diagnostic {
    match tab_before(text, offset).filter(|_| message.contains("tab")) {
        Some(tab) => Diagnostic::error(INVALID_YAML, "invalid YAML: a tab in the indentation")
            .with_span(Span::new(file, tab, tab + 1))
            .with_label("tab")
            .with_help("indent with spaces: YAML does not allow tabs for indentation"),
        None => Diagnostic::error(INVALID_YAML, format!("invalid YAML: {message}"))
            .with_span(Span::new(file, offset, offset + 1))
            .with_help("check the indentation and quoting around this position"),
    }
}

/// The byte offset of the first tab on the line of `offset`, at or before it.
fn tab_before(text: &str, offset: usize) -> Option<usize> {
    let end = offset.min(text.len());
    let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..line_end.max(end)].find('\t').map(|i| start + i)
}

/// Parse a file that must hold at most one document (`None` when it is empty).
pub fn parse_one(text: &str, file: FileId) -> Result<Option<Node>, Vec<Diagnostic>> {
    let mut docs = parse(text, file, Limits::default())?;
    if docs.len() > 1 {
        let second = &docs[1];
        return Err(vec![Diagnostic::error(
            INVALID_YAML,
            "expected a single YAML document, found several",
        )
        .with_span(second.span)
        .with_help("remove the `---` separator or split the file")]);
    }
    Ok(docs.pop())
}

/// Converts yaml-rust2's marks to byte offsets.
///
/// In ASCII text a mark's index is its byte offset. Past non-ASCII text it is not: the index
/// counts characters, and inside a block scalar (`|`, `>`) yaml-rust2 0.13 advances it by
/// bytes instead, so every later index of the document is off. Line and column stay right,
/// so non-ASCII text is located by those: the character at which each line starts, and a
/// table of every character's byte offset, built once (marks do not arrive in order: an
/// end mark can lie past the next key's), linear, not a walk per event.
struct Offsets<'a> {
    text: &'a str,
    /// Bytes skipped before the parsed text (a byte-order mark).
    base: usize,
    /// Byte offset of each character; empty for ASCII text, where the two are equal.
    table: Vec<u32>,
    /// The character index at which each line starts, as the scanner counts lines (a line
    /// break is LF, CR or CRLF); empty for ASCII text.
    line_chars: Vec<usize>,
    /// Byte offset of each line start, built on first use (duplicate-key messages).
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let parsed = &text[base..];
        let (table, line_chars) = if parsed.is_ascii() {
            (Vec::new(), Vec::new())
        } else {
            let mut line_chars = vec![0];
            let mut previous = '\0';
            let mut table = Vec::new();
            for (n, (i, c)) in parsed.char_indices().enumerate() {
                // A line starts after LF, and after a CR that no LF follows.
                if previous == '\n' || (previous == '\r' && c != '\n') {
                    line_chars.push(n);
                }
                previous = c;
                table.push(u32::try_from(base + i).unwrap_or(u32::MAX));
            }
            if previous == '\n' || previous == '\r' {
                line_chars.push(table.len());
            }
            (table, line_chars)
        };
        Offsets {
            text,
            base,
            table,
            line_chars,
            line_starts: std::cell::OnceCell::new(),
        }
    }

    /// The byte offset in the text of a mark.
    fn byte(&self, mark: &Marker) -> usize {
        if self.table.is_empty() {
            return (self.base + mark.index()).min(self.text.len());
        }
        // Lines are 1-based, columns 0-based characters.
        let Some(&line_start) = self.line_chars.get(mark.line().saturating_sub(1)) else {
            return self.text.len();
        };
        self.table
            .get(line_start + mark.col())
            .map_or(self.text.len(), |&b| b as usize)
    }

    /// 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        match starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
        /// Greatest height among the children (a scalar is 0, a collection 1 + its children's).
        child_height: usize,
    },
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
        start: usize,
        anchor: usize,
        tag: Option<String>,
        child_height: usize,
    },
}

struct Builder<'a> {
    file: FileId,
    /// Where the text starts in its file: spans are the file's.
    origin: Origin,
    offsets: Offsets<'a>,
    limits: Limits,
    stack: Vec<Frame>,
    /// Anchored nodes with their height: an alias nests its whole target where it stands.
    anchors: HashMap<usize, (Node, usize)>,
    documents: Vec<Node>,
    errors: Vec<Diagnostic>,
    nodes: usize,
}

fn tag_string(tag: Option<Tag>) -> Option<String> {
    let tag = tag?;
    let full = format!("{}{}", tag.handle, tag.suffix);
    // `!!str`, `!<tag:yaml.org,2002:str>` and `tag:yaml.org,2002:str` are one tag.
    Some(match full.strip_prefix("tag:yaml.org,2002:") {
        Some(name) => format!("!!{name}"),
        None => full,
    })
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(..) => 1,
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(m) => {
            1 + m
                .entries
                .iter()
                .map(|e| count_nodes(&e.key) + count_nodes(&e.value))
                .sum::<usize>()
        }
    }
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, base: usize, file: FileId, limits: Limits) -> Self {
        Builder {
            file,
            origin: Origin::default(),
            offsets: Offsets::new(text, base),
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            documents: Vec::new(),
            errors: Vec::new(),
            nodes: 0,
        }
    }

    /// The span of the text's bytes `start..end` in its file.
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(
            self.file,
            start + self.origin.offset,
            end + self.origin.offset,
        )
    }

    /// The 1-based line in its file of a file offset (a span's).
    fn line_of(&self, offset: usize) -> usize {
        self.offsets.line(offset.saturating_sub(self.origin.offset)) + self.origin.line
    }

    fn failed(&self) -> bool {
        !self.errors.is_empty()
    }

    fn error_at(&mut self, offset: usize, message: impl Into<String>, help: &str) {
        self.errors.push(
            Diagnostic::error(INVALID_YAML, message)
                .with_span(self.span(offset, offset + 1))
                .with_help(help.to_string()),
        );
    }

    /// The end of a scalar that starts at `start`: the rest of its token on the first line.
    fn scalar_end(&self, start: usize, value: &str, style: TScalarStyle) -> usize {
        let text = self.offsets.text;
        let raw_len = match style {
            TScalarStyle::Plain => value.len(),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => value.len() + 2,
            _ => 1,
        };
        // Look for the line break only within the token: searching to the end of the line
        // for every scalar is quadratic on a long single-line (flow) document.
        let start = start.min(text.len());
        let mut end = (start + raw_len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text[start..end].find('\n').map_or(end, |i| start + i)
    }

    fn add(&mut self, node: Node, anchor: usize, height: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), height));
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq {
                items,
                child_height,
                ..
            }) => {
                *child_height = (*child_height).max(height);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                key,
                child_height,
                ..
            }) => match key.take() {
                None => {
                    *child_height = (*child_height).max(height);
                    *key = Some(node);
                }
                Some(k) => {
                    *child_height = (*child_height).max(height);
                    entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
            },
        }
    }

    fn finish_map(&mut self, entries: Vec<Entry>) -> Map {
        let mut explicit: Vec<Entry> = Vec::with_capacity(entries.len());
        // Keys seen so far and where: a hash lookup, not a scan of the earlier keys (a
        // mapping with 80,000 keys was quadratic).
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(entries.len());
        let mut merged: Vec<Node> = Vec::new();
        for entry in entries {
            let is_merge = entry.key.as_str() == Some("<<")
                && matches!(entry.key.value, Value::Scalar(_, ScalarStyle::Plain))
                && entry.key.tag.as_deref().is_none_or(|t| t == "!!merge");
            if is_merge {
                merged.push(entry.value);
                continue;
            }
            if let Some(k) = entry.key.as_str() {
                if let Some(&first) = seen.get(k) {
                    let line = self.line_of(first);
                    self.errors.push(
                        Diagnostic::error(
                            INVALID_YAML,
                            format!("duplicate key `{k}` in a mapping"),
                        )
                        .with_span(entry.key.span)
                        .with_label("defined again here")
                        .with_help(format!(
                            "`{k}` is already defined on line {line}; keep one of them"
                        )),
                    );
                    continue;
                }
                seen.insert(k.to_string(), entry.key.span.start as usize);
            }
            explicit.push(entry);
        }
        // Merge keys: explicit keys win; among merged maps, the first listed wins.
        for source in merged {
            let maps: Vec<Node> = match source.value {
                Value::Map(_) => vec![source],
                Value::Seq(items) => items,
                _ => {
                    self.errors.push(
                        Diagnostic::error(
                            INVALID_YAML,
                            "a merge key `<<` takes a mapping or a list of mappings",
                        )
                        .with_span(source.span)
                        .with_help("write `<<: *anchor` or `<<: [*a, *b]`"),
                    );
                    continue;
                }
            };
            for m in maps {
                let span = m.span;
                let Value::Map(map) = m.value else {
                    self.errors.push(
                        Diagnostic::error(
                            INVALID_YAML,
                            "a merge key `<<` list may hold only mappings",
                        )
                        .with_span(span)
                        .with_help("each entry of `<<: [...]` must be an alias to a mapping"),
                    );
                    continue;
                };
                for e in map.entries {
                    let key = e.key.as_str().unwrap_or("").to_string();
                    if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(key) {
                        slot.insert(e.key.span.start as usize);
                        explicit.push(e);
                    }
                }
            }
        }
        Map { entries: explicit }
    }

    /// Refuse a tag homeport does not understand (see [`KNOWN_TAGS`]).
    fn check_tag(&mut self, tag: &Option<String>, offset: usize) {
        if let Some(t) = tag {
            if !KNOWN_TAGS.contains(&t.as_str()) {
                let shown: String = t.chars().take(80).collect();
                self.error_at(
                    offset,
                    format!("unsupported YAML tag `{shown}`"),
                    "homeport reads plain YAML values; remove the tag (only !!str, !!int, !!float, !!bool, !!null, !reset and !override are understood)",
                );
            }
        }
    }

    fn open(&mut self, frame: Frame, offset: usize) {
        if self.stack.len() >= self.limits.max_depth {
            self.error_at(offset, "YAML nesting is too deep", "flatten the document");
            return;
        }
        self.stack.push(frame);
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.failed() {
            return;
        }
        let offset = self.offsets.byte(&mark);
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                self.nodes += 1;
                let end = self.scalar_end(offset, &value, style);
                let style = match style {
                    TScalarStyle::Plain => ScalarStyle::Plain,
                    TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    TScalarStyle::Literal => ScalarStyle::Literal,
                    TScalarStyle::Folded => ScalarStyle::Folded,
                };
                let mut node = Node::new(Value::Scalar(value, style), self.span(offset, end));
                node.tag = tag_string(tag);
                self.check_tag(&node.tag, offset);
                self.add(node, anchor, 0);
            }
            Event::SequenceStart(anchor, tag) => {
                let tag = tag_string(tag);
                self.check_tag(&tag, offset);
                let frame = Frame::Seq {
                    items: Vec::new(),
                    start: offset,
                    anchor,
                    tag,
                    child_height: 0,
                };
                self.open(frame, offset);
            }
            Event::MappingStart(anchor, tag) => {
                let tag = tag_string(tag);
                self.check_tag(&tag, offset);
                let frame = Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    start: offset,
                    anchor,
                    tag,
                    child_height: 0,
                };
                self.open(frame, offset);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return;
                };
                self.nodes += 1;
                let (value, start, anchor, tag, child_height) = match frame {
                    Frame::Seq {
                        items,
                        start,
                        anchor,
                        tag,
                        child_height,
                    } => (Value::Seq(items), start, anchor, tag, child_height),
                    Frame::Map {
                        entries,
                        start,
                        anchor,
                        tag,
                        child_height,
                        ..
                    } => (
                        Value::Map(self.finish_map(entries)),
                        start,
                        anchor,
                        tag,
                        child_height,
                    ),
                };
                let mut node = Node::new(value, self.span(start, offset.max(start)));
                node.tag = tag;
                self.add(node, anchor, child_height + 1);
            }
            Event::Alias(id) => {
                let Some((target, height)) = self.anchors.get(&id) else {
                    self.error_at(
                        offset,
                        "alias to an unknown anchor",
                        "define the anchor (`&name`) before using it",
                    );
                    return;
                };
                let height = *height;
                // Aliases of aliases nest their targets: `a1: &a1 [*a0]`, `a2: &a2 [*a1]`...
                // must not build a tree deeper than the stack can walk.
                if self.stack.len() + height > self.limits.max_depth {
                    self.error_at(
                        offset,
                        "YAML nesting is too deep (through aliases)",
                        "flatten the document",
                    );
                    return;
                }
                self.nodes += count_nodes(target);
                if self.nodes > self.limits.max_nodes {
                    self.error_at(
                        offset,
                        "YAML aliases expand to too many nodes",
                        "this document expands aliases exponentially; write the values out",
                    );
                    return;
                }
                let mut node = target.clone();
                // The alias's own position is where a user looks for it.
                node.span = self.span(offset, offset + 1);
                self.add(node, 0, height);
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(text: &str) -> serde_json::Value {
        parse_one(text, FileId(0))
            .expect("parses")
            .expect("one document")
            .to_json()
    }

    fn err_of(text: &str) -> String {
        parse(text, FileId(0), Limits::default()).expect_err("fails")[0]
            .message
            .clone()
    }

    #[test]
    fn merge_keys_single_and_list_with_explicit_precedence() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n";
        assert_eq!(json_of(text)["c"], json!({"x": 3, "y": 1, "z": 2}));
        let single = "base: &base {image: nginx}\nweb:\n  <<: *base\n";
        assert_eq!(json_of(single)["web"], json!({"image": "nginx"}));
    }

    #[test]
    fn tags_are_kept() {
        let doc = parse_one(
            "ports: !reset []\nx: !override {a: 1}\ny: !!str 3\n",
            FileId(0),
        )
        .unwrap()
        .unwrap();
        assert_eq!(doc.get("ports").unwrap().tag.as_deref(), Some("!reset"));
        assert_eq!(doc.get("x").unwrap().tag.as_deref(), Some("!override"));
        assert_eq!(doc.get("y").unwrap().to_json(), json!("3"));
    }

    #[test]
    fn spans_point_at_values_and_handle_non_ascii() {
        let text = "é: 1\nservices:\n  web:\n    image: nginx\n";
        let doc = parse_one(text, FileId(0)).unwrap().unwrap();
        let image = doc
            .get("services")
            .unwrap()
            .get("web")
            .unwrap()
            .get("image")
            .unwrap();
        let start = image.span.start as usize;
        assert_eq!(&text[start..image.span.end as usize], "nginx");
    }

    #[test]
    fn spans_stay_right_across_many_non_ascii_lines() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("k{i}: \"é—{i}\" # ü\n"));
        }
        let doc = parse_one(&text, FileId(0)).unwrap().unwrap();
        for i in [0, 57, 199] {
            let v = doc.get(&format!("k{i}")).unwrap();
            assert_eq!(
                &text[v.span.start as usize..v.span.end as usize],
                format!("\"é—{i}\"")
            );
        }
    }

    #[test]
    fn spans_stay_right_after_non_ascii_block_scalars() {
        // yaml-rust2 counts a block scalar's bytes into its character index.
        for text in [
            "a: |\n  çà and a line longer than the scanner's lookahead\nb: 1\n",
            "a: >\r\n  çà and a line longer than the scanner's lookahead\r\nb: 1\r\n",
            "a: |\r  çà and a line longer than the scanner's lookahead\rb: 1\r",
            "\u{feff}x: é\na: |\n  ü ü ü ü ü ü ü ü ü ü ü ü ü ü ü ü ü ü ü\n  —\nb: 1\n",
        ] {
            let doc = parse_one(text, FileId(0)).unwrap().unwrap();
            let b = doc.get("b").unwrap();
            assert_eq!(
                &text[b.span.start as usize..b.span.end as usize],
                "1",
                "{text:?}"
            );
        }
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert!(err_of("a: 1\nb: 2\na: 3\n").contains("duplicate key `a`"));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let errs = parse("a: [1, 2\nb: 3\n", FileId(0), Limits::default()).unwrap_err();
        assert!(errs[0].message.starts_with("invalid YAML"));
        assert!(errs[0].span.is_some());
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        assert!(err_of(&text).contains("too many nodes"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        // yaml-rust2 refuses very deep flow nesting itself; our own limit catches the rest.
        let text = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(err_of(&text).starts_with("invalid YAML"));
        let text = format!("{}{}", "[".repeat(20), "]".repeat(20));
        let limits = Limits {
            max_depth: 10,
            ..Limits::default()
        };
        let message = parse(&text, FileId(0), limits).unwrap_err()[0]
            .message
            .clone();
        assert!(message.contains("too deep"), "{message}");
    }

    #[test]
    fn deep_block_nesting_stops_before_the_stack_does() {
        // Issue 16: `- - - ... 1` 25,000 deep and block mappings from ~9,000 deep overflowed the
        // stack (the YAML library's `load` recurses per level). Run on a small thread stack so
        // a regression fails here, not only in a release binary.
        let seq = format!("{}1\n", "- ".repeat(25_000));
        let mut map = String::new();
        for i in 0..3_000 {
            map.push_str(&" ".repeat(i));
            map.push_str("k:\n");
        }
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || (err_of(&seq), err_of(&map)))
            .unwrap();
        let (a, b) = handle.join().expect("no stack overflow");
        assert!(a.contains("too deep"), "{a}");
        assert!(b.contains("too deep"), "{b}");
    }

    #[test]
    fn alias_chains_cannot_nest_deeper_than_the_limit() {
        let mut text = String::from("a0: &a0 [x]\n");
        for i in 1..400 {
            text.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        assert!(err_of(&text).contains("too deep (through aliases)"));
        assert!(parse_one("a: &a [x]\nb: [[*a]]\n", FileId(0)).is_ok());
    }

    #[test]
    fn many_keys_and_duplicates_are_linear() {
        let mut text = String::new();
        for i in 0..80_000 {
            text.push_str(&format!("key{i}: {i}\n"));
        }
        let doc = parse_one(&text, FileId(0)).unwrap().unwrap();
        assert_eq!(doc.as_map().unwrap().len(), 80_000);
        text.push_str("key79999: again\n");
        let errs = parse(&text, FileId(0), Limits::default()).unwrap_err();
        assert!(
            errs[0].help.as_deref().unwrap().contains("line 80000"),
            "{:?}",
            errs[0]
        );
    }

    #[test]
    fn nul_and_control_characters_are_refused_at_their_position() {
        let text = "a: 1\nb: x\0\nprivileged: true\n";
        let errs = parse(text, FileId(0), Limits::default()).unwrap_err();
        assert!(
            errs[0].message.contains("U+0000 (NUL)"),
            "{}",
            errs[0].message
        );
        assert_eq!(errs[0].span.unwrap().start, 9);
        for c in ['\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\u{ffff}'] {
            let text = format!("a: \"x{c}\"\n");
            assert!(err_of(&text).contains("is not allowed"), "{c:?}");
        }
        // Tab, CR, NEL and non-ASCII text are fine.
        assert_eq!(json_of("a:\t\"x\u{85}é\"\r\n")["a"], json!("x\u{85}é"));
    }

    #[test]
    fn byte_order_mark_is_skipped_and_spans_still_index_the_text() {
        let text = "\u{feff}apiVersion: v1\nkind: Pod\n";
        let doc = parse_one(text, FileId(0)).unwrap().unwrap();
        let kind = doc.get("kind").unwrap();
        assert!(doc.get("apiVersion").is_some());
        assert_eq!(
            &text[kind.span.start as usize..kind.span.end as usize],
            "Pod"
        );
    }

    #[test]
    fn unknown_tags_are_reported() {
        for text in [
            "a: !!python/object:os.system ls\n",
            "a: !!binary aGVsbG8=\n",
            "a: !Ref x\n",
            "a: !!set {x: null}\n",
        ] {
            assert!(err_of(text).contains("unsupported YAML tag"), "{text}");
        }
        assert!(parse_one("a: !!str 1\nb: !!int 2\n", FileId(0)).is_ok());
        let verbatim = parse_one("a: !<tag:yaml.org,2002:str> 1\n", FileId(0))
            .unwrap()
            .unwrap();
        assert_eq!(verbatim.get("a").unwrap().to_json(), json!("1"));
    }

    #[test]
    fn documents_are_handed_over_one_by_one_and_anchors_stay_in_theirs() {
        let mut seen = Vec::new();
        parse_each("a: 1\n---\nb: 2\n", FileId(0), Limits::default(), |d| {
            seen.push(d.to_json())
        })
        .unwrap();
        assert_eq!(seen, vec![json!({"a": 1}), json!({"b": 2})]);
        assert!(err_of("a: &x 1\n---\nb: *x\n").contains("unknown anchor"));
    }

    #[test]
    fn multi_document_streams() {
        let docs = parse("a: 1\n---\nb: 2\n", FileId(0), Limits::default()).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(parse_one("a: 1\n---\nb: 2\n", FileId(0)).is_err());
        assert!(parse_one("", FileId(0)).unwrap().is_none());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s, FileId(0), Limits::default());
        }
    }
}
