//! Running the rules over the input in two passes: every object is indexed first (the
//! index keeps only what the rules read of *other* objects, see [`narrow`]), then each is
//! checked against that index (on a few threads), its suppressions applied, double reports
//! dropped and its findings resolved to positions; the findings are sorted.
//!
//! [`check`] takes the input as one slice. A caller that does not hold the input uses
//! [`Checker`]: it hands over the objects one by one for the index ([`Checker::index`]),
//! then again, a batch of whole documents at a time, to [`Pass::check_batch`], and writes
//! each batch's findings before the next. The findings of whole documents sort among
//! themselves exactly as in the whole report (their positions lie inside their document, and
//! documents follow one another in file order), so the streamed report is the same.

use crate::context::{Context, Emitter};
use crate::engines::{pod_security, schema};
use crate::finding::{Finding, ObjectRef, RawFinding};
use crate::index::Index;
use crate::narrow::Narrowed;
use crate::options::Options;
use crate::registry::all_rules;
use crate::rule::{Category, Check, Rule};
use crate::selection::{Selection, UnknownSelector};
use crate::suppression;
use crate::workload::pod_template;
use homeport_diag::{Diagnostic, Severity};
use homeport_manifest::{FieldPath, Object, Positions};
use homeport_pss::{Level, Version};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

/// Diagnostic code: the target Kubernetes version has no embedded schema.
pub const UNSUPPORTED_VERSION: &str = "HP0056";

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted by file, position, code.
    pub findings: Vec<Finding>,
    /// Objects checked.
    pub objects: usize,
    /// Findings dropped by `homeport.dev/ignore` annotations (and by the configuration's
    /// `per-path-ignores`).
    pub suppressed: usize,
    /// Findings dropped because the baseline holds them (`--baseline`).
    pub baselined: usize,
    /// Custom resources the schema could not check.
    pub unchecked_custom_resources: usize,
    /// The Kubernetes version checked against (`1.33`).
    pub kubernetes_version: String,
    /// Problems with the run itself (not with an object), such as an unsupported version.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    pub fn infos(&self) -> usize {
        self.count(Severity::Info)
    }
}

/// A run that cannot start: a bad `--select`/`--ignore` or version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageError {
    Selector(UnknownSelector),
    Version(String),
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsageError::Selector(s) => s.fmt(f),
            UsageError::Version(v) => write!(
                f,
                "`{v}` is not a Kubernetes version: expected MAJOR.MINOR such as 1.33"
            ),
        }
    }
}

/// Check `objects` with the rules `options` selects.
pub fn check(objects: &[Object], options: &Options) -> Result<Report, UsageError> {
    let selection =
        Selection::resolve(&options.select, &options.ignore).map_err(UsageError::Selector)?;
    check_with(objects, options, &selection)
}

/// As [`check`], for a caller that is done with the objects' field positions: they are
/// taken out of `objects` ([`Object::take_positions`]) and each is freed as soon as its
/// object's findings are resolved, so a large input never holds every object's positions
/// and every finding at once. The report is the same as [`check`]'s.
pub fn check_releasing_positions(
    objects: &mut [Object],
    options: &Options,
) -> Result<Report, UsageError> {
    let selection =
        Selection::resolve(&options.select, &options.ignore).map_err(UsageError::Selector)?;
    let positions: Vec<Positions> = objects.iter_mut().map(Object::take_positions).collect();
    check_slice(objects, options, selection, Some(positions))
}

/// Check `objects` with exactly the rules of `selection` (`options.select`/`ignore` are not
/// read).
pub fn check_with(
    objects: &[Object],
    options: &Options,
    selection: &Selection,
) -> Result<Report, UsageError> {
    check_slice(objects, options, selection.clone(), None)
}

/// The whole input as one batch. `positions`: the objects' field positions when they were
/// taken out of them, one per object, in order.
fn check_slice(
    objects: &[Object],
    options: &Options,
    selection: Selection,
    positions: Option<Vec<Positions>>,
) -> Result<Report, UsageError> {
    let mut checker = Checker::with_selection(options, selection)?;
    for obj in objects {
        checker.index(obj);
    }
    let mut report = checker.report();
    let checked = checker.pass().run(0, objects, positions);
    report.findings = checked.findings;
    report.suppressed = checked.suppressed;
    report.unchecked_custom_resources = checked.unchecked_custom_resources;
    Ok(report)
}

/// A run over an input that is handed over object by object: first every object for the
/// index ([`Checker::index`]), then batches of whole documents to check ([`Checker::pass`]).
/// Objects are numbered in the order they are indexed; the check pass must hand them over
/// in the same order.
pub struct Checker<'o> {
    options: &'o Options,
    selection: Selection,
    pss_version: Version,
    schema: Option<&'static homeport_k8s_schema::VersionSchema>,
    diagnostics: Vec<Diagnostic>,
    /// What the index keeps of each object, in order.
    narrowed: Narrowed,
}

impl<'o> Checker<'o> {
    /// A run with the rules `options` selects.
    pub fn new(options: &'o Options) -> Result<Self, UsageError> {
        let selection =
            Selection::resolve(&options.select, &options.ignore).map_err(UsageError::Selector)?;
        Self::with_selection(options, selection)
    }

    /// A run with exactly the rules of `selection`.
    pub fn with_selection(options: &'o Options, selection: Selection) -> Result<Self, UsageError> {
        let version_text = options.target_version().to_string();
        let pss_version =
            Version::parse(&version_text).map_err(|_| UsageError::Version(version_text.clone()))?;
        let mut diagnostics = Vec::new();
        let schema = if selection.any_in(Category::Schema) {
            let s = homeport_k8s_schema::schema_for(&version_text);
            if s.is_none() {
                let versions = homeport_k8s_schema::supported_versions();
                diagnostics.push(
                    Diagnostic::warning(
                        UNSUPPORTED_VERSION,
                        format!("no schema for Kubernetes {version_text}; schema checks skipped"),
                    )
                    .with_help(format!(
                        "pass --kubernetes-version with a version from {} to {}",
                        versions.first().unwrap_or(&"?"),
                        versions.last().unwrap_or(&"?")
                    )),
                );
            }
            s
        } else {
            None
        };
        Ok(Checker {
            options,
            selection,
            pss_version,
            schema,
            diagnostics,
            narrowed: Narrowed::default(),
        })
    }

    /// The index pass: keep what the rules read of `obj` when they check the others.
    pub fn index(&mut self, obj: &Object) {
        self.narrowed.push(obj);
    }

    /// How many objects were indexed.
    pub fn indexed(&self) -> usize {
        self.narrowed.len()
    }

    /// Forget the objects indexed from the `n`th on (those of a file found invalid after
    /// some of its objects were handed over: it yields none).
    pub fn forget_from(&mut self, n: usize) {
        self.narrowed.truncate(n);
    }

    /// The report before any finding: the objects indexed, the version, the problems with
    /// the run itself.
    pub fn report(&self) -> Report {
        Report {
            objects: self.narrowed.len(),
            kubernetes_version: self.pss_version.to_string(),
            diagnostics: self.diagnostics.clone(),
            ..Report::default()
        }
    }

    /// The check pass, over the index of everything indexed.
    pub fn pass(&self) -> Pass<'_> {
        let threads = match self.options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .clamp(1, 8);
        let index = Index::new(&self.narrowed);
        let namespaces = pod_security::NamespaceLevels::new(index.whole_objects());
        Pass {
            index,
            namespaces,
            object_rules: all_rules()
                .iter()
                .filter(|r| matches!(r.check, Check::Object(_)) && self.selection.contains(r.code))
                .collect(),
            selection: &self.selection,
            explicit_level: self.options.level,
            pss_version: self.pss_version,
            pss_enabled: self.selection.any_in(Category::PodSecurity),
            schema: self.schema,
            version: (self.pss_version.major(), self.pss_version.minor()),
            cluster: self.options.cluster.as_ref(),
            threads,
        }
    }
}

/// The check pass of a [`Checker`]: the index and the run's settings.
pub struct Pass<'a> {
    index: Index<'a>,
    namespaces: pod_security::NamespaceLevels,
    object_rules: Vec<&'static Rule>,
    selection: &'a Selection,
    explicit_level: Option<Level>,
    pss_version: Version,
    pss_enabled: bool,
    schema: Option<&'static homeport_k8s_schema::VersionSchema>,
    /// Target Kubernetes version, `(major, minor)`.
    version: (u32, u32),
    cluster: Option<&'a crate::Cluster>,
    threads: usize,
}

/// What checking a batch of objects gave.
#[derive(Debug, Default)]
pub struct Checked {
    /// Sorted by file, position, code and message; double reports dropped.
    pub findings: Vec<Finding>,
    pub suppressed: usize,
    pub unchecked_custom_resources: usize,
}

#[derive(Default)]
struct Chunk {
    /// Resolved as soon as their object is checked: no raw finding is held past its object.
    findings: Vec<Finding>,
    suppressed: usize,
    unchecked: usize,
}

impl Pass<'_> {
    /// How many objects the index holds.
    pub fn indexed(&self) -> usize {
        self.index.len()
    }

    /// Check `objects`, whole documents in input order, the first of which was the `first`th
    /// object indexed. Their findings are sorted as in the whole report: a caller that checks
    /// the input batch after batch and writes each batch's findings in turn writes the whole
    /// report's findings in order.
    pub fn check_batch(&self, first: usize, objects: &[Object]) -> Checked {
        self.run(first, objects, None)
    }

    /// `positions`: those taken out of `objects`, one per object, in order.
    fn run(&self, first: usize, objects: &[Object], positions: Option<Vec<Positions>>) -> Checked {
        let chunks = self.all(first, objects, positions);
        let total = chunks.iter().map(|c| c.findings.len()).sum::<usize>();
        let mut checked = Checked::default();
        let mut findings = Vec::new();
        for chunk in chunks {
            checked.suppressed += chunk.suppressed;
            checked.unchecked_custom_resources += chunk.unchecked;
            // The first chunk's findings are the start of the whole list, not copied.
            if findings.is_empty() {
                findings = chunk.findings;
                findings.reserve_exact(total - findings.len());
            } else {
                findings.extend(chunk.findings);
            }
        }
        sort(&mut findings);
        checked.findings = findings;
        checked
    }

    /// Check every object, on several threads for large batches; chunks come back in
    /// object order, so the output does not depend on the thread count.
    ///
    /// `positions` (one per object) are split among the threads, each freeing its own.
    fn all(
        &self,
        first: usize,
        objects: &[Object],
        positions: Option<Vec<Positions>>,
    ) -> Vec<Chunk> {
        let n = objects.len();
        let threads = self.threads;
        if threads <= 1 || n < 256 {
            return vec![self.range(first, objects, positions)];
        }
        let size = n.div_ceil(threads);
        let mut rest = positions;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (start, end) = ((t * size).min(n), ((t + 1) * size).min(n));
                    let mine = rest.as_mut().map(|r| {
                        let tail = r.split_off((end - start).min(r.len()));
                        std::mem::replace(r, tail)
                    });
                    let objects = objects.get(start..end).unwrap_or(&[]);
                    scope.spawn(move || self.range(first + start, objects, mine))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    /// Check `objects`, numbered from `first`; `positions` are theirs, in order, when taken
    /// out.
    fn range(&self, first: usize, objects: &[Object], positions: Option<Vec<Positions>>) -> Chunk {
        let mut chunk = Chunk::default();
        let mut found = Vec::new();
        let mut kept = Vec::new();
        let mut positions = positions.map(Vec::into_iter);
        for (offset, obj) in objects.iter().enumerate() {
            let i = first + offset;
            let at = positions.as_mut().and_then(Iterator::next);
            found.clear();
            let suppressed = suppression::read(i, obj, self.selection, &mut found);
            if self.pss_enabled {
                let (level, version) = pod_security::effective_level(
                    self.explicit_level,
                    &self.namespaces,
                    self.index.namespace(i),
                    self.pss_version,
                );
                let enforced_from = found.len();
                pod_security::check(i, obj, level, version, self.selection, &mut found);
                for advisory in pod_security::advisory_levels(
                    self.explicit_level,
                    &self.namespaces,
                    self.index.namespace(i),
                    self.pss_version,
                    (level, version),
                ) {
                    pod_security::check_advisory(
                        i,
                        obj,
                        &advisory,
                        enforced_from,
                        self.selection,
                        &mut found,
                    );
                }
            }
            if let Some(schema) = self.schema {
                if !schema::check(i, obj, schema, self.selection, &mut found) {
                    chunk.unchecked += 1;
                }
            }
            // The index holds only part of each object: the object's own pod template is
            // read from the object itself.
            let template = pod_template(obj);
            let cx = Context {
                index: &self.index,
                template: template.as_ref(),
                version: self.version,
                cluster: self.cluster,
            };
            for rule in &self.object_rules {
                if let Check::Object(f) = rule.check {
                    f(
                        &cx,
                        obj,
                        &mut Emitter {
                            rule,
                            object: i,
                            out: &mut found,
                        },
                    );
                }
            }
            for f in found.drain(..) {
                let meta = f.rule.category == Category::Meta;
                if !meta && suppressed.codes.contains(f.rule.code) {
                    chunk.suppressed += 1;
                } else {
                    kept.push(f);
                }
            }
            drop_overlaps(&mut kept);
            resolve(obj, at.as_ref(), &mut kept, &mut chunk.findings);
            // `at`, this object's positions, is freed here.
        }
        chunk
    }
}

/// A best-practice finding that repeats a Pod Security finding on the same object goes
/// (`raw` holds one object's findings).
fn drop_overlaps(raw: &mut Vec<RawFinding>) {
    let pss: HashSet<&'static str> = raw
        .iter()
        .filter(|f| f.rule.category == Category::PodSecurity)
        .map(|f| f.rule.code)
        .collect();
    if pss.is_empty() {
        return;
    }
    raw.retain(|f| !f.rule.overlaps.iter().any(|c| pss.contains(c)));
}

/// Positions are looked up only for the findings that survived, while their object is
/// still at hand; the object's identity is shared by all its findings.
/// `at`: the object's positions when they were taken out of it.
fn resolve(
    obj: &Object,
    at: Option<&Positions>,
    raw: &mut Vec<RawFinding>,
    out: &mut Vec<Finding>,
) {
    if raw.is_empty() {
        return;
    }
    let span_of = |path: &FieldPath| match at {
        Some(p) => p.span_of(&obj.value, path),
        None => obj.span_of(path),
    };
    let object = Arc::new(ObjectRef {
        kind: obj.kind.clone(),
        namespace: obj.namespace.clone(),
        name: obj.name.clone(),
        span: at.map_or_else(|| obj.span(), Positions::span),
    });
    out.extend(raw.drain(..).map(|f| Finding {
        code: f.rule.code,
        name: f.rule.name,
        category: f.rule.category,
        severity: f.severity,
        help: f.help.map(Cow::Owned).or_else(|| Finding::rule_fix(f.rule)),
        message: f.message,
        span: span_of(&f.path),
        path: f.path.to_string().into_boxed_str(),
        object: Arc::clone(&object),
        place: None,
    }));
}

/// By file, position, code and message (stable: equal keys keep their order); double
/// reports go. The order is found over indices and then applied in place, so sorting
/// millions of findings borrows a few bytes per finding, not half of the findings again.
fn sort(out: &mut Vec<Finding>) {
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&out[a], &out[b]);
        (a.span.file, a.span.start, a.code, &a.message).cmp(&(
            b.span.file,
            b.span.start,
            b.code,
            &b.message,
        ))
    });
    permute(out, &mut order);
    out.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
}

/// Reorder `items` so that item `i` is the one that was at `order[i]`, cycle by cycle
/// (`order` is used up: each position is set to itself once filled).
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::permute;

    #[test]
    fn permute_places_each_item_where_the_order_says() {
        let orders: [&[usize]; 5] = [
            &[],
            &[0],
            &[2, 0, 1],
            &[1, 0, 3, 2, 4],
            &[4, 3, 0, 1, 2, 6, 5],
        ];
        for order in orders {
            let mut items: Vec<usize> = (0..order.len()).map(|i| i * 10).collect();
            permute(&mut items, &mut order.to_vec());
            let expected: Vec<usize> = order.iter().map(|&i| i * 10).collect();
            assert_eq!(items, expected, "{order:?}");
        }
    }
}
