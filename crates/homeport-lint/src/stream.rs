//! Linting files without holding their objects: each file is parsed twice, document by
//! document. The first pass indexes every object ([`index_files`]: only what the rules read
//! of other objects is kept); the second parses the files again and checks a batch of whole
//! documents at a time ([`check_files`]), handing each batch's findings, sorted as in the
//! whole report, to the caller before the next batch is parsed. Memory then grows with the
//! index and one batch, not with every object and every finding.
//!
//! A file too large to hold ([`Streamed`]) is read a part of about 1 MiB of whole
//! documents at a time in both passes ([`homeport_manifest::parts`]); its findings and
//! problems carry their positions and excerpts, resolved while their part was at hand.

use crate::checker::{Checked, Checker, Pass};
use crate::finding::Place;
use homeport_diag::input::ReadError;
use homeport_diag::{Diagnostic, FileId, SourceFile, SourceMap};
use homeport_manifest::parts::Parts;
use homeport_manifest::{load_each_at, Object, Part, Streamed, MAX_MANIFEST_BYTES};
use std::borrow::Cow;
use std::io::{BufReader, Seek};
use std::sync::Arc;

/// Objects per batch of the check pass (rounded up to a whole document): enough for the
/// checker's threads to share, few enough to hold at once.
pub const BATCH_OBJECTS: usize = 2048;

/// The most of a line kept as a finding's or problem's excerpt in a file read in parts.
const EXCERPT_BYTES: usize = 4096;

/// Diagnostic code: a file read in parts could not be read again, or changed in between.
pub const CHANGED_WHILE_LINTED: &str = "HP0062";

/// What the index pass found.
#[derive(Debug, Default)]
pub struct Indexed {
    /// The files whose objects were indexed, in order: those to check.
    pub files: Vec<FileId>,
    /// The problems with the files, in file order (as
    /// [`Manifests::diagnostics`](homeport_manifest::Manifests)); those in files read in
    /// parts point at their excerpts, added to the sources.
    pub diagnostics: Vec<Diagnostic>,
}

/// The index pass over `files`, in order. A file that is not valid YAML yields no objects
/// (its errors are in the diagnostics); a file `left_out` says yes to is parsed for its
/// diagnostics only, and those with a position are dropped.
pub fn index_files(
    checker: &mut Checker<'_>,
    sources: &mut SourceMap,
    streamed: &[Streamed],
    files: impl IntoIterator<Item = FileId>,
    left_out: &dyn Fn(FileId) -> bool,
) -> Indexed {
    let mut out = Indexed::default();
    for id in files {
        let Some(name) = sources.get(id).map(|f| f.name.clone()) else {
            continue;
        };
        let skip = left_out(id);
        let before = checker.indexed();
        let mut valid = true;
        // Problems in a part that is dropped, by number, with the lines they show.
        let mut excerpts: Vec<(usize, SourceFile)> = Vec::new();
        let read = each_part(sources, streamed, id, &mut |text, part| {
            let each = load_each_at(id, &text, part, &mut |obj| {
                if !skip {
                    checker.index(&obj);
                }
            });
            // The part as a window of its file, made once for all its problems.
            let mut window = None;
            for d in each.diagnostics {
                let Some(span) = d.span else {
                    out.diagnostics.push(d);
                    continue;
                };
                if skip {
                    continue;
                }
                if let Cow::Owned(_) = &text {
                    let window = window.get_or_insert_with(|| {
                        SourceFile::window(name.as_str(), &*text, part.origin)
                    });
                    let excerpt = window.excerpt_window(span, EXCERPT_BYTES);
                    excerpts.push((out.diagnostics.len(), excerpt));
                }
                out.diagnostics.push(d);
            }
            valid = each.valid;
            valid.then_some(each.documents)
        });
        if let Err(e) = read {
            valid = false;
            out.diagnostics.push(unreadable(&name, &e));
        }
        for (at, excerpt) in excerpts {
            let file = sources.add_file(excerpt);
            if let Some(span) = out.diagnostics.get_mut(at).and_then(|d| d.span.as_mut()) {
                span.file = file;
            }
        }
        if !valid {
            checker.forget_from(before);
        } else if !skip {
            out.files.push(id);
        }
    }
    out
}

/// The check pass over `files` (those [`index_files`] returned, with the same sources),
/// calling `found` with each batch's results in input order. The files are parsed on a
/// thread of their own while the batch before is checked; at most two batches wait.
///
/// A file read in parts that reads differently this time (changed on disk in between) is a
/// problem returned at the end; its objects are not all checked.
pub fn check_files(
    pass: &Pass<'_>,
    sources: &SourceMap,
    streamed: &[Streamed],
    files: &[FileId],
    found: &mut dyn FnMut(Checked),
) -> Vec<Diagnostic> {
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(1);
    let indexed = pass.indexed();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut problems = Vec::new();
            let mut batch = Batch::default();
            let mut next = 0;
            for &id in files {
                let name = sources.get(id).map_or(String::new(), |f| f.name.clone());
                let read = each_part(sources, streamed, id, &mut |text, part| {
                    // A part's text is kept while the batches holding its objects wait.
                    let (window, held) = match text {
                        Cow::Owned(text) => {
                            let window = SourceFile::window(name.as_str(), text, part.origin);
                            (Some(Arc::new(window)), "")
                        }
                        Cow::Borrowed(text) => (None, text),
                    };
                    let text = window.as_ref().map_or(held, |w| w.text.as_str());
                    let each = load_each_at(id, text, part, &mut |obj| {
                        if let Some(full) = batch.push(obj, &mut next) {
                            // The receiver is gone only when the caller's thread failed.
                            let _ = send.send(full);
                        }
                        if let Some(w) = &window {
                            let held = batch
                                .windows
                                .last()
                                .is_some_and(|(_, last)| Arc::ptr_eq(last, w));
                            if !held {
                                batch.windows.push((id, Arc::clone(w)));
                            }
                        }
                    });
                    each.valid.then_some(each.documents)
                });
                let lost = match read {
                    Err(e) => Some(unreadable(&name, &e)),
                    Ok(()) if next > indexed => Some(changed(&name)),
                    Ok(()) => None,
                };
                if let Some(problem) = lost {
                    problems.push(problem);
                    break;
                }
            }
            if !batch.objects.is_empty() {
                let _ = send.send(batch);
            }
            problems
        });
        let mut total = 0;
        for batch in receive {
            total += batch.objects.len();
            let mut checked = pass.check_batch(batch.first, &batch.objects);
            if !batch.windows.is_empty() {
                place_findings(&mut checked, &batch.windows);
            }
            found(checked);
        }
        let mut problems = reader.join().unwrap_or_default();
        if problems.is_empty() && total != indexed {
            problems.push(changed("an input file"));
        }
        problems
    })
}

/// The text of a held file.
fn text_of(sources: &SourceMap, id: FileId) -> &str {
    sources.get(id).map_or("", |f| f.text.as_str())
}

/// Call `f` with each part of file `id`, in order: the whole text of a held file (borrowed),
/// parts of about 1 MiB of whole documents of a file read in parts (owned). `f` returns the
/// number of documents in the part, or `None` to stop.
fn each_part(
    sources: &SourceMap,
    streamed: &[Streamed],
    id: FileId,
    f: &mut dyn FnMut(Cow<'_, str>, Part) -> Option<usize>,
) -> Result<(), ReadError> {
    let Some(open) = streamed.iter().find(|s| s.file == id) else {
        f(Cow::Borrowed(text_of(sources, id)), Part::default());
        return Ok(());
    };
    let mut file = &*open.handle;
    file.rewind()?;
    let mut parts = Parts::new(BufReader::with_capacity(1 << 16, file), MAX_MANIFEST_BYTES);
    while let Some(piece) = parts.next() {
        let piece = piece?;
        match f(Cow::Owned(piece.text), piece.part) {
            Some(documents) => parts.documents(documents),
            None => break,
        }
    }
    Ok(())
}

/// Give each finding of a batch read in parts its position and excerpt, from the part its
/// object came from.
fn place_findings(checked: &mut Checked, windows: &[(FileId, Arc<SourceFile>)]) {
    for f in &mut checked.findings {
        let start = f.span.start as usize;
        // The last part of the finding's file that starts at or before it holds it.
        let Some((_, window)) = windows
            .iter()
            .rev()
            .find(|(file, w)| *file == f.span.file && w.origin().offset <= start)
        else {
            continue;
        };
        f.place = Some(Box::new(Place {
            start: window.location(start),
            end: window.location(f.span.end as usize),
            object: window.location(f.object.span.start as usize),
            excerpt: Arc::new(window.excerpt_window(f.span, EXCERPT_BYTES)),
        }));
    }
}

fn unreadable(name: &str, e: &ReadError) -> Diagnostic {
    Diagnostic::error(
        homeport_manifest::UNREADABLE_PATH,
        format!("cannot read `{name}`: {e}"),
    )
    .with_help("manifests are regular files of YAML or JSON text in UTF-8")
}

fn changed(name: &str) -> Diagnostic {
    Diagnostic::error(
        CHANGED_WHILE_LINTED,
        format!("`{name}` changed while it was being linted; the report is incomplete"),
    )
    .with_help("lint a file that nothing writes to meanwhile (a copy)")
}

/// Objects parsed and not checked yet, with the parts they came from when their file is
/// read in parts.
#[derive(Default)]
struct Batch {
    objects: Vec<Object>,
    /// The number (in index order) of the first.
    first: usize,
    /// The parts (of files read in parts) the objects came from.
    windows: Vec<(FileId, Arc<SourceFile>)>,
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
                    windows: Vec::new(),
                },
            )
        });
        self.objects.push(obj);
        *next += 1;
        full
    }
}
