//! `convert --gitops argocd|flux` and `--secrets external-secrets`: a tree that lives in git
//! without git-ignored files, builds with real `kubectl kustomize`, holds no secret value,
//! and carries the GitOps objects and the sync order.

mod support;

use homeport_testkit::{require_tool, Tool};
use serde_json::Value;
use support::*;

const CUSTOM_KINDS: &[&str] = &[
    "ExternalSecret",
    "ScaledObject",
    "TriggerAuthentication",
    "ServiceMonitor",
    "PrometheusRule",
];

const REPO: &str = "https://git.example/home/cluster.git";

fn decode(b64: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut buf, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in b64
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
    {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// Every Secret value `render` prints (decoded), long enough to be meaningful in a search.
fn secret_values(objects: &[Value]) -> Vec<String> {
    let mut values = Vec::new();
    for o in objects.iter().filter(|o| o["kind"] == "Secret") {
        for v in o["data"].as_object().into_iter().flat_map(|d| d.values()) {
            let text = String::from_utf8_lossy(&decode(v.as_str().unwrap())).into_owned();
            if text.trim().len() >= 6 {
                values.push(text.trim().to_string());
            }
        }
    }
    values
}

#[test]
fn argocd_with_external_secrets_deploys_from_git_alone() {
    let compose = stack_compose("shop-api");
    let (_, objects) = render(&compose);
    let secrets: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Secret").collect();
    assert!(
        !secrets.is_empty(),
        "the stack must have Secrets for this test"
    );
    let values = secret_values(&objects);
    assert!(!values.is_empty());

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    convert(
        &compose,
        &out,
        &[
            "--gitops",
            "argocd",
            "--repo",
            REPO,
            "--path",
            "clusters/shop",
            "--revision",
            "main",
            "--secrets",
            "external-secrets",
            "--secret-store",
            "vault",
        ],
    );
    let files = files_under(&out);
    // Nothing is git-ignored or secret: the tree can be committed as it is.
    assert!(!files.iter().any(|f| f == ".gitignore"), "{files:?}");
    assert!(
        !files
            .iter()
            .any(|f| f.contains("secrets/") || f.ends_with("/secret.yaml")),
        "{files:?}"
    );
    for f in &files {
        let content = String::from_utf8_lossy(&std::fs::read(out.join(f)).unwrap()).into_owned();
        for v in &values {
            assert!(!content.contains(v.as_str()), "secret value in {f}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.join(f)).unwrap().permissions().mode();
            assert_ne!(mode & 0o777, 0o600, "{f} is written as a secret file");
        }
    }
    // The Application deploys the prod overlay.
    let app = parse_stream(&std::fs::read_to_string(out.join("gitops/argocd.yaml")).unwrap());
    assert_eq!(app.len(), 1);
    assert_eq!(app[0]["kind"], "Application");
    assert_eq!(app[0]["spec"]["source"]["repoURL"], REPO);
    assert_eq!(
        app[0]["spec"]["source"]["path"],
        "clusters/shop/overlays/prod"
    );
    assert_eq!(app[0]["spec"]["source"]["targetRevision"], "main");
    // The README says which store entries to create.
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("ClusterSecretStore `vault`"), "{readme}");
    assert!(readme.contains("external-secrets"), "{readme}");
    for s in &secrets {
        let key = format!(
            "`{}/{}`",
            s["metadata"]["namespace"].as_str().unwrap(),
            s["metadata"]["name"].as_str().unwrap()
        );
        assert!(readme.contains(&key), "README lacks {key}");
        for k in s["data"].as_object().unwrap().keys() {
            assert!(readme.contains(&format!("`{k}`")), "README lacks {k}");
        }
    }

    if require_tool(Tool::Kubectl).is_none() {
        return;
    }
    let built =
        parse_stream(&homeport_testkit::kustomize_build(out.join("overlays/prod")).unwrap());
    // The same objects as render, Secrets replaced by ExternalSecrets of the same name and keys.
    let mut expected: Vec<String> = objects
        .iter()
        .map(|o| name_of(o).replacen("Secret/", "ExternalSecret/", 1))
        .collect();
    expected.sort();
    let mut names: Vec<String> = built.iter().map(name_of).collect();
    names.sort();
    assert_eq!(names, expected);
    for s in &secrets {
        let es = built
            .iter()
            .find(|o| {
                o["kind"] == "ExternalSecret"
                    && o["metadata"]["name"] == s["metadata"]["name"]
                    && o["metadata"]["namespace"] == s["metadata"]["namespace"]
            })
            .unwrap();
        assert_eq!(es["spec"]["target"]["name"], s["metadata"]["name"]);
        assert_eq!(es["spec"]["secretStoreRef"]["name"], "vault");
        let mut keys: Vec<&str> = es["spec"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["secretKey"].as_str().unwrap())
            .collect();
        let mut want: Vec<&str> = s["data"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        want.sort();
        assert_eq!(keys, want);
    }
    // Sync waves: namespaces first, then databases and queues, then the rest.
    let wave = |o: &Value| {
        o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap_or("0")
            .parse::<i32>()
            .unwrap()
    };
    let mut saw_data = false;
    for o in &built {
        let component = o["metadata"]["labels"]["app.kubernetes.io/component"]
            .as_str()
            .unwrap_or("");
        match (o["kind"].as_str().unwrap(), component) {
            ("Namespace" | "PriorityClass", _) => assert_eq!(wave(o), -2, "{}", name_of(o)),
            (_, "database" | "cache" | "queue") => {
                saw_data = true;
                assert_eq!(wave(o), -1, "{}", name_of(o))
            }
            _ => assert_eq!(wave(o), 0, "{}", name_of(o)),
        }
    }
    assert!(saw_data, "the stack's database gets the data wave");
    // Apart from the waves and ExternalSecrets, prod is what render prints.
    for r in objects.iter().filter(|o| o["kind"] != "Secret") {
        let mut b = built
            .iter()
            .find(|b| name_of(b) == name_of(r))
            .unwrap()
            .clone();
        if let Some(annotations) = b
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
        {
            annotations.remove("argocd.argoproj.io/sync-wave");
            if annotations.is_empty() && r["metadata"].get("annotations").is_none() {
                b["metadata"].as_object_mut().unwrap().remove("annotations");
            }
        }
        assert_eq!(&b, r, "{}", name_of(r));
    }
    // The dev overlay builds too.
    homeport_testkit::kustomize_build(out.join("overlays/dev")).unwrap();
}

#[test]
fn flux_gets_a_git_repository_and_kustomization() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    let output = convert(
        &stack_compose("media-server"),
        &out,
        &["--gitops", "flux", "--repo", REPO],
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot build the tree from git"));
    let objs = parse_stream(&std::fs::read_to_string(out.join("gitops/flux.yaml")).unwrap());
    assert_eq!(objs[0]["kind"], "GitRepository");
    assert_eq!(objs[0]["spec"]["url"], REPO);
    assert_eq!(objs[0]["spec"]["ref"]["branch"], "main");
    // Stages chained by dependsOn; together they hold exactly the prod overlay's objects.
    let stages: Vec<&Value> = objs[1..].iter().collect();
    assert!(stages.len() >= 2, "{stages:?}");
    for (i, k) in stages.iter().enumerate() {
        assert_eq!(k["kind"], "Kustomization");
        assert_eq!(k["spec"]["sourceRef"]["name"], objs[0]["metadata"]["name"]);
        assert_eq!(k["spec"]["wait"], true);
        if i == 0 {
            assert!(k["spec"].get("dependsOn").is_none());
        } else {
            assert_eq!(
                k["spec"]["dependsOn"][0]["name"],
                stages[i - 1]["metadata"]["name"]
            );
        }
    }
    if require_tool(Tool::Kubectl).is_some() {
        let prod =
            parse_stream(&homeport_testkit::kustomize_build(out.join("overlays/prod")).unwrap());
        let mut union = Vec::new();
        for k in &stages {
            let dir = k["spec"]["path"].as_str().unwrap().trim_start_matches("./");
            let built = parse_stream(&homeport_testkit::kustomize_build(out.join(dir)).unwrap());
            assert!(!built.is_empty(), "{dir} is empty");
            if dir.ends_with("/cluster") {
                assert!(
                    built.iter().all(|o| o["kind"] == "Namespace"
                        || o["kind"] == "PriorityClass"
                        || o["kind"] == "StorageClass"),
                    "{dir}"
                );
            }
            if dir.ends_with("/data") {
                assert!(
                    built
                        .iter()
                        .all(|o| ["database", "cache", "queue"].contains(
                            &o["metadata"]["labels"]["app.kubernetes.io/component"]
                                .as_str()
                                .unwrap_or("")
                        )),
                    "{dir}"
                );
            }
            union.extend(built);
        }
        assert_eq!(
            sorted(union),
            sorted(prod),
            "the stages partition overlays/prod"
        );
    }
    // No Argo CD waves with Flux: prod stays exactly render's objects.
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("`dependsOn`"), "{readme}");
    // Secret files with GitOps: the README warns the operator cannot build them from git.
    assert!(
        readme.contains("cannot build this tree from git"),
        "{readme}"
    );
    let (_, objects) = render(&stack_compose("media-server"));
    assert_kustomize_matches(&out, &objects, "media-server with flux");
}

#[test]
fn inconsistent_options_are_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    let compose = stack_compose("media-server");
    for (args, expect) in [
        (
            vec!["--secrets", "external-secrets"],
            "needs `--secret-store NAME`",
        ),
        (
            vec!["--secret-store", "vault"],
            "only used with `--secrets external-secrets`",
        ),
        (
            vec![
                "--secrets",
                "external-secrets",
                "--secret-store",
                "Not_A_Name",
            ],
            "not a Kubernetes object name",
        ),
        (
            vec![
                "--gitops",
                "argocd",
                "--repo",
                REPO,
                "--output",
                "manifests",
            ],
            "prod overlay",
        ),
        (
            vec!["--gitops", "argocd", "--repo", REPO, "--path", "../x"],
            "leaves the repository",
        ),
        (vec!["--gitops", "argocd"], "--repo"),
    ] {
        let output = run(homeport()
            .arg("-f")
            .arg(&compose)
            .arg("convert")
            .arg("--out")
            .arg(&out)
            .args(&args));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote something");
    }
}

#[test]
fn manifests_with_external_secrets_hold_no_secret_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tree");
    let compose = stack_compose("shop-api");
    convert(
        &compose,
        &out,
        &[
            "--output",
            "manifests",
            "--secrets",
            "external-secrets",
            "--secret-store",
            "vault",
        ],
    );
    let files = files_under(&out);
    assert!(
        !files
            .iter()
            .any(|f| f == ".gitignore" || f.ends_with("/secret.yaml")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("/externalsecret.yaml")),
        "{files:?}"
    );
}

/// `homeport lint -` on a built overlay: no finding of severity error.
fn assert_lints_clean(built: &str, context: &str) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = homeport()
        .args(["lint", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(built.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{context}: {e}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let errors: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{} {}: {}", f["code"], f["object"]["name"], f["message"]))
        .collect();
    assert!(errors.is_empty(), "{context}: {errors:#?}");
}

#[test]
fn both_overlays_lint_clean_in_every_mode() {
    if require_tool(Tool::Kubectl).is_none() {
        return;
    }
    for stack in ["shop-api", "transcode-service", "media-server"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("tree");
        convert(
            &stack_compose(stack),
            &out,
            &[
                "--gitops",
                "argocd",
                "--repo",
                REPO,
                "--secrets",
                "external-secrets",
                "--secret-store",
                "vault",
            ],
        );
        for overlay in ["overlays/prod", "overlays/dev"] {
            let built = homeport_testkit::kustomize_build(out.join(overlay)).unwrap();
            assert_lints_clean(&built, &format!("{stack} {overlay}"));
            // Every built-in kind validates (custom resources are checked against their CRD
            // schemas in homeport-write's tests).
            if require_tool(Tool::KubernetesValidate).is_some() {
                let builtin: Vec<String> = parse_stream(&built)
                    .iter()
                    .filter(|o| !CUSTOM_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
                    .map(Value::to_string)
                    .collect();
                homeport_testkit::validate_k8s_objects(&builtin.join("\n---\n"), "1.33")
                    .unwrap_or_else(|e| panic!("{stack} {overlay}: {e}"));
            }
        }
    }
}
