//! End to end through the real binary: convert realistic stacks (the bundled media server, a
//! VPN download stack, a GPU AI stack, an API + workers + queue service) and check what an
//! engineer would check before deploying: the decisions, the NetworkPolicy reachability, that
//! secrets stay in git-ignored 0600 files, that every object validates for Kubernetes 1.33,
//! that `kubectl kustomize` builds exactly the objects `render` prints, determinism, and the
//! refusal to overwrite.

mod support;

use homeport_testkit::{require_tool, Tool};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;
use support::netpol::{Network, Peer};
use support::*;

/// What every stack must satisfy; returns the rendered objects.
fn check_stack(stack: &str) -> Vec<Value> {
    let compose = stack_compose(stack);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    convert(&compose, &out, &[]);
    let (text, objects) = render(&compose);
    assert!(!objects.is_empty(), "{stack}: render printed no objects");

    check_secret_files(stack, &out, &objects);
    check_no_secret_values_outside_secrets(stack, &out, &objects);
    check_namespaces(stack, &objects);
    check_labels(stack, &objects);

    // Determinism: a second convert writes the same bytes.
    let out2 = tmp.path().join("again");
    convert(&compose, &out2, &[]);
    let files = files_under(&out);
    assert_eq!(files, files_under(&out2), "{stack}: file lists differ");
    for f in &files {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(out2.join(f)).unwrap(),
            "{stack}: {f} differs between two converts"
        );
    }
    let (text2, _) = render(&compose);
    assert_eq!(text, text2, "{stack}: render is not deterministic");

    // No overwrite without --force; --force replaces.
    let refused = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["convert", "--out"])
        .arg(&out));
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{stack}: non-empty DIR must be refused"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("HP0702"));
    convert(&compose, &out, &["--force"]);

    // kubectl kustomize builds exactly the rendered objects.
    assert_kustomize_matches(&out, &objects, stack);
    // Every built-in object validates for Kubernetes 1.33 (operator kinds such as KEDA's
    // ScaledObject have no schema there).
    if require_tool(Tool::KubernetesValidate).is_some() {
        homeport_testkit::validate_builtin_k8s_objects(&objects, "1.33")
            .unwrap_or_else(|e| panic!("{stack}: {e}"));
        let _ = &text;
    }
    objects
}

/// Decoded values of every Secret's data.
fn secret_values(objects: &[Value]) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    for s in kind(objects, "Secret") {
        for v in s["data"].as_object().into_iter().flatten().map(|(_, v)| v) {
            let bytes = decode_base64(v.as_str().unwrap_or(""));
            let text = String::from_utf8_lossy(&bytes).into_owned();
            // Short values ("1", "true") could appear anywhere by chance.
            if text.len() >= 6 {
                values.insert(text);
            }
        }
    }
    values
}

fn decode_base64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let Some(v) = A.iter().position(|&a| a == c) else {
            continue;
        };
        buf = (buf << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

fn gitignored(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(".gitignore"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.trim_start_matches('/').to_string())
        .collect()
}

/// Secret files are 0600 and git-ignored; every Secret's data is in them.
fn check_secret_files(stack: &str, out: &Path, objects: &[Value]) {
    let ignored = gitignored(out);
    let secrets = kind(objects, "Secret");
    if !secrets.is_empty() {
        assert!(!ignored.is_empty(), "{stack}: Secrets but no .gitignore");
    }
    for f in files_under(out) {
        let under_secrets = f.starts_with("base/secrets/") || f.ends_with("/secret.yaml");
        if under_secrets {
            assert!(
                ignored.contains(&f),
                "{stack}: secret file {f} not in .gitignore"
            );
        }
        if ignored.contains(&f) {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(out.join(&f))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(
                    mode & 0o777,
                    0o600,
                    "{stack}: {f} has mode {:o}",
                    mode & 0o777
                );
            }
        }
    }
}

/// No secret value in a ConfigMap, a plain env value, or a file that is not git-ignored.
fn check_no_secret_values_outside_secrets(stack: &str, out: &Path, objects: &[Value]) {
    let values = secret_values(objects);
    let ignored = gitignored(out);
    for f in files_under(out) {
        if ignored.contains(&f) {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(out.join(&f)).unwrap()).into_owned();
        for v in &values {
            assert!(
                !text.contains(v.as_str()),
                "{stack}: a secret value is written in {f}"
            );
        }
    }
    for cm in kind(objects, "ConfigMap") {
        let text = cm["data"].to_string();
        for v in &values {
            assert!(
                !text.contains(v.as_str()),
                "{stack}: secret value in {}",
                name_of(cm)
            );
        }
    }
    for w in objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
    {
        let spec = &pod_template(w)["spec"];
        for c in ["containers", "initContainers"]
            .iter()
            .flat_map(|k| spec[*k].as_array().into_iter().flatten())
        {
            for e in c["env"].as_array().into_iter().flatten() {
                let value = e["value"].as_str().unwrap_or("");
                for v in &values {
                    assert!(
                        !value.contains(v.as_str()),
                        "{stack}: {} env {} holds a secret value",
                        name_of(w),
                        e["name"]
                    );
                }
            }
        }
    }
}

/// Every namespace with pods exists and enforces a Pod Security level (plus warn and audit).
fn check_namespaces(stack: &str, objects: &[Value]) {
    for w in objects
        .iter()
        .filter(|o| WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
    {
        let ns = w["metadata"]["namespace"]
            .as_str()
            .unwrap_or_else(|| panic!("{stack}: {} has no namespace", name_of(w)));
        let ns_obj =
            named(objects, "Namespace", ns).unwrap_or_else(|| panic!("{stack}: no Namespace {ns}"));
        let labels = &ns_obj["metadata"]["labels"];
        let level = labels["pod-security.kubernetes.io/enforce"]
            .as_str()
            .unwrap_or("");
        assert!(
            ["restricted", "baseline", "privileged"].contains(&level),
            "{stack}: {ns} enforce={level}"
        );
        for mode in ["warn", "audit"] {
            assert!(
                labels[format!("pod-security.kubernetes.io/{mode}")].is_string(),
                "{stack}: {ns} lacks {mode}"
            );
        }
    }
}

/// Service-owned objects say where they came from; everything is marked as homeport's.
fn check_labels(stack: &str, objects: &[Value]) {
    for o in objects {
        let meta = &o["metadata"];
        if meta["labels"]["app.kubernetes.io/name"].is_string() {
            assert!(
                meta["annotations"]["homeport.dev/source"].is_string(),
                "{stack}: {} has no homeport.dev/source annotation",
                name_of(o)
            );
        }
    }
}

fn namespace_of(w: &Value) -> String {
    w["metadata"]["namespace"].as_str().unwrap().to_string()
}

fn enforce_level<'a>(objects: &'a [Value], ns: &str) -> &'a str {
    named(objects, "Namespace", ns).unwrap()["metadata"]["labels"]
        ["pod-security.kubernetes.io/enforce"]
        .as_str()
        .unwrap()
}

fn gpu_limit(c: &Value) -> Option<String> {
    match &c["resources"]["limits"]["nvidia.com/gpu"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn tolerates_opportunistic(w: &Value) -> bool {
    pod_template(w)["spec"]["tolerations"]
        .as_array()
        .is_some_and(|ts| ts.iter().any(|t| t["key"] == "homeport.dev/opportunistic"))
}

/// Names of the variables a container gets: `env` plus the keys of `envFrom` ConfigMaps and
/// Secrets.
fn env_names(objects: &[Value], w: &Value, c: &Value) -> Vec<String> {
    let ns = w["metadata"]["namespace"].as_str();
    let mut names: Vec<String> = c["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect();
    for from in c["envFrom"].as_array().into_iter().flatten() {
        for (kind_name, ref_key) in [("ConfigMap", "configMapRef"), ("Secret", "secretRef")] {
            let Some(name) = from[ref_key]["name"].as_str() else {
                continue;
            };
            let source = objects
                .iter()
                .find(|o| {
                    o["kind"] == kind_name
                        && o["metadata"]["name"] == name
                        && o["metadata"]["namespace"].as_str() == ns
                })
                .unwrap_or_else(|| panic!("envFrom {kind_name} {name} is not rendered"));
            names.extend(
                source["data"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone()),
            );
        }
    }
    names
}

/// A restricted container: no privilege escalation, all capabilities dropped, RuntimeDefault
/// seccomp (on the pod or the container), non-root.
fn assert_restricted(w: &Value, container_name: &str) {
    let pod = &pod_template(w)["spec"];
    let c = container(w, container_name);
    let sc = &c["securityContext"];
    assert_eq!(
        sc["allowPrivilegeEscalation"], false,
        "{container_name}: {sc}"
    );
    assert!(
        sc["capabilities"]["drop"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x == "ALL")),
        "{container_name}: capabilities not dropped: {sc}"
    );
    let seccomp = sc["seccompProfile"]["type"]
        .as_str()
        .or(pod["securityContext"]["seccompProfile"]["type"].as_str());
    assert_eq!(seccomp, Some("RuntimeDefault"), "{container_name}");
    let non_root = sc["runAsNonRoot"]
        .as_bool()
        .or(pod["securityContext"]["runAsNonRoot"].as_bool());
    assert_eq!(non_root, Some(true), "{container_name}");
}

fn ingress_hosts(objects: &[Value]) -> BTreeSet<String> {
    kind(objects, "Ingress")
        .iter()
        .flat_map(|i| i["spec"]["rules"].as_array().into_iter().flatten())
        .filter_map(|r| r["host"].as_str().map(str::to_string))
        .collect()
}

fn internet() -> Peer {
    Peer::external(Ipv4Addr::new(151, 101, 1, 1))
}

#[test]
fn media_server_example() {
    let objects = check_stack("media-server");
    let net = Network::from_objects(&objects);

    // Jellyfin's /dev/dri becomes the Intel device plugin's resource, on the node with the
    // Intel iGPU; never a hostPath device.
    let jellyfin = workload_with_container(&objects, "jellyfin");
    let jf = container(jellyfin, "jellyfin");
    assert_eq!(jf["resources"]["limits"]["gpu.intel.com/i915"], "1");
    assert!(gpu_limit(jf).is_none());
    assert!(!pod_template(jellyfin)["spec"]["volumes"]
        .to_string()
        .contains("hostPath"));
    let required = pod_template(jellyfin)["spec"]["affinity"]["nodeAffinity"]
        ["requiredDuringSchedulingIgnoredDuringExecution"]
        .to_string();
    assert!(
        required.contains("rog-strix") && !required.contains("aorus"),
        "{required}"
    );

    // The transcoder is preemptible batch work: tolerates the opportunistic taint, labelled.
    let transcoder = workload_with_container(&objects, "transcoder");
    let tc = container(transcoder, "transcoder");
    assert_eq!(gpu_limit(tc).as_deref(), Some("1"));
    assert_eq!(
        pod_template(transcoder)["spec"]["runtimeClassName"],
        "nvidia"
    );
    assert!(tolerates_opportunistic(transcoder));
    assert_eq!(
        pod_template(transcoder)["metadata"]["labels"]["homeport.dev/preemptible"],
        "true"
    );
    let env = env_names(&objects, transcoder, tc);
    assert!(
        !env.contains(&"NVIDIA_VISIBLE_DEVICES".to_string()),
        "{env:?}"
    );
    assert!(
        env.contains(&"NVIDIA_DRIVER_CAPABILITIES".to_string()),
        "{env:?}"
    );

    // Stateful services: StatefulSets on the fast local class, never on the gaming PC.
    let postgres = workload_with_container(&objects, "postgres");
    assert_eq!(postgres["kind"], "StatefulSet");
    let classes: Vec<&Value> = postgres["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["spec"]["storageClassName"])
        .collect();
    assert!(
        classes.iter().all(|c| *c == "local-path") && !classes.is_empty(),
        "{classes:?}"
    );
    assert!(!tolerates_opportunistic(postgres));
    assert_restricted(postgres, "postgres");

    // qBittorrent shares gluetun's network namespace: one pod, NET_ADMIN on the VPN only,
    // and that pod gets its own namespace instead of lowering everyone's level.
    let vpn = workload_with_container(&objects, "gluetun");
    assert_eq!(
        workload_with_container(&objects, "qbittorrent")["metadata"]["name"],
        vpn["metadata"]["name"]
    );
    let caps = &container(vpn, "gluetun")["securityContext"]["capabilities"]["add"];
    assert!(
        caps.as_array()
            .is_some_and(|a| a.iter().any(|c| c == "NET_ADMIN")),
        "{caps}"
    );
    assert_ne!(namespace_of(vpn), namespace_of(postgres));
    assert_ne!(
        enforce_level(&objects, &namespace_of(postgres)),
        "privileged"
    );

    // The media library on the NAS is one static NFS volume: its own directory.
    let pv = kind(&objects, "PersistentVolume")
        .into_iter()
        .find(|pv| pv["spec"]["nfs"]["path"] == "/export/media/library")
        .expect("a static NFS PersistentVolume for /mnt/media/library");
    assert_eq!(pv["spec"]["nfs"]["server"], "pi-nas.home.arpa");

    // Jellyfin reads the library through that volume.
    let media_mount = container(jellyfin, "jellyfin")["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/media")
        .expect("jellyfin mounts /media")
        .clone();
    // The library directory is its own volume (no subPath into a disk-wide one).
    assert!(media_mount.get("subPath").is_none());
    assert_eq!(media_mount["readOnly"], true);
    let volume = pod_template(jellyfin)["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == media_mount["name"])
        .unwrap();
    let claim = volume["persistentVolumeClaim"]["claimName"]
        .as_str()
        .unwrap();
    let pvc = kind(&objects, "PersistentVolumeClaim")
        .into_iter()
        .find(|c| {
            c["metadata"]["name"] == claim
                && c["metadata"]["namespace"] == jellyfin["metadata"]["namespace"]
        })
        .expect("the library claim");
    assert!(
        pvc["spec"]["volumeName"] == pv["metadata"]["name"]
            || pv["spec"]["claimRef"]["name"] == claim,
        "the library claim is bound to the NAS volume"
    );

    // GPU work lands only on GPU nodes; the preemptible transcoder prefers the gaming PC.
    let affinity = &pod_template(transcoder)["spec"]["affinity"]["nodeAffinity"];
    let required = affinity["requiredDuringSchedulingIgnoredDuringExecution"].to_string();
    assert!(
        !required.contains("raspberrypi") && !required.contains("pi-nas"),
        "{required}"
    );
    let preferred = affinity["preferredDuringSchedulingIgnoredDuringExecution"].to_string();
    assert!(preferred.contains("aorus"), "{preferred}");

    // Ingresses: hinted hosts, the inventory's class.
    let hosts = ingress_hosts(&objects);
    assert!(
        hosts.contains("tv.home.arpa") && hosts.contains("media.home.arpa"),
        "{hosts:?}"
    );
    for i in kind(&objects, "Ingress") {
        assert_eq!(i["spec"]["ingressClassName"], "traefik");
    }

    // Secrets: the database password is a Secret value, not a ConfigMap one.
    assert!(secret_values(&objects)
        .iter()
        .any(|v| v.contains("dev-only-postgres-password")));

    // Who may talk to whom.
    let api = workload_with_container(&objects, "api");
    let web = workload_with_container(&objects, "web");
    let redis = workload_with_container(&objects, "redis");
    let sonarr = workload_with_container(&objects, "sonarr");
    let p = |w: &Value| net.workload(&namespace_of(w), w["metadata"]["name"].as_str().unwrap());
    assert!(
        net.can_reach(&p(api), &p(postgres), 5432, "TCP"),
        "api -> postgres"
    );
    assert!(
        net.can_reach(&p(api), &p(redis), 6379, "TCP"),
        "api -> redis"
    );
    assert!(
        net.can_reach(&p(transcoder), &p(postgres), 5432, "TCP"),
        "transcoder -> postgres"
    );
    assert!(
        !net.can_reach(&p(web), &p(postgres), 5432, "TCP"),
        "web must not reach postgres"
    );
    assert!(
        !net.can_reach(&p(sonarr), &p(postgres), 5432, "TCP"),
        "sonarr must not reach postgres"
    );
    assert!(
        !net.can_reach(&p(vpn), &p(postgres), 5432, "TCP"),
        "qbittorrent must not reach postgres"
    );
    assert!(
        net.can_reach(&Peer::traefik(), &p(jellyfin), 8096, "TCP"),
        "ingress -> jellyfin"
    );
    assert!(
        net.can_reach(&Peer::traefik(), &p(web), 8080, "TCP"),
        "ingress -> web"
    );
    assert!(
        !net.can_reach(&Peer::traefik(), &p(postgres), 5432, "TCP"),
        "ingress must not reach postgres"
    );
    for w in net.workloads() {
        assert!(
            net.can_reach(w, &Peer::kube_dns(), 53, "UDP"),
            "{} has no DNS",
            w.name
        );
    }
    assert!(
        !net.can_reach(&p(postgres), &internet(), 443, "TCP"),
        "postgres must not reach the internet"
    );
    assert!(
        net.can_reach(&p(sonarr), &internet(), 443, "TCP"),
        "sonarr needs the internet"
    );
}

#[test]
fn vpn_download_stack() {
    let objects = check_stack("vpn-downloads");
    let net = Network::from_objects(&objects);
    let vpn = workload_with_container(&objects, "gluetun");
    assert_eq!(
        workload_with_container(&objects, "qbittorrent")["metadata"]["name"],
        vpn["metadata"]["name"]
    );
    let qbt = container(vpn, "qbittorrent");
    // linuxserver.io images start as root and need a few capabilities; never privileged.
    assert_ne!(qbt["securityContext"]["privileged"], true);

    // The torrent port is not HTTP: a LoadBalancer Service (k3s ServiceLB).
    let lb_ports: Vec<u64> = kind(&objects, "Service")
        .iter()
        .filter(|s| s["spec"]["type"] == "LoadBalancer")
        .flat_map(|s| s["spec"]["ports"].as_array().into_iter().flatten())
        .filter_map(|p| p["port"].as_u64())
        .collect();
    assert!(lb_ports.contains(&6881), "{lb_ports:?}");

    // The shared data directory is the NAS share: one static volume per (namespace, host
    // directory) that uses it (a PersistentVolume binds one claim, claims are namespaced, and
    // two different host directories never share a claim).
    let pvs: Vec<&Value> = kind(&objects, "PersistentVolume")
        .into_iter()
        .filter(|pv| pv["spec"]["nfs"]["server"] == "192.168.1.20")
        .collect();
    let claims: BTreeSet<(&str, &str)> = pvs
        .iter()
        .map(|pv| {
            (
                pv["spec"]["claimRef"]["namespace"].as_str().unwrap(),
                pv["spec"]["nfs"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(!pvs.is_empty());
    assert_eq!(
        claims.len(),
        pvs.len(),
        "one PV per namespace and directory"
    );
    for pv in &pvs {
        assert!(pv["spec"]["nfs"]["path"]
            .as_str()
            .unwrap()
            .starts_with("/volume1/data"));
        assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
    }
    // qBittorrent writes its downloads to the share's `torrents` directory, its own volume.
    let torrents = container(vpn, "qbittorrent")["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/data/torrents")
        .expect("qbittorrent mounts /data/torrents");
    assert!(torrents.get("subPath").is_none());
    let torrents_claim = pod_template(vpn)["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == torrents["name"])
        .unwrap()["persistentVolumeClaim"]["claimName"]
        .clone();
    assert!(pvs
        .iter()
        .any(|pv| pv["spec"]["claimRef"]["name"] == torrents_claim
            && pv["spec"]["nfs"]["path"] == "/volume1/data/torrents"));

    // flaresolverr only `expose`s a port: no Ingress for it.
    assert!(!ingress_hosts(&objects)
        .iter()
        .any(|h| h.starts_with("flaresolverr")));
    assert!(secret_values(&objects)
        .iter()
        .any(|v| v == "fake-password-for-tests"));

    let sonarr = workload_with_container(&objects, "sonarr");
    let p = |w: &Value| net.workload(&namespace_of(w), w["metadata"]["name"].as_str().unwrap());
    assert!(
        net.can_reach(&p(sonarr), &p(vpn), 8080, "TCP"),
        "sonarr -> qbittorrent web UI"
    );
    for w in net.workloads() {
        assert!(
            net.can_reach(w, &Peer::kube_dns(), 53, "UDP"),
            "{} has no DNS",
            w.name
        );
    }
}

#[test]
fn gpu_ai_stack() {
    let objects = check_stack("gpu-ai");
    let net = Network::from_objects(&objects);
    let ollama = workload_with_container(&objects, "ollama");
    assert!(gpu_limit(container(ollama, "ollama")).is_some());
    assert_eq!(pod_template(ollama)["spec"]["runtimeClassName"], "nvidia");
    assert!(
        !tolerates_opportunistic(ollama),
        "critical: always-on nodes only"
    );

    let comfy = workload_with_container(&objects, "comfyui");
    assert_eq!(gpu_limit(container(comfy, "comfyui")).as_deref(), Some("1"));
    assert!(tolerates_opportunistic(comfy));
    assert_eq!(
        pod_template(comfy)["metadata"]["labels"]["homeport.dev/preemptible"],
        "true"
    );
    let preferred = pod_template(comfy)["spec"]["affinity"]["nodeAffinity"]
        ["preferredDuringSchedulingIgnoredDuringExecution"]
        .to_string();
    assert!(
        preferred.contains("gaming-pc"),
        "prefers the gaming PC: {preferred}"
    );

    let ingress = kind(&objects, "Ingress")
        .into_iter()
        .find(|i| i["spec"]["rules"][0]["host"] == "chat.home.arpa")
        .expect("Ingress for chat.home.arpa");
    assert_eq!(
        ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
        "letsencrypt"
    );
    assert!(ingress["spec"]["tls"][0]["hosts"]
        .to_string()
        .contains("chat.home.arpa"));
    assert!(secret_values(&objects)
        .iter()
        .any(|v| v == "fake-webui-secret-for-tests"));

    let webui = workload_with_container(&objects, "open-webui");
    let p = |w: &Value| net.workload(&namespace_of(w), w["metadata"]["name"].as_str().unwrap());
    assert!(
        net.can_reach(&p(webui), &p(ollama), 11434, "TCP"),
        "open-webui -> ollama"
    );
    assert!(
        net.can_reach(&Peer::traefik(), &p(webui), 8080, "TCP"),
        "ingress -> open-webui"
    );
    assert!(
        !net.can_reach(&Peer::traefik(), &p(ollama), 11434, "TCP"),
        "ollama is not exposed"
    );
}

#[test]
fn api_workers_queue_service() {
    let objects = check_stack("transcode-service");
    let net = Network::from_objects(&objects);
    for db in ["postgres", "rabbitmq", "redis"] {
        let w = workload_with_container(&objects, db);
        assert_eq!(w["kind"], "StatefulSet", "{db}");
        assert_restricted_or_explained(w, db);
    }
    assert_eq!(workload_with_container(&objects, "migrate")["kind"], "Job");
    let api = workload_with_container(&objects, "api");
    assert_eq!(api["kind"], "Deployment");

    let gpu = workload_with_container(&objects, "gpu-worker");
    assert_eq!(
        gpu_limit(container(gpu, "gpu-worker")).as_deref(),
        Some("1")
    );
    assert_eq!(pod_template(gpu)["spec"]["runtimeClassName"], "nvidia");
    assert!(gpu_limit(container(
        workload_with_container(&objects, "cpu-worker"),
        "cpu-worker"
    ))
    .is_none());

    let hosts = ingress_hosts(&objects);
    assert!(hosts.contains("transcode.example.com"), "{hosts:?}");
    assert!(secret_values(&objects)
        .iter()
        .any(|v| v.contains("fake-db-password")));

    let p = |w: &Value| net.workload(&namespace_of(w), w["metadata"]["name"].as_str().unwrap());
    let [pg, mq, redis, cpu] = ["postgres", "rabbitmq", "redis", "cpu-worker"]
        .map(|n| workload_with_container(&objects, n));
    assert!(
        net.can_reach(&p(api), &p(pg), 5432, "TCP"),
        "api -> postgres"
    );
    assert!(
        net.can_reach(&p(api), &p(mq), 5672, "TCP"),
        "api -> rabbitmq"
    );
    assert!(
        net.can_reach(&p(cpu), &p(mq), 5672, "TCP"),
        "cpu-worker -> rabbitmq"
    );
    assert!(
        net.can_reach(&p(gpu), &p(pg), 5432, "TCP"),
        "gpu-worker -> postgres"
    );
    assert!(
        !net.can_reach(&p(redis), &p(pg), 5432, "TCP"),
        "redis must not reach postgres"
    );
    assert!(
        !net.can_reach(&p(pg), &internet(), 443, "TCP"),
        "postgres has no internet"
    );
    assert!(
        net.can_reach(&Peer::traefik(), &p(api), 8000, "TCP"),
        "ingress -> api"
    );
    assert!(
        !net.can_reach(&Peer::traefik(), &p(pg), 5432, "TCP"),
        "ingress must not reach postgres"
    );
}

/// Databases run restricted unless the plan explains otherwise (then the namespace says so).
fn assert_restricted_or_explained(w: &Value, name: &str) {
    let sc = &container(w, name)["securityContext"];
    assert_eq!(sc["allowPrivilegeEscalation"], false, "{name}: {sc}");
    assert_ne!(sc["privileged"], true, "{name}");
}

#[test]
fn manifests_output_keeps_secrets_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    convert(
        &stack_compose("transcode-service"),
        &out,
        &["--output", "manifests"],
    );
    let files = files_under(&out);
    assert!(!files.iter().any(|f| f.ends_with("kustomization.yaml")));
    let ignored = gitignored(&out);
    let secret_files: Vec<&String> = files
        .iter()
        .filter(|f| f.ends_with("/secret.yaml"))
        .collect();
    assert!(!secret_files.is_empty());
    for f in secret_files {
        assert!(ignored.contains(f), "{f} not git-ignored");
    }
    let mut objects = Vec::new();
    for f in &files {
        if f.ends_with(".yaml") {
            objects.extend(parse_stream(&std::fs::read_to_string(out.join(f)).unwrap()));
        }
    }
    let (_, rendered) = render(&stack_compose("transcode-service"));
    assert_eq!(sorted(objects), sorted(rendered));
}

/// The issue's `x-homeport.autoscale` hint; the planner and renderer do not handle it yet.
#[test]
fn autoscale_hint_becomes_an_hpa() {
    let (_, objects) = render(&stack_compose("transcode-service"));
    let api = workload_with_container(&objects, "api");
    let hpa = kind(&objects, "HorizontalPodAutoscaler")
        .into_iter()
        .find(|h| h["spec"]["scaleTargetRef"]["name"] == api["metadata"]["name"])
        .expect("an HPA for the api");
    assert_eq!(
        (
            hpa["spec"]["minReplicas"].as_u64(),
            hpa["spec"]["maxReplicas"].as_u64()
        ),
        (Some(3), Some(10))
    );
}

/// The production layer's stacks convert, build with kustomize and validate like the others.
#[test]
fn production_layer_stacks() {
    let objects = check_stack("gpu-autoscale");
    assert!(named(&objects, "ScaledObject", "inference").is_some());
    assert!(named(&objects, "ServiceMonitor", "inference").is_some());
    assert!(named(&objects, "CronJob", "db-backup").is_some());
    let objects = check_stack("media-autoscale");
    assert!(kind(&objects, "HorizontalPodAutoscaler").is_empty());
}
