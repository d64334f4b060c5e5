//! Stacks written for each class of defect found by deploying real homelab and production
//! stacks (issue 8): the output must not only validate but start and work: existing data
//! kept, every path the stack uses open, nothing leaked. Each test asserts the decisions
//! semantically, and paths with the NetworkPolicy reachability evaluator.

mod support;

use serde_json::Value;
use std::path::Path;
use support::check::{check_stack, copy_stack};
use support::netpol::{Network, Peer};
use support::*;

fn env_config(objects: &[Value], container: &str) -> Value {
    named(objects, "ConfigMap", &format!("{container}-env"))
        .map(|c| c["data"].clone())
        .unwrap_or(Value::Null)
}

fn pod_spec(w: &Value) -> &Value {
    &pod_template(w)["spec"]
}

/// The claim mounted at `path` in container `c` of workload `w`, and the mount.
fn claim_at(w: &Value, c: &str, path: &str) -> (String, Value) {
    let mount = container(w, c)["volumeMounts"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["mountPath"] == path))
        .unwrap_or_else(|| panic!("{c}: nothing mounted at {path}"))
        .clone();
    let vol = pod_spec(w)["volumes"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["name"] == mount["name"]))
        .unwrap()
        .clone();
    let claim = vol["persistentVolumeClaim"]["claimName"]
        .as_str()
        .unwrap_or_else(|| panic!("{c}: {path} is not a claim: {vol}"))
        .to_string();
    (claim, mount)
}

#[cfg(unix)]
fn owner(path: &Path) -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).unwrap();
    (m.uid(), m.gid())
}

/// Hand `path` to `uid:gid` when this process may (as root, as CI runs); the test then reads
/// whatever owner the path really has.
#[cfg(unix)]
fn try_chown(path: &Path, uid: u32, gid: u32) {
    let _ = std::os::unix::fs::chown(path, Some(uid), Some(gid));
}

/// The uid the container must run as: the data's owner, unless that is root (then the
/// image's own user, with a diagnostic asking to hand the data over).
fn expected_uid(owner_uid: u32, image_uid: u64) -> u64 {
    if owner_uid == 0 {
        image_uid
    } else {
        u64::from(owner_uid)
    }
}

#[cfg(unix)]
#[test]
fn existing_data_survives_the_move() {
    let (_tmp, compose) = copy_stack("existing-data");
    let dir = compose.parent().unwrap().to_path_buf();
    // Data as a running stack leaves it: a Postgres directory owned by the Alpine uid, Gitea's
    // by its rootless user; the other database stays root-owned.
    try_chown(&dir.join("db/data"), 70, 70);
    try_chown(&dir.join("hdd/gitea"), 1000, 1000);
    let forbidden = [
        "Db-Pa55word-x9",
        "fake-minio-secret-77",
        "QueuePa55-z1",
        "tok_live_51abcdefghijkl",
    ];
    let (objects, plan) = check_stack(&compose, &forbidden);

    // --- no data-directory override on a directory that already holds a cluster ---
    let db = workload_with_container(&objects, "db");
    assert!(
        env_config(&objects, "db").get("PGDATA").is_none(),
        "PGDATA must not point at a new directory beside the existing cluster"
    );
    assert!(plan.contains("db: PGDATA not set"), "{plan}");
    // ... it follows the data when the cluster lives one level down ...
    assert_eq!(
        env_config(&objects, "legacy-db")["PGDATA"],
        "/var/lib/postgresql/data/pgdata"
    );
    // ... and is set for a new, empty volume.
    assert_eq!(
        env_config(&objects, "fresh-db")["PGDATA"],
        "/var/lib/postgresql/data/pgdata"
    );

    // --- run as the owner of carried-over data; fsGroup only where it is right ---
    let (db_uid, db_gid) = owner(&dir.join("db/data"));
    let sc = &container(db, "db")["securityContext"];
    assert_eq!(sc["runAsUser"].as_u64().unwrap(), expected_uid(db_uid, 999));
    if db_gid != 999 {
        assert!(
            pod_spec(db)["securityContext"].get("fsGroup").is_none(),
            "fsGroup on existing data of group {db_gid}"
        );
    }
    let fresh = workload_with_container(&objects, "fresh-db");
    assert_eq!(pod_spec(fresh)["securityContext"]["fsGroup"], 999);
    assert_eq!(
        pod_spec(fresh)["securityContext"]["fsGroupChangePolicy"],
        "OnRootMismatch"
    );
    let gitea = workload_with_container(&objects, "gitea");
    let (g_uid, g_gid) = owner(&dir.join("hdd/gitea"));
    assert_eq!(
        container(gitea, "gitea")["securityContext"]["runAsUser"]
            .as_u64()
            .unwrap(),
        expected_uid(g_uid, 1000)
    );
    let gitea_psc = &pod_spec(gitea)["securityContext"];
    if g_gid == 1000 {
        assert_eq!(
            gitea_psc["fsGroup"], 1000,
            "the data's own group: fsGroup is right"
        );
        assert_eq!(gitea_psc["fsGroupChangePolicy"], "OnRootMismatch");
    } else {
        assert!(gitea_psc.get("fsGroup").is_none());
    }
    let (i_uid, _) = owner(&dir.join("hdd/immich/pg"));
    if i_uid == 0 {
        assert!(
            plan.contains("HP0429"),
            "root-owned data is reported:\n{plan}"
        );
    }

    // --- each application's directory on the disk is its own PersistentVolume ---
    let immich = workload_with_container(&objects, "immich-db");
    let (immich_claim, immich_mount) = claim_at(immich, "immich-db", "/var/lib/postgresql/data");
    let (gitea_claim, gitea_mount) = claim_at(gitea, "gitea", "/var/lib/gitea");
    assert_ne!(immich_claim, gitea_claim);
    assert!(immich_mount.get("subPath").is_none() && gitea_mount.get("subPath").is_none());
    let pv_path = |claim: &str| -> String {
        kind(&objects, "PersistentVolume")
            .into_iter()
            .find(|pv| pv["spec"]["claimRef"]["name"] == claim)
            .unwrap_or_else(|| panic!("no PersistentVolume for {claim}"))["spec"]["local"]["path"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(pv_path(&immich_claim), "/mnt/hdd/immich/pg");
    assert_eq!(pv_path(&gitea_claim), "/mnt/hdd/gitea");
    for w in [immich, gitea] {
        let required = pod_spec(w)["affinity"]["nodeAffinity"].to_string();
        assert!(
            required.contains("\"nas\""),
            "pinned to the disk's node: {required}"
        );
    }

    // --- two different host paths never share a claim ---
    let api = workload_with_container(&objects, "api");
    let (a, _) = claim_at(api, "api", "/srv/a");
    let (b, _) = claim_at(api, "api", "/srv/b");
    assert_ne!(a, b, "./a/data and ./b/data in one claim");

    // --- host system paths are never read from this machine nor an empty claim ---
    let web = workload_with_container(&objects, "web");
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let first = passwd.lines().next().unwrap_or("root:x:0:0:");
    for o in &objects {
        assert!(
            !o.to_string().contains(first),
            "this machine's /etc/passwd is in {}",
            name_of(o)
        );
    }
    let web_mounts = container(web, "web")["volumeMounts"].to_string();
    assert!(!web_mounts.contains("/etc/passwd") && !web_mounts.contains("os-release"));
    assert!(plan.contains("/etc/passwd (left out)"), "{plan}");
    // A writable config directory of small text files is still a ConfigMap.
    let files = named(&objects, "ConfigMap", "web-files").expect("web-files");
    assert!(files["data"]["default.conf"]
        .as_str()
        .unwrap()
        .contains("listen 8080"));

    // --- a configuration file holding secrets is a Secret, its neighbour a ConfigMap ---
    let api_files = named(&objects, "ConfigMap", "api-files").expect("api-files");
    assert!(api_files["data"].get("features.yaml").is_some());
    assert!(api_files["data"].get("config.yaml").is_none());
    let secret = named(&objects, "Secret", "api-secrets").expect("api-secrets");
    assert!(secret["data"].get("config.yaml").is_some());
    let config_mount = container(api, "api")["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/app/config/config.yaml")
        .expect("config.yaml mounted")
        .clone();
    let vol = pod_spec(api)["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == config_mount["name"])
        .unwrap();
    assert_eq!(vol["secret"]["secretName"], "api-secrets");
    // A Compose `configs:` file with a token is a Secret too.
    assert!(secret["data"].get("settings").is_some(), "{secret}");
    assert!(api_files["data"].get("settings").is_none());

    // --- a config directory the application writes to: a claim seeded on first start ---
    let sonarr = workload_with_container(&objects, "sonarr");
    let (sonarr_claim, _) = claim_at(sonarr, "sonarr", "/config");
    let seed = pod_spec(sonarr)["initContainers"]
        .as_array()
        .and_then(|i| i.iter().find(|c| c["name"] == "seed"))
        .expect("a seed init container")
        .clone();
    let cmd = seed["command"].to_string();
    assert!(
        cmd.contains("ls -A /seed-target"),
        "copies only into an empty claim: {cmd}"
    );
    let seed_mounts = seed["volumeMounts"].as_array().unwrap();
    let target_vol = seed_mounts
        .iter()
        .find(|m| m["mountPath"] == "/seed-target")
        .unwrap();
    let target_claim = pod_spec(sonarr)["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == target_vol["name"])
        .unwrap()["persistentVolumeClaim"]["claimName"]
        .clone();
    assert_eq!(target_claim, sonarr_claim.as_str());
    assert!(seed_mounts
        .iter()
        .any(|m| m["mountPath"] == "/seed/config.xml"));
    assert!(
        named(&objects, "ConfigMap", "sonarr-files").unwrap()["data"]
            .get("config.xml")
            .is_some()
    );
}

/// The workload a Service name resolves to from `namespace` (following an ExternalName to
/// the Service it names): (namespace, workload name, Service ports).
fn resolve(objects: &[Value], namespace: &str, host: &str) -> Option<(String, String)> {
    let svc = objects.iter().find(|o| {
        o["kind"] == "Service"
            && o["metadata"]["name"] == host
            && o["metadata"]["namespace"] == namespace
    })?;
    if let Some(target) = svc["spec"]["externalName"].as_str() {
        let mut parts = target.split('.');
        let (name, ns) = (parts.next()?, parts.next()?);
        return resolve(objects, ns, name);
    }
    let selector = svc["spec"]["selector"].as_object()?;
    let w = objects.iter().find(|o| {
        WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or(""))
            && o["metadata"]["namespace"] == namespace
            && selector
                .iter()
                .all(|(k, v)| pod_template(o)["metadata"]["labels"][k] == *v)
    })?;
    Some((
        namespace.to_string(),
        w["metadata"]["name"].as_str()?.to_string(),
    ))
}

/// Every Ingress backend is reachable from `controller` on the port its Service targets.
fn assert_ingress_controller_reaches_backends(objects: &[Value], controller: &Peer) {
    let net = Network::from_objects(objects);
    let ingresses = kind(objects, "Ingress");
    assert!(!ingresses.is_empty());
    for ing in ingresses {
        let ns = ing["metadata"]["namespace"].as_str().unwrap();
        for rule in ing["spec"]["rules"].as_array().unwrap() {
            for path in rule["http"]["paths"].as_array().unwrap() {
                let backend = &path["backend"]["service"];
                let name = backend["name"].as_str().unwrap();
                let port = backend["port"]["number"].as_u64().unwrap();
                let svc = objects
                    .iter()
                    .find(|o| {
                        o["kind"] == "Service"
                            && o["metadata"]["name"] == name
                            && o["metadata"]["namespace"] == ns
                    })
                    .unwrap();
                let target = svc["spec"]["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["port"].as_u64() == Some(port))
                    .map(|p| p["targetPort"].as_u64().unwrap_or(port))
                    .unwrap();
                let (wns, wname) = resolve(objects, ns, name).unwrap();
                let pod = net.workload(&wns, &wname);
                assert!(
                    net.can_reach(controller, &pod, target as u16, "TCP"),
                    "{} cannot reach {ns}/{name}:{target}",
                    controller.name
                );
            }
        }
    }
}

#[test]
fn every_path_the_stack_uses_stays_open() {
    let (tmp, compose) = copy_stack("open-paths");
    let (objects, plan) = check_stack(&compose, &["paths-db-Pa55-k2"]);
    let net = Network::from_objects(&objects);

    // The inventory says ingress-nginx: its pods are admitted, not Traefik's.
    let nginx = Peer::pod(
        "ingress-nginx",
        &[("app.kubernetes.io/name", "ingress-nginx")],
    );
    assert_ingress_controller_reaches_backends(&objects, &nginx);
    let app = workload_with_container(&objects, "app");
    let app_peer = net.workload("paths", app["metadata"]["name"].as_str().unwrap());
    assert!(!net.can_reach(&Peer::traefik(), &app_peer, 8080, "TCP"));

    // Each app reaches every host it names, by that name, from its own namespace: env
    // values, command arguments, a config file, depends_on of a container that joined the
    // VPN pod (now in its own privileged namespace).
    let uses: &[(&str, &str, u16)] = &[
        ("app", "db", 5432),
        ("app", "cache", 6379),
        ("app", "search", 7700),
        ("app", "mailer", 2525),
        ("web", "search", 7700),
        ("sonarr", "torrent", 8090),
    ];
    for (from, host, port) in uses {
        let w = workload_with_container(&objects, from);
        let ns = w["metadata"]["namespace"].as_str().unwrap();
        let (tns, tname) = resolve(&objects, ns, host)
            .unwrap_or_else(|| panic!("`{host}` does not resolve from {ns} ({from})"));
        let src = net.workload(ns, w["metadata"]["name"].as_str().unwrap());
        let dst = net.workload(&tns, &tname);
        assert!(
            net.can_reach(&src, &dst, *port, "TCP"),
            "{from} cannot reach {host}:{port}"
        );
    }
    let vpn = workload_with_container(&objects, "torrent");
    assert_ne!(vpn["metadata"]["namespace"], "paths", "the VPN pod moved");
    // The exporter reaches the database it names in its DSN.
    assert!(net.can_reach(
        &net.workload("paths", "pg-exporter"),
        &net.workload("paths", "db"),
        5432,
        "TCP"
    ));

    // Monitoring is declared: Prometheus (its namespace from the inventory's URL) scrapes the
    // exporter and the app's metrics port, and nothing else.
    let prometheus = Peer::pod("observability", &[("app.kubernetes.io/name", "prometheus")]);
    assert!(net.can_reach(
        &prometheus,
        &net.workload("paths", "pg-exporter"),
        9187,
        "TCP"
    ));
    assert!(net.can_reach(&prometheus, &app_peer, 9464, "TCP"));
    assert!(!net.can_reach(&prometheus, &app_peer, 8080, "TCP"));
    assert!(!net.can_reach(&prometheus, &net.workload("paths", "db"), 5432, "TCP"));

    // Left-out services: nothing waits for them, references to them are reported, and a
    // tool that only mounts the socket (at any path) is recognised as one.
    let inits = pod_template(app)["spec"]["initContainers"].to_string();
    assert!(!inits.contains("socket-proxy"), "{inits}");
    assert!(inits.contains("wait-for-db"), "{inits}");
    assert!(
        plan.contains("`DOCKER_HOST` points at `socket-proxy`, which is not deployed"),
        "{plan}"
    );
    assert!(plan.contains("service `janitor` is left out"), "{plan}");
    for gone in ["socket-proxy", "janitor"] {
        assert!(
            !objects.iter().any(
                |o| WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or(""))
                    && o["metadata"]["name"] == gone
            ),
            "{gone} is deployed"
        );
    }

    // The same stack behind k3s' Traefik: Traefik's pods are admitted.
    let cluster = compose.parent().unwrap().join("cluster.yaml");
    let text = std::fs::read_to_string(&cluster)
        .unwrap()
        .replace("className: nginx", "className: traefik");
    std::fs::write(&cluster, text).unwrap();
    let (objects, _) = check_stack(&compose, &["paths-db-Pa55-k2"]);
    assert_ingress_controller_reaches_backends(&objects, &Peer::traefik());
    let net = Network::from_objects(&objects);
    let app = net.workload("paths", "app");
    assert!(!net.can_reach(&nginx, &app, 8080, "TCP"));
    drop(tmp);
}

/// (host, path) -> (Service, port) of every Ingress rule.
fn ingress_routes(objects: &[Value]) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for i in kind(objects, "Ingress") {
        for r in i["spec"]["rules"].as_array().into_iter().flatten() {
            for p in r["http"]["paths"].as_array().into_iter().flatten() {
                out.push((
                    r["host"].as_str().unwrap_or("").to_string(),
                    p["path"].as_str().unwrap_or("").to_string(),
                    p["backend"]["service"]["name"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                    p["backend"]["service"]["port"]["number"]
                        .as_u64()
                        .unwrap_or(0),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn traefik_routers_and_a_vpn_pod() {
    let compose = stack_compose("traefik-vpn");
    let (objects, plan) = check_stack(&compose, &[]);

    // Each router to its own service's port, several routers on one container, and the
    // ambiguous one named in a warning rather than sent anywhere.
    let routes = ingress_routes(&objects);
    let find = |host: &str, path: &str| {
        routes
            .iter()
            .find(|r| r.0 == host && r.1 == path)
            .map(|r| r.3)
            .unwrap_or_else(|| panic!("no route for {host}{path}: {routes:?}"))
    };
    assert_eq!(find("qbit.example.org", "/"), 8080);
    assert_eq!(find("sab.example.org", "/"), 8085);
    assert_eq!(find("prowlarr.example.org", "/"), 9696);
    assert_eq!(find("status.example.org", "/"), 3001);
    assert_eq!(find("status.example.org", "/api"), 3002);
    assert!(!routes.iter().any(|r| r.0 == "stray.example.org"));
    assert!(
        plan.contains("Traefik router `stray`"),
        "the ambiguous router is named:\n{plan}"
    );
    assert_ingress_controller_reaches_backends(&objects, &Peer::traefik());

    // The healthcheck's port is in the Service (and the probe checks it).
    let svc = named(&objects, "Service", "status").expect("Service status");
    let ports: Vec<u64> = svc["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["port"].as_u64())
        .collect();
    assert!(ports.contains(&3001), "{ports:?}");

    // The VPN runs as a native sidecar: it starts before the apps and keeps running.
    let vpn = workload_with_container(&objects, "qbittorrent");
    let spec = &pod_template(vpn)["spec"];
    let gluetun = spec["initContainers"]
        .as_array()
        .and_then(|i| i.iter().find(|c| c["name"] == "gluetun"))
        .expect("gluetun is an init container");
    assert_eq!(gluetun["restartPolicy"], "Always");
    assert!(!spec["containers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "gluetun"));
    // Its firewall lets the pod reach the cluster, keeping the user's own subnet.
    let env = &named(&objects, "ConfigMap", "gluetun-env").unwrap()["data"];
    let subnets = env["FIREWALL_OUTBOUND_SUBNETS"].as_str().unwrap();
    for cidr in ["192.168.1.0/24", "10.42.0.0/16", "10.43.0.0/16"] {
        assert!(subnets.split(',').any(|s| s == cidr), "{subnets}");
    }
    // The namespaced sysctl is kept (privileged namespace), with the kubelet note.
    let sysctls = spec["securityContext"]["sysctls"].to_string();
    assert!(
        sysctls.contains("net.ipv4.conf.all.src_valid_mark"),
        "{sysctls}"
    );
    assert!(plan.contains("allowed-unsafe-sysctls"), "{plan}");
}

fn memory_mib(q: &str) -> u64 {
    let (n, unit) = q.split_at(q.find(|c: char| !c.is_ascii_digit()).unwrap_or(q.len()));
    let n: u64 = n.parse().unwrap();
    match unit {
        "Gi" => n * 1024,
        "Mi" => n,
        other => panic!("unit {other}"),
    }
}

#[test]
fn pods_stay_up_and_exposure_is_never_widened() {
    let (_tmp, compose) = copy_stack("stay-up");
    let (objects, plan) = check_stack(&compose, &["lab-db-Pa55-q7"]);

    // Exposure: database and queue protocol ports stay inside the cluster with a warning;
    // management UIs are Ingresses; a host-IP-bound port keeps a diagnostic.
    let lb_ports: Vec<u64> = kind(&objects, "Service")
        .iter()
        .filter(|s| s["spec"]["type"] == "LoadBalancer")
        .flat_map(|s| s["spec"]["ports"].as_array().into_iter().flatten())
        .filter_map(|p| p["port"].as_u64())
        .collect();
    for closed in [5432, 5672, 15672, 9001] {
        assert!(
            !lb_ports.contains(&closed),
            "{closed} is a LoadBalancer: {lb_ports:?}"
        );
    }
    assert!(lb_ports.contains(&5353), "the resolver is published");
    assert!(plan.contains("HP0444"), "{plan}");
    assert!(plan.contains("bound to 192.168.1.5"), "{plan}");
    let routes = ingress_routes(&objects);
    assert!(
        routes.iter().any(|r| r.2 == "queue" && r.3 == 15672),
        "{routes:?}"
    );
    assert!(
        routes.iter().any(|r| r.2 == "objects" && r.3 == 9001),
        "{routes:?}"
    );
    // Nothing outside the cluster reaches the database; the plan does not claim otherwise.
    let net = Network::from_objects(&objects);
    let outside = Peer::external(std::net::Ipv4Addr::new(192, 168, 1, 50));
    assert!(!net.can_reach(&outside, &net.workload("lab", "db"), 5432, "TCP"));
    assert!(net.can_reach(&outside, &net.workload("lab", "resolver"), 5353, "UDP"));
    assert!(
        plan.contains("open to everyone (LoadBalancer)"),
        "the open port is stated:\n{plan}"
    );

    // A generous memory limit for an unknown image, its tmpfs counted, the basis stated.
    let worker = workload_with_container(&objects, "worker");
    let limit = container(worker, "worker")["resources"]["limits"]["memory"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(memory_mib(&limit), 2048 + 256, "{limit}");
    assert!(plan.contains("not in the knowledge base: a generous memory limit"));
    assert!(plan.contains("256Mi of memory-backed tmpfs"), "{plan}");

    // s6-overlay can signal and stop the services it supervises.
    let radarr = workload_with_container(&objects, "radarr");
    let caps = container(radarr, "radarr")["securityContext"]["capabilities"]["add"].to_string();
    for cap in ["KILL", "SETUID", "SETGID", "CHOWN"] {
        assert!(caps.contains(cap), "{caps}");
    }

    // Node-local data stays with its pod; the NAS runs nothing; budgets count k3s.
    let db = workload_with_container(&objects, "db");
    let affinity = pod_template(db)["spec"]["affinity"]["nodeAffinity"].to_string();
    assert!(affinity.contains("kubernetes.io/hostname"), "{affinity}");
    let json = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["plan", "--format", "json"]));
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let nodes = doc["nodes"].as_array().unwrap();
    let node = |n: &str| nodes.iter().find(|x| x["name"] == n).unwrap().clone();
    assert_eq!(
        node("nas")["pods"],
        serde_json::json!([]),
        "a storage node runs no workloads"
    );
    let nuc_alloc = memory_mib(node("nuc")["memory"]["allocatable"].as_str().unwrap());
    assert!(
        nuc_alloc < 4096 - 512,
        "the k3s server's own use is counted: {nuc_alloc}Mi"
    );

    // Over-commitment was accepted in cluster.yaml: a warning. Without it, an error (exit 1)
    // ranking what to move.
    assert!(plan.contains("warning[HP0461]"), "{plan}");
    let cluster = compose.parent().unwrap().join("cluster.yaml");
    let text = std::fs::read_to_string(&cluster)
        .unwrap()
        .replace("  overcommit: accept\n", "");
    std::fs::write(&cluster, text).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = run(homeport()
        .arg("-f")
        .arg(&compose)
        .arg("convert")
        .arg("--out")
        .arg(tmp.path().join("out")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[HP0461]"), "{stderr}");
    assert!(stderr.contains("largest first: big (3500Mi)"), "{stderr}");
}
