//! Linting files held as text without holding their objects: each file is parsed twice,
//! document by document. The first pass indexes every object ([`index_files`]: only what
//! the rules read of other objects is kept); the second parses the files again and checks
//! a batch of whole documents at a time ([`check_files`]), handing each batch's findings,
//! sorted as in the whole report, to the caller before the next batch is parsed. Memory
//! then grows with the index and one batch, not with every object and every finding.

use crate::checker::{Checked, Checker, Pass};
use homeport_diag::{Diagnostic, FileId, SourceMap};
use homeport_manifest::{load_each, Object};

/// Objects per batch of the check pass (rounded up to a whole document): enough for the
/// checker's threads to share, few enough to hold at once.
pub const BATCH_OBJECTS: usize = 2048;

/// What the index pass found.
#[derive(Debug, Default)]
pub struct Indexed {
    /// The files whose objects were indexed, in order: those to check.
    pub files: Vec<FileId>,
    /// The problems with the files, in file order (as
    /// [`Manifests::diagnostics`](homeport_manifest::Manifests)).
    pub diagnostics: Vec<Diagnostic>,
}

/// The index pass over `files`, in order. A file that is not valid YAML yields no objects
/// (its errors are in the diagnostics); a file `left_out` says yes to is parsed for its
/// diagnostics only.
pub fn index_files(
    checker: &mut Checker<'_>,
    sources: &SourceMap,
    files: impl IntoIterator<Item = FileId>,
    left_out: &dyn Fn(FileId) -> bool,
) -> Indexed {
    let mut out = Indexed::default();
    for id in files {
        let Some(file) = sources.get(id) else {
            continue;
        };
        let skip = left_out(id);
        let before = checker.indexed();
        let each = load_each(id, &file.text, &mut |obj| {
            if !skip {
                checker.index(&obj);
            }
        });
        if !each.valid {
            checker.forget_from(before);
        } else if !skip {
            out.files.push(id);
        }
        out.diagnostics.extend(each.diagnostics);
    }
    out
}

/// The check pass over `files` (those [`index_files`] returned, with the same sources),
/// calling `found` with each batch's results in input order.
pub fn check_files(
    pass: &Pass<'_>,
    sources: &SourceMap,
    files: &[FileId],
    found: &mut dyn FnMut(Checked),
) {
    let mut batch = Batch::default();
    for &id in files {
        let Some(file) = sources.get(id) else {
            continue;
        };
        load_each(id, &file.text, &mut |obj| batch.push(pass, obj, found));
    }
    batch.flush(pass, found);
}

/// Objects parsed and not checked yet.
#[derive(Default)]
struct Batch {
    objects: Vec<Object>,
    /// The number (in index order) of the first.
    first: usize,
}

impl Batch {
    /// Add `obj`; check the batch first when it is full and `obj` starts a document.
    fn push(&mut self, pass: &Pass<'_>, obj: Object, found: &mut dyn FnMut(Checked)) {
        let new_document = self
            .objects
            .last()
            .is_some_and(|last| (last.file, last.document) != (obj.file, obj.document));
        if new_document && self.objects.len() >= BATCH_OBJECTS {
            self.flush(pass, found);
        }
        self.objects.push(obj);
    }

    fn flush(&mut self, pass: &Pass<'_>, found: &mut dyn FnMut(Checked)) {
        if self.objects.is_empty() {
            return;
        }
        found(pass.check_batch(self.first, &self.objects));
        self.first += self.objects.len();
        self.objects.clear();
    }
}
