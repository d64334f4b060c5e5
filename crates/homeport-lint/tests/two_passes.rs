//! Linting in two passes over the text (issue 16): the index pass keeps only what the
//! cross-object rules read of each object, the check pass parses the documents again and
//! checks a batch at a time. Its report is the one [`check`] gives with every object held,
//! across batch boundaries, files, `kind: List` documents, an invalid file and references to
//! objects defined later.

use homeport_diag::{ColorChoice, FileId, SourceMap};
use homeport_lint::report::{self, Format, ReportWriter};
use homeport_lint::stream::{self, BATCH_OBJECTS};
use homeport_lint::{check, Checker, Options};
use homeport_manifest::load_text;

/// A Service, a NetworkPolicy, a PodDisruptionBudget, an HPA and a RoleBinding that name
/// the workload `app{i}` of namespace `ns{i % 5}`, defined after them; every tenth
/// workload comes in a `kind: List`.
fn file(from: usize, to: usize) -> String {
    let mut text = String::new();
    for i in from..to {
        let ns = format!("ns{}", i % 5);
        text.push_str(&format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: app{i}, namespace: {ns}}}\nspec:\n  selector: {{app: app{i}}}\n  ports: [{{port: 80, targetPort: http}}, {{port: 81, targetPort: 9000}}]\n---\n\
             apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: app{i}, namespace: {ns}}}\nspec:\n  podSelector: {{matchLabels: {{app: app{}}}}}\n---\n\
             apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: app{i}, namespace: {ns}}}\nspec:\n  minAvailable: 2\n  selector: {{matchLabels: {{app: app{i}}}}}\n---\n\
             apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: app{i}, namespace: {ns}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app{i}}}\n  minReplicas: 3\n  maxReplicas: 4\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: app{i}, namespace: {ns}}}\nsubjects: [{{kind: ServiceAccount, name: sa{i}, namespace: {ns}}}]\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: missing}}\n---\n",
            i + i % 2
        ));
        let deployment = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app{i}, namespace: {ns}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: app{i}}}}}\n  template:\n    metadata: {{labels: {{app: app{i}}}}}\n    spec:\n      serviceAccountName: sa{i}\n      containers:\n        - name: app\n          image: \"nginx:1.27\"\n          ports: [{{name: web, containerPort: 9000}}]\n          securityContext: {{privileged: true}}\n"
        );
        if i % 10 == 0 {
            text.push_str("apiVersion: v1\nkind: List\nitems:\n");
            for line in deployment.lines() {
                let first = line.starts_with("apiVersion");
                text.push_str(if first { "- " } else { "  " });
                text.push_str(line);
                text.push('\n');
            }
            text.push_str("---\n");
        } else {
            text.push_str(&deployment);
            text.push_str("---\n");
        }
        if i % 3 == 0 {
            text.push_str(&format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa{i}, namespace: {ns}}}\nautomountServiceAccountToken: false\n---\n"
            ));
        }
    }
    text
}

fn input() -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add("one.yaml", file(0, 300));
    sources.add("broken.yaml", "kind: ConfigMap\nmetadata: [unclosed\n");
    sources.add("two.yaml", file(300, 480));
    sources.add(
        "three.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n  labels: {pod-security.kubernetes.io/enforce: restricted}\n",
    );
    sources
}

fn options() -> Options {
    Options {
        select: vec!["all".to_string()],
        ignore: vec!["schema".to_string()],
        threads: 2,
        ..Options::default()
    }
}

/// The whole report: every object loaded and held, then checked at once.
fn whole(sources: &SourceMap, format: Format) -> String {
    let mut objects = Vec::new();
    for (id, f) in sources.files() {
        objects.extend(load_text(id, &f.text).objects);
    }
    let report = check(&objects, &options()).unwrap();
    let mut out = Vec::new();
    match format {
        Format::Json => report::write_json(&mut out, &report, sources, &[]).unwrap(),
        Format::Sarif => report::write_sarif(&mut out, &report, sources, &[]).unwrap(),
        Format::Text(color) => report::write_text(&mut out, &report, sources, color).unwrap(),
    }
    String::from_utf8(out).unwrap()
}

/// The streamed report: two passes over the text, batch by batch.
fn streamed(sources: &SourceMap, format: Format) -> (String, usize) {
    let options = options();
    let mut checker = Checker::new(&options).unwrap();
    let ids: Vec<FileId> = sources.files().map(|(id, _)| id).collect();
    let mut sources = sources.clone();
    let indexed = stream::index_files(&mut checker, &mut sources, &[], ids, &|_| false);
    let sources = &sources;
    let mut report = checker.report();
    let pass = checker.pass();
    let mut out = Vec::new();
    let mut writer = ReportWriter::begin(&mut out, format, sources, &[]).unwrap();
    let mut batches = 0;
    let lost = stream::check_files(&pass, sources, &[], &indexed.files, &mut |checked| {
        batches += 1;
        report.suppressed += checked.suppressed;
        report.unchecked_custom_resources += checked.unchecked_custom_resources;
        writer.write(&mut out, checked.findings).unwrap();
    });
    assert!(lost.is_empty());
    writer.finish(&mut out, &report).unwrap();
    (String::from_utf8(out).unwrap(), batches)
}

#[test]
fn the_streamed_report_is_the_whole_report_in_every_format() {
    let sources = input();
    for format in [
        Format::Json,
        Format::Sarif,
        Format::Text(ColorChoice::Never),
    ] {
        let (out, batches) = streamed(&sources, format);
        assert!(batches >= 2, "only {batches} batch(es) of {BATCH_OBJECTS}");
        let want = whole(&sources, format);
        assert_eq!(out, want, "{format:?}");
    }
    // The cross-object rules did find something across documents and files.
    let json = whole(&sources, Format::Json);
    for code in ["NET002", "NET005", "REL016", "REL020", "RBC008", "PSS"] {
        assert!(json.contains(&format!("\"code\": \"{code}")), "{code}");
    }
}

#[test]
fn the_check_pass_needs_only_the_index_and_the_object_being_checked() {
    let sources = input();
    let options = options();
    let mut checker = Checker::new(&options).unwrap();
    // Each object is dropped as soon as it is indexed: the index owns what it keeps.
    for (id, f) in sources.files() {
        for obj in load_text(id, &f.text).objects {
            checker.index(&obj);
        }
    }
    let indexed = checker.indexed();
    let pass = checker.pass();
    // Each document parsed again on its own, checked, and dropped before the next.
    let mut findings = Vec::new();
    let mut n = 0;
    for (id, f) in sources.files() {
        for doc in f.text.split("\n---\n") {
            let objects = load_text(id, doc).objects;
            if objects.is_empty() {
                continue;
            }
            let checked = pass.check_batch(n, &objects);
            n += objects.len();
            findings.extend(checked.findings.into_iter().map(|f| {
                (
                    f.code,
                    f.message,
                    f.object.kind.clone(),
                    f.object.name.clone(),
                )
            }));
        }
    }
    assert_eq!(n, indexed);
    let mut objects = Vec::new();
    for (id, f) in sources.files() {
        objects.extend(load_text(id, &f.text).objects);
    }
    let report = check(&objects, &options).unwrap();
    let mut want: Vec<_> = report
        .findings
        .into_iter()
        .map(|f| {
            (
                f.code,
                f.message,
                f.object.kind.clone(),
                f.object.name.clone(),
            )
        })
        .collect();
    // Spans differ (each document was parsed alone); what was found must not.
    findings.sort();
    want.sort();
    assert_eq!(findings, want);
}
