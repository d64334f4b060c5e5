//! Freeing each object's field positions once its findings are resolved (issue 16: a
//! 200 MB input must not hold every object's positions and every finding at once) reports
//! exactly what checking with the positions in place does, on one thread or several.

use homeport_diag::SourceMap;
use homeport_lint::{check, check_releasing_positions, report, Options};
use std::path::Path;

/// The JSON report of `text` by [`check`] and by [`check_releasing_positions`].
fn both(text: &str, options: &Options) -> (String, String) {
    let mut sources = SourceMap::new();
    let id = sources.add("input.yaml".to_string(), text.to_string());
    let mut objects = homeport_manifest::load_text(id, text).objects;
    let json = |r: &homeport_lint::Report| {
        let mut out = Vec::new();
        report::write_json(&mut out, r, &sources, &[]).unwrap();
        String::from_utf8(out).unwrap()
    };
    let kept = json(&check(&objects, options).unwrap());
    let released = json(&check_releasing_positions(&mut objects, options).unwrap());
    (kept, released)
}

#[test]
fn every_rule_fixture_reports_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let code = entry.unwrap().path();
        for name in ["bad.yaml", "good.yaml"] {
            let Ok(text) = std::fs::read_to_string(code.join(name)) else {
                continue;
            };
            let options = Options {
                select: vec!["all".to_string()],
                ..Options::default()
            };
            let (kept, released) = both(&text, &options);
            assert_eq!(kept, released, "{}", code.join(name).display());
            files += 1;
        }
    }
    assert!(files > 100, "only {files} fixtures read");
}

#[test]
fn many_objects_on_several_threads_report_the_same() {
    let mut text = String::new();
    for i in 0..700 {
        text.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: ns{}\nspec:\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n      labels: {{app: app{i}}}\n    spec:\n      containers:\n        - name: app\n          image: \"nginx:1.27\"\n          securityContext: {{privileged: true}}\n---\n",
            i % 7
        ));
        if i % 50 == 0 {
            text.push_str(&format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web{i}\n  namespace: ns{}\nspec:\n  selector: {{app: app{i}}}\n  ports: [{{port: 80, targetPort: http}}]\n---\n",
                i % 7
            ));
        }
    }
    for threads in [1, 3, 8] {
        let options = Options {
            threads,
            ..Options::default()
        };
        let (kept, released) = both(&text, &options);
        assert!(kept.contains("\"line\": 1"), "no finding positions");
        assert_eq!(kept, released, "{threads} threads");
    }
}
