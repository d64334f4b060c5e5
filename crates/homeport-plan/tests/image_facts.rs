//! Planner decisions from image facts (what the image's config in its registry says),
//! on hand-built projects with hand-built facts.

use homeport_compose::*;
use homeport_plan::cluster::*;
use homeport_plan::facts::{Facts, ImageFacts, ImageHealthcheck};
use homeport_plan::*;
use indexmap::IndexMap;

mod common;
use common::{project, svc};

fn facts(entries: Vec<(&str, ImageFacts)>) -> Facts {
    Facts {
        images: entries
            .into_iter()
            .map(|(k, mut v)| {
                v.source = "registry".into();
                (k.to_string(), v)
            })
            .collect(),
        ..Facts::default()
    }
}

fn user(u: &str) -> ImageFacts {
    ImageFacts {
        user: u.into(),
        ..ImageFacts::default()
    }
}

fn run(services: Vec<Service>, f: &Facts, cluster: &Cluster) -> Plan {
    plan_with_facts(&project(services), cluster, None, f)
}

fn codes(plan: &Plan) -> Vec<&str> {
    plan.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn mixed_cluster() -> Cluster {
    let mut c = Cluster::default_k3s();
    c.is_default = false;
    let node = |name: &str, arch: Arch| NodeDef {
        name: name.into(),
        arch,
        cpu_millis: Some(8000),
        memory_bytes: Some(16 * 1024 * 1024 * 1024),
        availability: Availability::AlwaysOn,
        roles: vec![],
        labels: IndexMap::new(),
        gpus: vec![],
        gaming_processes: vec![],
        gaming_schedule: vec![],
        gaming_hold: None,
    };
    c.nodes = vec![node("nuc", Arch::Amd64), node("pi", Arch::Arm64)];
    c
}

#[test]
fn numeric_non_root_user_is_restricted_with_explicit_ids() {
    let mut c = user("4000");
    c.user_ids = Some((4000, 4001));
    let f = facts(vec![
        ("example/a:1", user("1000:2000")),
        ("example/b:1", user("65532")),
        ("example/c:1", c),
    ]);
    let p = run(
        vec![
            svc("a", "example/a:1"),
            svc("b", "example/b:1"),
            svc("c", "example/c:1"),
        ],
        &f,
        &Cluster::default_k3s(),
    );
    for (name, uid, gid) in [("a", 1000, 2000), ("b", 65532, 65532), ("c", 4000, 4001)] {
        let pod = p.pod_of(name).unwrap();
        assert_eq!(pod.level, SecurityLevel::Restricted, "{name}");
        let sec = &pod.containers[0].security;
        assert!(sec.run_as_non_root);
        assert_eq!(sec.run_as_user, Some(uid));
        assert_eq!(sec.run_as_group, Some(gid));
        assert!(sec.cap_add.is_empty());
    }
    assert!(!codes(&p).contains(&"HP0413"));
}

#[test]
fn root_image_is_never_run_as_non_root() {
    for u in ["", "0", "root", "0:0"] {
        let f = facts(vec![("example/a:1", user(u))]);
        let p = run(vec![svc("a", "example/a:1")], &f, &Cluster::default_k3s());
        let pod = p.pod_of("a").unwrap();
        let sec = &pod.containers[0].security;
        assert!(!sec.run_as_non_root, "user {u:?}");
        assert_eq!(pod.level, SecurityLevel::Baseline);
        assert!(sec.cap_add.iter().any(|c| c == "SETUID"));
        assert!(codes(&p).contains(&"HP0564"));
    }
    // The knowledge base knows postgres runs fine as 999: restricted despite a root config.
    let f = facts(vec![("postgres:16", user(""))]);
    let p = run(vec![svc("db", "postgres:16")], &f, &Cluster::default_k3s());
    let sec = &p.pod_of("db").unwrap().containers[0].security;
    assert!(sec.run_as_non_root);
    assert_eq!(sec.run_as_user, Some(999));
}

#[test]
fn named_user_uses_passwd_ids_or_drops_run_as_non_root() {
    let mut known = user("app");
    known.user_ids = Some((1234, 1235));
    let f = facts(vec![
        ("example/known:1", known),
        ("example/named:1", user("nginx")),
    ]);
    let p = run(
        vec![svc("k", "example/known:1"), svc("n", "example/named:1")],
        &f,
        &Cluster::default_k3s(),
    );
    let k = &p.pod_of("k").unwrap().containers[0].security;
    assert!(k.run_as_non_root);
    assert_eq!((k.run_as_user, k.run_as_group), (Some(1234), Some(1235)));
    let pod = p.pod_of("n").unwrap();
    let n = &pod.containers[0].security;
    assert!(!n.run_as_non_root);
    assert_eq!(n.run_as_user, None);
    assert_eq!(pod.level, SecurityLevel::Baseline);
    assert!(codes(&p).contains(&"HP0565"));
    let reason = &pod
        .decisions
        .iter()
        .find(|d| d.topic == "security")
        .unwrap()
        .reason;
    assert!(
        reason.contains("`nginx`") && reason.contains("runAsNonRoot is not set"),
        "{reason}"
    );
}

#[test]
fn exposed_ports_become_container_and_service_ports_without_compose_ports() {
    let exporter = ImageFacts {
        user: "65534".into(),
        exposed_ports: vec!["9187/tcp".into()],
        ..ImageFacts::default()
    };
    let f = facts(vec![("example/pg-exporter:1", exporter)]);
    let p = run(
        vec![svc("metrics", "example/pg-exporter:1")],
        &f,
        &Cluster::default_k3s(),
    );
    let pod = p.pod_of("metrics").unwrap();
    assert_eq!(pod.containers[0].ports.len(), 1);
    assert_eq!(pod.containers[0].ports[0].port, 9187);
    assert!(pod.ports.iter().any(|p| p.port == 9187), "Service port");
    let probe = pod.containers[0].probes.readiness.as_ref().unwrap();
    assert_eq!(probe.action, ProbeAction::Tcp { port: 9187 });
    // A worker running another program in the same image declares no port and no probe.
    let mut worker = svc("worker", "example/pg-exporter:1");
    worker.command = Some(Command::Exec(vec!["python".into(), "worker.py".into()]));
    let p = run(vec![worker], &f, &Cluster::default_k3s());
    let pod = p.pod_of("worker").unwrap();
    assert!(pod.containers[0].ports.is_empty());
    assert!(pod.containers[0].probes.readiness.is_none());
}

#[test]
fn image_without_ports_gets_no_invented_port_or_probe() {
    let f = facts(vec![("example/worker:1", user("1000"))]);
    let p = run(
        vec![svc("w", "example/worker:1")],
        &f,
        &Cluster::default_k3s(),
    );
    let pod = p.pod_of("w").unwrap();
    assert!(pod.containers[0].ports.is_empty());
    assert!(pod.ports.is_empty());
    assert!(pod.containers[0].probes.readiness.is_none());
    assert!(pod.containers[0].probes.liveness.is_none());
}

#[test]
fn image_healthcheck_is_used_unless_compose_has_one_or_disables_it() {
    let hc = ImageFacts {
        user: "1000".into(),
        exposed_ports: vec!["8080/tcp".into()],
        healthcheck: Some(ImageHealthcheck {
            test: vec![
                "CMD-SHELL".into(),
                "curl -f http://localhost:8080/healthz || exit 1".into(),
            ],
            interval_ns: Some(15_000_000_000),
            retries: Some(4),
            ..ImageHealthcheck::default()
        }),
        ..ImageFacts::default()
    };
    let f = facts(vec![("example/web:1", hc)]);
    let p = run(
        vec![svc("web", "example/web:1")],
        &f,
        &Cluster::default_k3s(),
    );
    let pod = p.pod_of("web").unwrap();
    let ready = pod.containers[0].probes.readiness.as_ref().unwrap();
    assert_eq!(
        ready.action,
        ProbeAction::Http {
            port: 8080,
            path: "/healthz".into()
        }
    );
    assert_eq!(ready.period_seconds, 15);
    assert_eq!(ready.failure_threshold, 4);
    let d = pod.decisions.iter().find(|d| d.topic == "probes").unwrap();
    assert!(d.reason.contains("image's HEALTHCHECK"), "{}", d.reason);

    let mut disabled = svc("web", "example/web:1");
    disabled.healthcheck = Some(Healthcheck {
        disable: true,
        ..Healthcheck::default()
    });
    let p = run(vec![disabled], &f, &Cluster::default_k3s());
    assert!(p.pod_of("web").unwrap().containers[0]
        .probes
        .readiness
        .is_none());

    let mut own = svc("web", "example/web:1");
    own.healthcheck = Some(Healthcheck {
        test: Some(HealthTest::Cmd(vec!["/bin/check".into()])),
        ..Healthcheck::default()
    });
    let p = run(vec![own], &f, &Cluster::default_k3s());
    let ready = p.pod_of("web").unwrap().containers[0]
        .probes
        .readiness
        .clone()
        .unwrap();
    assert_eq!(ready.action, ProbeAction::Exec(vec!["/bin/check".into()]));
}

#[test]
fn single_architecture_image_requires_its_nodes_in_a_mixed_cluster() {
    let amd = ImageFacts {
        user: "1000".into(),
        platforms: vec!["linux/amd64".into()],
        ..ImageFacts::default()
    };
    let both = ImageFacts {
        user: "1000".into(),
        platforms: vec!["linux/amd64".into(), "linux/arm64".into()],
        ..ImageFacts::default()
    };
    let f = facts(vec![("example/amd:1", amd), ("example/both:1", both)]);
    let p = run(
        vec![svc("a", "example/amd:1"), svc("b", "example/both:1")],
        &f,
        &mixed_cluster(),
    );
    let a = p.pod_of("a").unwrap();
    assert!(a
        .placement
        .expressions
        .iter()
        .any(|e| e.key == "kubernetes.io/arch"
            && e.operator == "In"
            && e.values == vec!["amd64".to_string()]));
    assert_eq!(a.placement.nodes, vec!["nuc"]);
    assert_eq!(a.placement.preferred_arch, None);
    let b = p.pod_of("b").unwrap();
    assert!(b.placement.expressions.is_empty());
    assert_eq!(
        b.placement.preferred_arch, None,
        "its architectures are known"
    );
    assert!(!p.diagnostics.has_errors());

    // No node can run it: an error.
    let riscv = ImageFacts {
        platforms: vec!["linux/riscv64".into()],
        ..ImageFacts::default()
    };
    let f = facts(vec![("example/riscv:1", riscv)]);
    let p = run(vec![svc("r", "example/riscv:1")], &f, &mixed_cluster());
    assert!(codes(&p).contains(&"HP0567"));
    assert!(p.diagnostics.has_errors());

    // Compose `platform:` on an architecture the image lacks: an error too.
    let amd = ImageFacts {
        platforms: vec!["linux/amd64".into()],
        ..ImageFacts::default()
    };
    let f = facts(vec![("example/amd:1", amd)]);
    let mut s = svc("a", "example/amd:1");
    s.platform = Some("linux/arm64".into());
    let p = run(vec![s], &f, &mixed_cluster());
    assert!(codes(&p).contains(&"HP0567"), "{:?}", codes(&p));
}

#[test]
fn declared_volume_without_a_mount_is_a_warning() {
    let f = facts(vec![(
        "example/db:1",
        ImageFacts {
            user: "1000".into(),
            volumes: vec!["/data".into(), "/logs".into()],
            ..ImageFacts::default()
        },
    )]);
    let mut s = svc("db", "example/db:1");
    s.volumes.push(VolumeMount {
        kind: MountType::Volume,
        source: Some("logs".into()),
        target: "/logs".into(),
        read_only: false,
        subpath: None,
        options: vec![],
        tmpfs_size_bytes: None,
        span: None,
    });
    let mut p = project(vec![s]);
    p.volumes.insert(
        "logs".into(),
        Volume {
            name: "logs".into(),
            dns_name: "logs".into(),
            ..Default::default()
        },
    );
    let plan = plan_with_facts(&p, &Cluster::default_k3s(), None, &f);
    let warnings: Vec<&str> = plan
        .diagnostics
        .iter()
        .filter(|d| d.code == "HP0566")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("/data") && !warnings[0].contains("/logs"));

    // A known image's data directory gets a claim instead of a warning, with its reason.
    let f = facts(vec![(
        "postgres:16",
        ImageFacts {
            volumes: vec!["/var/lib/postgresql/data".into()],
            ..ImageFacts::default()
        },
    )]);
    let plan = run(vec![svc("db", "postgres:16")], &f, &Cluster::default_k3s());
    assert!(!plan.diagnostics.iter().any(|d| d.code == "HP0566"));
    let pod = plan.pod_of("db").unwrap();
    let data = pod.containers[0]
        .mounts
        .iter()
        .find(|m| m.path == "/var/lib/postgresql/data")
        .expect("the data directory is mounted");
    assert!(
        pod.claim_templates.iter().any(|t| t.name == data.volume)
            || pod
                .volumes
                .iter()
                .any(|v| v.name == data.volume && matches!(v.source, VolumeSource::Claim { .. })),
        "{pod:?}"
    );
    assert!(pod
        .decisions
        .iter()
        .any(|d| d.topic == "storage" && d.reason.contains("where postgres keeps its data")));
}

#[test]
fn plan_counts_where_image_facts_came_from() {
    let mut f = facts(vec![("example/a:1", user("1000"))]);
    let mut locked = user("1000");
    locked.source = "lock".into();
    f.images.insert("example/b:1".into(), locked);
    f.registry_access = "registries contacted: docker.io".into();
    let mut built = svc("c", "example/c:1");
    built.build = Some(Default::default());
    let p = run(
        vec![
            svc("a", "example/a:1"),
            svc("b", "example/b:1"),
            built,
            svc("d", "example/d:1"),
        ],
        &f,
        &Cluster::default_k3s(),
    );
    assert_eq!(
        (
            p.images.from_registry,
            p.images.from_lock,
            p.images.from_knowledge_base,
            p.images.built
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(p.to_json()["images"]["registry"], 1);
    let source = |pod: &str| {
        p.pod_of(pod)
            .unwrap()
            .decisions
            .iter()
            .find(|d| d.topic == "image")
            .map(|d| d.reason.clone())
            .unwrap_or_default()
    };
    assert!(source("a").contains("from its registry"), "{}", source("a"));
    assert!(
        source("b").contains("from homeport.lock"),
        "{}",
        source("b")
    );
    assert!(source("d").contains("no image config"), "{}", source("d"));
    assert!(p.to_table().contains("1 from homeport.lock"));
}
