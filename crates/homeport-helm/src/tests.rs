//! The chart from hand-made objects: what the planner does not (yet) produce.

use super::*;
use homeport_plan::cluster::Cluster;

fn plan() -> Plan {
    Plan {
        project: "demo".into(),
        cluster: Cluster::default_k3s(),
        namespaces: vec![],
        pods: vec![],
        skipped: vec![],
        claims: vec![],
        persistent_volumes: vec![],
        aliases_across_namespaces: vec![],
        nodes: vec![],
        diagnostics: Diagnostics::new(),
        addons: vec![],
        images: Default::default(),
        host_paths: vec![],
        production: Default::default(),
        tenancy: Default::default(),
    }
}

fn text(files: &[OutputFile], path: &str) -> String {
    let f = files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8(f.contents.clone()).unwrap()
}

#[test]
fn a_secret_no_service_owns_has_its_values_under_global_and_none_in_the_chart() {
    let objects = vec![json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "regcred", "namespace": "demo"},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": "eyJhdXRocyI6eyJyZWcuZXhhbXBsZSI6eyJhdXRoIjoiaHVudGVyMjIifX19"},
        "stringData": {"token": "s3cr3t-t0ken-value"},
    })];
    let files = chart(&plan(), &objects).unwrap();
    let secret = text(&files, "templates/demo/secret.yaml");
    assert!(secret.contains("required"), "{secret}");
    assert!(
        secret.contains(
            "(index $.Values \"global\" \"secrets\" \"regcred\" \"values\" \".dockerconfigjson\")"
        ),
        "{secret}"
    );
    assert!(!secret.contains("stringData"), "{secret}");
    for f in &files {
        let t = String::from_utf8_lossy(&f.contents);
        assert!(
            !t.contains("eyJhdXRocyI6") && !t.contains("hunter22") && !t.contains("s3cr3t-t0ken"),
            "{}",
            f.path
        );
    }
    let values = text(&files, "values.yaml");
    assert!(
        values.contains("regcred:") && values.contains("existingSecret: \"\""),
        "{values}"
    );
    assert!(text(&files, "README.md").contains("kubectl create secret generic regcred -n demo --from-literal=.dockerconfigjson=... --from-literal=token=..."));
}

#[test]
fn a_secret_value_in_a_chart_file_is_caught() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "demo"}, "data": {"K": "bG9uZy1zZWNyZXQtdmFsdWU="}});
    let file = |text: &str| OutputFile {
        path: "values.yaml".into(),
        contents: text.as_bytes().to_vec(),
        secret: false,
    };
    for leaked in ["k: long-secret-value", "k: bG9uZy1zZWNyZXQtdmFsdWU="] {
        let diags =
            check_no_secret_values(std::slice::from_ref(&secret), &[file(leaked)]).unwrap_err();
        assert!(diags.iter().any(|d| d.code == codes::SECRET_IN_CHART));
    }
    assert!(check_no_secret_values(std::slice::from_ref(&secret), &[file("k: other")]).is_ok());
    // A value the plan shows outside Secrets anyway (the project name as a password) is not one.
    let public =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "long-secret-value"}});
    assert!(check_no_secret_values(&[secret, public], &[file("k: long-secret-value")]).is_ok());
}

#[test]
fn objects_without_kind_or_name_are_reported() {
    let diags = chart(&plan(), &[json!({"apiVersion": "v1", "metadata": {}})]).unwrap_err();
    assert!(diags.iter().any(|d| d.code == codes::INVALID_OBJECT));
}
