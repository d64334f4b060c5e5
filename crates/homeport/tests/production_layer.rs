//! The production layer on realistic stacks, checked semantically: scalers (HPA or KEDA,
//! one per workload), refusals, priorities, availability settings and backups.

mod support;

use serde_json::Value;
use support::netpol::{Network, Peer};
use support::*;

fn plan_json(compose: &std::path::Path) -> Value {
    let out = run(homeport()
        .arg("-f")
        .arg(compose)
        .args(["plan", "--format", "json"]));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("plan json: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn text_of_plan(compose: &std::path::Path) -> String {
    String::from_utf8_lossy(&run(homeport().arg("-f").arg(compose).arg("plan")).stdout).into_owned()
}

fn template_spec(w: &Value) -> &Value {
    &pod_template(w)["spec"]
}

#[test]
fn transcode_service_scalers_priorities_and_backups() {
    let (_, objects) = render(&stack_compose("transcode-service"));
    // The API: an autoscaling/v2 HPA on CPU, scale-down slower than scale-up.
    let hpa = named(&objects, "HorizontalPodAutoscaler", "api").expect("api HPA");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["minReplicas"], 3);
    assert_eq!(hpa["spec"]["maxReplicas"], 10);
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu");
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        70
    );
    let b = &hpa["spec"]["behavior"];
    assert!(
        b["scaleDown"]["stabilizationWindowSeconds"].as_u64()
            > b["scaleUp"]["stabilizationWindowSeconds"].as_u64()
    );
    assert!(named(&objects, "ScaledObject", "api").is_none());

    // The CPU worker: a KEDA ScaledObject on the RabbitMQ queue, no HPA (one scaler).
    assert!(named(&objects, "HorizontalPodAutoscaler", "cpu-worker").is_none());
    let so = named(&objects, "ScaledObject", "cpu-worker").expect("cpu-worker ScaledObject");
    assert_eq!(so["spec"]["scaleTargetRef"]["name"], "cpu-worker");
    assert_eq!(so["spec"]["minReplicaCount"], 2);
    assert_eq!(so["spec"]["maxReplicaCount"], 20);
    let t = &so["spec"]["triggers"][0];
    assert_eq!(t["type"], "rabbitmq");
    assert_eq!(t["metadata"]["queueName"], "transcode.cpu");
    assert_eq!(t["metadata"]["value"], "10");
    let auth_name = t["authenticationRef"]["name"].as_str().unwrap();
    let auth = named(&objects, "TriggerAuthentication", auth_name).expect("TriggerAuthentication");
    let r = &auth["spec"]["secretTargetRef"][0];
    assert_eq!(r["parameter"], "host");
    let secret =
        named(&objects, "Secret", r["name"].as_str().unwrap()).expect("the Secret it reads");
    let url = String::from_utf8(decode_base64(
        secret["data"][r["key"].as_str().unwrap()].as_str().unwrap(),
    ))
    .unwrap();
    assert!(
        url.starts_with("amqp://") && url.contains("@rabbitmq.transcode.svc.cluster.local:5672"),
        "{url}"
    );

    // The GPU worker: max 5 replicas but 2 GPU slots: refused, no scaler.
    assert!(named(&objects, "ScaledObject", "gpu-worker").is_none());
    assert!(named(&objects, "HorizontalPodAutoscaler", "gpu-worker").is_none());
    let plan = plan_json(&stack_compose("transcode-service"));
    let refused = plan["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "HP0510")
        .expect("HP0510");
    assert_eq!(refused["service"], "gpu-worker");

    // Queue workers: preStop pause and a termination grace.
    let w = named(&objects, "Deployment", "cpu-worker").unwrap();
    assert_eq!(template_spec(w)["terminationGracePeriodSeconds"], 120);
    assert_eq!(
        template_spec(w)["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"],
        5
    );
    assert_eq!(
        template_spec(w)["topologySpreadConstraints"][0]["topologyKey"],
        "kubernetes.io/hostname"
    );

    // Priorities: classes written once, the tier hint and the role defaults.
    let classes: Vec<&str> = kind(&objects, "PriorityClass")
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        ["homeport-critical", "homeport-standard", "homeport-batch"]
    );
    let standard = named(&objects, "PriorityClass", "homeport-standard").unwrap();
    assert_eq!(standard["preemptionPolicy"], "Never");
    let prio = |kind_: &str, name: &str| {
        template_spec(named(&objects, kind_, name).unwrap())["priorityClassName"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(prio("Deployment", "api"), "homeport-critical");
    assert_eq!(prio("StatefulSet", "postgres"), "homeport-critical");
    assert_eq!(prio("Deployment", "gpu-worker"), "homeport-batch");
    assert_eq!(prio("Deployment", "cpu-worker"), "homeport-standard");

    // PDBs never block a drain.
    for pdb in kind(&objects, "PodDisruptionBudget") {
        assert_eq!(pdb["spec"]["maxUnavailable"], 1, "{}", name_of(pdb));
        assert!(pdb["spec"]["minAvailable"].is_null());
    }

    // Backups: PostgreSQL and Redis, on the backup claim, daily 02:00, 14 days.
    let cron = named(&objects, "CronJob", "postgres-backup").unwrap();
    assert_eq!(cron["spec"]["schedule"], "0 2 * * *");
    let c = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
    assert!(c["command"][2].as_str().unwrap().contains("pg_dump"));
    assert!(c["env"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "RETENTION_DAYS" && e["value"] == "14"));
    assert!(named(&objects, "CronJob", "redis-backup").is_some());
    assert!(named(&objects, "CronJob", "rabbitmq-backup").is_none());
    assert!(named(&objects, "PersistentVolumeClaim", "backups").is_some());
    let backups: Vec<&str> = plan["production"]["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["pod"].as_str().unwrap())
        .collect();
    assert_eq!(backups, ["postgres", "redis"]);
    // Under the namespace's default deny, the dump and restore jobs reach the database, the
    // drill needs no network, and KEDA's operator reaches the broker.
    let net = Network::from_objects(&objects);
    let pg = net.workload("transcode", "postgres");
    let job = |name: &str| {
        Peer::pod(
            "transcode",
            &[
                ("app.kubernetes.io/name", name),
                ("app.kubernetes.io/instance", "transcode"),
            ],
        )
    };
    assert!(net.can_reach(&job("postgres-backup"), &pg, 5432, "TCP"));
    assert!(net.can_reach(&job("postgres-restore"), &pg, 5432, "TCP"));
    assert!(!net.can_reach(&job("postgres-restore-drill"), &pg, 5432, "TCP"));
    let keda = Peer::pod("keda", &[("app", "keda-operator")]);
    let rabbit = net.workload("transcode", "rabbitmq");
    assert!(net.can_reach(&keda, &rabbit, 5672, "TCP"));
    assert!(!net.can_reach(&keda, &pg, 5432, "TCP"));

    let not: Vec<String> = plan["production"]["notBackedUp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["service"].as_str().unwrap().to_string())
        .collect();
    assert!(not.contains(&"rabbitmq".to_string()), "{not:?}");
}

#[test]
fn media_server_autoscale_hint_is_refused() {
    let compose = stack_compose("media-autoscale");
    let (_, objects) = render(&compose);
    assert!(
        kind(&objects, "HorizontalPodAutoscaler").is_empty(),
        "no HPA may scale a RWO media server or a database"
    );
    let jf = named(&objects, "Deployment", "jellyfin").expect("jellyfin Deployment");
    assert_eq!(jf["spec"]["replicas"], 1);
    assert_eq!(jf["spec"]["strategy"]["type"], "Recreate");
    let plan = plan_json(&compose);
    let refused: Vec<&str> = plan["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "HP0510")
        .map(|d| d["service"].as_str().unwrap())
        .collect();
    // RWO config volume, a PostgreSQL StatefulSet, an embedded SQLite: all refused.
    assert_eq!(refused, ["jellyfin", "requests", "db"], "{refused:?}");
    assert!(text_of_plan(&compose).contains("embedded SQLite"));
    let table = run(homeport().arg("-f").arg(&compose).arg("plan"));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("ReadWriteOnce volume"), "{text}");
    assert!(text.contains("NOT BACKED UP"));
    // backup hint: schedule and retention.
    let cron = named(&objects, "CronJob", "db-backup").unwrap();
    assert_eq!(cron["spec"]["schedule"], "30 1 * * *");
    assert_eq!(
        named(&objects, "CronJob", "db-restore-drill").unwrap()["spec"]["jobTemplate"]["spec"]
            ["template"]["spec"]["containers"][0]["image"],
        "postgres:16.6"
    );
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

#[test]
fn gpu_autoscaling_monitoring_and_backups_with_monitoring_declared() {
    let compose = stack_compose("gpu-autoscale");
    let (_, objects) = render(&compose);

    // GPU autoscaling: a KEDA prometheus trigger on DCGM_FI_DEV_GPU_UTIL of the pods.
    let so = named(&objects, "ScaledObject", "inference").expect("ScaledObject");
    assert!(named(&objects, "HorizontalPodAutoscaler", "inference").is_none());
    assert_eq!(so["spec"]["minReplicaCount"], 1);
    assert_eq!(so["spec"]["maxReplicaCount"], 2);
    let t = &so["spec"]["triggers"][0];
    assert_eq!(t["type"], "prometheus");
    assert_eq!(
        t["metadata"]["serverAddress"],
        "http://kube-prometheus-stack-prometheus.monitoring:9090"
    );
    let q = t["metadata"]["query"].as_str().unwrap();
    assert!(
        q.contains("DCGM_FI_DEV_GPU_UTIL")
            && q.contains("avg(")
            && q.contains("inference-.+")
            && q.contains("\"ai\""),
        "{q}"
    );
    assert_eq!(t["metadata"]["threshold"], "70");
    // Two GPUs, max two replicas: no spare slot, so no surge.
    let d = named(&objects, "Deployment", "inference").unwrap();
    assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 0);
    assert!(
        d["spec"]["replicas"].is_null(),
        "the scaler owns the replica count"
    );

    // Monitoring: ServiceMonitors with the release label, Prometheus may scrape.
    let sm = named(&objects, "ServiceMonitor", "inference").unwrap();
    assert_eq!(sm["metadata"]["labels"]["release"], "kube-prometheus-stack");
    let port = sm["spec"]["endpoints"][0]["port"].as_str().unwrap();
    let svc = named(&objects, "Service", "inference").unwrap();
    assert!(svc["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == port && p["port"] == 8000));
    assert_eq!(sm["spec"]["endpoints"][0]["path"], "/metrics");
    let chat = named(&objects, "ServiceMonitor", "chat").expect("chat from prometheus.io labels");
    let chat_port = chat["spec"]["endpoints"][0]["port"].as_str().unwrap();
    let chat_svc = named(&objects, "Service", "chat").unwrap();
    assert!(chat_svc["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == chat_port && p["targetPort"] == 8080));
    assert!(named(&objects, "ServiceMonitor", "db").is_none());
    let np = named(&objects, "NetworkPolicy", "inference-metrics").unwrap();
    assert_eq!(
        np["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
            ["kubernetes.io/metadata.name"],
        "monitoring"
    );

    let rule = kind(&objects, "PrometheusRule")[0];
    assert_eq!(
        rule["metadata"]["labels"]["release"],
        "kube-prometheus-stack"
    );
    let alerts: Vec<&str> = rule["spec"]["groups"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["alert"].as_str().unwrap())
        .collect();
    for a in [
        "HomeportPodCrashLooping",
        "HomeportTargetDown",
        "HomeportVolumeNearlyFull",
        "HomeportNodeMemoryPressure",
        "HomeportBackupFailed",
        "HomeportBackupTooOld",
        "HomeportGpuHot",
        "HomeportGpuSaturated",
    ] {
        assert!(alerts.contains(&a), "{a} missing: {alerts:?}");
    }
    let dash = kind(&objects, "ConfigMap")
        .into_iter()
        .find(|c| c["metadata"]["labels"]["grafana_dashboard"] == "1")
        .expect("dashboard ConfigMap");
    let json_text = dash["data"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap();
    let board: Value = serde_json::from_str(json_text).unwrap();
    assert!(board["panels"].as_array().unwrap().len() >= 3);

    // Backups on the `backups.storage` class, retention from the hint.
    let claim = named(&objects, "PersistentVolumeClaim", "backups").unwrap();
    assert_eq!(claim["spec"]["storageClassName"], "nfs");
    assert_eq!(claim["spec"]["accessModes"][0], "ReadWriteMany");
    let cron = named(&objects, "CronJob", "db-backup").unwrap();
    let env = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap();
    assert!(env
        .iter()
        .any(|e| e["name"] == "RETENTION_DAYS" && e["value"] == "30"));
}

#[test]
fn without_monitoring_the_plan_says_so_and_gpu_scaling_is_not_generated() {
    let (_, objects) = render(&stack_compose("transcode-service"));
    assert!(kind(&objects, "ServiceMonitor").is_empty());
    assert!(kind(&objects, "PrometheusRule").is_empty());
    let plan = plan_json(&stack_compose("transcode-service"));
    assert!(plan["production"]["monitoring"]["note"]
        .as_str()
        .unwrap()
        .contains("no `monitoring`"));
}

/// The tree's README lists the add-ons of the objects written: a queue hint that becomes a
/// ScaledObject lists KEDA; the same stack without the hint, or with the scaler refused (a
/// ReadWriteOnce volume), does not.
#[test]
fn readme_lists_keda_only_for_written_scaled_objects() {
    let stack = |volumes: &str, hints: &str| {
        format!(
            "name: jobs\nservices:\n  broker:\n    image: rabbitmq:3.13\n    environment:\n      RABBITMQ_DEFAULT_USER: jobs\n      RABBITMQ_DEFAULT_PASS: fake-amqp-pass\n  worker:\n    image: example/worker:1\n    environment:\n      AMQP_URL: amqp://jobs:fake-amqp-pass@broker:5672/\n{volumes}    x-homeport:\n      autoscale: {{min: 1, max: 4}}\n{hints}{}",
            if volumes.is_empty() { "" } else { "volumes:\n  state: {}\n" }
        )
    };
    let queue = "      queue: {type: rabbitmq, name: jobs, target: 5}\n";
    for (what, compose, keda) in [
        ("queue hint", stack("", queue), true),
        ("no queue hint", stack("", ""), false),
        (
            "refused scaler",
            stack("    volumes: [state:/state]\n", queue),
            false,
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("compose.yaml");
        std::fs::write(&file, &compose).unwrap();
        let (_, objects) = render(&file);
        assert_eq!(
            named(&objects, "ScaledObject", "worker").is_some(),
            keda,
            "{what}"
        );
        let out = tmp.path().join("out");
        convert(&file, &out, &[]);
        let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
        let addons = readme
            .split("## Add-ons it needs")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_else(|| panic!("{what}: no add-ons section:\n{readme}"));
        assert_eq!(addons.contains("KEDA"), keda, "{what}:\n{addons}");
    }
}

/// The transcode stack as a user would tune it: the GPU worker's max within the two GPU
/// slots and a GPU-utilisation target. With `monitoring` in the inventory its ScaledObject has
/// both triggers (queue length through the TriggerAuthentication, GPU utilisation through
/// Prometheus) and its rollout never needs a third GPU; without monitoring the plan warns and
/// only the queue trigger is written.
#[test]
fn transcode_gpu_worker_scales_on_its_queue_and_gpu_utilisation() {
    let src = stack_compose("transcode-service");
    let compose = std::fs::read_to_string(&src).unwrap();
    let tuned = compose.replace(
        "queue: {type: rabbitmq, name: transcode.gpu, target: 2}\n      autoscale: {min: 1, max: 5}",
        "queue: {type: rabbitmq, name: transcode.gpu, target: 2}\n      autoscale: {min: 1, max: 2, gpu: 80}",
    );
    assert_ne!(tuned, compose, "the fixture's gpu-worker hints moved");
    let cluster = std::fs::read_to_string(src.with_file_name("cluster.yaml")).unwrap();
    let monitored = cluster.replacen(
        "spec:\n",
        "spec:\n  monitoring:\n    release: kube-prometheus-stack\n    prometheus: http://kube-prometheus-stack-prometheus.monitoring:9090\n",
        1,
    );
    assert_ne!(monitored, cluster);

    for (with_monitoring, inventory) in [(true, &monitored), (false, &cluster)] {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("compose.yaml");
        std::fs::write(&file, &tuned).unwrap();
        std::fs::write(tmp.path().join("cluster.yaml"), inventory).unwrap();
        let (_, objects) = render(&file);
        let so = named(&objects, "ScaledObject", "gpu-worker").expect("gpu-worker ScaledObject");
        assert!(named(&objects, "HorizontalPodAutoscaler", "gpu-worker").is_none());
        assert_eq!(so["spec"]["minReplicaCount"], 1);
        assert_eq!(so["spec"]["maxReplicaCount"], 2);
        let triggers = so["spec"]["triggers"].as_array().unwrap();
        let queue = triggers.iter().find(|t| t["type"] == "rabbitmq").unwrap();
        assert_eq!(queue["metadata"]["queueName"], "transcode.gpu");
        assert_eq!(queue["metadata"]["value"], "2");
        let auth = named(
            &objects,
            "TriggerAuthentication",
            queue["authenticationRef"]["name"].as_str().unwrap(),
        )
        .expect("TriggerAuthentication");
        let r = &auth["spec"]["secretTargetRef"][0];
        let secret = named(&objects, "Secret", r["name"].as_str().unwrap()).expect("its Secret");
        let url = String::from_utf8(decode_base64(
            secret["data"][r["key"].as_str().unwrap()].as_str().unwrap(),
        ))
        .unwrap();
        assert!(
            url.contains("@rabbitmq.transcode.svc.cluster.local:5672"),
            "{url}"
        );
        let gpu = triggers.iter().find(|t| t["type"] == "prometheus");
        if with_monitoring {
            let gpu = gpu.expect("the GPU trigger");
            let query = gpu["metadata"]["query"].as_str().unwrap();
            assert!(
                query.contains("DCGM_FI_DEV_GPU_UTIL") && query.contains("gpu-worker-"),
                "{query}"
            );
            assert_eq!(gpu["metadata"]["threshold"], "80");
            assert_eq!(
                gpu["metadata"]["serverAddress"],
                "http://kube-prometheus-stack-prometheus.monitoring:9090"
            );
        } else {
            assert!(gpu.is_none(), "{triggers:?}");
            let out = run(homeport().arg("-f").arg(&file).arg("plan"));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("warning[HP0511]") && stderr.contains("gpu-worker"),
                "{stderr}"
            );
        }
        // Two replicas hold both GPUs: a rollout replaces a pod rather than adding a third.
        let d = named(&objects, "Deployment", "gpu-worker").unwrap();
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 0);
        assert!(
            d["spec"]["replicas"].is_null(),
            "KEDA owns the replica count"
        );
    }
}
