//! Source files and byte spans into them.

use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end.max(start as usize)).unwrap_or(u32::MAX);
        Span { file, start, end }
    }

    /// The smallest span covering both (they must be in the same file; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Where a text starts in its file: its byte offset and the number of lines before it.
/// A whole file starts at the default, `(0, 0)`; a window of a file read in parts
/// ([`SourceFile::window`]) further on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin {
    pub offset: usize,
    pub line: usize,
}

/// One loaded file: its display name (as the user would type it) and its text, or a window
/// of it: the text of some of its lines, with byte offsets and line numbers still those of
/// the whole file.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    origin: Origin,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::window(name, text, Origin::default())
    }

    /// Part of a file, `text`, which starts at a line start, at `origin`: its offsets and
    /// lines are those of the whole file (a file too large to hold is read in parts).
    pub fn window(name: impl Into<String>, text: impl Into<String>, origin: Origin) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            origin,
            line_starts,
        }
    }

    /// Where this text starts in its file.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The window of this text holding the lines of `span`, at most about `cap` bytes
    /// (what a diagnostic's excerpt shows, kept once the rest of the text is dropped).
    pub fn excerpt_window(&self, span: Span, cap: usize) -> SourceFile {
        let rel = |o: u32| {
            (o as usize)
                .saturating_sub(self.origin.offset)
                .min(self.text.len())
        };
        let (start, end) = (rel(span.start), rel(span.end));
        let line = match self.line_starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let from = self.line_starts[line];
        let limit = end.max(start).min(from.saturating_add(cap));
        let to = self
            .text
            .get(limit..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |i| limit + i + 1);
        let mut to = to.min(self.text.len());
        while !self.text.is_char_boundary(to) {
            to -= 1;
        }
        let origin = Origin {
            offset: self.origin.offset + from,
            line: self.origin.line + line,
        };
        SourceFile::window(
            self.name.clone(),
            self.text.get(from..to).unwrap_or(""),
            origin,
        )
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset
            .saturating_sub(self.origin.offset)
            .min(self.text.len());
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Location {
            line: self.origin.line + line_idx + 1,
            column,
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(line) = line.checked_sub(self.origin.line) else {
            return "";
        };
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).map_or(self.text.len(), |&e| e);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of the start of a 1-based line and a 1-based character column.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let line = line.saturating_sub(self.origin.line);
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.origin.offset + self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        let col = rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
        self.origin.offset + start + col
    }

    pub fn line_count(&self) -> usize {
        self.origin.line + self.line_starts.len()
    }
}

/// All files a run has read. Cheap to clone; files are shared.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(Arc::new(SourceFile::new(name, text)));
        id
    }

    /// Add a file made beforehand (a window of a file read in parts).
    pub fn add_file(&mut self, file: SourceFile) -> FileId {
        self.add_shared(Arc::new(file))
    }

    /// Add a file held elsewhere too.
    pub fn add_shared(&mut self, file: Arc<SourceFile>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize).map(|f| &**f)
    }

    /// `file:line:col` of the start of a span, if its file is known.
    pub fn describe(&self, span: Span) -> Option<(String, Location)> {
        let file = self.get(span.file)?;
        Some((file.name.clone(), file.location(span.start as usize)))
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), &**f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_chars() {
        let f = SourceFile::new("a.yaml", "ab\nçd: x\n");
        assert_eq!(f.location(0), Location { line: 1, column: 1 });
        assert_eq!(f.location(3), Location { line: 2, column: 1 });
        // 'ç' is two bytes; the ':' after 'd' is the third character.
        assert_eq!(f.location(6), Location { line: 2, column: 3 });
        assert_eq!(f.line_text(2), "çd: x");
        assert_eq!(f.line_text(9), "");
        assert_eq!(f.offset_of(2, 3), 6);
    }

    #[test]
    fn windows_answer_in_the_whole_file_s_offsets_and_lines() {
        let whole = SourceFile::new("a.yaml", "a: 1\n---\nb: çx\nc: 3\n");
        let window = SourceFile::window("a.yaml", "b: çx\nc: 3\n", Origin { offset: 9, line: 2 });
        for offset in [9, 12, 15, 17, 20] {
            assert_eq!(window.location(offset), whole.location(offset), "{offset}");
        }
        assert_eq!(window.line_text(3), whole.line_text(3));
        assert_eq!(window.line_text(1), "");
        assert_eq!(window.offset_of(4, 2), whole.offset_of(4, 2));
        let excerpt = window.excerpt_window(Span::new(FileId(0), 17, 18), 100);
        assert_eq!(excerpt.text, "c: 3\n");
        assert_eq!(excerpt.location(17), whole.location(17));
        assert_eq!(excerpt.line_text(4), "c: 3");
    }
}
