//! Traefik middlewares named by Compose routers: an application behind basic auth or an
//! Authelia-style forward auth keeps that protection on its Ingress (Traefik Middlewares, or
//! ingress-nginx's auth annotations), and one whose protection cannot be written is never
//! exposed without it (Traefik keeps the route closed until the user creates it; other
//! controllers get no Ingress).

mod support;

use serde_json::Value;
use std::path::Path;
use support::netpol::{Network, Peer};
use support::{convert, homeport, kind, named, parse_stream, run};

const COMPOSE: &str = r#"services:
  authelia:
    image: authelia/authelia:4.38
    expose: ["9091"]
    labels:
      - traefik.enable=true
      - traefik.http.routers.authelia.rule=Host(`auth.example.com`)
      - traefik.http.middlewares.authelia.forwardAuth.address=http://authelia:9091/api/verify?rd=https://auth.example.com
      - traefik.http.middlewares.authelia.forwardAuth.trustForwardHeader=true
      - traefik.http.middlewares.authelia.forwardAuth.authResponseHeaders=Remote-User,Remote-Groups
      - traefik.http.middlewares.protected.chain.middlewares=authelia
  sonarr:
    image: lscr.io/linuxserver/sonarr:4
    labels:
      - traefik.enable=true
      - traefik.http.routers.sonarr.rule=Host(`sonarr.example.com`)
      - traefik.http.routers.sonarr.middlewares=protected@docker
  admin:
    image: nginx:1.27
    labels:
      - traefik.http.routers.admin.rule=Host(`admin.example.com`)
      - traefik.http.routers.admin.middlewares=admin-auth,secure
      - traefik.http.middlewares.admin-auth.basicauth.users=alice:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/,bob:$$apr1$$d9hr9HBB$$4HxwgUir3HP4EsggP/QNo0
      - traefik.http.middlewares.secure.headers.stsSeconds=31536000
  grafana:
    image: grafana/grafana:11.0.0
    labels:
      - traefik.http.routers.grafana.rule=Host(`grafana.example.com`)
      - traefik.http.routers.grafana.middlewares=chain-oauth@file
  uptime:
    image: louislam/uptime-kuma:1
    labels:
      - traefik.http.routers.uptime.rule=Host(`uptime.example.com`)
      - traefik.http.routers.uptime.middlewares=lan-only
      - traefik.http.middlewares.lan-only.ipallowlist.sourcerange=192.168.0.0/16
"#;

const HASH: &str = "H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/";

fn project(dir: &Path) -> std::path::PathBuf {
    let compose = dir.join("compose.yaml");
    std::fs::write(&compose, COMPOSE).unwrap();
    compose
}

fn render(compose: &Path, extra: &[&str]) -> (Vec<Value>, String) {
    let output = run(homeport()
        .arg("--offline")
        .arg("-f")
        .arg(compose)
        .args(extra)
        .arg("render"));
    assert_eq!(output.status.code(), Some(0));
    let objects = parse_stream(&String::from_utf8(output.stdout).unwrap());
    (objects, String::from_utf8(output.stderr).unwrap())
}

fn ingress<'a>(objects: &'a [Value], name: &str) -> Option<&'a Value> {
    named(objects, "Ingress", name)
}

#[test]
fn forward_auth_and_basic_auth_stay_on_the_ingress() {
    let dir = tempfile::tempdir().unwrap();
    let compose = project(dir.path());
    let (objects, stderr) = render(&compose, &[]);

    // forwardAuth through a chain: the Middleware calls Authelia by its in-cluster name.
    let mw = named(&objects, "Middleware", "sonarr-authelia").expect("sonarr's Middleware");
    assert_eq!(mw["apiVersion"], "traefik.io/v1alpha1");
    assert_eq!(
        mw["spec"]["forwardAuth"]["address"],
        "http://authelia.homeport-test.svc.cluster.local:9091/api/verify?rd=https://auth.example.com"
            .replace("homeport-test", mw["metadata"]["namespace"].as_str().unwrap())
    );
    assert_eq!(mw["spec"]["forwardAuth"]["trustForwardHeader"], true);
    assert_eq!(
        mw["spec"]["forwardAuth"]["authResponseHeaders"],
        serde_json::json!(["Remote-User", "Remote-Groups"])
    );
    let ns = mw["metadata"]["namespace"].as_str().unwrap();
    let sonarr = ingress(&objects, "sonarr").expect("sonarr keeps its Ingress");
    assert_eq!(
        sonarr["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"],
        format!("{ns}-sonarr-authelia@kubernetescrd")
    );

    // The ingress controller may call Authelia on its port.
    let net = Network::from_objects(&objects);
    let authelia = net.workload(ns, "authelia");
    assert!(net.can_reach(&Peer::traefik(), &authelia, 9091, "TCP"));

    // basicAuth: the users are in a Secret of their own, the Middleware names it.
    let basic = named(&objects, "Middleware", "admin-admin-auth").expect("admin's Middleware");
    assert_eq!(
        basic["spec"]["basicAuth"]["secret"],
        "admin-admin-auth-users"
    );
    let secret = named(&objects, "Secret", "admin-admin-auth-users").expect("the users' Secret");
    assert_eq!(secret["metadata"]["namespace"], ns);
    assert!(secret["data"]["users"]
        .as_str()
        .is_some_and(|u| !u.is_empty()));
    assert_eq!(
        ingress(&objects, "admin").unwrap()["metadata"]["annotations"]
            ["traefik.ingress.kubernetes.io/router.middlewares"],
        format!("{ns}-admin-admin-auth@kubernetescrd")
    );
    // A header middleware is reported, not silently dropped; the route works without it.
    assert!(
        stderr.contains("middleware `secure` is not translated (type `headers`"),
        "{stderr}"
    );
}

#[test]
fn a_protection_homeport_cannot_write_keeps_the_route_closed_until_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let compose = project(dir.path());
    let (objects, stderr) = render(&compose, &[]);
    // Defined outside the Compose files: the Ingress names a Middleware the user creates;
    // Traefik serves no route whose middleware does not exist.
    let grafana = ingress(&objects, "grafana").expect("the router keeps its rule");
    let ns = grafana["metadata"]["namespace"].as_str().unwrap();
    assert_eq!(
        grafana["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"],
        format!("{ns}-grafana-chain-oauth@kubernetescrd")
    );
    assert!(named(&objects, "Middleware", "grafana-chain-oauth").is_none());
    assert!(
        stderr.contains(&format!(
            "`chain-oauth@file` is not translated (defined by Traefik's `file` provider, outside the Compose files); its Ingress names Middleware `{ns}/grafana-chain-oauth` in its place, which you must create"
        )),
        "{stderr}"
    );
    // An IP allow list is a protection too.
    let uptime = ingress(&objects, "uptime").expect("uptime keeps its rule");
    assert_eq!(
        uptime["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"],
        format!("{ns}-uptime-lan-only@kubernetescrd")
    );
}

fn cluster_with_class(dir: &Path, class: &str) -> String {
    let cluster = dir.join("cluster.yaml");
    std::fs::write(
        &cluster,
        format!("apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nspec:\n  ingress:\n    className: {class}\n  nodes:\n    - name: n1\n      arch: amd64\n"),
    )
    .unwrap();
    cluster.to_str().unwrap().to_string()
}

#[test]
fn with_ingress_nginx_authentication_becomes_its_auth_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let compose = project(dir.path());
    let cluster = cluster_with_class(dir.path(), "nginx");
    let (objects, stderr) = render(&compose, &["--cluster", &cluster]);
    assert!(kind(&objects, "Middleware").is_empty());
    let sonarr = ingress(&objects, "sonarr").expect("sonarr keeps its Ingress");
    let ns = sonarr["metadata"]["namespace"].as_str().unwrap();
    let a = &sonarr["metadata"]["annotations"];
    assert_eq!(
        a["nginx.ingress.kubernetes.io/auth-url"],
        format!(
            "http://authelia.{ns}.svc.cluster.local:9091/api/verify?rd=https://auth.example.com"
        )
    );
    assert_eq!(
        a["nginx.ingress.kubernetes.io/auth-response-headers"],
        "Remote-User,Remote-Groups"
    );
    let controller = Peer::pod(
        "ingress-nginx",
        &[("app.kubernetes.io/name", "ingress-nginx")],
    );
    let net = Network::from_objects(&objects);
    assert!(net.can_reach(&controller, &net.workload(ns, "authelia"), 9091, "TCP"));
    let admin = ingress(&objects, "admin").expect("admin keeps its Ingress");
    let a = &admin["metadata"]["annotations"];
    assert_eq!(a["nginx.ingress.kubernetes.io/auth-type"], "basic");
    assert_eq!(
        a["nginx.ingress.kubernetes.io/auth-secret"],
        "admin-admin-auth-users"
    );
    let secret = named(&objects, "Secret", "admin-admin-auth-users").unwrap();
    assert!(secret["data"]["auth"].is_string());
    // Protections ingress-nginx cannot take: not exposed at all.
    for protected in ["grafana", "uptime"] {
        assert!(ingress(&objects, protected).is_none(), "{protected}");
    }
    assert!(stderr.contains("it gets no Ingress, so it is not exposed without that protection"));
}

#[test]
fn with_another_ingress_class_protected_routes_are_not_exposed() {
    let dir = tempfile::tempdir().unwrap();
    let compose = project(dir.path());
    let cluster = cluster_with_class(dir.path(), "haproxy");
    let (objects, stderr) = render(&compose, &["--cluster", &cluster]);
    assert!(kind(&objects, "Middleware").is_empty());
    for protected in ["sonarr", "admin", "grafana", "uptime"] {
        assert!(ingress(&objects, protected).is_none(), "{protected}");
    }
    assert!(ingress(&objects, "authelia").is_some());
    assert!(stderr.contains("the cluster's ingress class is `haproxy`, not Traefik or nginx"));
}

#[test]
fn the_users_of_a_basic_auth_middleware_are_only_in_secret_files() {
    let dir = tempfile::tempdir().unwrap();
    let compose = project(dir.path());
    let out = dir.path().join("out");
    let output = convert(&compose, &out, &["--offline"]);
    assert!(!String::from_utf8_lossy(&output.stderr).contains(HASH));
    // The Secret's one key holds the htpasswd lines, as Traefik reads them.
    let users_file = support::files_under(&out)
        .into_iter()
        .find(|f| f.ends_with("/admin-admin-auth-users/users"))
        .expect("the users' secret file");
    assert_eq!(
        std::fs::read_to_string(out.join(&users_file)).unwrap(),
        "alice:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\nbob:$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0\n"
    );
    for file in support::files_under(&out) {
        let text = std::fs::read_to_string(out.join(&file)).unwrap_or_default();
        if text.contains(HASH) {
            assert!(file.contains("/secrets/"), "{file} holds a password hash");
        }
    }
    // kubectl kustomize builds exactly what `render` writes, Middlewares included.
    let (objects, _) = render(&compose, &[]);
    support::assert_kustomize_matches(&out, &objects, "traefik middlewares");
    // `plan` names the Secret, never the users.
    let plan = run(homeport()
        .arg("--offline")
        .arg("-f")
        .arg(&compose)
        .arg("plan"));
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(text.contains("basicAuth, 2 user(s) in Secret admin-admin-auth-users"));
    assert!(!text.contains(HASH) && !String::from_utf8_lossy(&plan.stderr).contains(HASH));
}

/// The forwardAuth address names the auth service's port; when neither Compose nor the image
/// declares it, the Service still gets it (else the name resolves to nothing and every
/// protected route fails).
#[test]
fn a_forward_auth_port_nobody_declared_is_on_the_auth_service() {
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("compose.yaml");
    std::fs::write(
        &compose,
        r#"services:
  gate:
    image: ghcr.io/example/auth-gate:1
    labels:
      - traefik.http.middlewares.gate.forwardauth.address=http://gate:4181/verify
  app:
    image: nginx:1.27
    labels:
      - traefik.http.routers.app.rule=Host(`app.example.com`)
      - traefik.http.routers.app.middlewares=gate@docker
"#,
    )
    .unwrap();
    let (objects, _) = render(&compose, &[]);
    let mw = named(&objects, "Middleware", "app-gate").expect("app's Middleware");
    let ns = mw["metadata"]["namespace"].as_str().unwrap();
    assert!(mw["spec"]["forwardAuth"]["address"]
        .as_str()
        .unwrap()
        .ends_with(&format!("gate.{ns}.svc.cluster.local:4181/verify")));
    let service = named(&objects, "Service", "gate").expect("the auth service's Service");
    assert_eq!(service["spec"]["ports"][0]["port"], 4181);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], 4181);
    let net = Network::from_objects(&objects);
    assert!(net.can_reach(&Peer::traefik(), &net.workload(ns, "gate"), 4181, "TCP"));
}
