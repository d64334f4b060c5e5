//! The report writers write as they go (issue 16: a 200 MB input must not be one string);
//! their bytes are exactly those of the whole report pretty-printed at once.

use homeport_diag::{ColorChoice, Diagnostic, SourceMap};
use homeport_lint::{check, report, Options};

fn lint(text: &str) -> (homeport_lint::Report, SourceMap) {
    let mut sources = SourceMap::new();
    let id = sources.add("many.yaml".to_string(), text.to_string());
    let loaded = homeport_manifest::load_text(id, text);
    let report = check(&loaded.objects, &Options::default()).unwrap();
    (report, sources)
}

fn many_objects() -> String {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: ns{}\nspec:\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n      labels: {{app: app{i}}}\n    spec:\n      containers:\n        - name: app\n          image: \"nginx:1.27\"\n---\n",
            i % 3
        ));
    }
    text.push_str("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ns0\nspec:\n  selector: {app: app0}\n  ports: [{port: 80}]\n");
    text
}

fn diagnostics() -> Vec<Diagnostic> {
    vec![Diagnostic::error("HP0001", "a \"quoted\"\nmessage").with_help("help")]
}

#[test]
fn streamed_json_is_the_pretty_printed_report() {
    for text in [
        many_objects(),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n".into(),
    ] {
        let (report, sources) = lint(&text);
        for diags in [Vec::new(), diagnostics()] {
            let mut out = Vec::new();
            report::write_json(&mut out, &report, &sources, &diags).unwrap();
            let streamed = String::from_utf8(out).unwrap();
            let value: serde_json::Value = serde_json::from_str(&streamed).unwrap();
            let whole = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert_eq!(streamed, whole);
            assert_eq!(
                value["findings"].as_array().unwrap().len(),
                report.findings.len()
            );
        }
    }
}

#[test]
fn streamed_sarif_is_the_pretty_printed_log() {
    for text in [
        many_objects(),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n".into(),
    ] {
        let (report, sources) = lint(&text);
        for diags in [Vec::new(), diagnostics()] {
            let mut out = Vec::new();
            report::write_sarif(&mut out, &report, &sources, &diags).unwrap();
            let whole =
                serde_json::to_string_pretty(&report::render_sarif(&report, &sources, &diags))
                    .unwrap()
                    + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), whole);
        }
    }
}

#[test]
fn streamed_text_is_the_rendered_text() {
    let (report, sources) = lint(&many_objects());
    assert!(report.findings.len() > 100, "{}", report.findings.len());
    let mut out = Vec::new();
    report::write_text(&mut out, &report, &sources, ColorChoice::Never).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        report::render_text(&report, &sources, ColorChoice::Never)
    );
    assert!(text.starts_with("many.yaml ("), "{text}");
    let summary = format!(
        "41 objects checked against Kubernetes {}: ",
        report.kubernetes_version
    );
    assert!(text.lines().last().unwrap().starts_with(&summary), "{text}");
}
