//! `homeport lint` with a configuration file, a baseline, Kustomize patches, and the SARIF
//! `helpUri`s, through the real binary.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn homeport(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A git repository (so configuration discovery stops there) holding `files`.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn codes(o: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)));
    let mut c: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c.dedup();
    c
}

const WEB: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: media
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.3
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
"#;

#[test]
fn configuration_is_found_upward_and_flags_win() {
    let dir = repo(&[
        ("k8s/apps/web.yaml", WEB),
        ("k8s/charts/web.yaml", WEB),
        (
            ".homeport.toml",
            "[lint]\nextend-select = [\"SEC022\"]\nignore = [\"REL\"]\nlevel = \"baseline\"\nkubernetes-version = \"1.31\"\n[lint.per-path-ignores]\n\"k8s/charts/**\" = [\"SEC022\"]\n",
        ),
    ]);
    let cwd = dir.path().join("k8s/apps");
    let o = homeport(&cwd, &["lint", "..", "--format", "json"]);
    let c = codes(&o);
    // Opt-in SEC022 added, reliability ignored, baseline level (no restricted controls).
    assert!(c.contains(&"SEC022".to_string()), "{c:?}");
    assert!(!c.iter().any(|c| c.starts_with("REL")), "{c:?}");
    assert!(!c.contains(&"PSS014".to_string()), "{c:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["kubernetes_version"], "1.31");
    // SEC022 only in k8s/apps: the charts path is ignored.
    let sec022: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "SEC022")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(sec022.len(), 1, "{sec022:?}");
    assert!(sec022[0].contains("apps"), "{sec022:?}");

    // Flags win: --select replaces the configured selection, --level the level.
    let o = homeport(
        &cwd,
        &[
            "lint",
            ".",
            "--format",
            "json",
            "--select",
            "PSS",
            "--level",
            "restricted",
        ],
    );
    let c = codes(&o);
    assert!(
        c.iter().all(|c| c.starts_with("PSS")) && c.contains(&"PSS014".to_string()),
        "{c:?}"
    );
    // --no-config ignores the file.
    let o = homeport(&cwd, &["lint", ".", "--format", "json", "--no-config"]);
    let c = codes(&o);
    assert!(
        c.iter().any(|c| c.starts_with("REL")) && !c.contains(&"SEC022".to_string()),
        "{c:?}"
    );
}

#[test]
fn a_bad_configuration_is_a_usage_error_with_its_position() {
    let dir = repo(&[
        ("web.yaml", WEB),
        ("homeport.yaml", "lint:\n  selct: [SEC]\n"),
    ]);
    let o = homeport(dir.path(), &["lint", "web.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("error[HP0060]: unknown lint setting `selct`"),
        "{err}"
    );
    assert!(err.contains("homeport.yaml:2:3"), "{err}");
    assert_eq!(stdout(&o), "");
    let o = homeport(
        dir.path(),
        &["lint", "web.yaml", "--config", "missing.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read configuration"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_baseline_records_today_and_reports_only_new_findings() {
    let dir = repo(&[("k8s/web.yaml", WEB)]);
    let d = dir.path();
    // First run: the file is absent, today's findings are recorded, none reported.
    let o = homeport(d, &["lint", "k8s", "--baseline", "lint-baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("recorded"), "{}", stderr(&o));
    assert!(stdout(&o).contains("in the baseline"), "{}", stdout(&o));
    let recorded = std::fs::read_to_string(d.join("lint-baseline.json")).unwrap();
    assert!(
        recorded.contains("\"file\": \"k8s/web.yaml\""),
        "{recorded}"
    );
    assert!(
        recorded.contains("\"object\": \"Deployment/media/web\""),
        "{recorded}"
    );

    // Lines shift (a comment on top, a field moved): still nothing new.
    let shifted = format!("# the web front end\n# owned by the media team\n{WEB}");
    std::fs::write(d.join("k8s/web.yaml"), shifted).unwrap();
    let o = homeport(
        d,
        &[
            "lint",
            "k8s",
            "--baseline",
            "lint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(codes(&o), Vec::<String>::new());

    // A new problem is reported, and only it.
    let privileged = format!("{WEB}          securityContext:\n            privileged: true\n");
    std::fs::write(d.join("k8s/web.yaml"), privileged).unwrap();
    let o = homeport(
        d,
        &[
            "lint",
            "k8s",
            "--baseline",
            "lint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(codes(&o).contains(&"PSS003".to_string()), "{:?}", codes(&o));
    assert!(
        !codes(&o).contains(&"PSS014".to_string()),
        "{:?}",
        codes(&o)
    );

    // --update-baseline accepts it.
    let o = homeport(
        d,
        &[
            "lint",
            "k8s",
            "--baseline",
            "lint-baseline.json",
            "--update-baseline",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let o = homeport(d, &["lint", "k8s", "--baseline", "lint-baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // A file that is not a baseline is a usage error.
    std::fs::write(d.join("bad.json"), "[1, 2]").unwrap();
    let o = homeport(d, &["lint", "k8s", "--baseline", "bad.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[HP0061]"), "{}", stderr(&o));
    let o = homeport(d, &["lint", "k8s", "--update-baseline"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn kustomize_patches_are_not_linted_as_objects() {
    let dir = repo(&[
        ("base/web.yaml", WEB),
        ("base/kustomization.yaml", "resources: [web.yaml]\n"),
        (
            "overlays/prod/kustomization.yaml",
            "resources: [../../base]\npatches:\n  - path: replicas.yaml\n  - path: image.yaml\n    target: {kind: Deployment, name: web}\n",
        ),
        (
            "overlays/prod/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: media\nspec:\n  replicas: 3\n",
        ),
        (
            "overlays/prod/image.yaml",
            "- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: nginx:1.27.4\n",
        ),
    ]);
    let o = homeport(dir.path(), &["lint", ".", "--format", "json"]);
    let err = stderr(&o);
    assert!(err.contains("warning[HP0059]"), "{err}");
    assert!(err.contains("kubectl kustomize"), "{err}");
    // The JSON patch (a list) is not an input error; the strategic-merge patch has no
    // findings (no missing selector, no Pod Security errors on a fragment).
    assert!(!err.contains("HP0050"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["file"].as_str().unwrap().contains("base")));
    assert_eq!(o.status.code(), Some(1), "the base still has errors");
}

#[test]
fn sarif_rules_link_to_their_documentation() {
    let dir = repo(&[("web.yaml", WEB)]);
    let o = homeport(dir.path(), &["lint", "web.yaml", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rbc = rules.iter().find(|r| r["id"] == "RBC002").unwrap();
    assert_eq!(
        rbc["helpUri"],
        "https://homeport.dev/docs/lint-rules#rbc002"
    );
}

#[test]
fn rule_list_shows_the_severities_a_rule_reports() {
    let dir = repo(&[]);
    let o = homeport(dir.path(), &["rule", "--list"]);
    let text = stdout(&o);
    let line = |code: &str| {
        text.lines()
            .find(|l| l.starts_with(code))
            .unwrap_or_else(|| panic!("{code} missing"))
            .to_string()
    };
    assert!(line("NET002").contains("error/info"), "{}", line("NET002"));
    assert!(
        line("RBC002").contains("warning/error"),
        "{}",
        line("RBC002")
    );
    assert!(
        line("PSS012").contains("error/warning"),
        "{}",
        line("PSS012")
    );
    assert!(line("SEC021").contains("opt-in"), "{}", line("SEC021"));
}
