//! Stacks written the way users write them (not the repository's own examples), converted
//! through the real binary and read the way a Kubernetes engineer reads the result. Each
//! assertion here pins a bug found by doing exactly that: a secret in a plain spec, a known
//! image broken by hardening, a Service without the port clients use, a probe on a port
//! nobody listens on, a database rolled onto its own files, an app behind a dropped proxy
//! left unreachable.

mod support;

use serde_json::Value;
use std::net::Ipv4Addr;
use std::path::Path;
use support::netpol::{Network, Peer};
use support::*;

/// `homeport -f <compose> plan`: (exit code, stdout, stderr).
fn plan(compose: &Path) -> (Option<i32>, String, String) {
    let o = run(homeport().arg("-f").arg(compose).arg("plan"));
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// What every user stack must satisfy ([`support::check::check_stack`]): convert works,
/// `kubectl kustomize` builds exactly the rendered objects, every object validates for 1.33,
/// our own lint finds no error, and no value of `forbidden` (the fake secrets of the stack's
/// `.env` and secret files) appears anywhere but in a Secret. Returns the rendered objects.
fn check_user_stack(compose: &Path, forbidden: &[&str]) -> Vec<Value> {
    support::check::check_stack(compose, forbidden).0
}

fn ports_of(c: &Value) -> Vec<u64> {
    c["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["containerPort"].as_u64())
        .collect()
}

fn service_ports(objects: &[Value], name: &str) -> Vec<u64> {
    named(objects, "Service", name).unwrap_or_else(|| panic!("no Service {name}"))["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["port"].as_u64())
        .collect()
}

fn readiness_port(c: &Value) -> Option<u64> {
    let p = &c["readinessProbe"];
    p["tcpSocket"]["port"]
        .as_u64()
        .or(p["httpGet"]["port"].as_u64())
}

/// The `wait-for-*` init containers' commands, joined.
fn waits(w: &Value) -> String {
    pod_template(w)["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["command"].to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn volume<'a>(w: &'a Value, name: &str) -> &'a Value {
    pod_template(w)["spec"]["volumes"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["name"] == name))
        .unwrap_or_else(|| panic!("no volume {name}"))
}

fn mount_volume(c: &Value, path: &str) -> String {
    c["volumeMounts"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["mountPath"] == path))
        .and_then(|m| m["name"].as_str())
        .unwrap_or_else(|| panic!("nothing mounted at {path}"))
        .to_string()
}

fn secret_keys(objects: &[Value], name: &str) -> Vec<String> {
    named(objects, "Secret", name).unwrap_or_else(|| panic!("no Secret {name}"))["data"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect()
}

fn secret_value(objects: &[Value], name: &str, key: &str) -> String {
    let s = named(objects, "Secret", name).unwrap_or_else(|| panic!("no Secret {name}"));
    let b64 = s["data"][key]
        .as_str()
        .unwrap_or("")
        .replace(['\n', '\r'], "");
    String::from_utf8(decode_base64(&b64)).unwrap()
}

fn decode_base64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
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

fn ingress_hosts(objects: &[Value]) -> Vec<(String, String)> {
    let mut hosts = Vec::new();
    for i in kind(objects, "Ingress") {
        for r in i["spec"]["rules"].as_array().into_iter().flatten() {
            let backend = r["http"]["paths"][0]["backend"]["service"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string();
            hosts.push((r["host"].as_str().unwrap_or("").to_string(), backend));
        }
    }
    hosts.sort();
    hosts
}

/// An *arr stack behind gluetun with a Traefik proxy on the Docker socket, linuxserver.io
/// images, FlareSolverr and Jellyseerr, media on a NAS share.
#[test]
fn arr_stack_behind_traefik_and_gluetun() {
    let compose = stack_compose("arr-traefik");
    let objects = check_user_stack(&compose, &["yFakeKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]);

    // Traefik is replaced by the cluster ingress; its labels become Ingresses.
    assert!(
        !objects.iter().any(|o| o["metadata"]["name"] == "traefik"),
        "traefik must not be deployed"
    );
    let hosts = ingress_hosts(&objects);
    for (host, backend) in [
        ("sonarr.example.com", "sonarr"),
        ("radarr.example.com", "radarr"),
        ("prowlarr.example.com", "prowlarr"),
        ("qbittorrent.example.com", "gluetun"),
        ("flaresolverr.example.com", "flaresolverr"),
        ("jellyseerr.example.com", "jellyseerr"),
    ] {
        assert!(
            hosts.contains(&(host.to_string(), backend.to_string())),
            "no Ingress {host} -> {backend} in {hosts:?}"
        );
    }

    // gluetun is probed on its own control server, not on the torrent port a joined
    // container listens on.
    let gluetun = workload_with_container(&objects, "gluetun");
    assert_eq!(readiness_port(container(gluetun, "gluetun")), Some(8000));
    assert_eq!(
        readiness_port(container(gluetun, "qbittorrent")),
        Some(8080)
    );

    // FlareSolverr's user is a name in the image: the uid must be explicit, or the kubelet
    // refuses runAsNonRoot. Its API port is HTTP (an Ingress above, no LoadBalancer).
    let flare = workload_with_container(&objects, "flaresolverr");
    let sc = &container(flare, "flaresolverr")["securityContext"];
    assert_eq!(sc["runAsUser"], 1000, "{sc}");
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(
        named(&objects, "Service", "flaresolverr").unwrap()["spec"]["type"],
        "ClusterIP"
    );

    // Jellyseerr runs as root: it must not be forced to non-root.
    let seerr = workload_with_container(&objects, "jellyseerr");
    let pod_sc = &pod_template(seerr)["spec"]["securityContext"];
    let c_sc = &container(seerr, "jellyseerr")["securityContext"];
    assert_ne!(pod_sc["runAsNonRoot"], true, "{pod_sc}");
    assert_ne!(c_sc["runAsNonRoot"], true, "{c_sc}");

    // Non-root Jellyfin reaches /dev/dri through the host's render group (group_add).
    let jellyfin = workload_with_container(&objects, "jellyfin");
    let jf_pod = &pod_template(jellyfin)["spec"];
    assert_eq!(
        jf_pod["securityContext"]["supplementalGroups"],
        serde_json::json!([109])
    );
    assert_eq!(
        container(jellyfin, "jellyfin")["resources"]["limits"]["gpu.intel.com/i915"],
        "1"
    );

    // sonarr waits for prowlarr on the port the linuxserver.io table knows.
    let sonarr = workload_with_container(&objects, "sonarr");
    assert!(waits(sonarr).contains("prowlarr 9696"), "{}", waits(sonarr));

    // The media share is one static NFS volume; the default network lets the apps talk.
    let net = Network::from_objects(&objects);
    let sonarr_pod = net.workload("arr", "sonarr");
    let prowlarr_pod = net.workload("arr", "prowlarr");
    assert!(net.can_reach(&sonarr_pod, &prowlarr_pod, 9696, "TCP"));
    let gluetun_pod = net.workload("arr-gluetun", "gluetun");
    assert!(net.can_reach(&sonarr_pod, &gluetun_pod, 8080, "TCP"));
    assert!(net.can_reach(&Peer::traefik(), &prowlarr_pod, 9696, "TCP"));
}

/// YAML anchors and merge keys, env_file, file and environment secrets, configs, profiles,
/// tmpfs with a size, read_only, user, cap_drop, sysctls, ulimits, extra_hosts and a
/// host-network Home Assistant with an explained privileged level.
#[test]
fn hardened_stack_with_anchors_secrets_and_host_network() {
    let compose = stack_compose("hardened-extras");
    let objects = check_user_stack(
        &compose,
        &["fake-api-key-999", "fakedbpw", "fakerootpw", "fakesmtp"],
    );

    // The debug profile is off.
    assert!(named(&objects, "Deployment", "debug").is_none());

    // A secret with `environment: API_KEY` takes the value from .env, as Compose does.
    assert_eq!(
        secret_value(&objects, "app-secrets", "api_key"),
        "fake-api-key-999"
    );
    assert_eq!(
        secret_value(&objects, "app-secrets", "db_password"),
        "fakedbpw\n"
    );
    assert!(secret_keys(&objects, "app-env").contains(&"SMTP_PASSWORD".to_string()));

    // Two tmpfs mounts are two emptyDirs, and `size=64m` bounds the second.
    let app = workload_with_container(&objects, "app");
    let c = container(app, "app");
    let tmp = mount_volume(c, "/tmp");
    let run_dir = mount_volume(c, "/run");
    assert_ne!(tmp, run_dir, "/tmp and /run share one emptyDir");
    assert_eq!(volume(app, &run_dir)["emptyDir"]["sizeLimit"], "64Mi");
    assert_eq!(volume(app, &tmp)["emptyDir"]["medium"], "Memory");
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["runAsUser"], 1000);
    let pod = &pod_template(app)["spec"];
    assert_eq!(pod["hostAliases"][0]["hostnames"][0], "nas.lan");
    assert_eq!(
        pod["securityContext"]["sysctls"][0]["name"],
        "net.ipv4.tcp_syncookies"
    );

    // Home Assistant keeps the host network (explained) and reads the host's D-Bus socket
    // directory through a hostPath, never a claim.
    let ha = workload_with_container(&objects, "homeassistant");
    assert_eq!(pod_template(ha)["spec"]["hostNetwork"], true);
    let ignored = ha["metadata"]["annotations"]["homeport.dev/ignore"]
        .as_str()
        .unwrap_or("");
    assert!(ignored.contains("host-network"), "{ignored}");
    assert_eq!(ha["metadata"]["namespace"], "home");
    let dbus = mount_volume(container(ha, "homeassistant"), "/run/dbus");
    assert_eq!(volume(ha, &dbus)["hostPath"]["path"], "/run/dbus");
    assert!(
        !kind(&objects, "PersistentVolumeClaim")
            .iter()
            .any(|c| c["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .contains("dbus")),
        "/run/dbus became a claim"
    );
    let enforce = |ns: &str| {
        named(&objects, "Namespace", ns).unwrap()["metadata"]["labels"]
            ["pod-security.kubernetes.io/enforce"]
            .clone()
    };
    assert_eq!(enforce("home"), "privileged");
    assert_eq!(enforce("apps"), "restricted");
}

/// An API with CPU and GPU workers, a migration Job, RabbitMQ publishing only its management
/// UI, Redis with a password on its command line, healthchecks in every form.
#[test]
fn shop_api_with_queue_workers_and_migration() {
    let compose = stack_compose("shop-api");
    let objects = check_user_stack(&compose, &["fakepgpw", "fakerabbitpw", "fakeredispw"]);

    // `--requirepass ${REDIS_PASSWORD}` references the Secret instead of carrying the value.
    let redis = workload_with_container(&objects, "redis");
    let args = container(redis, "redis")["args"].to_string();
    assert!(args.contains("$(REDIS_PASSWORD)"), "{args}");
    assert!(secret_keys(&objects, "redis-env").contains(&"REDIS_PASSWORD".to_string()));

    // RabbitMQ is reached on AMQP even though Compose publishes only the management UI.
    let rabbit = workload_with_container(&objects, "rabbitmq");
    let ports = ports_of(container(rabbit, "rabbitmq"));
    assert!(ports.contains(&5672) && ports.contains(&15672), "{ports:?}");
    assert!(service_ports(&objects, "rabbitmq").contains(&5672));
    let worker = workload_with_container(&objects, "worker");
    assert!(waits(worker).contains("rabbitmq "), "{}", waits(worker));
    let net = Network::from_objects(&objects);
    let rabbit_pod = net.workload("shop", "rabbitmq");
    for client in ["api", "worker", "gpu-worker"] {
        assert!(
            net.can_reach(&net.workload("shop", client), &rabbit_pod, 5672, "TCP"),
            "{client} cannot reach rabbitmq:5672"
        );
    }
    assert!(!net.can_reach(&net.workload("shop", "web"), &rabbit_pod, 5672, "TCP"));
    assert!(!net.can_reach(
        &rabbit_pod,
        &Peer::external(Ipv4Addr::new(1, 1, 1, 1)),
        443,
        "TCP"
    ));

    // The migration is a Job; the workers' replicas and the GPU worker's placement hold.
    assert!(named(&objects, "Job", "migrate").is_some());
    assert_eq!(worker["spec"]["replicas"], 3);
    let gpu = workload_with_container(&objects, "gpu-worker");
    assert_eq!(pod_template(gpu)["spec"]["runtimeClassName"], "nvidia");
    // Its autoscale max (2) is above the GPU slots that exist for it (one GPU): refused, no
    // scaler at all, one replica (an HPA used to scale it to a pod that waits forever).
    assert!(named(&objects, "ScaledObject", "gpu-worker").is_none());
    assert!(named(&objects, "HorizontalPodAutoscaler", "gpu-worker").is_none());
    assert_eq!(gpu["spec"]["replicas"], 1);

    // The plan explains the refusal.
    let (code, table, err) = plan(&compose);
    assert_eq!(code, Some(0));
    assert!(table.contains("autoscale          refused"), "{table}");
    assert!(err.contains("warning[HP0510]: service `gpu-worker` is not autoscaled: max 2 replicas need 2 GPU slot(s) but only 1 exist"), "{err}");
}

/// Writes `files` into a fresh directory and returns it (the compose file is `compose.yaml`).
fn stack_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Nextcloud with MariaDB, Redis and a cron sidecar, everything on a NAS share.
#[test]
fn nextcloud_on_a_nas_share_with_a_cron_sidecar() {
    let dir = stack_dir(&[
        (
            "compose.yaml",
            r#"
services:
  db:
    image: mariadb:10.11
    volumes: [/srv/nas/nextcloud/db:/var/lib/mysql]
    environment:
      - MYSQL_ROOT_PASSWORD=${MYSQL_ROOT_PASSWORD}
      - MYSQL_DATABASE=nextcloud
  redis:
    image: redis:alpine
  app:
    image: nextcloud:29-apache
    ports: ["8080:80"]
    links: [db]
    volumes: [/srv/nas/nextcloud/html:/var/www/html]
    depends_on: [db, redis]
  cron:
    image: nextcloud:29-apache
    volumes: [/srv/nas/nextcloud/html:/var/www/html]
    entrypoint: /cron.sh
    depends_on: [db, redis]
"#,
        ),
        (".env", "MYSQL_ROOT_PASSWORD=fakerootpw\n"),
        (
            "cluster.yaml",
            r#"
apiVersion: homeport.dev/v1alpha1
kind: Cluster
metadata: {name: home}
spec:
  storage:
    - {name: local-path, provisioner: local-path, default: true}
    - name: nas
      provisioner: static-nfs
      server: 192.168.1.20
      path: /volume1/nextcloud
      hostPaths: [/srv/nas/nextcloud]
  nodes:
    - {name: node1, arch: amd64, cpu: 4, memory: 8Gi}
    - {name: node2, arch: amd64, cpu: 4, memory: 8Gi}
"#,
        ),
    ]);
    let compose = dir.path().join("compose.yaml");
    let objects = check_user_stack(&compose, &["fakerootpw"]);

    // The cron sidecar replaces the entrypoint: it serves nothing, so it gets neither the
    // image's web port nor its /status.php probe.
    let cron = workload_with_container(&objects, "cron");
    let c = container(cron, "cron");
    assert!(c["readinessProbe"].is_null(), "{}", c["readinessProbe"]);
    assert!(ports_of(c).is_empty(), "{:?}", ports_of(c));
    let app = workload_with_container(&objects, "app");
    assert_eq!(
        container(app, "app")["readinessProbe"]["httpGet"]["path"],
        "/status.php"
    );

    // MariaDB on the NFS share: never two copies on the same files, and a warning.
    let db = workload_with_container(&objects, "db");
    assert_eq!(db["kind"], "Deployment");
    assert_eq!(db["spec"]["strategy"]["type"], "Recreate");
    let (code, _, stderr) = plan(&compose);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("HP0428"), "{stderr}");
}

/// A plain Caddy reverse proxy whose routes live in its Caddyfile (no depends_on, no labels)
/// and two isolated networks.
#[test]
fn services_behind_a_caddyfile_are_published() {
    let dir = stack_dir(&[
        (
            "compose.yaml",
            r#"
services:
  proxy:
    image: caddy:2.8
    ports: ["80:80", "443:443"]
    volumes: [./Caddyfile:/etc/caddy/Caddyfile:ro]
    networks: [frontend]
  frontend:
    image: ghcr.io/example/frontend:3.2
    expose: ["3000"]
    networks: [frontend]
  backend:
    image: ghcr.io/example/backend:3.2
    expose: ["8080"]
    networks: [frontend, backend]
    environment: {DB_HOST: db}
  db:
    image: postgres:17
    networks: [backend]
    environment: {POSTGRES_PASSWORD: fakepgpassword}
    volumes: [pgdata:/var/lib/postgresql/data]
networks:
  frontend:
  backend:
    internal: true
volumes:
  pgdata:
"#,
        ),
        (
            "Caddyfile",
            "example.com {\n  reverse_proxy frontend:3000\n  handle_path /api/* {\n    reverse_proxy backend:8080\n  }\n}\n",
        ),
    ]);
    let compose = dir.path().join("compose.yaml");
    let objects = check_user_stack(&compose, &["fakepgpassword"]);
    let hosts: Vec<String> = ingress_hosts(&objects)
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(hosts, vec!["backend", "frontend"], "{hosts:?}");
    let net = Network::from_objects(&objects);
    let ns = named(&objects, "Deployment", "frontend").unwrap()["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let frontend = net.workload(&ns, "frontend");
    let backend = net.workload(&ns, "backend");
    assert!(net.can_reach(&Peer::traefik(), &frontend, 3000, "TCP"));
    assert!(net.can_reach(&Peer::traefik(), &backend, 8080, "TCP"));
    // The database is only on the internal network: the frontend cannot reach it.
    let db = net.workload(&ns, "db");
    assert!(net.can_reach(&backend, &db, 5432, "TCP"));
    assert!(!net.can_reach(&frontend, &db, 5432, "TCP"));
}

/// vLLM's documented `ipc: host` only wants a large /dev/shm: it must not need a privileged
/// namespace, and every Compose GPU form lands on the GPU node.
#[test]
fn vllm_ipc_host_becomes_a_memory_dev_shm() {
    let dir = stack_dir(&[(
        "compose.yaml",
        r#"
services:
  vllm:
    image: vllm/vllm-openai:v0.6.3
    runtime: nvidia
    ipc: host
    environment:
      - NVIDIA_VISIBLE_DEVICES=all
      - HUGGING_FACE_HUB_TOKEN=${HF_TOKEN}
    ports: ["8000:8000"]
  comfyui:
    image: yanwk/comfyui-boot:cu124-slim
    gpus: all
    ports: ["8188:8188"]
"#,
    )]);
    std::fs::write(dir.path().join(".env"), "HF_TOKEN=hf_fakeTOKENabc\n").unwrap();
    let compose = dir.path().join("compose.yaml");
    let objects = check_user_stack(&compose, &["hf_fakeTOKENabc"]);
    let vllm = workload_with_container(&objects, "vllm");
    let spec = &pod_template(vllm)["spec"];
    assert!(spec["hostIPC"].is_null(), "{}", spec["hostIPC"]);
    assert_eq!(spec["runtimeClassName"], "nvidia");
    let shm = mount_volume(container(vllm, "vllm"), "/dev/shm");
    assert_eq!(volume(vllm, &shm)["emptyDir"]["medium"], "Memory");
    let ns = vllm["metadata"]["namespace"].as_str().unwrap();
    let level = named(&objects, "Namespace", ns).unwrap()["metadata"]["labels"]
        ["pod-security.kubernetes.io/enforce"]
        .clone();
    assert_ne!(level, "privileged");
    // Both GPU forms request a GPU; ComfyUI's port is its web UI (an Ingress).
    for name in ["vllm", "comfyui"] {
        let w = workload_with_container(&objects, name);
        assert_eq!(
            container(w, name)["resources"]["limits"]["nvidia.com/gpu"],
            "1",
            "{name}"
        );
    }
    assert!(ingress_hosts(&objects)
        .iter()
        .any(|(_, backend)| backend == "comfyui"));
    let (code, _, stderr) = plan(&compose);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("HP0418"), "{stderr}");
}

/// Home automation on a Pi and a NUC: a Zigbee USB stick, a Coral TPU under /dev/bus/usb,
/// ESPHome on the host network.
#[test]
fn home_automation_devices_work_and_stay_explained() {
    let dir = stack_dir(&[(
        "compose.yaml",
        r#"
services:
  mosquitto:
    image: eclipse-mosquitto:2.0
    ports: ["1883:1883"]
    volumes: [mosquitto-data:/mosquitto/data]
  zigbee2mqtt:
    image: koenkk/zigbee2mqtt:1.40.2
    environment:
      ZIGBEE2MQTT_CONFIG_MQTT_SERVER: mqtt://mosquitto:1883
    devices:
      - /dev/serial/by-id/usb-ITead_Sonoff_Zigbee_3.0-if00-port0:/dev/ttyACM0
    volumes: [z2m-data:/app/data]
    depends_on: [mosquitto]
    x-homeport:
      security: {level: privileged, reason: "USB Zigbee coordinator"}
  frigate:
    image: ghcr.io/blakeblackshear/frigate:0.14.1
    privileged: true
    shm_size: 256mb
    devices: [/dev/bus/usb:/dev/bus/usb]
    ports: ["8971:8971"]
    x-homeport:
      security: {level: privileged, reason: "Coral USB TPU"}
  esphome:
    image: ghcr.io/esphome/esphome:2024.10
    network_mode: host
    volumes: [esphome:/config]
volumes:
  mosquitto-data:
  z2m-data:
  esphome:
"#,
    )]);
    let compose = dir.path().join("compose.yaml");
    // check_user_stack asserts that our own lint finds no error (a privileged container is
    // an explained exception, not an error).
    let objects = check_user_stack(&compose, &[]);

    // The serial stick: mounted from its udev path (a symlink, so no CharDevice type check)
    // into a privileged container, as the runtime refuses the device otherwise.
    let z2m = workload_with_container(&objects, "zigbee2mqtt");
    assert_eq!(
        container(z2m, "zigbee2mqtt")["securityContext"]["privileged"],
        true
    );
    let dev = mount_volume(container(z2m, "zigbee2mqtt"), "/dev/ttyACM0");
    let host = &volume(z2m, &dev)["hostPath"];
    assert!(host["path"]
        .as_str()
        .unwrap()
        .starts_with("/dev/serial/by-id/"));
    assert!(host["type"].is_null(), "{host}");
    let ignored = z2m["metadata"]["annotations"]["homeport.dev/ignore"]
        .as_str()
        .unwrap_or("");
    assert!(ignored.contains("privileged-mode"), "{ignored}");

    // /dev/bus/usb is a directory: a CharDevice check would keep the pod from starting.
    let frigate = workload_with_container(&objects, "frigate");
    let usb = mount_volume(container(frigate, "frigate"), "/dev/bus/usb");
    assert_ne!(volume(frigate, &usb)["hostPath"]["type"], "CharDevice");

    // ESPHome only used the host network for mDNS: it stays on the pod network, published.
    let esphome = workload_with_container(&objects, "esphome");
    assert!(pod_template(esphome)["spec"]["hostNetwork"].is_null());
    assert!(ingress_hosts(&objects)
        .iter()
        .any(|(_, backend)| backend == "esphome"));
}

/// Immich's documented defaults use `DB_PASSWORD=postgres`, the same word as the user and
/// the server command: a public word is not a secret to scrub out of commands and probes.
#[test]
fn a_password_equal_to_a_plain_value_does_not_rewrite_commands() {
    let dir = stack_dir(&[
        (
            "compose.yaml",
            r#"
services:
  immich-server:
    image: ghcr.io/immich-app/immich-server:v1.119.0
    environment:
      DB_PASSWORD: ${DB_PASSWORD}
      DB_USERNAME: postgres
    ports: ["2283:2283"]
    depends_on: [database]
  database:
    image: tensorchord/pgvecto-rs:pg14-v0.2.0
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
      POSTGRES_USER: postgres
    command: ["postgres", "-c", "shared_preload_libraries=vectors.so"]
    healthcheck:
      test: pg_isready --dbname=immich --username=postgres || exit 1
    volumes: [pgdata:/var/lib/postgresql/data]
volumes:
  pgdata:
"#,
        ),
        (".env", "DB_PASSWORD=postgres\n"),
    ]);
    let (_, objects) = render(&dir.path().join("compose.yaml"));
    let db = workload_with_container(&objects, "database");
    let c = container(db, "database");
    assert_eq!(c["args"][0], "postgres", "{}", c["args"]);
    let probe = c["readinessProbe"]["exec"]["command"].to_string();
    assert!(probe.contains("--username=postgres"), "{probe}");
}

/// Paperless-ngx as its docs ship it: Gotenberg and Tika declare no ports; the webserver
/// names them in its environment. Without a Service on those ports, the names do not resolve.
#[test]
fn services_without_ports_get_the_port_others_use() {
    let dir = stack_dir(&[(
        "compose.yaml",
        r#"
services:
  webserver:
    image: ghcr.io/paperless-ngx/paperless-ngx:2.13
    ports: ["8000:8000"]
    depends_on: [gotenberg, tika, converter]
    environment:
      PAPERLESS_TIKA_GOTENBERG_ENDPOINT: http://gotenberg:3000
      PAPERLESS_TIKA_ENDPOINT: http://tika:9998
      CONVERTER_URL: http://converter:7070/convert
  gotenberg:
    image: docker.io/gotenberg/gotenberg:8.7
  tika:
    image: docker.io/apache/tika:latest
  converter:
    image: ghcr.io/example/converter:1.0
"#,
    )]);
    let objects = check_user_stack(&dir.path().join("compose.yaml"), &[]);
    assert_eq!(service_ports(&objects, "gotenberg"), vec![3000]);
    assert_eq!(service_ports(&objects, "tika"), vec![9998]);
    // Unknown image: the port comes from the webserver's environment.
    assert_eq!(service_ports(&objects, "converter"), vec![7070]);
    let web = workload_with_container(&objects, "webserver");
    let w = waits(web);
    for dep in ["gotenberg 3000", "tika 9998", "converter 7070"] {
        assert!(w.contains(dep), "{w}");
    }
    // Gotenberg's user is a name in the image: the uid is explicit.
    let gotenberg = workload_with_container(&objects, "gotenberg");
    assert_eq!(
        container(gotenberg, "gotenberg")["securityContext"]["runAsUser"],
        1001
    );
}

/// The voting app's databases run their healthcheck scripts from `./healthchecks`, a bind
/// mount absent from the corpus copy (as on a machine where only the compose file was
/// copied): the claim replacing it starts empty, so an exec probe of the script would never
/// pass and the liveness probe would restart PostgreSQL and Redis forever.
#[test]
fn healthcheck_scripts_from_a_missing_bind_mount_are_not_probes() {
    let Some(corpus) = homeport_testkit::require_corpus() else {
        return;
    };
    let compose = corpus.join("dockersamples/example-voting-app/docker-compose.yml");
    let out = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["render", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let objects = doc["items"].as_array().unwrap().clone();
    for (name, script) in [("db", "postgres.sh"), ("redis", "redis.sh")] {
        let c = container(workload_with_container(&objects, name), name);
        for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
            assert!(
                !c[probe].to_string().contains("/healthchecks/"),
                "{name} {probe}: {}",
                c[probe]
            );
        }
        assert!(c["readinessProbe"]["tcpSocket"]["port"].is_u64(), "{c}");
        assert!(
            stderr.contains(&format!("warning[HP0451]: service `{name}`"))
                && stderr.contains(&format!("/healthchecks/{script}")),
            "{stderr}"
        );
    }
}
