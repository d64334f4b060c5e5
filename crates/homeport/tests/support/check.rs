//! What every stack written for a class of defects must satisfy, as a user deploying it
//! would check: convert works, `kubectl kustomize` builds exactly the rendered objects, every
//! object validates for 1.33, our own lint finds no error, and no secret value appears
//! anywhere but in a Secret or a git-ignored secret file.

use super::*;
use homeport_testkit::{require_tool, Tool};

/// A copy of `tests/stacks/<name>` in a temporary directory, with `cluster.yaml` written from
/// `cluster.yaml.in` (`@DIR@` replaced by the copy's path: static storage `hostPaths` are
/// absolute). Returns the directory and the compose file.
pub fn copy_stack(name: &str) -> (tempfile::TempDir, PathBuf) {
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
    let src = stack_compose(name).parent().unwrap().to_path_buf();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy_dir(&src, &dir);
    let template = dir.join("cluster.yaml.in");
    if let Ok(text) = std::fs::read_to_string(&template) {
        let text = text.replace("@DIR@", &dir.to_string_lossy());
        std::fs::write(dir.join("cluster.yaml"), text).unwrap();
    }
    (tmp, dir.join("compose.yaml"))
}

/// Convert, render, lint, kustomize and validate `compose`; no value of `forbidden` outside
/// Secrets. Returns the rendered objects and the plan's text (`homeport plan`).
pub fn check_stack(compose: &Path, forbidden: &[&str]) -> (Vec<Value>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    convert(compose, &out, &[]);
    let (text, objects) = render(compose);
    assert!(!objects.is_empty(), "render printed no objects");
    for o in &objects {
        if o["kind"] == "Secret" {
            continue;
        }
        let json = o.to_string();
        for secret in forbidden {
            assert!(
                !json.contains(secret),
                "secret value `{secret}` is written in {}",
                name_of(o)
            );
        }
    }
    let ignored = std::fs::read_to_string(out.join(".gitignore")).unwrap_or_default();
    for f in files_under(&out) {
        if ignored.lines().any(|l| l.trim_start_matches('/') == f) {
            continue;
        }
        let content = String::from_utf8_lossy(&std::fs::read(out.join(&f)).unwrap()).into_owned();
        for secret in forbidden {
            assert!(
                !content.contains(secret),
                "secret value `{secret}` is written in {f}"
            );
        }
    }
    let rendered = tmp.path().join("render.yaml");
    std::fs::write(&rendered, &text).unwrap();
    let lint = run(homeport()
        .arg("lint")
        .arg(&rendered)
        .args(["--color", "never"]));
    assert_eq!(
        lint.status.code(),
        Some(0),
        "lint finds errors in our own output:\n{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    assert_kustomize_matches(&out, &objects, &compose.display().to_string());
    if require_tool(Tool::KubernetesValidate).is_some() {
        homeport_testkit::validate_builtin_k8s_objects(&objects, "1.33")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let plan = run(homeport().arg("-f").arg(compose).arg("plan"));
    let plan_text =
        String::from_utf8_lossy(&plan.stdout).into_owned() + &String::from_utf8_lossy(&plan.stderr);
    (objects, plan_text)
}
