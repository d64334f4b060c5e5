//! One test per planner decision, on hand-built Compose projects.

use homeport_compose::*;
use homeport_plan::cluster::*;
use homeport_plan::facts::{Facts, HostPathFacts, HostPathKind};
use homeport_plan::*;
use indexmap::IndexMap;

mod common;
use common::{project, svc};

fn vol(source: &str, target: &str) -> VolumeMount {
    VolumeMount {
        kind: MountType::Volume,
        source: Some(source.into()),
        target: target.into(),
        read_only: false,
        subpath: None,
        options: vec![],
        tmpfs_size_bytes: None,
        span: None,
    }
}

fn bind(source: &str, target: &str) -> VolumeMount {
    VolumeMount {
        kind: MountType::Bind,
        ..vol(source, target)
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

fn port(target: u16, published: Option<&str>) -> Port {
    Port {
        target,
        published: published.map(str::to_string),
        protocol: "tcp".into(),
        ..Default::default()
    }
}

fn dep(condition: &str) -> Dependency {
    Dependency {
        condition: condition.into(),
        required: true,
        restart: false,
        span: None,
    }
}

fn decision<'a>(plan: &'a Plan, service: &str, topic: &str) -> Vec<&'a Decision> {
    plan.pod_of(service)
        .map(|p| p.decisions.iter().filter(|d| d.topic == topic).collect())
        .unwrap_or_default()
}

fn codes(plan: &Plan) -> Vec<&str> {
    plan.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn home_cluster() -> Cluster {
    let mut c = Cluster::default_k3s();
    c.is_default = false;
    c.storage.push(StorageClassDef {
        name: "nfs".into(),
        provisioner: Provisioner::Nfs,
        default: false,
        server: Some("nas".into()),
        path: Some("/export/k8s".into()),
        capacity: None,
        host_paths: vec![],
        node: None,
    });
    c.storage.push(StorageClassDef {
        name: "media".into(),
        provisioner: Provisioner::StaticNfs,
        default: false,
        server: Some("nas".into()),
        path: Some("/export/media".into()),
        capacity: Some("4Ti".into()),
        host_paths: vec!["/mnt/media".into()],
        node: None,
    });
    let node = |name: &str, arch: Arch, avail: Availability, gpus: Vec<GpuDef>| NodeDef {
        name: name.into(),
        arch,
        cpu_millis: Some(8000),
        memory_bytes: Some(16 * 1024 * 1024 * 1024),
        availability: avail,
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

#[test]
fn database_with_volume_is_a_statefulset_on_local_path() {
    let mut db = svc("db", "postgres:16");
    db.volumes.push(vol("pgdata", "/var/lib/postgresql/data"));
    let p = plan(&project(vec![db]), &Cluster::default_k3s());
    let pod = p.pod_of("db").unwrap();
    assert_eq!(pod.workload, WorkloadKind::StatefulSet);
    assert_eq!(pod.claim_templates[0].storage_class, "local-path");
    assert_eq!(pod.level, SecurityLevel::Restricted);
    let c = &pod.containers[0];
    assert_eq!(c.security.run_as_user, Some(999));
    assert!(c.security.read_only_root);
    assert!(c.mounts.iter().any(|m| m.path == "/var/run/postgresql"));
    assert_eq!(
        c.config_env.get("PGDATA").map(String::as_str),
        Some("/var/lib/postgresql/data/pgdata")
    );
    assert_eq!(c.ports[0].port, 5432, "known port added for reachability");
    assert!(!decision(&p, "db", "workload")[0].reason.is_empty());
}

#[test]
fn global_mode_is_a_daemonset_and_restart_no_is_a_job() {
    let mut agent = svc("agent", "example/agent:1");
    agent.deploy = Some(Deploy {
        mode: Some("global".into()),
        ..Default::default()
    });
    let mut migrate = svc("migrate", "example/app:1");
    migrate.restart = Some(RestartPolicy::No);
    let mut cron = svc("backup", "example/backup:1");
    cron.hints.workload = Some(WorkloadHint::CronJob);
    cron.hints.schedule = Some("0 3 * * *".into());
    let p = plan(
        &project(vec![agent, migrate, cron]),
        &Cluster::default_k3s(),
    );
    assert_eq!(p.pod_of("agent").unwrap().workload, WorkloadKind::DaemonSet);
    assert_eq!(p.pod_of("migrate").unwrap().workload, WorkloadKind::Job);
    let c = p.pod_of("backup").unwrap();
    assert_eq!(c.workload, WorkloadKind::CronJob);
    assert_eq!(c.schedule.as_deref(), Some("0 3 * * *"));
}

#[test]
fn vpn_sidecar_joins_the_vpn_pod_and_publishes_its_ports() {
    let mut vpn = svc("gluetun", "qmcgaw/gluetun:v3");
    vpn.cap_add = vec!["NET_ADMIN".into()];
    vpn.devices = vec![DeviceMapping {
        source: "/dev/net/tun".into(),
        target: "/dev/net/tun".into(),
        permissions: None,
    }];
    vpn.ports = vec![port(8080, Some("8080"))];
    let mut qb = svc("qbittorrent", "lscr.io/linuxserver/qbittorrent:latest");
    qb.network_mode = Some("service:gluetun".into());
    qb.networks.clear();
    let web = svc("web", "nginx:1.27");
    let p = plan(&project(vec![vpn, qb, web]), &Cluster::default_k3s());
    let pod = p.pod_of("qbittorrent").unwrap();
    assert_eq!(pod.name, "gluetun");
    assert_eq!(pod.containers.len(), 2);
    assert!(pod.ports.iter().any(|x| x.port == 8080));
    assert_eq!(
        pod.level,
        SecurityLevel::Privileged,
        "NET_ADMIN + /dev/net/tun"
    );
    assert_eq!(
        pod.namespace, "stack-gluetun",
        "privileged pod gets its own namespace"
    );
    assert!(
        !codes(&p).contains(&"HP0410"),
        "gluetun's needs are explained by the knowledge base: {:?}",
        codes(&p)
    );
    let web_ns = &p.pod_of("web").unwrap().namespace;
    assert_eq!(web_ns, "stack");
    let ns = p.namespaces.iter().find(|n| n.name == "stack").unwrap();
    assert_eq!(
        ns.level,
        SecurityLevel::Baseline,
        "nginx needs root (baseline)"
    );
    let qb_sec = &pod.containers[1].security;
    assert!(
        qb_sec.cap_add.contains(&"CHOWN".to_string()),
        "linuxserver image keeps s6 capabilities"
    );
}

#[test]
fn host_couplings_need_an_explicit_security_level() {
    let mut s = svc("tool", "example/tool:1");
    s.privileged = true;
    s.network_mode = Some("host".into());
    let p = plan(&project(vec![s.clone()]), &Cluster::default_k3s());
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == "HP0410")
        .expect("error without hint");
    assert!(d.is_error());
    assert!(d.help.as_deref().unwrap_or("").contains("x-homeport"));

    s.hints.security = Some(SecurityHint {
        level: SecurityLevel::Privileged,
        reason: "needs the host".into(),
    });
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    assert!(!p.diagnostics.has_errors(), "{:?}", p.diagnostics);
    let pod = p.pod_of("tool").unwrap();
    assert!(pod.host_network);
    assert!(pod.containers[0].security.privileged);
}

#[test]
fn docker_socket_tools_and_reverse_proxies_are_left_out() {
    let mut wt = svc("watchtower", "containrrr/watchtower");
    wt.volumes
        .push(bind("/var/run/docker.sock", "/var/run/docker.sock"));
    let mut traefik = svc("traefik", "traefik:v3.1");
    traefik.ports = vec![port(80, Some("80"))];
    let mut app = svc("app", "example/app:1");
    app.ports = vec![port(8080, None)];
    app.labels.insert(
        "traefik.http.routers.app.rule".into(),
        "Host(`app.example.com`)".into(),
    );
    let p = plan(&project(vec![wt, traefik, app]), &Cluster::default_k3s());
    assert!(p.pod_of("watchtower").is_none());
    assert!(p.pod_of("traefik").is_none());
    let d = p.diagnostics.iter().find(|d| d.code == "HP0402").unwrap();
    assert!(d.help.as_deref().unwrap().contains("Renovate"));
    let app = p.pod_of("app").unwrap();
    assert_eq!(app.ingresses[0].host, "app.example.com");
    assert_eq!(app.ingresses[0].port, 8080);
}

#[test]
fn an_application_worker_with_the_docker_socket_is_deployed_without_it() {
    // authentik's worker: the server's image, no ports, the socket for optional outposts.
    let mut server = svc("server", "ghcr.io/goauthentik/server:2025.2.4");
    server.ports = vec![port(9000, Some("9000"))];
    let mut worker = svc("worker", "ghcr.io/goauthentik/server:2025.2.4");
    worker.command = Some(Command::Exec(vec!["worker".into()]));
    worker
        .volumes
        .push(bind("/var/run/docker.sock", "/var/run/docker.sock"));
    // An unknown tool that only mounts the socket is still left out.
    let mut tool = svc("janitor", "example/docker-janitor:1");
    tool.volumes
        .push(bind("/var/run/docker.sock", "/var/run/docker.sock"));
    let p = plan(
        &project(vec![server, worker, tool]),
        &Cluster::default_k3s(),
    );
    let w = p.pod_of("worker").expect("the worker is deployed");
    assert!(w
        .volumes
        .iter()
        .all(|v| !format!("{v:?}").contains("docker.sock")));
    assert!(p.diagnostics.iter().any(|d| d.code == "HP0404"));
    assert!(p.pod_of("janitor").is_none());
}

#[test]
fn a_replaced_proxy_whose_routes_are_unknown_is_reported() {
    let mut caddy = svc("caddy", "caddy:2-alpine");
    caddy.ports = vec![port(80, Some("80"))];
    caddy
        .volumes
        .push(bind("./Caddyfile", "/etc/caddy/Caddyfile"));
    let mut app = svc("app", "example/app:1");
    app.expose = vec!["8080".into()];
    let p = plan(
        &project(vec![caddy.clone(), app.clone()]),
        &Cluster::default_k3s(),
    );
    assert!(p.pod_of("caddy").is_none());
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == "HP0443" && d.message.contains("reverse proxy `caddy`"))
        .expect("a warning that nothing is exposed through the proxy");
    assert!(d.message.contains("none is exposed through it"));
    // A proxy that depends on the app routes to it: no such warning.
    caddy
        .depends_on
        .insert("app".into(), dep("service_started"));
    let p = plan(&project(vec![caddy, app]), &Cluster::default_k3s());
    assert!(!p
        .diagnostics
        .iter()
        .any(|d| d.message.contains("reverse proxy `caddy`")));
    assert!(!p.pod_of("app").unwrap().ingresses.is_empty());
}

#[test]
fn secrets_never_land_in_configmaps() {
    let mut s = svc("app", "example/app:1");
    s.environment = env(&[
        ("DB_PASSWORD", "hunter2"),
        ("LOG_LEVEL", "info"),
        ("DATABASE_URL", "postgres://u:pw@db:5432/app"),
    ]);
    s.environment.insert(
        "CONN".into(),
        EnvValue {
            value: Some("abc".into()),
            interpolated: vec!["API_TOKEN".into()],
            ..Default::default()
        },
    );
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    let c = &p.pod_of("app").unwrap().containers[0];
    assert_eq!(c.config_env.keys().collect::<Vec<_>>(), vec!["LOG_LEVEL"]);
    assert!(c.secret_env.contains_key("DB_PASSWORD"));
    assert!(c.secret_env.contains_key("DATABASE_URL"));
    assert!(c.secret_env.contains_key("CONN"));
}

#[test]
fn published_http_port_becomes_ingress_and_other_ports_a_load_balancer() {
    let mut s = svc("jellyfin", "jellyfin/jellyfin:10.9");
    s.ports = vec![
        port(8096, Some("8096")),
        Port {
            target: 7359,
            published: Some("7359".into()),
            protocol: "udp".into(),
            ..Default::default()
        },
    ];
    let mut c = Cluster::default_k3s();
    c.ingress.tls = TlsMode::CertManager;
    c.ingress.issuer = Some("letsencrypt".into());
    let p = plan(&project(vec![s]), &c);
    let pod = p.pod_of("jellyfin").unwrap();
    assert_eq!(pod.ingresses[0].host, "jellyfin.home.arpa");
    assert!(pod.ingresses[0].tls);
    assert_eq!(pod.load_balancer[0].port, 7359);
    assert_eq!(pod.load_balancer[0].protocol, "UDP");
}

#[test]
fn healthchecks_become_probes() {
    let mut s = svc("api", "example/api:1");
    s.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::Cmd(vec![
            "curl".into(),
            "-f".into(),
            "http://localhost:8000/health".into(),
        ])),
        interval_ns: Some(10_000_000_000),
        timeout_ns: Some(3_000_000_000),
        retries: Some(5),
        start_period_ns: Some(60_000_000_000),
        ..Default::default()
    });
    let mut w = svc("worker", "example/api:1");
    w.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::CmdShell("celery inspect ping".into())),
        ..Default::default()
    });
    let mut off = svc("off", "example/api:1");
    off.ports = vec![port(9000, None)];
    off.healthcheck = Some(Healthcheck {
        disable: true,
        ..Default::default()
    });
    let p = plan(&project(vec![s, w, off]), &Cluster::default_k3s());
    let probes = &p.pod_of("api").unwrap().containers[0].probes;
    let r = probes.readiness.as_ref().unwrap();
    assert_eq!(
        r.action,
        ProbeAction::Http {
            port: 8000,
            path: "/health".into()
        }
    );
    assert_eq!(
        (r.period_seconds, r.timeout_seconds, r.failure_threshold),
        (10, 3, 5)
    );
    assert!(probes.startup.is_some());
    let wp = &p.pod_of("worker").unwrap().containers[0].probes;
    assert_eq!(
        wp.liveness.as_ref().unwrap().action,
        ProbeAction::Exec(vec!["sh".into(), "-c".into(), "celery inspect ping".into()])
    );
    assert!(p.pod_of("off").unwrap().containers[0]
        .probes
        .readiness
        .is_none());
}

#[test]
fn depends_on_waits_for_the_dependency_port() {
    let db = svc("db", "postgres:16");
    let mut app = svc("app", "example/app:1");
    app.depends_on.insert("db".into(), dep("service_healthy"));
    let p = plan(&project(vec![db, app]), &Cluster::default_k3s());
    let w = &p.pod_of("app").unwrap().init_waits;
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].host.as_str(), w[0].port), ("db", 5432));
}

#[test]
fn resources_from_compose_or_knowledge_base() {
    let mut s = svc("app", "example/app:1");
    s.deploy = Some(Deploy {
        resources: Some(Resources {
            limits: Some(ResourceSpec {
                cpus: Some(0.5),
                memory_bytes: Some(256 * 1024 * 1024),
                ..Default::default()
            }),
            reservations: None,
        }),
        ..Default::default()
    });
    let r = svc("cache", "redis:7");
    let p = plan(&project(vec![s, r]), &Cluster::default_k3s());
    let a = &p.pod_of("app").unwrap().containers[0].resources;
    assert_eq!(a.cpu_limit_millis, Some(500));
    assert_eq!(a.memory_limit_bytes, 256 * 1024 * 1024);
    assert!(a.cpu_request_millis <= 500);
    let c = &p.pod_of("cache").unwrap().containers[0].resources;
    assert_eq!(c.memory_request_bytes, 128 * 1024 * 1024);
    assert!(decision(&p, "cache", "resources")[0]
        .reason
        .contains("knowledge base"));
}

#[test]
fn nvidia_gpu_forms_become_gpu_limits_and_runtime_class() {
    let mut s = svc("ollama", "ollama/ollama:0.3");
    s.deploy = Some(Deploy {
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
    let mut t = svc("transcoder", "example/worker:1");
    t.environment = env(&[
        ("NVIDIA_VISIBLE_DEVICES", "all"),
        ("NVIDIA_DRIVER_CAPABILITIES", "all"),
    ]);
    let mut x = svc("extra", "example/worker:1");
    x.runtime = Some("nvidia".into());
    let p = plan(&project(vec![s, t, x]), &home_cluster());
    let pod = p.pod_of("ollama").unwrap();
    assert_eq!(
        pod.containers[0].resources.gpu,
        Some(("nvidia.com/gpu".into(), 1))
    );
    assert_eq!(pod.runtime_class.as_deref(), Some("nvidia"));
    let t = p.pod_of("transcoder").unwrap();
    assert!(!t.containers[0]
        .config_env
        .contains_key("NVIDIA_VISIBLE_DEVICES"));
    assert!(t.containers[0]
        .config_env
        .contains_key("NVIDIA_DRIVER_CAPABILITIES"));
    assert!(t.placement.preemptible, "GPU batch worker");
    assert_eq!(t.placement.preferred_nodes, vec!["rig"]);
    assert!(
        codes(&p).contains(&"HP0470"),
        "3 GPU consumers for 2 slots: {:?}",
        codes(&p)
    );
}

#[test]
fn dri_becomes_the_intel_resource_when_a_node_has_one() {
    let mut s = svc("jellyfin", "jellyfin/jellyfin:10.9");
    s.devices = vec![DeviceMapping {
        source: "/dev/dri".into(),
        target: "/dev/dri".into(),
        permissions: None,
    }];
    let p = plan(&project(vec![s.clone()]), &home_cluster());
    let pod = p.pod_of("jellyfin").unwrap();
    assert_eq!(
        pod.containers[0].resources.gpu,
        Some(("gpu.intel.com/i915".into(), 1))
    );
    assert_eq!(pod.placement.required_nodes, vec!["nuc"]);
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    assert!(codes(&p).contains(&"HP0471"));
}

#[test]
fn bind_mounts_under_host_paths_get_their_own_static_volume() {
    // Each host directory is its own PersistentVolume and claim: two different host paths
    // never share one (a pod's fsGroup would otherwise rewrite the other's files).
    let mut a = svc("sonarr", "lscr.io/linuxserver/sonarr:4");
    a.volumes.push(bind("/mnt/media/tv", "/tv"));
    let mut b = svc("jellyfin", "jellyfin/jellyfin:10.9");
    b.volumes.push(bind("/mnt/media", "/media"));
    let mut c = svc("radarr", "lscr.io/linuxserver/radarr:5");
    c.volumes.push(bind("/mnt/media/tv", "/tv"));
    let p = plan(&project(vec![a, b, c]), &home_cluster());
    assert_eq!(p.claims.iter().filter(|c| c.name == "media").count(), 1);
    assert_eq!(p.claims.iter().filter(|c| c.name == "media-tv").count(), 1);
    assert_eq!(p.persistent_volumes.len(), 2);
    let m = &p.pod_of("sonarr").unwrap().containers[0].mounts[0];
    assert_eq!(
        (m.volume.as_str(), m.sub_path.as_deref()),
        ("media-tv", None)
    );
    let m = &p.pod_of("radarr").unwrap().containers[0].mounts[0];
    assert_eq!(
        m.volume.as_str(),
        "media-tv",
        "the same host path: the same claim"
    );
    assert_eq!(
        p.pod_of("jellyfin").unwrap().containers[0].mounts[0].sub_path,
        None
    );
    // A share holds existing data even when this machine cannot see it: no fsGroup on it.
    assert_eq!(p.pod_of("jellyfin").unwrap().fs_group, None);
}

#[test]
fn other_binds_become_claims_with_a_migration_note_and_tmpfs_memory() {
    let mut s = svc("app", "example/app:1");
    s.volumes.push(bind("./data", "/data"));
    s.volumes.push(VolumeMount {
        kind: MountType::Tmpfs,
        source: None,
        target: "/tmp".into(),
        read_only: false,
        subpath: None,
        options: vec![],
        tmpfs_size_bytes: Some(64 << 20),
        span: None,
    });
    s.volumes.push(bind("/etc/localtime", "/etc/localtime"));
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    assert!(codes(&p).contains(&"HP0420"));
    let pod = p.pod_of("app").unwrap();
    assert!(pod.volumes.iter().any(|v| v.source
        == VolumeSource::EmptyDir {
            memory: true,
            size_limit: Some(64 << 20)
        }));
    assert!(pod.containers[0].config_env.contains_key("TZ"));
    assert!(pod.recreate, "RWO claim: Recreate strategy");
}

#[test]
fn shared_named_volume_uses_rwx_class_or_colocates() {
    let mut a = svc("a", "example/a:1");
    a.volumes.push(vol("shared", "/data"));
    let mut b = svc("b", "example/b:1");
    b.volumes.push(vol("shared", "/data"));
    let p = plan(&project(vec![a.clone(), b.clone()]), &home_cluster());
    let claim = p.claims.iter().find(|c| c.name == "shared").unwrap();
    assert_eq!(
        (claim.access_mode, claim.storage_class.as_deref()),
        ("ReadWriteMany", Some("nfs"))
    );
    let p = plan(&project(vec![a, b]), &Cluster::default_k3s());
    assert_eq!(
        p.pod_of("b").unwrap().placement.colocate_with.as_deref(),
        Some("a")
    );
    assert!(codes(&p).contains(&"HP0423"));
}

#[test]
fn databases_accept_only_referencing_services() {
    let db = svc("db", "postgres:16");
    let mut api = svc("api", "example/api:1");
    api.environment = env(&[("DB_HOST", "db")]);
    let other = svc("other", "example/other:1");
    let p = plan(&project(vec![db, api, other]), &Cluster::default_k3s());
    let db = p.pod_of("db").unwrap();
    assert!(!db.network.from_networks);
    assert!(!db.network.internet_egress);
    assert_eq!(
        db.network.from_pods,
        vec![("stack".to_string(), "api".to_string())]
    );
    let api = p.pod_of("api").unwrap();
    assert!(api.network.internet_egress);
    assert!(api.network.to_pods.iter().any(|(_, n, _)| n == "db"));
}

#[test]
fn placement_arch_node_pin_and_budgets() {
    let mut a = svc("pihole", "pihole/pihole:2024.07.0");
    a.platform = Some("linux/arm64".into());
    let mut b = svc("pinned", "example/x:1");
    b.hints.node = Some("nuc".into());
    let mut c = svc("ghost", "example/x:1");
    c.hints.node = Some("nope".into());
    let p = plan(&project(vec![a, b, c]), &home_cluster());
    assert_eq!(p.pod_of("pihole").unwrap().placement.nodes, vec!["pi"]);
    assert_eq!(
        p.pod_of("pinned").unwrap().placement.required_nodes,
        vec!["nuc"]
    );
    assert!(codes(&p).contains(&"HP0480"));
    let pi = p.nodes.iter().find(|n| n.name == "pi").unwrap();
    assert!(pi.memory_requested_bytes > 0);
}

#[test]
fn unknown_image_without_facts_keeps_its_user_and_never_run_as_non_root_without_a_uid() {
    // Nothing says who the image runs as (not in the knowledge base, no registry facts):
    // runAsNonRoot without a uid would stop a root or named-user image from starting.
    let s = svc("app", "example/app:1");
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    let pod = p.pod_of("app").unwrap();
    assert_eq!(pod.level, SecurityLevel::Baseline);
    let sec = &pod.containers[0].security;
    assert!(!sec.run_as_non_root);
    assert_eq!(sec.run_as_user, None);
    assert!(sec.cap_add.iter().any(|c| c == "CHOWN"));
    assert!(!sec.cap_add.iter().any(|c| c == "NET_RAW"));
    assert!(codes(&p).contains(&"HP0413"));
    let why = decision(&p, "app", "security");
    assert!(why[0].reason.contains("unknown"), "{}", why[0].reason);
}

#[test]
fn untranslated_keys_are_reported() {
    let mut s = svc("app", "example/app:1");
    s.other
        .insert("logging".into(), serde_json::json!({"driver": "json-file"}));
    s.ulimits
        .insert("nofile".into(), Ulimit { soft: 1, hard: 2 });
    s.extra_hosts = vec!["nas=192.168.1.10".into()];
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    let msgs: Vec<&str> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == "HP0490")
        .map(|d| d.message.as_str())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("`logging`")));
    assert!(msgs.iter().any(|m| m.contains("`ulimits`")));
    assert_eq!(
        p.pod_of("app").unwrap().host_aliases,
        vec![("192.168.1.10".to_string(), vec!["nas".to_string()])]
    );
}

#[test]
fn plan_json_has_the_contract_shape() {
    let mut db = svc("db", "postgres:16");
    db.volumes.push(vol("pgdata", "/var/lib/postgresql/data"));
    let p = plan(&project(vec![db]), &home_cluster());
    let j = p.to_json();
    let s = &j["services"][0];
    assert_eq!(s["name"], "db");
    assert_eq!(s["workload"], "StatefulSet");
    assert_eq!(s["security"], "restricted");
    assert!(s["nodes"].as_array().is_some());
    assert!(s["exposed"].as_array().is_some());
    assert!(j["nodes"][0]["cpu"]["allocatable"].is_string());
    assert!(j["diagnostics"].as_array().is_some());
    let table = p.to_table();
    assert!(table.contains("StatefulSet"));
    assert!(table.contains("because"));
}

#[test]
fn knowledge_base_drops_needless_host_couplings() {
    let mut pihole = svc("pihole", "pihole/pihole:2024.07.0");
    pihole.cap_add = vec!["NET_ADMIN".into()];
    let mut plex = svc("plex", "plexinc/pms-docker:1.40");
    plex.network_mode = Some("host".into());
    plex.networks.clear();
    let p = plan(&project(vec![pihole, plex]), &Cluster::default_k3s());
    assert!(!p.diagnostics.has_errors(), "{:?}", p.diagnostics);
    assert!(codes(&p).contains(&"HP0412") && codes(&p).contains(&"HP0417"));
    let ph = p.pod_of("pihole").unwrap();
    assert_eq!(ph.level, SecurityLevel::Baseline);
    assert!(!ph.containers[0]
        .security
        .cap_add
        .contains(&"NET_ADMIN".to_string()));
    let px = p.pod_of("plex").unwrap();
    assert!(!px.host_network);
    assert_eq!(px.ingresses[0].port, 32400);
}

#[test]
fn missing_bind_file_is_left_out_with_a_warning() {
    let mut s = svc("proxy", "nginx:1.27");
    s.volumes.push(VolumeMount {
        read_only: true,
        ..bind("./proxy/nginx.conf", "/etc/nginx/conf.d/default.conf")
    });
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    assert!(codes(&p).contains(&"HP0424"));
    assert!(p.claims.is_empty());
}

#[test]
fn services_split_across_namespaces_reach_each_other_by_short_name() {
    let mut db = svc("db", "postgres:16");
    db.hints.namespace = Some("data".into());
    let mut api = svc("api", "example/api:1");
    api.environment = env(&[("DB_HOST", "db")]);
    let p = plan(&project(vec![db, api]), &Cluster::default_k3s());
    let alias = &p.aliases_across_namespaces[0];
    assert_eq!(
        (alias.name.as_str(), alias.namespace.as_str()),
        ("db", "stack")
    );
    assert_eq!(alias.target, "db.data.svc.cluster.local");
    assert_eq!(
        p.pod_of("db").unwrap().network.from_pods,
        vec![("stack".to_string(), "api".to_string())]
    );
    assert_eq!(
        p.namespaces
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
        vec!["data", "stack"]
    );
}

#[test]
fn cronjob_without_schedule_is_an_error_with_help() {
    let mut s = svc("backup", "example/backup:1");
    s.hints.workload = Some(WorkloadHint::CronJob);
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    let d = p.diagnostics.iter().find(|d| d.code == "HP0495").unwrap();
    assert!(d.is_error() && d.help.is_some());
}

#[test]
fn static_local_storage_pins_the_consumer_to_its_node() {
    let mut c = home_cluster();
    c.storage.push(StorageClassDef {
        name: "hdd".into(),
        provisioner: Provisioner::StaticLocal,
        default: false,
        server: None,
        path: Some("/mnt/hdd".into()),
        capacity: Some("1Ti".into()),
        host_paths: vec!["/mnt/hdd".into()],
        node: Some("pi".into()),
    });
    let mut s = svc("files", "example/files:1");
    s.volumes.push(bind("/mnt/hdd/files", "/data"));
    let p = plan(&project(vec![s]), &c);
    let pod = p.pod_of("files").unwrap();
    assert_eq!(pod.placement.required_nodes, vec!["pi"]);
    assert!(
        matches!(p.persistent_volumes[0].source, PersistentVolumeSource::Local { ref node, .. } if node == "pi")
    );
}

#[test]
fn stateful_services_stay_off_opportunistic_nodes() {
    let mut db = svc("db", "postgres:16");
    db.volumes.push(vol("pgdata", "/var/lib/postgresql/data"));
    let mut batch = svc("batch", "example/batch:1");
    batch.hints.tier = Some(Tier::Batch);
    let p = plan(&project(vec![db, batch]), &home_cluster());
    let db = p.pod_of("db").unwrap();
    assert!(!db.placement.preemptible);
    assert!(!db.placement.nodes.contains(&"rig".to_string()));
    let b = p.pod_of("batch").unwrap();
    assert!(b.placement.preemptible);
    assert_eq!(b.placement.preferred_nodes, vec!["rig"]);
}

#[test]
fn traefik_routes_to_undeclared_ports_add_them_to_the_service() {
    let mut s = svc("whoami", "traefik/whoami:v1.10");
    s.labels.insert("traefik.enable".into(), "true".into());
    s.labels.insert(
        "traefik.http.routers.w.rule".into(),
        "Host(`who.example.com`) && PathPrefix(`/api`)".into(),
    );
    s.labels.insert(
        "traefik.http.services.w.loadbalancer.server.port".into(),
        "8080".into(),
    );
    let p = plan(&project(vec![s]), &Cluster::default_k3s());
    let pod = p.pod_of("whoami").unwrap();
    assert_eq!(pod.ingresses[0].path, "/api");
    assert!(pod.ports.iter().any(|x| x.port == 8080));
    assert!(pod.containers[0].ports.iter().any(|x| x.port == 8080));
}

#[test]
fn secret_values_in_commands_and_probes_become_references() {
    let mut redis = svc("redis", "redis:7");
    redis.command = Some(Command::String(
        "redis-server --requirepass s3cretpw".into(),
    ));
    redis.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::Cmd(vec![
            "redis-cli".into(),
            "-a".into(),
            "s3cretpw".into(),
            "ping".into(),
        ])),
        ..Default::default()
    });
    let mut app = svc("app", "example/app:1");
    app.environment = env(&[("REDIS_PASSWORD", "s3cretpw")]);
    let p = plan(&project(vec![redis, app]), &Cluster::default_k3s());
    let c = &p.pod_of("redis").unwrap().containers[0];
    assert_eq!(
        c.args.as_ref().unwrap(),
        &vec![
            "redis-server".to_string(),
            "--requirepass".into(),
            "$(REDIS_PASSWORD)".into()
        ]
    );
    assert_eq!(
        c.secret_env.get("REDIS_PASSWORD").map(String::as_str),
        Some("s3cretpw")
    );
    match &c.probes.readiness.as_ref().unwrap().action {
        ProbeAction::Exec(cmd) => assert_eq!(
            cmd,
            &vec![
                "sh".to_string(),
                "-c".into(),
                "redis-cli -a ${REDIS_PASSWORD} ping".into()
            ]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bearer_token_in_a_shell_healthcheck_becomes_a_secret_reference() {
    let mut api = svc("api", "example/api:1");
    api.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::CmdShell(
            "curl -fsS -H 'Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln' http://localhost:8080/health"
                .into(),
        )),
        ..Default::default()
    });
    let p = plan(&project(vec![api]), &Cluster::default_k3s());
    let c = &p.pod_of("api").unwrap().containers[0];
    assert_eq!(
        c.secret_env.get("BEARER_TOKEN").map(String::as_str),
        Some("eyJhbGciOi.eyJzdWIi.c2ln")
    );
    match &c.probes.readiness.as_ref().unwrap().action {
        ProbeAction::Exec(cmd) => assert_eq!(
            cmd[2],
            // The single quotes are closed around the reference, so the shell expands it.
            "curl -fsS -H 'Authorization: Bearer '\"${BEARER_TOKEN}\"'' http://localhost:8080/health"
        ),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{:?}", p.pods[0].decisions).contains("eyJhbGciOi"));
}

#[test]
fn plan_table_snapshot() {
    let mut db = svc("db", "postgres:16");
    db.volumes.push(vol("pgdata", "/var/lib/postgresql/data"));
    let mut web = svc("web", "ghcr.io/example/web:1.0");
    web.ports = vec![port(8080, Some("80"))];
    web.depends_on.insert("db".into(), dep("service_started"));
    web.environment = env(&[("DATABASE_URL", "postgres://web:pw@db:5432/web")]);
    let p = plan(&project(vec![db, web]), &home_cluster());
    insta::assert_snapshot!(p.to_table());
}

#[test]
fn init_task_of_a_server_image_is_a_job_and_shared_binds_share_a_claim() {
    let mut server = svc("ollama", "ollama/ollama:0.3");
    server.restart = Some(RestartPolicy::UnlessStopped);
    let mut pull = svc("ollama-pull", "ollama/ollama:0.3");
    pull.entrypoint = Some(Command::Exec(vec!["/bin/sh".into()]));
    pull.command = Some(Command::Exec(vec![
        "-c".into(),
        "ollama pull llama3.2".into(),
    ]));
    let mut a = svc("a", "example/a:1");
    a.volumes.push(bind("./shared", "/data"));
    let mut b = svc("b", "example/b:1");
    b.volumes.push(bind("./shared", "/data"));
    let p = plan(&project(vec![server, pull, a, b]), &home_cluster());
    assert_eq!(p.pod_of("ollama-pull").unwrap().workload, WorkloadKind::Job);
    assert_eq!(
        p.pod_of("ollama").unwrap().workload,
        WorkloadKind::Deployment
    );
    let shared: Vec<&ClaimPlan> = p
        .claims
        .iter()
        .filter(|c| c.reason.contains("./shared"))
        .collect();
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].access_mode, "ReadWriteMany");
}

#[test]
fn healthchecks_on_dropped_things_are_rewritten_or_dropped() {
    let mut db = svc("db", "postgres:16");
    db.networks.get_mut("default").unwrap().ipv4_address = Some("10.5.0.3".into());
    let mut api = svc("api", "example/api:1");
    api.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::CmdShell(
            "pg_isready -h 10.5.0.3 -p 5432".into(),
        )),
        ..Default::default()
    });
    let mut hosty = svc("hosty", "example/api:1");
    hosty.ports = vec![port(8080, None)];
    hosty.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::Cmd(vec![
            "curl".into(),
            "-f".into(),
            "http://host.docker.internal:8080/".into(),
        ])),
        ..Default::default()
    });
    let mut sock = svc("sock", "example/api:1");
    sock.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::Cmd(vec!["docker".into(), "ps".into()])),
        ..Default::default()
    });
    let p = plan(
        &project(vec![db, api, hosty, sock]),
        &Cluster::default_k3s(),
    );
    // A static IP of another service: its Service name instead.
    let r = p.pod_of("api").unwrap().containers[0]
        .probes
        .readiness
        .clone()
        .unwrap();
    assert_eq!(
        r.action,
        ProbeAction::Exec(vec![
            "sh".into(),
            "-c".into(),
            "pg_isready -h db -p 5432".into()
        ])
    );
    let why = &decision(&p, "api", "probes")[0].reason;
    assert!(why.contains("10.5.0.3 -> db"), "{why}");
    // The Docker host: the check is dropped, the container's own port is probed instead.
    let r = p.pod_of("hosty").unwrap().containers[0]
        .probes
        .readiness
        .clone()
        .unwrap();
    assert_eq!(r.action, ProbeAction::Tcp { port: 8080 });
    let why = &decision(&p, "hosty", "probes")[0].reason;
    assert!(
        why.contains("healthcheck not used") && why.contains("host.docker.internal"),
        "{why}"
    );
    // The Docker engine, and no port: no probe at all rather than one that never passes.
    let probes = &p.pod_of("sock").unwrap().containers[0].probes;
    assert!(probes.readiness.is_none() && probes.liveness.is_none());
    let why = &decision(&p, "sock", "probes")[0].reason;
    assert!(why.contains("Docker engine"), "{why}");
    let warnings: Vec<_> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == "HP0451")
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().any(|d| d.message.contains("`hosty`")));
    assert!(warnings.iter().any(|d| d.message.contains("`sock`")));
}

#[test]
fn a_healthcheck_script_from_an_empty_bind_mount_is_not_a_probe() {
    let mut db = svc("db", "postgres:15-alpine");
    db.volumes = vec![
        vol("db-data", "/var/lib/postgresql/data"),
        bind("/nonexistent/stack/healthchecks", "/healthchecks"),
    ];
    db.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::CmdShell("/healthchecks/postgres.sh".into())),
        ..Default::default()
    });
    let p = project(vec![db]);
    let missing = |exists: bool| {
        let mut f = Facts::default();
        f.host.insert(
            "/nonexistent/stack/healthchecks".into(),
            HostPathFacts {
                exists,
                kind: if exists {
                    HostPathKind::Directory
                } else {
                    HostPathKind::Missing
                },
                empty: !exists,
                ..Default::default()
            },
        );
        f
    };
    // Missing on this machine: the claim starts empty, the script is never there.
    let plan = plan_with_facts(&p, &Cluster::default_k3s(), None, &missing(false));
    let r = plan.pod_of("db").unwrap().containers[0]
        .probes
        .readiness
        .clone()
        .unwrap();
    assert_eq!(
        r.action,
        ProbeAction::Tcp { port: 5432 },
        "the knowledge base's probe instead"
    );
    assert!(codes(&plan).contains(&"HP0451"));
    let why = &decision(&plan, "db", "probes")[0].reason;
    assert!(
        why.contains("/healthchecks/postgres.sh") && why.contains("./healthchecks"),
        "{why}"
    );
    // With the scripts there, the check is kept.
    let plan = plan_with_facts(&p, &Cluster::default_k3s(), None, &missing(true));
    let r = plan.pod_of("db").unwrap().containers[0]
        .probes
        .readiness
        .clone()
        .unwrap();
    assert!(matches!(r.action, ProbeAction::Exec(_)), "{:?}", r.action);
    assert!(!codes(&plan).contains(&"HP0451"));
}

#[test]
fn an_anonymous_volume_at_the_data_directory_is_a_claim() {
    let mut db = svc("db", "postgres:16");
    db.volumes = vec![
        VolumeMount {
            source: None,
            ..vol("unused", "/var/lib/postgresql/data")
        },
        VolumeMount {
            source: None,
            ..vol("unused", "/cache")
        },
    ];
    let p = plan(&project(vec![db]), &Cluster::default_k3s());
    let pod = p.pod_of("db").unwrap();
    let data = pod.containers[0]
        .mounts
        .iter()
        .find(|m| m.path == "/var/lib/postgresql/data")
        .unwrap();
    let is_claim = pod.claim_templates.iter().any(|t| t.name == data.volume)
        || pod
            .volumes
            .iter()
            .any(|v| v.name == data.volume && matches!(v.source, VolumeSource::Claim { .. }));
    assert!(is_claim, "{pod:?}");
    let cache = pod.containers[0]
        .mounts
        .iter()
        .find(|m| m.path == "/cache")
        .unwrap();
    assert!(pod
        .volumes
        .iter()
        .any(|v| { v.name == cache.volume && matches!(v.source, VolumeSource::EmptyDir { .. }) }));
    assert!(decision(&p, "db", "storage").iter().any(|d| d
        .value
        .contains("anonymous volume /var/lib/postgresql/data")));
}

#[test]
fn glued_and_program_specific_password_flags_move_to_the_secret() {
    // Issue 16: `mysql -psecret` (glued short flag) and `redis-cli -a pw` with a value no
    // environment names stayed in the Deployment.
    let mut db = svc("db", "mysql:8");
    db.command = Some(Command::Exec(vec![
        "sh".into(),
        "-c".into(),
        "mysql -h db -uroot -pab1 -e 'select 1'".into(),
    ]));
    db.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::Cmd(vec![
            "mysqladmin".into(),
            "ping".into(),
            "-pab1".into(),
        ])),
        ..Default::default()
    });
    let mut cli = svc("cli", "redis:7");
    cli.command = Some(Command::Exec(vec![
        "redis-cli".into(),
        "-a".into(),
        "pw".into(),
        "ping".into(),
    ]));
    let mut lister = svc("lister", "busybox:1");
    lister.command = Some(Command::Exec(vec![
        "ls".into(),
        "-a".into(),
        "-pfoo".into(),
    ]));
    let p = plan(&project(vec![db, cli, lister]), &Cluster::default_k3s());

    let c = &p.pod_of("db").unwrap().containers[0];
    let line = &c.args.as_ref().unwrap()[2];
    assert_eq!(
        line,
        "mysql -h db -uroot -p\"${MYSQL_PASSWORD}\" -e 'select 1'"
    );
    assert_eq!(
        c.secret_env.get("MYSQL_PASSWORD").map(String::as_str),
        Some("ab1")
    );
    match &c.probes.readiness.as_ref().unwrap().action {
        ProbeAction::Exec(cmd) => {
            assert_eq!(cmd[0], "sh");
            assert!(!cmd[2].contains("ab1"), "{cmd:?}");
            assert!(cmd[2].contains("${MYSQL_PASSWORD}"), "{cmd:?}");
        }
        other => panic!("{other:?}"),
    }

    let c = &p.pod_of("cli").unwrap().containers[0];
    assert_eq!(
        c.args.as_ref().unwrap(),
        &vec![
            "redis-cli".to_string(),
            "-a".into(),
            "$(REDIS_PASSWORD)".into(),
            "ping".into()
        ]
    );
    assert_eq!(
        c.secret_env.get("REDIS_PASSWORD").map(String::as_str),
        Some("pw")
    );

    // Other programs' `-a` and `-p...` are not passwords.
    let c = &p.pod_of("lister").unwrap().containers[0];
    assert_eq!(
        c.args.as_ref().unwrap(),
        &vec!["ls".to_string(), "-a".into(), "-pfoo".into()]
    );
    assert!(c.secret_env.is_empty());
}

#[test]
fn a_known_secret_glued_to_mysql_p_is_referenced_by_its_name() {
    let mut db = svc("db", "mysql:8");
    db.environment = env(&[("MYSQL_ROOT_PASSWORD", "longsecret1")]);
    db.command = Some(Command::Exec(vec![
        "mysql".into(),
        "-uroot".into(),
        "-plongsecret1".into(),
    ]));
    let p = plan(&project(vec![db]), &Cluster::default_k3s());
    let c = &p.pod_of("db").unwrap().containers[0];
    assert_eq!(
        c.args.as_ref().unwrap(),
        &vec![
            "mysql".to_string(),
            "-uroot".into(),
            "-p$(MYSQL_ROOT_PASSWORD)".into()
        ]
    );
}
