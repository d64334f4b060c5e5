//! Every rule has a bad and a good fixture (`tests/fixtures/<CODE>/bad.yaml`, `good.yaml`,
//! and `cluster.yaml` for rules that need nodes): the bad one triggers the rule, the good one
//! does not, and the rendered findings of the bad one are a snapshot of exactly what users
//! see. A fixture's first line may hold options: `# lint: --level baseline
//! --kubernetes-version 1.34`.

use homeport_diag::{ColorChoice, SourceMap};
use homeport_lint::{all_rules, check_with, report, Cluster, Options, Report, Selection};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn options_from_header(text: &str) -> Options {
    let mut options = Options::default();
    let Some(header) = text.lines().next().and_then(|l| l.strip_prefix("# lint:")) else {
        return options;
    };
    let words: Vec<&str> = header.split_whitespace().collect();
    for pair in words.chunks(2) {
        match pair {
            ["--level", "baseline"] => options.level = Some(homeport_pss::Level::Baseline),
            ["--level", "restricted"] => options.level = Some(homeport_pss::Level::Restricted),
            ["--kubernetes-version", v] => options.kubernetes_version = Some((*v).to_string()),
            other => panic!("unknown fixture option {other:?}"),
        }
    }
    options
}

fn lint(code: &'static str, file: &str) -> (Report, SourceMap) {
    let dir = fixtures().join(code);
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let mut sources = SourceMap::new();
    let id = sources.add(format!("{code}/{file}"), text.clone());
    let loaded = homeport_manifest::load_text(id, &text);
    assert!(
        loaded.diagnostics.is_empty(),
        "{code}/{file}: {:?}",
        loaded.diagnostics
    );
    let mut options = options_from_header(&text);
    let cluster_path = dir.join("cluster.yaml");
    if cluster_path.is_file() {
        let ctext = std::fs::read_to_string(cluster_path).unwrap();
        let cid = sources.add(format!("{code}/cluster.yaml"), ctext.clone());
        options.cluster = Some(Cluster::parse(&ctext, cid).unwrap());
    }
    let report = check_with(&loaded.objects, &options, &Selection::only(&[code])).unwrap();
    (report, sources)
}

#[test]
fn every_rule_has_fixtures_that_trigger_it_and_fixtures_that_do_not() {
    let mut problems = Vec::new();
    for rule in all_rules() {
        let dir = fixtures().join(rule.code);
        if !dir.join("bad.yaml").is_file() || !dir.join("good.yaml").is_file() {
            problems.push(format!(
                "{}: missing tests/fixtures/{}/{{bad,good}}.yaml",
                rule.code, rule.code
            ));
            continue;
        }
        if rule.needs_cluster && !dir.join("cluster.yaml").is_file() {
            problems.push(format!("{}: needs a cluster.yaml fixture", rule.code));
        }
        let (bad, _) = lint(rule.code, "bad.yaml");
        if bad.findings.is_empty() {
            problems.push(format!("{}: bad.yaml has no finding", rule.code));
        }
        if let Some(other) = bad.findings.iter().find(|f| f.code != rule.code) {
            problems.push(format!("{}: bad.yaml reports {}", rule.code, other.code));
        }
        let (good, _) = lint(rule.code, "good.yaml");
        if !good.findings.is_empty() {
            problems.push(format!(
                "{}: good.yaml has findings: {:?}",
                rule.code,
                good.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rendered_findings_of_each_rule() {
    for rule in all_rules() {
        let (report, sources) = lint(rule.code, "bad.yaml");
        let text = report::render_text(&report, &sources, ColorChoice::Never);
        insta::assert_snapshot!(rule.code, text);
    }
}

#[test]
fn no_fixture_directory_without_a_rule() {
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            assert!(
                homeport_lint::rule_by_code(&name).is_some(),
                "fixtures/{name} belongs to no rule"
            );
        }
    }
}
