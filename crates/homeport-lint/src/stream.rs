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
/// calling `found` with each batch's results in input order. The files are parsed on a
/// thread of their own while the batch before is checked; at most two batches wait.
pub fn check_files(
    pass: &Pass<'_>,
    sources: &SourceMap,
    files: &[FileId],
    found: &mut dyn FnMut(Checked),
) {
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut batch = Batch::default();
            let mut next = 0;
            for &id in files {
                let Some(file) = sources.get(id) else {
                    continue;
                };
                load_each(id, &file.text, &mut |obj| {
                    if let Some(full) = batch.push(obj, &mut next) {
                        // The receiver is gone only when the caller's thread failed.
                        let _ = send.send(full);
                    }
                });
            }
            if !batch.objects.is_empty() {
                let _ = send.send(batch);
            }
        });
        for batch in receive {
            found(pass.check_batch(batch.first, &batch.objects));
        }
    });
}

/// Objects parsed and not checked yet.
#[derive(Default)]
struct Batch {
    objects: Vec<Object>,
    /// The number (in index order) of the first.
    first: usize,
}

impl Batch {
    /// Add `obj`, the `next`th object; when the batch is full and `obj` starts a document,
    /// the full batch is returned and `obj` starts the next.
    fn push(&mut self, obj: Object, next: &mut usize) -> Option<Batch> {
        let new_document = self
            .objects
            .last()
            .is_some_and(|last| (last.file, last.document) != (obj.file, obj.document));
        let full = (new_document && self.objects.len() >= BATCH_OBJECTS).then(|| {
            std::mem::replace(
                self,
                Batch {
                    objects: Vec::new(),
                    first: *next,
                },
            )
        });
        self.objects.push(obj);
        *next += 1;
        full
    }
}
