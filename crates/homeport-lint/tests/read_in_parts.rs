//! A file too large to hold is read in parts of whole documents in both passes (issue 16:
//! lint memory must not grow with a 200 MB input's text). Read in parts, the same input
//! gives byte for byte the report and the problems it gives when held: findings that need
//! other objects (Services selecting Deployments far away in the file), positions after
//! non-ASCII block scalars, documents that are not objects, every output format.

use homeport_diag::{render_human, ColorChoice, Diagnostic, SourceMap};
use homeport_lint::report::{Format, ReportWriter};
use homeport_lint::{stream, Checker, Options};
use homeport_manifest::parts::PART_BYTES;
use homeport_manifest::Streamed;
use std::io::Write;
use std::sync::Arc;

/// About three parts of Deployments, each with a non-ASCII block scalar, and near the end
/// Services and a NetworkPolicy that select Deployments from the first part; a few
/// documents that are not objects.
fn large_input() -> String {
    let mut text = String::from("# a large stream\n");
    let mut i = 0;
    while text.len() < 3 * PART_BYTES {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: ns{ns}\n  annotations:\n    note: |\n      déjà vu — {i}, a line longer than the scanner's lookahead\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n      labels: {{app: app{i}}}\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n          ports: [{{containerPort: 8080, name: http}}]\n",
            ns = i % 3
        ));
        if i % 997 == 5 {
            text.push_str("---\njust a string\n");
        }
        i += 1;
    }
    for (n, port) in [(0, "http"), (1, "metrics"), (2, "9090")] {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc{n}\n  namespace: ns{n}\nspec:\n  selector: {{app: app{n}}}\n  ports: [{{port: 80, targetPort: {port}}}]\n"
        ));
    }
    text.push_str("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: none\n  namespace: ns1\nspec:\n  podSelector: {matchLabels: {app: nothing}}\n");
    text
}

/// Everything lint writes for `text`, held or read in parts: each format's report, and the
/// input problems as rendered.
fn lint(text: &str, in_parts: bool) -> Vec<String> {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    let mut outputs = Vec::new();
    for format in [
        Format::Json,
        Format::Sarif,
        Format::Text(ColorChoice::Never),
    ] {
        let mut sources = SourceMap::new();
        let mut streamed = Vec::new();
        if in_parts {
            let id = sources.add("big.yaml", String::new());
            streamed.push(Streamed {
                file: id,
                handle: Arc::new(file.try_clone().unwrap()),
            });
        } else {
            sources.add("big.yaml", text.to_string());
        }
        let options = Options::default();
        let mut checker = Checker::new(&options).unwrap();
        let ids: Vec<_> = sources.files().map(|(id, _)| id).collect();
        let indexed = stream::index_files(&mut checker, &mut sources, &streamed, ids, &|_| false);
        let report = checker.report();
        let pass = checker.pass();
        let diagnostics: Vec<Diagnostic> = indexed.diagnostics;
        assert!(!diagnostics.is_empty());
        let mut out = Vec::new();
        let mut writer = ReportWriter::begin(&mut out, format, &sources, &diagnostics).unwrap();
        let mut findings = 0;
        let lost =
            stream::check_files(&pass, &sources, &streamed, &indexed.files, &mut |checked| {
                findings += checked.findings.len();
                writer.write(&mut out, checked.findings).unwrap();
            });
        assert!(lost.is_empty(), "{lost:?}");
        assert!(findings > 1000, "{findings} findings");
        writer.finish(&mut out, &report).unwrap();
        outputs.push(String::from_utf8(out).unwrap());
        for d in &diagnostics {
            outputs.push(render_human(d, &sources, ColorChoice::Never));
        }
    }
    outputs
}

#[test]
fn a_file_read_in_parts_gives_the_report_of_the_file_held() {
    let text = large_input();
    let held = lint(&text, false);
    let parts = lint(&text, true);
    assert_eq!(held.len(), parts.len());
    for (h, p) in held.iter().zip(&parts) {
        assert!(h == p, "differs:\n{}", first_difference(h, p));
    }
    // The text report is larger than what the text writer holds in memory (4 MiB): its
    // spill to a temporary file is what wrote it.
    let text = parts.iter().find(|o| o.starts_with("big.yaml (")).unwrap();
    assert!(text.len() > 4 * 1024 * 1024, "{} bytes", text.len());
    // The cross-object findings far from their objects are there.
    let json = &parts[0];
    assert!(
        json.contains("svc1"),
        "the Service naming an undeclared port"
    );
    assert!(
        json.contains("\"name\": \"none\""),
        "the NetworkPolicy selecting nothing"
    );
}

#[test]
fn a_file_that_changes_between_the_passes_is_reported_not_misread() {
    let text = large_input();
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    let mut sources = SourceMap::new();
    let id = sources.add("big.yaml", String::new());
    let streamed = vec![Streamed {
        file: id,
        handle: Arc::new(file.try_clone().unwrap()),
    }];
    let options = Options::default();
    let mut checker = Checker::new(&options).unwrap();
    let indexed = stream::index_files(&mut checker, &mut sources, &streamed, [id], &|_| false);
    // More objects appear before the check pass.
    file.write_all(b"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: late}\n")
        .unwrap();
    let pass = checker.pass();
    let lost = stream::check_files(&pass, &sources, &streamed, &indexed.files, &mut |_| {});
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0]
        .message
        .contains("changed while it was being linted"));
}

fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(300);
    format!(
        "held:  {:?}\nparts: {:?}",
        a.get(from..(at + 300).min(a.len())).unwrap_or(""),
        b.get(from..(at + 300).min(b.len())).unwrap_or("")
    )
}
