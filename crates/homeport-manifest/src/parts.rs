//! Reading a file too large to hold, a few whole YAML documents at a time.
//!
//! A line that starts with `---` followed by a space, a tab or the end of the line starts a
//! YAML document wherever it stands (YAML forbids such a line inside any scalar), so the
//! text can be cut there and each part parsed on its own ([`load_each_at`](crate::load_each_at))
//! with the same documents, positions and errors as the whole text, as long as no error
//! spans a cut. Directive lines (`%YAML`, only where YAML allows them: at the start and
//! after a `...` line) before a `---` go with the document they precede, and a part cut
//! before a `---` ends with a `---` line of its own, so its last document ends at a marker
//! as in the whole text. Two differences, both where yaml-rust2 reads past a `---` line that YAML 1.2 says ends
//! the document (never in a manifest): a block scalar at a document's top level (`--- |`)
//! ends there in a part; a flow collection or quoted scalar still open there leaves its part
//! unterminated, an error. The `lint_parts` fuzz target checks everything else.

use crate::load::Part;
use homeport_diag::input::ReadError;
use homeport_diag::Origin;
use std::io::BufRead;

/// The size a part grows to before it is cut at the next document start.
pub const PART_BYTES: usize = 1024 * 1024;

/// The text of one part and where it stands in its file.
#[derive(Debug)]
pub struct Piece {
    pub text: String,
    pub part: Part,
}

/// The parts of a text read from `reader`, in order. The caller reports how many documents
/// each part held ([`Parts::documents`]) so the next part's numbers follow on.
pub struct Parts<R> {
    reader: R,
    /// Bytes read so far; at most `limit`.
    read: u64,
    limit: u64,
    /// The size a part grows to before it is cut ([`PART_BYTES`]).
    part_bytes: usize,
    /// Where the next part starts.
    next: Part,
    /// Lines already read that belong to the next part.
    carried: Vec<u8>,
    /// Whether the text read so far ends between documents where directives may stand: at
    /// the start, or after a `...` line (YAML allows directives nowhere else; a `%` line
    /// elsewhere is part of a scalar).
    between_documents: bool,
    /// Whether the part returned last ends with [`TERMINATOR`], which is not in the file.
    terminated: bool,
    done: bool,
}

/// Added at the end of a part cut before a `---` line: the last document then ends as it
/// does in the whole text, at a document marker, not at the end of the stream (where
/// yaml-rust2 reads an empty block scalar as a line break). It starts an empty document,
/// not counted ([`Parts::documents`]).
const TERMINATOR: &str = "---\n";

impl<R: BufRead> Parts<R> {
    /// The parts of `reader`'s text, refusing more than `limit` bytes.
    pub fn new(reader: R, limit: u64) -> Self {
        Self::with_part_bytes(reader, limit, PART_BYTES)
    }

    /// As [`Parts::new`], cutting parts from `part_bytes` on (tests and the fuzzer cut
    /// small inputs into many parts).
    pub fn with_part_bytes(reader: R, limit: u64, part_bytes: usize) -> Self {
        Parts {
            reader,
            read: 0,
            limit,
            part_bytes,
            next: Part::default(),
            carried: Vec::new(),
            between_documents: true,
            terminated: false,
            done: false,
        }
    }

    /// The number of documents in the part returned last: the next part's numbering
    /// continues after them.
    pub fn documents(&mut self, count: usize) {
        let added = usize::from(self.terminated);
        self.next.documents_before += count.saturating_sub(added);
    }

    fn read_part(&mut self) -> Result<Option<Piece>, ReadError> {
        if self.done {
            return Ok(None);
        }
        let mut buf = std::mem::take(&mut self.carried);
        self.terminated = false;
        // Where a run of directive lines started (they go with the document after them).
        let mut directives_from: Option<usize> = None;
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = self.reader.read_until(b'\n', &mut line)?;
            if n == 0 {
                self.done = true;
                break;
            }
            self.read += n as u64;
            if self.read > self.limit {
                return Err(ReadError::TooLarge { limit: self.limit });
            }
            if buf.len() >= self.part_bytes && starts_document(&line) {
                let cut = directives_from.unwrap_or(buf.len());
                // Never an empty part (only directives so far: they stay with their document).
                if cut > 0 {
                    self.carried = buf.split_off(cut);
                    self.carried.extend_from_slice(&line);
                    self.between_documents = false;
                    self.terminated = true;
                    break;
                }
            }
            match line.first() {
                Some(b'%') if self.between_documents => {
                    directives_from.get_or_insert(buf.len());
                }
                Some(b'#' | b'\n' | b'\r') | None => {}
                _ if ends_document(&line) => self.between_documents = true,
                Some(_) => {
                    directives_from = None;
                    self.between_documents = false;
                }
            }
            buf.extend_from_slice(&line);
        }
        if buf.is_empty() && self.done {
            return Ok(None);
        }
        let part = self.next;
        let text = String::from_utf8(buf).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let lines = bytes[..valid].iter().filter(|&&b| b == b'\n').count();
            ReadError::NotUtf8 {
                line: part.origin.line + lines + 1,
                offset: part.origin.offset + valid,
            }
        })?;
        self.next.origin = Origin {
            offset: part.origin.offset + text.len(),
            line: part.origin.line + text.matches('\n').count(),
        };
        let mut text = text;
        if self.terminated {
            text.push_str(TERMINATOR);
        }
        Ok(Some(Piece { text, part }))
    }
}

impl<R: BufRead> Iterator for Parts<R> {
    type Item = Result<Piece, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.read_part() {
            Ok(piece) => piece.map(Ok),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Whether a line starts a YAML document (`---` then a space, a tab or the line's end).
fn starts_document(line: &[u8]) -> bool {
    marker(line, b"---")
}

/// Whether a line ends a YAML document (`...` then a space, a tab or the line's end).
fn ends_document(line: &[u8]) -> bool {
    marker(line, b"...")
}

fn marker(line: &[u8], marker: &[u8]) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| matches!(rest.first(), None | Some(b' ' | b'\t' | b'\r' | b'\n')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_each, load_each_at};
    use homeport_diag::FileId;

    /// An object as the tests compare it: number, name, start, value.
    fn describe(o: &crate::Object) -> String {
        format!("{} {} {:?} {}", o.document, o.name, o.span(), o.value)
    }

    /// Everything [`load_each`] gives for a text: objects (with positions) and diagnostics.
    fn whole(text: &str) -> (Vec<String>, Vec<String>) {
        let mut objects = Vec::new();
        let each = load_each(FileId(0), text, &mut |o| objects.push(describe(&o)));
        let diags = each.diagnostics.iter().map(|d| format!("{d:?}")).collect();
        (objects, diags)
    }

    fn in_parts(text: &str) -> (Vec<String>, Vec<String>, usize) {
        in_parts_of(text, PART_BYTES)
    }

    fn in_parts_of(text: &str, part_bytes: usize) -> (Vec<String>, Vec<String>, usize) {
        let reader = std::io::Cursor::new(text.as_bytes());
        let mut parts = Parts::with_part_bytes(reader, u64::MAX, part_bytes);
        let (mut objects, mut diags, mut count) = (Vec::new(), Vec::new(), 0);
        while let Some(piece) = parts.next() {
            let piece = piece.unwrap();
            count += 1;
            let each = load_each_at(FileId(0), &piece.text, piece.part, &mut |o| {
                objects.push(describe(&o))
            });
            diags.extend(each.diagnostics.iter().map(|d| format!("{d:?}")));
            parts.documents(each.documents);
        }
        (objects, diags, count)
    }

    #[test]
    fn a_large_stream_read_in_parts_gives_what_the_whole_text_gives() {
        let mut text = String::from("\u{feff}# leading comment\n");
        let mut i = 0;
        while text.len() < 3 * PART_BYTES {
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata:\n  \
                 note: |\n    çà {i}\n    --- inside a block scalar, indented\n"
            ));
            if i % 1000 == 7 {
                // An empty document, a scalar document and directives before a document.
                text.push_str("---\n---\njust text\n...\n%YAML 1.2\n---\n");
                text.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
            }
            i += 1;
        }
        let (objects, diags) = whole(&text);
        let (p_objects, p_diags, parts) = in_parts(&text);
        assert!(parts >= 3, "{parts} parts");
        assert_eq!(p_objects.len(), objects.len());
        assert_eq!(p_objects, objects);
        assert!(!diags.is_empty());
        assert_eq!(p_diags, diags);
    }

    #[test]
    fn parts_as_small_as_a_document_give_what_the_whole_text_gives() {
        let text = "%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\r\n\
            data: {x: \"é\"}\n...\n# between\n%YAML 1.2\n%TAG !e! tag:example.com,2000:\n\
            ---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, \
            metadata: {name: s}}\n--- # a comment\n[not, an, object]\n---\napiVersion: v1\n\
            kind: ConfigMap\nmetadata: {name: c}\ndata:\n  empty: |\n---\r\napiVersion: v1\r\n\
            kind: ConfigMap\r\nmetadata:\r\n  name: b\r\ndata:\r\n  k: |\r\n    ü\r\n    --- x\r\n";
        let (objects, diags) = whole(text);
        assert_eq!(objects.len(), 4, "{objects:?}");
        for part_bytes in 0..text.len() {
            let (p_objects, p_diags, _) = in_parts_of(text, part_bytes);
            assert_eq!(p_objects, objects, "parts from {part_bytes} bytes");
            assert_eq!(p_diags, diags, "parts from {part_bytes} bytes");
        }
    }

    #[test]
    fn a_duplicate_key_far_into_the_stream_names_the_file_s_lines() {
        let mut text = String::new();
        while text.len() < 2 * PART_BYTES {
            text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
        }
        text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\nkind: x\n");
        let (_, diags) = whole(&text);
        let (_, p_diags, _) = in_parts(&text);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(p_diags, diags);
    }

    #[test]
    fn invalid_utf8_is_reported_at_its_place_in_the_file() {
        let mut bytes = Vec::new();
        while bytes.len() < PART_BYTES + 10 {
            bytes.extend_from_slice(b"---\nkind: x\n");
        }
        let at = bytes.len() + 7;
        bytes.extend_from_slice(b"---\na: \xff\n");
        let lines = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let parts = Parts::new(std::io::Cursor::new(bytes), u64::MAX);
        let err = parts.filter_map(Result::err).next().unwrap();
        match err {
            ReadError::NotUtf8 { line, offset } => assert_eq!((line, offset), (lines, at)),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn more_than_the_limit_is_refused() {
        let text = "a: 1\n".repeat(100);
        let parts = Parts::new(std::io::Cursor::new(text.into_bytes()), 50);
        assert!(parts
            .filter_map(Result::err)
            .any(|e| matches!(e, ReadError::TooLarge { limit: 50 })));
    }
}
