use super::*;
use std::fs;

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
";

const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
";

fn valid_stream() -> String {
    format!("{DEPLOYMENT}---\n{SERVICE}")
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

// --- finding the tools and folders ---------------------------------------------------------

#[test]
fn tool_names_and_env_vars() {
    let names: Vec<_> = Tool::ALL.iter().map(|t| t.to_string()).collect();
    assert_eq!(names, ["kubectl", "helm", "kubernetes-validate"]);
    let vars: Vec<_> = Tool::ALL.iter().map(|t| t.env_var()).collect();
    assert_eq!(
        vars,
        [
            "HOMEPORT_KUBECTL",
            "HOMEPORT_HELM",
            "HOMEPORT_KUBERNETES_VALIDATE"
        ]
    );
}

#[test]
fn env_var_wins_over_the_cache_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    write(&bin, "helm", "");
    write(dir.path(), "elsewhere/helm", "");
    let elsewhere = dir.path().join("elsewhere/helm");

    assert_eq!(resolve(Tool::Helm, None, &bin), Some(bin.join("helm")));
    assert_eq!(
        resolve(Tool::Helm, Some("".into()), &bin),
        Some(bin.join("helm"))
    );
    assert_eq!(
        resolve(Tool::Helm, Some(elsewhere.clone().into()), &bin),
        Some(elsewhere)
    );
    let missing = dir.path().join("missing");
    assert_eq!(resolve(Tool::Helm, Some(missing.into()), &bin), None);
    assert_eq!(resolve(Tool::Kubectl, None, &bin), None);
    // A directory is not a tool.
    assert_eq!(resolve(Tool::Helm, Some(bin.clone().into()), &bin), None);
}

#[test]
fn missing_tool_is_skipped_locally() {
    assert_eq!(require(Tool::Kubectl, None, false), None);
    let found = PathBuf::from("/x/kubectl");
    assert_eq!(
        require(Tool::Kubectl, Some(found.clone()), true),
        Some(found)
    );
}

#[test]
#[should_panic(expected = "CI is set, so tests that need it must not be skipped")]
fn missing_tool_fails_under_ci() {
    require(Tool::KubernetesValidate, None, true);
}

#[test]
fn ci_flag_values() {
    assert!(ci_flag(Some("true".into())));
    assert!(ci_flag(Some("1".into())));
    assert!(!ci_flag(None));
    assert!(!ci_flag(Some("".into())));
    assert!(!ci_flag(Some("0".into())));
    assert!(!ci_flag(Some("False".into())));
}

#[test]
fn workspace_root_holds_the_workspace_manifest() {
    let manifest = fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    assert!(manifest.contains("[workspace]"), "{manifest}");
    assert!(workspace_root().join("crates/homeport-testkit").is_dir());
    assert_eq!(tools_bin_dir(), workspace_root().join(".cache/tools/bin"));
}

#[test]
fn shared_dir_is_beside_the_workspace() {
    let root = Path::new("/work/main");
    assert_eq!(shared_dir_from(None, root), Path::new("/work/shared"));
    assert_eq!(
        shared_dir_from(Some("/elsewhere".into()), root),
        Path::new("/elsewhere")
    );
    assert_eq!(corpus_dir(), shared_dir().join("corpus"));
}

#[test]
fn corpus_is_there_under_ci() {
    if in_ci() {
        assert!(
            corpus_dir().is_dir(),
            "{} is missing",
            corpus_dir().display()
        );
    }
}

#[test]
fn versions() {
    for ok in ["1.33", "1.33.0", "v1.33.2"] {
        assert!(is_version(ok), "{ok}");
    }
    for bad in ["", "1", "1.", "1.x", "1.33.0.1", "latest", "1.33 --help"] {
        assert!(!is_version(bad), "{bad}");
    }
}

// --- kubernetes-validate -------------------------------------------------------------------

#[test]
fn valid_objects_pass() {
    let Some(_) = require_tool(Tool::KubernetesValidate) else {
        return;
    };
    for version in ["1.33", "1.33.0", "v1.33", "1.25", "1.37"] {
        validate_k8s_objects(&valid_stream(), version).unwrap();
    }
}

#[test]
fn unknown_field_is_rejected() {
    let Some(_) = require_tool(Tool::KubernetesValidate) else {
        return;
    };
    let bad = valid_stream().replace("  replicas: 1\n", "  replicas: 1\n  replicaz: 2\n");
    assert_ne!(bad, valid_stream());
    let err = validate_k8s_objects(&bad, "1.33").unwrap_err();
    assert!(err.contains("'replicaz' was unexpected"), "{err}");
    assert!(err.contains("deployment/web"), "{err}");
    assert!(err.contains("<stream>"), "{err}");
    assert!(!err.contains("homeport-validate-"), "{err}");
}

#[test]
fn wrong_type_is_rejected() {
    let Some(_) = require_tool(Tool::KubernetesValidate) else {
        return;
    };
    let bad = DEPLOYMENT.replace("replicas: 1", "replicas: one");
    let err = validate_k8s_objects(&bad, "1.33").unwrap_err();
    assert!(err.contains("deployment/web"), "{err}");
}

#[test]
fn unknown_kind_is_rejected() {
    let Some(_) = require_tool(Tool::KubernetesValidate) else {
        return;
    };
    let bad = SERVICE.replace("kind: Service", "kind: Servise");
    let err = validate_k8s_objects(&bad, "1.33").unwrap_err();
    assert!(err.contains("Couldn't find schema"), "{err}");
}

#[test]
fn empty_stream_and_bad_versions_are_rejected() {
    let Some(_) = require_tool(Tool::KubernetesValidate) else {
        return;
    };
    let err = validate_k8s_objects("---\n", "1.33").unwrap_err();
    assert!(err.contains("no Kubernetes objects"), "{err}");
    let err = validate_k8s_objects(DEPLOYMENT, "1.99").unwrap_err();
    assert!(err.contains("does not support"), "{err}");
    let err = validate_k8s_objects(DEPLOYMENT, "latest").unwrap_err();
    assert!(err.contains("not a Kubernetes version"), "{err}");
}

// --- kubectl kustomize ---------------------------------------------------------------------

#[test]
fn kustomize_builds_a_tree() {
    let Some(_) = require_tool(Tool::Kubectl) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deployment.yaml", DEPLOYMENT);
    write(dir.path(), "service.yaml", SERVICE);
    write(
        dir.path(),
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: media\n\
         namePrefix: hp-\nresources:\n  - deployment.yaml\n  - service.yaml\n",
    );
    let out = kustomize_build(dir.path()).unwrap();
    assert!(out.contains("name: hp-web"), "{out}");
    assert!(out.contains("namespace: media"), "{out}");
    assert!(
        out.contains("kind: Deployment") && out.contains("kind: Service"),
        "{out}"
    );
    if require_tool(Tool::KubernetesValidate).is_some() {
        validate_k8s_objects(&out, "1.33").unwrap();
    }
}

#[test]
fn kustomize_reports_a_broken_tree() {
    let Some(_) = require_tool(Tool::Kubectl) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kustomization.yaml",
        "resources:\n  - missing.yaml\n",
    );
    let err = kustomize_build(dir.path()).unwrap_err();
    assert!(err.contains("missing.yaml"), "{err}");
}

// --- helm ----------------------------------------------------------------------------------

fn write_chart(dir: &Path, deployment_template: &str) {
    write(
        dir,
        "Chart.yaml",
        "apiVersion: v2\nname: web\ndescription: test chart\nversion: 0.1.0\nicon: https://example.org/icon.png\n",
    );
    write(dir, "values.yaml", "replicas: 2\n");
    write(dir, "templates/deployment.yaml", deployment_template);
    write(dir, "templates/service.yaml", SERVICE);
}

#[test]
fn helm_renders_and_lints_a_chart() {
    let Some(_) = require_tool(Tool::Helm) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let template = DEPLOYMENT.replace("replicas: 1", "replicas: {{ .Values.replicas }}");
    write_chart(dir.path(), &template);
    let out = helm_template(dir.path()).unwrap();
    assert!(out.contains("replicas: 2"), "{out}");
    assert!(
        out.contains("kind: Deployment") && out.contains("kind: Service"),
        "{out}"
    );
    helm_lint(dir.path()).unwrap();
    if require_tool(Tool::KubernetesValidate).is_some() {
        validate_k8s_objects(&out, "1.33").unwrap();
    }
}

#[test]
fn helm_reports_a_broken_chart() {
    let Some(_) = require_tool(Tool::Helm) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let template = DEPLOYMENT.replace("replicas: 1", "replicas: {{ .Values.replicas ");
    write_chart(dir.path(), &template);
    let err = helm_template(dir.path()).unwrap_err();
    assert!(err.contains("deployment.yaml"), "{err}");
    let err = helm_lint(dir.path()).unwrap_err();
    assert!(err.contains("deployment.yaml"), "{err}");
}

#[test]
fn command_errors_name_the_missing_tool() {
    // Under CI every tool is there; elsewhere this checks the message when one is not.
    for t in Tool::ALL {
        match command(t) {
            Ok(_) => assert!(tool(t).is_some()),
            Err(e) => assert!(e.contains(t.env_var()), "{e}"),
        }
    }
}

#[test]
fn corpus_present_is_used() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("SOURCES.tsv"), "repo\tpath\n").unwrap();
    assert_eq!(corpus_absence(dir.path(), true), None);
    assert_eq!(corpus_absence(dir.path(), false), None);
}

#[test]
fn corpus_absent_skips_with_one_line_or_fails_under_ci() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("corpus");
    let Some(Ok(skip)) = corpus_absence(&missing, false) else {
        panic!("a developer machine skips");
    };
    assert!(skip.starts_with("skipping: the shared corpus is not at "));
    assert!(skip.contains("HOMEPORT_SHARED_DIR"));
    assert!(!skip.contains('\n'));
    let Some(Err(fail)) = corpus_absence(&missing, true) else {
        panic!("CI fails");
    };
    assert!(fail.contains("HOMEPORT_SHARED_DIR") && fail.contains("required"));
}

#[test]
fn base64_matches_the_standard_alphabet_and_padding() {
    use crate::registry::base64;
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
    assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
}
