//! Rendered objects: conventions the backends rely on, hardening, and validity against the
//! Kubernetes 1.33 schemas (kubernetes-validate --strict).

use homeport_compose::*;
use homeport_plan::cluster::*;
use homeport_plan::Plan;
use homeport_render::render;
use indexmap::IndexMap;
use serde_json::Value;

mod common;

/// Plan `project` with the facts `homeport` gathers about its host paths first.
fn plan(project: &Project, cluster: &Cluster) -> Plan {
    let facts = homeport_plan::facts::Facts {
        host: homeport_host::gather(project),
        ..Default::default()
    };
    homeport_plan::plan_with_facts(project, cluster, None, &facts)
}

fn svc(name: &str, image: &str) -> Service {
    let mut networks = IndexMap::new();
    networks.insert("default".to_string(), ServiceNetwork::default());
    Service {
        name: name.into(),
        dns_name: name.into(),
        image: Some(image.into()),
        networks,
        ..Default::default()
    }
}

fn project(dir: &std::path::Path, services: Vec<Service>) -> Project {
    let mut p = Project {
        name: "Media Stack".into(),
        working_dir: dir.to_path_buf(),
        files: vec!["compose.yaml".into()],
        ..Default::default()
    };
    for s in services {
        for m in &s.volumes {
            if m.kind == MountType::Volume {
                if let Some(src) = &m.source {
                    p.volumes.insert(
                        src.clone(),
                        Volume {
                            name: src.clone(),
                            dns_name: src.clone(),
                            ..Default::default()
                        },
                    );
                }
            }
        }
        p.services.insert(s.name.clone(), s);
    }
    p.networks.insert(
        "default".into(),
        Network {
            name: "default".into(),
            dns_name: "default".into(),
            ..Default::default()
        },
    );
    p
}

fn mount(kind: MountType, source: Option<&str>, target: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        kind,
        source: source.map(str::to_string),
        target: target.into(),
        read_only,
        subpath: None,
        options: vec![],
        tmpfs_size_bytes: None,
        span: None,
    }
}

fn env(pairs: &[(&str, &str)]) -> IndexMap<String, EnvValue> {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                EnvValue {
                    value: Some(v.to_string()),
                    ..Default::default()
                },
            )
        })
        .collect()
}

fn port(target: u16, published: Option<&str>, protocol: &str) -> Port {
    Port {
        target,
        published: published.map(str::to_string),
        protocol: protocol.into(),
        ..Default::default()
    }
}

fn home_cluster() -> Cluster {
    let mut c = Cluster::default_k3s();
    c.is_default = false;
    c.name = "home".into();
    c.ingress.tls = TlsMode::CertManager;
    c.ingress.issuer = Some("letsencrypt".into());
    c.storage.push(StorageClassDef {
        name: "nfs".into(),
        provisioner: Provisioner::Nfs,
        default: false,
        server: Some("nas.home.arpa".into()),
        path: Some("/export/k8s".into()),
        capacity: None,
        host_paths: vec![],
        node: None,
    });
    c.storage.push(StorageClassDef {
        name: "media".into(),
        provisioner: Provisioner::StaticNfs,
        default: false,
        server: Some("nas.home.arpa".into()),
        path: Some("/export/media".into()),
        capacity: Some("4Ti".into()),
        host_paths: vec!["/mnt/media".into()],
        node: None,
    });
    c.storage.push(StorageClassDef {
        name: "hdd".into(),
        provisioner: Provisioner::StaticLocal,
        default: false,
        server: None,
        path: Some("/mnt/hdd".into()),
        capacity: Some("1Ti".into()),
        host_paths: vec!["/mnt/hdd".into()],
        node: Some("nuc".into()),
    });
    let node = |name: &str, arch: Arch, availability: Availability, gpus: Vec<GpuDef>| NodeDef {
        name: name.into(),
        arch,
        cpu_millis: Some(8000),
        memory_bytes: Some(32 << 30),
        availability,
        roles: vec![],
        labels: IndexMap::new(),
        gpus,
        gaming_processes: vec![],
        gaming_schedule: vec![],
        gaming_hold: None,
    };
    c.nodes = vec![
        node(
            "nuc",
            Arch::Amd64,
            Availability::AlwaysOn,
            vec![GpuDef {
                vendor: GpuVendor::Intel,
                model: None,
                memory_bytes: None,
                count: 1,
                shared: 1,
            }],
        ),
        node("pi", Arch::Arm64, Availability::AlwaysOn, vec![]),
        node(
            "rig",
            Arch::Amd64,
            Availability::Opportunistic,
            vec![GpuDef {
                vendor: GpuVendor::Nvidia,
                model: None,
                memory_bytes: None,
                count: 1,
                shared: 2,
            }],
        ),
    ];
    c
}

/// A media + VPN + database + AI stack touching most decisions.
fn media_stack(dir: &std::path::Path) -> Project {
    std::fs::write(dir.join("nginx.conf"), "server { listen 80; }\n").unwrap();
    std::fs::write(dir.join("db_password.txt"), "s3cret-from-file").unwrap();
    let mut db = svc("db", "postgres:16-alpine");
    db.volumes.push(mount(
        MountType::Volume,
        Some("pgdata"),
        "/var/lib/postgresql/data",
        false,
    ));
    db.environment = env(&[("POSTGRES_PASSWORD", "hunter2"), ("POSTGRES_DB", "app")]);
    db.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::CmdShell("pg_isready -U postgres".into())),
        interval_ns: Some(10_000_000_000),
        ..Default::default()
    });
    let mut app = svc("app", "ghcr.io/example/app:1.2.3");
    app.ports = vec![port(8000, Some("8000"), "tcp")];
    app.environment = env(&[
        ("DATABASE_URL", "postgres://app:hunter2@db:5432/app"),
        ("LOG_LEVEL", "info"),
    ]);
    app.depends_on.insert(
        "db".into(),
        Dependency {
            condition: "service_healthy".into(),
            required: true,
            restart: false,
            span: None,
        },
    );
    app.deploy = Some(Deploy {
        replicas: Some(2),
        ..Default::default()
    });
    app.hints.autoscale = Some(AutoscaleHint {
        min: Some(2),
        max: Some(5),
        cpu: Some(70),
        ..Default::default()
    });
    app.secrets = vec![FileReference {
        source: "db_password".into(),
        target: "/run/secrets/db_password".into(),
        ..Default::default()
    }];
    let mut web = svc("web", "nginx:1.27");
    web.ports = vec![port(80, Some("8080"), "tcp")];
    web.volumes.push(mount(
        MountType::Bind,
        Some(dir.join("nginx.conf").to_str().unwrap()),
        "/etc/nginx/conf.d/default.conf",
        true,
    ));
    let mut vpn = svc("gluetun", "qmcgaw/gluetun:v3.39");
    vpn.cap_add = vec!["NET_ADMIN".into()];
    vpn.devices = vec![DeviceMapping {
        source: "/dev/net/tun".into(),
        target: "/dev/net/tun".into(),
        permissions: None,
    }];
    vpn.ports = vec![
        port(8080, Some("8081"), "tcp"),
        port(6881, Some("6881"), "udp"),
    ];
    vpn.environment = env(&[
        ("VPN_SERVICE_PROVIDER", "mullvad"),
        ("WIREGUARD_PRIVATE_KEY", "abc="),
    ]);
    let mut qb = svc("qbittorrent", "lscr.io/linuxserver/qbittorrent:4.6.5");
    qb.network_mode = Some("service:gluetun".into());
    qb.networks.clear();
    qb.environment = env(&[("PUID", "1000"), ("PGID", "1000"), ("TZ", "Europe/Berlin")]);
    qb.volumes.push(mount(
        MountType::Bind,
        Some("/mnt/media/downloads"),
        "/downloads",
        false,
    ));
    qb.volumes.push(mount(
        MountType::Volume,
        Some("qb-config"),
        "/config",
        false,
    ));
    let mut jf = svc("jellyfin", "jellyfin/jellyfin:10.9.7");
    jf.ports = vec![port(8096, Some("8096"), "tcp")];
    jf.devices = vec![DeviceMapping {
        source: "/dev/dri".into(),
        target: "/dev/dri".into(),
        permissions: None,
    }];
    jf.volumes
        .push(mount(MountType::Bind, Some("/mnt/media"), "/media", true));
    jf.volumes.push(mount(
        MountType::Bind,
        Some("/mnt/hdd/jellyfin"),
        "/config",
        false,
    ));
    jf.volumes.push(mount(
        MountType::Bind,
        Some("/etc/localtime"),
        "/etc/localtime",
        true,
    ));
    let mut ollama = svc("ollama", "ollama/ollama:0.3.12");
    ollama.deploy = Some(Deploy {
        resources: Some(Resources {
            limits: None,
            reservations: Some(ResourceSpec {
                devices: vec![DeviceRequest {
                    capabilities: vec!["gpu".into()],
                    driver: Some("nvidia".into()),
                    count: Some(1),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        }),
        ..Default::default()
    });
    ollama.hints.preemptible = Some(true);
    let mut exporter = svc("node-exporter", "prom/node-exporter:v1.8.2");
    exporter.pid = Some("host".into());
    exporter
        .volumes
        .push(mount(MountType::Bind, Some("/proc"), "/host/proc", true));
    let mut migrate = svc("migrate", "ghcr.io/example/app:1.2.3");
    migrate.restart = Some(RestartPolicy::No);
    migrate.command = Some(Command::String("app migrate --yes".into()));
    let mut backup = svc("backup", "ghcr.io/example/backup:1");
    backup.hints.workload = Some(WorkloadHint::CronJob);
    backup.hints.schedule = Some("0 3 * * *".into());
    let wt = svc("watchtower", "containrrr/watchtower:1.7.1");
    let mut p = project(
        dir,
        vec![
            db, app, web, vpn, qb, jf, ollama, exporter, migrate, backup, wt,
        ],
    );
    p.secrets.insert(
        "db_password".into(),
        FileObject {
            name: "db_password".into(),
            file: Some("db_password.txt".into()),
            ..Default::default()
        },
    );
    p
}

fn kinds(objs: &[Value]) -> Vec<(String, String, String)> {
    objs.iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                o["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}: {:#?}", kinds(objs)))
}

#[test]
fn media_stack_objects_follow_the_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let project = media_stack(dir.path());
    let plan = plan(&project, &home_cluster());
    let objs = render(&plan, &project);
    assert_eq!(objs, render(&plan, &project), "deterministic");
    common::assert_pod_security(&objs);

    // Namespaces first.
    let first_other = objs.iter().position(|o| o["kind"] != "Namespace").unwrap();
    assert!(objs[first_other..].iter().all(|o| o["kind"] != "Namespace"));
    let ns = find(&objs, "Namespace", "media-stack");
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "baseline"
    );
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"],
        "v1.33"
    );
    let vpn_ns = find(&objs, "Namespace", "media-stack-gluetun");
    assert_eq!(
        vpn_ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "privileged"
    );

    for o in &objs {
        let kind = o["kind"].as_str().unwrap();
        let labels = &o["metadata"]["labels"];
        assert_eq!(labels["app.kubernetes.io/managed-by"], "homeport", "{kind}");
        // PriorityClasses are the cluster's (shared by projects), the backup claim the
        // namespace's.
        let ns_wide = kind == "Namespace"
            || kind == "PriorityClass"
            || kind == "ResourceQuota"
            || kind == "LimitRange"
            || (kind == "PersistentVolumeClaim" && o["metadata"]["name"] == "backups")
            || (kind == "NetworkPolicy"
                && matches!(
                    o["metadata"]["name"].as_str(),
                    Some("default-deny" | "allow-dns")
                ));
        if ns_wide {
            assert!(labels.get("app.kubernetes.io/name").is_none());
        } else {
            assert!(
                labels["app.kubernetes.io/name"].is_string(),
                "{kind} {}",
                o["metadata"]["name"]
            );
            let src = o["metadata"]["annotations"]["homeport.dev/source"]
                .as_str()
                .unwrap();
            assert!(
                src.starts_with("compose.yaml") && src.contains("(service "),
                "{src}"
            );
        }
    }

    // Secrets never in ConfigMaps.
    for o in objs.iter().filter(|o| o["kind"] == "ConfigMap") {
        let text = o.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("abc="),
            "{text}"
        );
    }
    let app_secret = find(&objs, "Secret", "app-env");
    assert_eq!(app_secret["type"], "Opaque");
    assert!(app_secret["data"]["DATABASE_URL"].is_string());
    assert!(find(&objs, "Secret", "app-secrets")["data"]["db_password"].is_string());

    // Workloads.
    let db = find(&objs, "StatefulSet", "db");
    assert_eq!(
        db["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"],
        "local-path"
    );
    assert_eq!(find(&objs, "Service", "db")["spec"]["clusterIP"], "None");
    let app = find(&objs, "Deployment", "app");
    let init = &app["spec"]["template"]["spec"]["initContainers"][0];
    assert_eq!(init["image"], homeport_render::WAIT_IMAGE);
    assert_eq!(init["securityContext"]["runAsNonRoot"], true);
    find(&objs, "PodDisruptionBudget", "app");
    let hpa = find(&objs, "HorizontalPodAutoscaler", "app");
    assert_eq!(
        (
            hpa["spec"]["minReplicas"].as_u64(),
            hpa["spec"]["maxReplicas"].as_u64()
        ),
        (Some(2), Some(5))
    );
    let ing = find(&objs, "Ingress", "app");
    assert_eq!(ing["spec"]["rules"][0]["host"], "app.home.arpa");
    assert_eq!(
        ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
        "letsencrypt"
    );
    assert_eq!(
        find(&objs, "Job", "migrate")["spec"]["template"]["spec"]["restartPolicy"],
        "OnFailure"
    );
    assert_eq!(
        find(&objs, "CronJob", "backup")["spec"]["schedule"],
        "0 3 * * *"
    );
    assert!(
        find(&objs, "DaemonSet", "node-exporter")["spec"]["template"]["spec"]["hostPID"] == true
    );
    assert!(!objs.iter().any(|o| o["metadata"]["name"] == "watchtower"));

    // VPN pod: the app container, and the VPN as a native sidecar (it starts first and
    // keeps running); the LoadBalancer for the torrent port.
    let vpn = find(&objs, "Deployment", "gluetun");
    let spec = &vpn["spec"]["template"]["spec"];
    assert_eq!(spec["containers"].as_array().unwrap().len(), 1);
    let sidecar = spec["initContainers"]
        .as_array()
        .and_then(|i| i.iter().find(|c| c["name"] == "gluetun"))
        .expect("gluetun runs as a native sidecar");
    assert_eq!(sidecar["restartPolicy"], "Always");
    assert_eq!(
        find(&objs, "Ingress", "gluetun")["spec"]["rules"][0]["host"],
        "qbittorrent.home.arpa"
    );
    // The static media share is used from both namespaces: each host directory is its own
    // claim and PV in the namespace that uses it (/mnt/media, /mnt/media/downloads).
    let media_claims: Vec<(&str, &str)> = objs
        .iter()
        .filter(|o| {
            o["kind"] == "PersistentVolumeClaim"
                && o["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("media"))
        })
        .map(|o| {
            (
                o["metadata"]["namespace"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    let namespaces: std::collections::BTreeSet<&str> =
        media_claims.iter().map(|(ns, _)| *ns).collect();
    assert_eq!(namespaces.len(), 2, "{media_claims:?}");
    for (ns, claim) in media_claims {
        let pv = objs.iter().find(|o| {
            o["kind"] == "PersistentVolume"
                && o["spec"]["claimRef"]["namespace"] == ns
                && o["spec"]["claimRef"]["name"] == claim
        });
        assert!(pv.is_some(), "no PV for the media claim {claim} in {ns}");
    }
    let lb = find(&objs, "Service", "gluetun-lb");
    assert_eq!(lb["spec"]["type"], "LoadBalancer");
    assert_eq!(lb["spec"]["ports"][0]["protocol"], "UDP");

    // GPU pod: nvidia limit, runtime class, toleration.
    let ol = &find(&objs, "Deployment", "ollama")["spec"]["template"]["spec"];
    assert_eq!(ol["runtimeClassName"], "nvidia");
    assert_eq!(
        ol["containers"][0]["resources"]["limits"]["nvidia.com/gpu"],
        "1"
    );
    assert_eq!(ol["tolerations"][0]["key"], "homeport.dev/opportunistic");
    // Jellyfin: intel GPU, static claims, TZ.
    let jf = &find(&objs, "Deployment", "jellyfin")["spec"]["template"]["spec"];
    assert_eq!(
        jf["containers"][0]["resources"]["limits"]["gpu.intel.com/i915"],
        "1"
    );
    assert_eq!(
        find(&objs, "PersistentVolume", "media-stack-media")["spec"]["nfs"]["server"],
        "nas.home.arpa"
    );
    assert_eq!(
        find(&objs, "ConfigMap", "jellyfin-env")["data"]["TZ"],
        "Europe/Berlin"
    );
    // nginx.conf as a ConfigMap.
    assert!(find(&objs, "ConfigMap", "web-files")["data"]["nginx.conf"]
        .as_str()
        .unwrap()
        .contains("listen 80"));

    // Every pod: hardened.
    for o in objs.iter().filter(|o| {
        matches!(
            o["kind"].as_str(),
            Some("Deployment" | "StatefulSet" | "DaemonSet")
        )
    }) {
        let spec = &o["spec"]["template"]["spec"];
        assert_eq!(spec["automountServiceAccountToken"], false);
        assert_eq!(
            spec["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        for c in spec["containers"].as_array().unwrap() {
            assert!(c["resources"]["limits"]["memory"].is_string());
            assert!(c["resources"]["requests"]["cpu"].is_string());
            assert_eq!(
                c["securityContext"]["capabilities"]["drop"][0], "ALL",
                "{}",
                c["name"]
            );
        }
    }
}

#[test]
fn rendered_objects_validate_against_kubernetes_1_33() {
    if homeport_testkit::require_tool(homeport_testkit::Tool::KubernetesValidate).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = media_stack(dir.path());
    for cluster in [home_cluster(), Cluster::default_k3s()] {
        let plan = plan(&project, &cluster);
        let objs = render(&plan, &project);
        let yaml = homeport_yaml::emit_documents(objs.iter());
        if let Err(e) = homeport_testkit::validate_k8s_objects(&yaml, "1.33") {
            panic!("{e}\n---\n{yaml}");
        }
    }
}

/// The gaming guard evicts preemptible pods: a preemptible Job reruns after an eviction
/// (podFailurePolicy ignoring DisruptionTarget, restartPolicy Never); a preemptible
/// Deployment tolerates the opportunistic taint but never the gaming taint.
#[test]
fn preemptible_workloads_survive_the_gaming_guard() {
    let dir = tempfile::tempdir().unwrap();
    let mut transcode = svc("transcode", "linuxserver/ffmpeg:7.0.2");
    transcode.restart = Some(RestartPolicy::No);
    transcode.hints.preemptible = Some(true);
    let mut batch = svc("batch", "ghcr.io/example/batch:1");
    batch.hints.workload = Some(WorkloadHint::CronJob);
    batch.hints.schedule = Some("0 4 * * *".into());
    batch.hints.preemptible = Some(true);
    let mut ollama = svc("ollama", "ollama/ollama:0.3.12");
    ollama.hints.preemptible = Some(true);
    let mut migrate = svc("migrate", "ghcr.io/example/app:1.2.3");
    migrate.restart = Some(RestartPolicy::No);
    let project = project(dir.path(), vec![transcode, batch, ollama, migrate]);
    let plan = plan(&project, &home_cluster());
    let objs = render(&plan, &project);
    let policy = serde_json::json!({"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]});
    let job = &find(&objs, "Job", "transcode")["spec"];
    assert_eq!(job["podFailurePolicy"], policy);
    assert_eq!(job["template"]["spec"]["restartPolicy"], "Never");
    assert_eq!(
        job["template"]["metadata"]["labels"]["homeport.dev/preemptible"],
        "true"
    );
    let cron = &find(&objs, "CronJob", "batch")["spec"]["jobTemplate"]["spec"];
    assert_eq!(cron["podFailurePolicy"], policy);
    assert_eq!(cron["template"]["spec"]["restartPolicy"], "Never");
    // Not preemptible: unchanged.
    let migrate = &find(&objs, "Job", "migrate")["spec"];
    assert!(migrate.get("podFailurePolicy").is_none());
    assert_eq!(migrate["template"]["spec"]["restartPolicy"], "OnFailure");
    for (kind, name) in [
        ("Job", "transcode"),
        ("CronJob", "batch"),
        ("Deployment", "ollama"),
    ] {
        let o = find(&objs, kind, name);
        let spec = if kind == "CronJob" {
            &o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        } else {
            &o["spec"]["template"]["spec"]
        };
        let tolerated: Vec<&str> = spec["tolerations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["key"].as_str())
            .collect();
        assert_eq!(tolerated, ["homeport.dev/opportunistic"], "{kind}/{name}");
    }
    if homeport_testkit::require_tool(homeport_testkit::Tool::KubernetesValidate).is_some() {
        let yaml = homeport_yaml::emit_documents(objs.iter());
        if let Err(e) = homeport_testkit::validate_k8s_objects(&yaml, "1.33") {
            panic!("{e}\n---\n{yaml}");
        }
    }
}
