//! The hand-written Kubernetes manifests of the shared corpus (sock shop, the voting app,
//! robot-shop, and the Helm charts of robot-shop and Nextcloud AIO rendered with
//! `helm template`), linted with the default rules. The snapshots are the summary per file
//! set: counts per rule, then every error and warning outside the Pod Security and
//! resource rules, which is where false positives would hide. Reviewed: see the README's
//! lint section. (Zulip's chart cannot be rendered from the corpus: its subcharts and
//! `_helpers.tpl` were not copied.)

use homeport_lint::{check, Category, Options, Report};
use homeport_manifest::{load_paths, Input, LoadOptions, Manifests};
use homeport_testkit::{corpus_dir, require_corpus, require_tool, Tool};
use std::collections::BTreeMap;
use std::fmt::Write;

fn lint(inputs: &[Input]) -> (Report, Manifests) {
    let manifests = load_paths(inputs, &LoadOptions::default());
    let report = check(&manifests.objects, &Options::default()).unwrap();
    (report, manifests)
}

fn summary(report: &Report, manifests: &Manifests) -> String {
    let root = corpus_dir().display().to_string() + "/";
    let mut out = String::new();
    let _ = writeln!(
        out,
        "objects: {}, errors: {}, warnings: {}, info: {}",
        report.objects,
        report.errors(),
        report.warnings(),
        report.infos()
    );
    for d in manifests.diagnostics.iter() {
        let _ = writeln!(
            out,
            "input {}[{}]: {}",
            d.severity.as_str(),
            d.code,
            d.message.replace(&root, "")
        );
    }
    let mut counts: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for f in &report.findings {
        *counts
            .entry((f.code, f.name, f.severity.as_str()))
            .or_default() += 1;
    }
    let _ = writeln!(out, "\nper rule:");
    for ((code, name, sev), n) in counts {
        let _ = writeln!(out, "  {code} {name} ({sev}): {n}");
    }
    let _ = writeln!(
        out,
        "\nerrors and warnings outside pod-security and REL001-REL005:"
    );
    for f in &report.findings {
        if f.category == Category::PodSecurity
            || matches!(f.code, "REL001" | "REL002" | "REL003" | "REL004" | "REL005")
            || f.severity == homeport_diag::Severity::Info
        {
            continue;
        }
        let (file, loc) = manifests.sources.describe(f.span).unwrap();
        let _ = writeln!(
            out,
            "  {}:{} {} {}",
            file.replace(&root, ""),
            loc.line,
            f.code,
            f.message
        );
    }
    out
}

fn corpus_path(rel: &str) -> Option<Input> {
    Some(Input::Path(require_corpus()?.join(rel)))
}

#[test]
fn sock_shop() {
    let Some(input) =
        corpus_path("microservices-demo/microservices-demo/deploy/kubernetes/complete-demo.yaml")
    else {
        return;
    };
    let (report, manifests) = lint(&[input]);
    assert!(manifests.diagnostics.is_empty());
    insta::assert_snapshot!(summary(&report, &manifests));
}

#[test]
fn voting_app() {
    let Some(input) = corpus_path("dockersamples/example-voting-app/k8s-specifications") else {
        return;
    };
    let (report, manifests) = lint(&[input]);
    assert!(manifests.diagnostics.is_empty());
    insta::assert_snapshot!(summary(&report, &manifests));
}

#[test]
fn robot_shop_plain_manifests() {
    // The directory also holds the Helm chart, which is skipped with a warning.
    let Some(input) = corpus_path("instana/robot-shop/K8s") else {
        return;
    };
    let (report, manifests) = lint(&[input]);
    assert!(!manifests.diagnostics.has_errors());
    insta::assert_snapshot!(summary(&report, &manifests));
}

fn rendered(chart: &str, name: &str) -> Option<(Report, Manifests)> {
    let corpus = require_corpus()?;
    require_tool(Tool::Helm)?;
    let text = homeport_testkit::helm_template(corpus.join(chart)).unwrap();
    Some(lint(&[Input::Text {
        name: name.to_string(),
        text,
    }]))
}

#[test]
fn robot_shop_helm_chart_rendered() {
    let Some((report, manifests)) = rendered("instana/robot-shop/K8s/helm", "robot-shop.yaml")
    else {
        return;
    };
    assert!(manifests.diagnostics.is_empty());
    insta::assert_snapshot!(summary(&report, &manifests));
}

#[test]
fn nextcloud_aio_helm_chart_rendered() {
    let Some((report, manifests)) = rendered(
        "nextcloud/all-in-one/nextcloud-aio-helm-chart",
        "nextcloud-aio.yaml",
    ) else {
        return;
    };
    assert!(manifests.diagnostics.is_empty());
    insta::assert_snapshot!(summary(&report, &manifests));
}
