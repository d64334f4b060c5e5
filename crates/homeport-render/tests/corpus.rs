//! Every Compose file of the shared corpus: load, plan, render never panic; what renders
//! validates against Kubernetes 1.33 (kubernetes-validate --strict), and the YAML loader's
//! semantics reach the objects (a stack written as YAML).

use homeport_compose::{load, LoadOptions};
use homeport_plan::cluster::Cluster;
use homeport_plan::facts::Facts;
use homeport_plan::plan_with_facts;
use homeport_render::render;
use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;

/// What the stack's bind-mounted paths hold, as `homeport` gathers it before planning.
fn host_facts(project: &homeport_compose::Project) -> Facts {
    Facts {
        host: homeport_host::gather(project),
        ..Default::default()
    }
}

fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            compose_files(&p, out);
        } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
            if (name.contains("compose") || name == "docker-stack.yml")
                && (name.ends_with(".yml") || name.ends_with(".yaml"))
            {
                out.push(p);
            }
        }
    }
}

fn load_file(path: &Path) -> homeport_compose::Loaded {
    load(&LoadOptions {
        files: vec![path.to_path_buf()],
        project_directory: None,
        project_name: None,
        env_files: vec![],
        profiles: vec![],
        environment: Default::default(),
        cwd: path.parent().unwrap_or(Path::new("/")).to_path_buf(),
    })
}

#[test]
fn corpus_renders_valid_objects_or_clear_diagnostics() {
    let Some(corpus) = homeport_testkit::require_corpus() else {
        return;
    };
    let mut files = Vec::new();
    compose_files(&corpus, &mut files);
    assert!(
        !files.is_empty(),
        "no compose files under {}",
        corpus.display()
    );
    let mut all: Vec<Value> = Vec::new();
    let mut rendered = 0;
    for f in &files {
        let loaded = load_file(f);
        let Some(project) = loaded.project else {
            continue;
        };
        let plan = plan_with_facts(
            &project,
            &Cluster::default_k3s(),
            Some(&loaded.sources),
            &host_facts(&project),
        );
        for d in plan.diagnostics.iter() {
            assert!(d.code.starts_with("HP0"), "{}: {:?}", f.display(), d);
            if d.is_error() {
                assert!(d.help.is_some(), "planner errors carry a help line: {d:?}");
            }
        }
        if plan.diagnostics.has_errors() {
            continue;
        }
        let objs = render(&plan, &project);
        assert!(
            objs.iter().any(|o| o["kind"] == "Namespace"),
            "{}",
            f.display()
        );
        common::assert_pod_security(&objs);
        rendered += 1;
        all.extend(objs);
    }
    assert!(rendered >= 20, "only {rendered} corpus files rendered");
    if homeport_testkit::require_tool(homeport_testkit::Tool::KubernetesValidate).is_none() {
        return;
    }
    let yaml = homeport_yaml::emit_documents(all.iter());
    if let Err(e) = homeport_testkit::validate_k8s_objects(&yaml, "1.33") {
        let short: String = e.lines().take(60).collect::<Vec<_>>().join("\n");
        panic!("{short}");
    }
}

#[test]
fn a_stack_written_as_yaml_reaches_the_objects() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.conf"), "key = value\n").unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        r#"
name: shop
services:
  api:
    image: ghcr.io/example/api:2.1.0
    ports: ["8080:8080"]
    environment:
      DATABASE_URL: postgres://shop:${DB_PASSWORD}@db:5432/shop
      WORKERS: "4"
    volumes:
      - ./app.conf:/etc/app/app.conf:ro
    depends_on:
      db: {condition: service_healthy}
      queue: {condition: service_started}
    labels:
      traefik.http.routers.api.rule: Host(`api.shop.example`)
    deploy:
      replicas: 3
      resources:
        limits: {cpus: "1.5", memory: 512M}
  worker:
    image: ghcr.io/example/api:2.1.0
    command: ["worker", "--queue", "jobs"]
    environment:
      BROKER_URL: amqp://queue:5672
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
    volumes: [pgdata:/var/lib/postgresql/data]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U shop"]
      interval: 5s
      start_period: 30s
  queue:
    image: rabbitmq:3.13-management
    volumes: [mq:/var/lib/rabbitmq]
volumes:
  pgdata: {}
  mq: {}
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join(".env"), "DB_PASSWORD=correct-horse\n").unwrap();
    let loaded = load_file(&dir.path().join("compose.yaml"));
    let project = loaded
        .project
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
    let plan = plan_with_facts(
        &project,
        &Cluster::default_k3s(),
        Some(&loaded.sources),
        &host_facts(&project),
    );
    assert!(!plan.diagnostics.has_errors(), "{:?}", plan.diagnostics);
    let objs = render(&plan, &project);
    let find = |kind: &str, name: &str| {
        objs.iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{kind} {name}"))
    };

    // Secrets from .env never in ConfigMaps.
    for o in objs.iter().filter(|o| o["kind"] == "ConfigMap") {
        assert!(!o.to_string().contains("correct-horse"), "{o}");
    }
    assert!(find("Secret", "db-env")["data"]["POSTGRES_PASSWORD"].is_string());
    assert!(find("Secret", "api-env")["data"]["DATABASE_URL"].is_string());
    assert_eq!(find("ConfigMap", "api-env")["data"]["WORKERS"], "4");
    assert_eq!(
        find("ConfigMap", "api-files")["data"]["app.conf"],
        "key = value\n"
    );
    // Source annotation with file and line.
    let src = find("Deployment", "api")["metadata"]["annotations"]["homeport.dev/source"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(src.ends_with("compose.yaml:4 (service api)"), "{src}");
    // Workloads and exposure.
    assert_eq!(
        find("StatefulSet", "db")["spec"]["template"]["spec"]["containers"][0]["startupProbe"]
            ["periodSeconds"],
        5
    );
    assert_eq!(find("StatefulSet", "queue")["kind"], "StatefulSet");
    assert_eq!(find("Deployment", "api")["spec"]["replicas"], 3);
    assert_eq!(
        find("Deployment", "api")["spec"]["template"]["spec"]["containers"][0]["resources"]
            ["limits"]["cpu"],
        "1500m"
    );
    assert_eq!(
        find("Ingress", "api")["spec"]["rules"][0]["host"],
        "api.shop.example"
    );
    find("PodDisruptionBudget", "api");
    let inits = find("Deployment", "api")["spec"]["template"]["spec"]["initContainers"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(inits, 2);
    // Network: the database admits api only; the queue admits api and worker.
    let db_np = find("NetworkPolicy", "db");
    let from = db_np["spec"]["ingress"][0]["from"].as_array().unwrap();
    let names: Vec<&str> = from
        .iter()
        .filter_map(|p| p["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str())
        .collect();
    assert_eq!(names, vec!["api"]);
    let q_np = find("NetworkPolicy", "queue");
    let names: Vec<&str> = q_np["spec"]["ingress"][0]["from"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str())
        .collect();
    assert_eq!(names, vec!["api", "worker"]);
    assert!(db_np["spec"]["egress"]
        .as_array()
        .is_none_or(|e| !e.iter().any(|r| r.to_string().contains("0.0.0.0/0"))));
}
