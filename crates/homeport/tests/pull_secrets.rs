//! Private registries: pods whose image comes from a registry the user's Docker config logs
//! in to pull with a `kubernetes.io/dockerconfigjson` Secret that only ever lands in the
//! git-ignored 0600 secret files (or a Helm value given at install time). Against a real
//! registry with htpasswd auth when `docker-registry` is installed: the written Secret's
//! credential is the one that registry accepts.

mod support;

use homeport_testkit::registry::{base64, Login, Registry};
use homeport_testkit::{require_tool, Tool};
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use support::*;

const USER: &str = "alice";
const PASSWORD: &str = "hunter2-S3cr3t-pull";
/// bcrypt of PASSWORD (cost 4, made with Python's `crypt`): the registry's htpasswd entry.
const BCRYPT: &str = "$2b$04$zhYSWLf62TH7W8RkuZU9GeIn.3.EuJwabItowOAbdz9/vc4o.qpWm";

fn with_config(cmd: &mut std::process::Command, docker_config: &Path) {
    cmd.env("DOCKER_CONFIG", docker_config);
}

/// `homeport -f compose ARGS` with `DOCKER_CONFIG`.
fn hp(compose: &Path, docker_config: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = homeport();
    with_config(&mut cmd, docker_config);
    run(cmd.arg("-f").arg(compose).args(args))
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn pull_secrets_of(o: &Value) -> Vec<String> {
    let spec = if o["kind"] == "CronJob" {
        &o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    } else {
        &o["spec"]["template"]["spec"]
    };
    spec["imagePullSecrets"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["name"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The image of a workload's first container.
fn image_of(o: &Value) -> String {
    let spec = if o["kind"] == "CronJob" {
        &o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    } else {
        &o["spec"]["template"]["spec"]
    };
    spec["containers"][0]["image"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn decode(b64: &str) -> Vec<u8> {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in b64.chars().filter(|c| *c != '=') {
        bits = (bits << 6) | alphabet.find(c).expect("base64") as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[test]
fn pods_of_a_logged_in_registry_pull_with_a_secret_that_never_leaks() {
    // A real registry that requires the login, when installed; else a name only.
    let login = Login {
        user: USER,
        password: PASSWORD,
        bcrypt: BCRYPT,
    };
    let registry = Registry::start_with_login(&login);
    let host = registry
        .as_ref()
        .map_or("registry.example.com:5000".to_string(), Registry::host);
    if let Some(reg) = &registry {
        let config = json!({"architecture": "amd64", "os": "linux", "config": {"User": "1000"}, "rootfs": {"type": "layers", "diff_ids": []}});
        reg.push_image("team/api", Some("1.4"), &config, &[]);
    }
    let tmp = tempfile::tempdir().unwrap();
    let auth = base64(format!("{USER}:{PASSWORD}").as_bytes());
    let dc = tmp.path().join("docker");
    write(
        &dc,
        "config.json",
        &json!({"auths": {host.clone(): {"auth": auth}}}).to_string(),
    );
    let project = tmp.path().join("project");
    let compose = write(
        &project,
        "compose.yaml",
        &format!(
            r#"services:
  api:
    image: {host}/team/api:1.4
    ports: ["8080:8080"]
  report:
    image: {host}/team/report:2
    x-homeport: {{workload: cronjob, schedule: "0 4 * * *"}}
  db:
    image: {host}/team/postgres:16
    environment:
      POSTGRES_PASSWORD: db-password-value
    volumes: ["pg:/var/lib/postgresql/data"]
  cache:
    image: redis:7.2
volumes:
  pg: {{}}
"#
        ),
    );
    let forbidden = [
        PASSWORD.to_string(),
        auth.clone(),
        base64(PASSWORD.as_bytes()),
    ];

    // Convert (Kustomize) and render.
    let out = tmp.path().join("out");
    let convert = hp(&compose, &dc, &["convert", "--out", out.to_str().unwrap()]);
    assert_eq!(
        convert.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&convert.stderr)
    );
    let render = hp(&compose, &dc, &["render"]);
    assert_eq!(render.status.code(), Some(0));
    let text = String::from_utf8(render.stdout).unwrap();
    let objects = parse_stream(&text);

    // One Secret for the registry, holding the Docker config's login.
    let name = format!("pull-{}", host.replace(['.', ':'], "-").trim_matches('-'));
    let secrets: Vec<&Value> = kind(&objects, "Secret")
        .into_iter()
        .filter(|s| s["type"] == "kubernetes.io/dockerconfigjson")
        .collect();
    assert_eq!(secrets.len(), 1, "{secrets:#?}");
    let secret = secrets[0];
    assert_eq!(name_of(secret), format!("Secret/project/{name}"));
    let config: Value = serde_json::from_slice(&decode(
        secret["data"][".dockerconfigjson"].as_str().unwrap(),
    ))
    .unwrap();
    assert_eq!(config["auths"][&host]["auth"], auth.as_str());
    assert_eq!(config["auths"][&host]["username"], USER);

    // Every workload running an image of that registry pulls with it (the backup jobs run the
    // database's image); the public redis does not.
    let mut checked = 0;
    for o in objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
    {
        let private = image_of(o).starts_with(&host);
        let expected: Vec<String> = if private { vec![name.clone()] } else { vec![] };
        assert_eq!(pull_secrets_of(o), expected, "{}", name_of(o));
        checked += usize::from(private);
    }
    // api, report, db, and db's backup, restore and drill jobs.
    assert!(checked >= 6, "{checked} workloads of the private registry");
    assert!(kind(&objects, "Deployment")
        .iter()
        .any(|d| name_of(d) == "Deployment/project/cache" && pull_secrets_of(d).is_empty()));

    // The credential is only in the git-ignored 0600 secret files of the tree.
    let ignored = std::fs::read_to_string(out.join(".gitignore")).unwrap();
    let mut holders = Vec::new();
    for f in files_under(&out) {
        let bytes = std::fs::read(out.join(&f)).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        if forbidden.iter().any(|s| content.contains(s.as_str())) {
            let listed = ignored
                .lines()
                .any(|l| f.starts_with(l.trim_start_matches('/')) && !l.starts_with('#'));
            let mode = std::fs::metadata(out.join(&f))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert!(
                listed && mode == 0o600,
                "{f}: listed {listed}, mode {mode:o}"
            );
            holders.push(f);
        }
    }
    assert_eq!(
        holders,
        [format!("base/secrets/project/{name}/.dockerconfigjson")]
    );
    // Nor in plan (table or JSON), stderr, render outside Secret data, or the lock.
    for args in [vec!["plan"], vec!["plan", "--format", "json"]] {
        let plan = hp(&compose, &dc, &args);
        let all = String::from_utf8_lossy(&plan.stdout).into_owned()
            + &String::from_utf8_lossy(&plan.stderr);
        assert!(all.contains(&name), "{args:?} names the pull secret");
        for s in &forbidden {
            assert!(!all.contains(s.as_str()), "{args:?} shows the credential");
        }
    }
    for s in &forbidden {
        assert!(
            !text.contains(s.as_str()),
            "render shows the credential in plain"
        );
        assert!(!String::from_utf8_lossy(&convert.stderr).contains(s.as_str()));
    }
    for o in objects.iter().filter(|o| o["kind"] != "Secret") {
        let json = o.to_string();
        assert!(
            !json.contains(&auth) && !json.contains(PASSWORD),
            "{}",
            name_of(o)
        );
    }
    if let Ok(lock) = std::fs::read_to_string(project.join("homeport.lock")) {
        assert!(forbidden.iter().all(|s| !lock.contains(s.as_str())));
    }

    // The tree builds the same objects, lint is clean, the built-in kinds validate.
    assert_kustomize_matches(&out, &objects, "private registry");
    let rendered = tmp.path().join("render.yaml");
    std::fs::write(&rendered, &text).unwrap();
    let lint = run(homeport().arg("lint").arg(&rendered));
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    if require_tool(Tool::KubernetesValidate).is_some() {
        homeport_testkit::validate_builtin_k8s_objects(&objects, "1.33")
            .unwrap_or_else(|e| panic!("{e}"));
    }

    // The Helm chart holds no credential and pulls with the Secret (or the user's own).
    let chart = tmp.path().join("chart");
    let helm = hp(
        &compose,
        &dc,
        &[
            "convert",
            "--output",
            "helm",
            "--out",
            chart.to_str().unwrap(),
        ],
    );
    assert_eq!(
        helm.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&helm.stderr)
    );
    for f in files_under(&chart) {
        let content = String::from_utf8_lossy(&std::fs::read(chart.join(&f)).unwrap()).into_owned();
        for s in &forbidden {
            assert!(!content.contains(s.as_str()), "{f} holds the credential");
        }
    }
    let api = std::fs::read_to_string(chart.join("templates/project/api/deployment.yaml")).unwrap();
    assert!(
        api.contains("imagePullSecrets") && api.contains("existingSecret"),
        "{api}"
    );

    // `--secrets external-secrets`: an ExternalSecret of the same type, no credential.
    let es = tmp.path().join("es");
    let external = hp(
        &compose,
        &dc,
        &[
            "convert",
            "--out",
            es.to_str().unwrap(),
            "--secrets",
            "external-secrets",
            "--secret-store",
            "vault",
        ],
    );
    assert_eq!(external.status.code(), Some(0));
    for f in files_under(&es) {
        let content = String::from_utf8_lossy(&std::fs::read(es.join(&f)).unwrap()).into_owned();
        for s in &forbidden {
            assert!(!content.contains(s.as_str()), "{f} holds the credential");
        }
    }
    let externals = parse_stream(
        &std::fs::read_to_string(es.join("base/project/externalsecret.yaml")).unwrap(),
    );
    let pull = externals
        .iter()
        .find(|o| o["metadata"]["name"] == name.as_str())
        .expect("the pull secret's ExternalSecret");
    assert_eq!(
        pull["spec"]["target"]["template"]["type"],
        "kubernetes.io/dockerconfigjson"
    );

    // The registry accepts exactly that credential: anonymous pulls are refused, the
    // Secret's login reads the manifest.
    if let Some(reg) = &registry {
        let path = "/v2/team/api/manifests/1.4";
        let accept = "application/vnd.oci.image.manifest.v1+json";
        let (anonymous, _, _) = reg.request_anonymous("GET", path).unwrap();
        assert_eq!(anonymous, 401);
        let header = format!("Basic {}", config["auths"][&host]["auth"].as_str().unwrap());
        let addr: std::net::SocketAddr = host.parse().unwrap();
        let (status, _, _) = homeport_testkit::registry::http(
            addr,
            "GET",
            path,
            &[("Authorization", &header), ("Accept", accept)],
            &[],
        )
        .unwrap();
        assert_eq!(status, 200, "the pull secret's login is refused");
    }
}

#[test]
fn hints_name_an_existing_secret_opt_out_or_require_a_login() {
    let tmp = tempfile::tempdir().unwrap();
    let dc = tmp.path().join("docker");
    write(
        &dc,
        "config.json",
        r#"{"auths": {"ghcr.io": {"auth": "Ym9iOnNlY3JldC10b2tlbi12YWx1ZQ=="}},
            "credHelpers": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"}}"#,
    );
    let compose = write(
        tmp.path(),
        "p/compose.yaml",
        r#"services:
  mine:
    image: ghcr.io/me/mine:1
    x-homeport: {pullSecret: regcred}
  public:
    image: ghcr.io/org/public:1
    x-homeport: {pullSecret: false}
  auto:
    image: ghcr.io/me/auto:1
  ecr:
    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:3
"#,
    );
    let render = hp(&compose, &dc, &["render"]);
    let stderr = String::from_utf8_lossy(&render.stderr).into_owned();
    assert_eq!(render.status.code(), Some(0), "{stderr}");
    let objects = parse_stream(&String::from_utf8(render.stdout).unwrap());
    let workload = |n: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(pull_secrets_of(workload("mine")), ["regcred"]);
    assert!(pull_secrets_of(workload("public")).is_empty());
    assert_eq!(pull_secrets_of(workload("auto")), ["pull-ghcr-io"]);
    let ecr = "pull-123456789012-dkr-ecr-eu-west-1-amazonaws-com";
    assert_eq!(pull_secrets_of(workload("ecr")), [ecr]);
    // `regcred` exists already: not written. The helper's registry gets a Secret without a
    // credential, and the user is told to supply it.
    let names: Vec<String> = kind(&objects, "Secret")
        .iter()
        .map(|s| name_of(s))
        .collect();
    assert_eq!(
        names,
        [
            format!("Secret/p/{ecr}"),
            "Secret/p/pull-ghcr-io".to_string()
        ]
    );
    let placeholder = kind(&objects, "Secret")
        .into_iter()
        .find(|s| s["metadata"]["name"] == ecr)
        .unwrap();
    let data: Value = serde_json::from_slice(&decode(
        placeholder["data"][".dockerconfigjson"].as_str().unwrap(),
    ))
    .unwrap();
    assert_eq!(
        data,
        json!({"auths": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": {}}})
    );
    assert!(
        stderr.contains("warning[HP0580]") && stderr.contains("docker-credential-ecr-login"),
        "{stderr}"
    );
    let plan = hp(&compose, &dc, &["plan"]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.contains("PULL SECRETS") && text.contains("YOU SUPPLY ITS DATA"),
        "{text}"
    );

    // `pullSecret: true` without a login for the registry: an error, nothing written.
    let strict = write(
        tmp.path(),
        "q/compose.yaml",
        "services:\n  app:\n    image: quay.io/me/app:1\n    x-homeport:\n      pullSecret: true\n",
    );
    let out = tmp.path().join("q-out");
    let refused = hp(&strict, &dc, &["convert", "--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error[HP0581]") && err.contains("docker login quay.io"),
        "{err}"
    );
    assert!(!out.exists());

    // A malformed name is a diagnostic with its location, exit 2.
    let bad = write(
        tmp.path(),
        "r/compose.yaml",
        "services:\n  app:\n    image: ghcr.io/me/app:1\n    x-homeport:\n      pullSecret: Not_A_Name\n",
    );
    let invalid = hp(&bad, &dc, &["plan"]);
    let err = String::from_utf8_lossy(&invalid.stderr);
    assert_eq!(invalid.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not a valid Secret name") && err.contains("compose.yaml:5"),
        "{err}"
    );
}
