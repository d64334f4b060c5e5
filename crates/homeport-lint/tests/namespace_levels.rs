//! The `warn` and `audit` labels of a Namespace: what they find beyond the enforce level is
//! a warning (admitted, printed by `kubectl apply`), as the API server reports it.

use homeport_diag::{ColorChoice, Severity, SourceMap};
use homeport_lint::{check, report, Options};

const INPUT: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: media
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: jobs
  labels:
    pod-security.kubernetes.io/warn: baseline
    pod-security.kubernetes.io/warn-version: v1.30
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: media
spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27.3
---
apiVersion: v1
kind: Pod
metadata:
  name: backup
  namespace: jobs
spec:
  hostPID: true
  containers:
    - name: backup
      image: restic/restic:0.17.3
"#;

fn lint(options: &Options) -> (homeport_lint::Report, SourceMap) {
    let mut sources = SourceMap::new();
    let id = sources.add("namespaces.yaml".to_string(), INPUT.to_string());
    let loaded = homeport_manifest::load_text(id, INPUT);
    let options = Options {
        select: vec!["pod-security".to_string()],
        ..options.clone()
    };
    (check(&loaded.objects, &options).unwrap(), sources)
}

#[test]
fn warn_and_audit_levels_report_warnings_beyond_the_enforce_level() {
    let (report, sources) = lint(&Options::default());
    // media enforces baseline: hostNetwork is an error; the restricted controls are
    // warnings naming both labels.
    let media: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.object.name == "web")
        .collect();
    assert!(media
        .iter()
        .any(|f| f.code == "PSS002" && f.severity == Severity::Error));
    let warnings: Vec<_> = media
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert!(!warnings.is_empty());
    assert!(warnings.iter().all(|f| f
        .message
        .contains("Pod Security `warn` and `audit` level `restricted`")));
    assert!(!warnings.iter().any(|f| f.code == "PSS002"));
    // jobs sets only `warn`: nothing is enforced (the cluster default, privileged), the
    // baseline violation is a warning.
    let jobs: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.object.name == "backup")
        .collect();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].code, "PSS002");
    assert_eq!(jobs[0].severity, Severity::Warning);
    insta::assert_snapshot!(report::render_text(&report, &sources, ColorChoice::Never));
}

#[test]
fn an_explicit_level_replaces_the_namespace_labels() {
    let (report, _) = lint(&Options {
        level: Some(homeport_pss::Level::Baseline),
        ..Options::default()
    });
    assert!(report
        .findings
        .iter()
        .all(|f| f.severity == Severity::Error));
    assert_eq!(report.findings.len(), 2);
}
