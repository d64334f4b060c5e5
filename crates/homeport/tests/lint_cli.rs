//! `homeport lint` and `homeport rule` through the real binary: exit codes, output formats,
//! stdin, suppression, the cluster inventory, and the rule documentation.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn homeport(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeport"));
    cmd.current_dir(dir)
        .env("HOMEPORT_OFFLINE", "1")
        // No homeport.lock beside the repository stacks this test renders.
        .env("HOMEPORT_LOCK_HOST", "0")
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

const CLEAN: &str = r#"apiVersion: apps/v1
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
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: web
          image: nginx:1.27.3@sha256:5e0f6b1e9d8c7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b
          livenessProbe:
            httpGet: {path: /livez, port: 8080}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 100Mi}
            limits: {cpu: "1", memory: 256Mi, ephemeral-storage: 1Gi}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: media
spec:
  podSelector: {}
  policyTypes: [Ingress]
"#;

const PRIVILEGED: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: vpn
  namespace: media
spec:
  containers:
    - name: vpn
      image: qmcgaw/gluetun:v3.39.1
      securityContext:
        privileged: true
"#;

fn workdir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn clean_manifests_exit_zero() {
    let dir = workdir(&[("k8s/web.yaml", CLEAN)]);
    let o = homeport(dir.path(), &["lint", "k8s", "--color", "never"], None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        "2 objects checked against Kubernetes 1.33: no findings\n"
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn error_findings_exit_one_with_excerpts_grouped_by_file() {
    let dir = workdir(&[("pod.yaml", PRIVILEGED)]);
    let o = homeport(
        dir.path(),
        &["lint", "pod.yaml", "--select", "PSS003", "--color", "never"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&o), @r#"
    pod.yaml (1 error)

    error[PSS003]: privileged (container "vpn" must not set securityContext.privileged=true) (Pod Security level `restricted`)
      --> pod.yaml:11:9
       |
    11 |         privileged: true
       |         ^^^^^^^^^^^^^^^^ privileged-container
       |
       = note: in Pod media/vpn (pod-security)
       = help: change the pod to meet the baseline level, or label its namespace with a level that allows it (`pod-security.kubernetes.io/enforce: privileged`) and say why

    1 object checked against Kubernetes 1.33: 1 error
    "#);
}

#[test]
fn colour_is_used_when_asked() {
    let dir = workdir(&[("pod.yaml", PRIVILEGED)]);
    let o = homeport(
        dir.path(),
        &[
            "lint", "pod.yaml", "--select", "PSS003", "--color", "always",
        ],
        None,
    );
    assert!(
        stdout(&o).contains("\x1b[1;31merror[PSS003]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn unparseable_yaml_exits_two_but_other_files_are_checked() {
    let dir = workdir(&[
        ("a-broken.yaml", "kind: [Pod\n"),
        ("b-pod.yaml", PRIVILEGED),
    ]);
    let o = homeport(
        dir.path(),
        &["lint", ".", "--select", "PSS003", "--color", "never"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("error[HP0001]"), "{err}");
    assert!(err.contains("a-broken.yaml:"), "{err}");
    assert!(stdout(&o).contains("error[PSS003]"), "{}", stdout(&o));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let dir = workdir(&[]);
    let o = homeport(
        dir.path(),
        &["lint", "-", "--select", "PSS003", "--format", "json"],
        Some(PRIVILEGED),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["findings"][0]["file"], "<stdin>");
    assert_eq!(v["findings"][0]["line"], 11);
}

#[test]
fn json_has_the_contract_shape() {
    let dir = workdir(&[("pod.yaml", PRIVILEGED)]);
    let o = homeport(dir.path(), &["lint", "pod.yaml", "--format", "json"], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PSS003")
        .unwrap();
    for key in [
        "code", "name", "category", "severity", "message", "file", "line", "column",
    ] {
        assert!(!f[key].is_null(), "missing {key}");
    }
    assert_eq!(f["name"], "privileged-container");
    assert_eq!(f["category"], "pod-security");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "pod.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(11), Some(9))
    );
    assert_eq!(
        f["object"],
        serde_json::json!({"kind": "Pod", "namespace": "media", "name": "vpn", "line": 1, "column": 1})
    );
    let s = &v["summary"];
    assert_eq!(s["objects"], 1);
    assert!(s["errors"].as_u64().unwrap() >= 1);
    assert!(s["warnings"].is_u64());
}

#[test]
fn select_ignore_and_level() {
    let dir = workdir(&[("pod.yaml", PRIVILEGED)]);
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["lint", "pod.yaml", "--format", "json"];
        all.extend_from_slice(args);
        let o = homeport(dir.path(), &all, None);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mut c: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        c.dedup();
        c
    };
    let pss = codes(&["--select", "pod-security"]);
    assert!(pss.iter().all(|c| c.starts_with("PSS")) && pss.contains(&"PSS003".to_string()));
    assert!(
        pss.contains(&"PSS014".to_string()),
        "restricted by default: {pss:?}"
    );
    let baseline = codes(&["--select", "pod-security", "--level", "baseline"]);
    assert_eq!(baseline, vec!["PSS003"]);
    let ignored = codes(&["--select", "pod-security", "--ignore", "PSS003,PSS01"]);
    assert!(
        !ignored
            .iter()
            .any(|c| c == "PSS003" || c.starts_with("PSS01")),
        "{ignored:?}"
    );
    // With pod-security off, the best-practice twin of PSS003 speaks up.
    let bp = codes(&["--ignore", "pod-security"]);
    assert!(bp.contains(&"SEC011".to_string()), "{bp:?}");
    let both = codes(&[]);
    assert!(both.contains(&"PSS003".to_string()) && !both.contains(&"SEC011".to_string()));
}

#[test]
fn namespace_label_sets_the_level_unless_level_is_given() {
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: media\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n---\n";
    let dir = workdir(&[("all.yaml", &format!("{ns}{PRIVILEGED}"))]);
    let o = homeport(
        dir.path(),
        &["lint", "all.yaml", "--select", "pod-security"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = homeport(
        dir.path(),
        &[
            "lint",
            "all.yaml",
            "--select",
            "pod-security",
            "--level",
            "baseline",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn suppression_with_and_without_reason() {
    let with_reason = PRIVILEGED.replace(
        "  namespace: media\n",
        "  namespace: media\n  annotations:\n    homeport.dev/ignore: pod-security,SEC\n    homeport.dev/ignore-reason: \"gluetun needs NET_ADMIN; tracked in #12\"\n",
    );
    let dir = workdir(&[("pod.yaml", &with_reason)]);
    let o = homeport(
        dir.path(),
        &[
            "lint",
            "pod.yaml",
            "--select",
            "pod-security,SEC,LNT",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert!(v["summary"]["suppressed"].as_u64().unwrap() > 0);

    let without = with_reason.replace(
        "    homeport.dev/ignore-reason: \"gluetun needs NET_ADMIN; tracked in #12\"\n",
        "",
    );
    let dir = workdir(&[("pod.yaml", &without)]);
    let o = homeport(
        dir.path(),
        &[
            "lint",
            "pod.yaml",
            "--select",
            "pod-security,SEC,LNT",
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["LNT001"]);
    assert_eq!(o.status.code(), Some(0), "a missing reason is a warning");
}

#[test]
fn cluster_inventory_enables_placement_rules() {
    let cluster = "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  kubernetesVersion: \"1.32\"\n  nodes:\n    - name: pc\n      arch: amd64\n    - name: pi\n      arch: arm64\n";
    let pod = PRIVILEGED.replace(
        "spec:\n",
        "spec:\n  nodeSelector: {kubernetes.io/hostname: pi5}\n",
    );
    let dir = workdir(&[("cluster.yaml", cluster), ("pod.yaml", &pod)]);
    let o = homeport(
        dir.path(),
        &[
            "--cluster",
            "cluster.yaml",
            "lint",
            "pod.yaml",
            "--select",
            "placement",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["findings"][0]["code"], "PLC002");
    assert_eq!(v["summary"]["kubernetes_version"], "1.32");
    // Without --cluster the rule has nothing to check against.
    let o = homeport(
        dir.path(),
        &["lint", "pod.yaml", "--select", "placement"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    // A broken inventory is unusable input.
    let dir = workdir(&[("cluster.yaml", "spec:\n  nodes: 3\n"), ("pod.yaml", &pod)]);
    let o = homeport(
        dir.path(),
        &["--cluster", "cluster.yaml", "lint", "pod.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HP0055"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_two() {
    let dir = workdir(&[("pod.yaml", PRIVILEGED)]);
    let o = homeport(dir.path(), &["lint", "pod.yaml", "--select", "NOPE"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`NOPE` is not a rule code"),
        "{}",
        stderr(&o)
    );
    let o = homeport(
        dir.path(),
        &["lint", "pod.yaml", "--kubernetes-version", "one"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = homeport(dir.path(), &["lint", "missing.yaml"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("HP0051"));
}

fn sarif_schema() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let schema = root.join(".cache/tools/share/sarif-2.1.0.json");
    let python = root.join(".cache/tools/venv/bin/python");
    (schema.is_file() && python.is_file()).then_some(schema)
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let dir = workdir(&[("k8s/pod.yaml", PRIVILEGED), ("k8s/broken.yaml", "a: [\n")]);
    let o = homeport(dir.path(), &["lint", "k8s", "--format", "sarif"], None);
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Structural checks, always.
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .any(|r| r["id"] == "PSS003" && r["name"] == "privileged-container"));
    assert!(rules.iter().all(|r| r["help"]["text"].is_string()));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "PSS003")
        .unwrap();
    assert_eq!(result["level"], "error");
    let idx = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "PSS003");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "k8s/pod.yaml");
    assert_eq!(loc["region"]["startLine"], 11);
    assert_eq!(loc["region"]["startColumn"], 9);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);

    // Against the official schema, when scripts/install-sarif-schema has fetched it.
    let Some(schema) = sarif_schema() else {
        eprintln!("skipping SARIF schema validation: run scripts/install-sarif-schema");
        return;
    };
    let log = dir.path().join("out.sarif");
    std::fs::write(&log, &text).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let check = Command::new(root.join(".cache/tools/venv/bin/python"))
        .args([
            "-c",
            "import json,sys,jsonschema\n\
             schema=json.load(open(sys.argv[1])); log=json.load(open(sys.argv[2]))\n\
             cls=jsonschema.validators.validator_for(schema)\n\
             errors=sorted(cls(schema).iter_errors(log), key=str)\n\
             [print(e.json_path, e.message) for e in errors]\n\
             sys.exit(1 if errors else 0)",
        ])
        .arg(&schema)
        .arg(&log)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "SARIF does not validate:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn rule_prints_documentation() {
    let dir = workdir(&[]);
    let o = homeport(dir.path(), &["rule", "PSS012"], None);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("rule_PSS012", stdout(&o));
    let o = homeport(dir.path(), &["rule", "docker-socket-mount"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# SEC001 docker-socket-mount\n"));
    let o = homeport(dir.path(), &["rule", "--list"], None);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("rule_list", stdout(&o));
    let o = homeport(dir.path(), &["rule", "PSS99"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error[HP0058]: no rule `PSS99`"),
        "{}",
        stderr(&o)
    );
    let o = homeport(dir.path(), &["rule"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn rule_all_prints_every_rule() {
    let dir = workdir(&[]);
    let o = homeport(dir.path(), &["rule", "--all"], None);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    let headers = text
        .lines()
        .filter(|l| l.starts_with("# ") && l.len() > 8 && l.as_bytes()[5].is_ascii_digit())
        .count();
    assert_eq!(headers, text.matches("## What it does").count());
    assert!(headers >= 90, "{headers}");
    insta::assert_snapshot!("rule_all", text);
}

/// Our own output is lint's first customer: what `render` writes for the realistic stacks
/// must have no error findings at its namespaces' Pod Security levels (the Namespace objects
/// it writes carry the `enforce` labels).
#[test]
fn render_output_lints_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stacks: Vec<PathBuf> = std::fs::read_dir(root.join("crates/homeport/tests/stacks"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    stacks.push(root.join("examples/media-server"));
    stacks.sort();
    let mut checked = 0;
    for stack in stacks.iter().filter(|s| s.join("compose.yaml").is_file()) {
        let mut render_args = vec!["-f", "compose.yaml"];
        if stack.join("cluster.yaml").is_file() {
            render_args.extend(["--cluster", "cluster.yaml"]);
        }
        let mut args = render_args.clone();
        args.push("render");
        let rendered = homeport(stack, &args, None);
        if !rendered.status.success() {
            continue; // render's own tests report its failures
        }
        // lint reads no Compose project: only the inventory goes with it.
        let mut args: Vec<&str> = render_args.into_iter().skip(2).collect();
        args.extend(["lint", "-", "--format", "json"]);
        let o = homeport(stack, &args, Some(&stdout(&rendered)));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let errors: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| format!("{} {}: {}", f["code"], f["object"]["name"], f["message"]))
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            stack.display(),
            errors.join("\n")
        );
        checked += 1;
    }
    assert!(checked > 0 || stacks.is_empty());
}
