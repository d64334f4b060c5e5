//! Property tests: no input makes the loader panic. Random text, and random documents built
//! from Compose keys and tricky values (interpolation, units, tags, anchors, wrong types).

use homeport_compose::{load_with, LoadOptions, MemoryFs};
use proptest::prelude::*;

fn load_texts(compose: &str, override_file: Option<&str>, dotenv: Option<&str>) {
    let mut fs = MemoryFs::new().with("/p/compose.yaml", compose);
    if let Some(o) = override_file {
        fs = fs.with("/p/compose.override.yaml", o);
    }
    if let Some(e) = dotenv {
        fs = fs.with("/p/.env", e);
    }
    let options = LoadOptions {
        cwd: "/p".into(),
        environment: [("HOME".to_string(), "/home/u".to_string())]
            .into_iter()
            .collect(),
        ..LoadOptions::default()
    };
    let loaded = load_with(&options, &fs);
    // Whatever happened, the outcome is consistent.
    assert_eq!(loaded.project.is_none(), loaded.diagnostics.has_errors());
    if let Some(p) = &loaded.project {
        let value = serde_json::to_value(p).expect("the model serializes");
        let _ = homeport_yaml::emit(&value);
    }
    for d in loaded.diagnostics.iter() {
        let _ = homeport_diag::render_human(d, &loaded.sources, homeport_diag::ColorChoice::Never);
    }
}

const KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "ports",
    "expose",
    "volumes",
    "tmpfs",
    "healthcheck",
    "depends_on",
    "links",
    "restart",
    "deploy",
    "gpus",
    "runtime",
    "devices",
    "cap_add",
    "cap_drop",
    "privileged",
    "read_only",
    "security_opt",
    "sysctls",
    "network_mode",
    "networks",
    "pid",
    "ipc",
    "labels",
    "secrets",
    "configs",
    "extra_hosts",
    "dns",
    "stop_grace_period",
    "shm_size",
    "mem_limit",
    "mem_reservation",
    "cpus",
    "ulimits",
    "init",
    "profiles",
    "pull_policy",
    "scale",
    "extends",
    "x-homeport",
    "logging",
    "user",
    "working_dir",
    "imagee",
    "x-custom",
    "<<",
];

const VALUES: &[&str] = &[
    "nginx",
    "\"80:80\"",
    "[\"80:80\", \"127.0.0.1::53/udp\", 9000-9001]",
    "${PORT:-8080}",
    "${X:?required}",
    "${",
    "$$HOME",
    "${A:-${B:-c}}",
    "1.5G",
    "128mb",
    "-1",
    "0",
    "true",
    "null",
    "~",
    "[]",
    "{}",
    "[a, b]",
    "{a: 1}",
    "1m30s",
    "30",
    "!reset []",
    "!override {a: b}",
    "{test: [CMD, true], interval: 5s}",
    "{replicas: 2, resources: {limits: {memory: 1g}}}",
    "[db]",
    "{db: {condition: service_healthy}}",
    "all",
    "[{driver: nvidia, count: all}]",
    "./data:/data:ro,Z",
    "[data:/data, \"/x\", {type: bind, source: ., target: /t}]",
    "[A=1, B]",
    "{A: 1, B: null}",
    "service:web",
    "[\"/dev/dri\"]",
    "web",
    "{service: web}",
    "{service: db, file: other.yaml}",
    "{nofile: {soft: 1, hard: 2}}",
    "[\"host:1.2.3.4\"]",
    "[compose.yaml]",
    "[compose.override.yaml]",
    "{service: web, file: compose.yaml}",
    "*a",
    "&a x",
    "\"\\u00e9\"",
    "'${UNSET}'",
    "[[[]]]",
    "{workload: cronjob, schedule: x}",
];

fn service_doc() -> impl Strategy<Value = String> {
    let entry = (prop::sample::select(KEYS), prop::sample::select(VALUES));
    let service = prop::collection::vec(entry, 0..8);
    let services = prop::collection::vec(
        (
            prop::sample::select(&["web", "db", "My_App", "web.app", "a"][..]),
            service,
        ),
        0..4,
    );
    let tops = prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "networks", "volumes", "secrets", "configs", "include", "name", "version",
                    "x-a", "bogus",
                ][..],
            ),
            prop::sample::select(VALUES),
        ),
        0..3,
    );
    (services, tops).prop_map(|(services, tops)| {
        let mut out = String::from("services:\n");
        for (name, entries) in services {
            out.push_str(&format!("  {name}:\n"));
            if entries.is_empty() {
                out.push_str("    image: x\n");
            }
            for (k, v) in entries {
                out.push_str(&format!("    {k}: {v}\n"));
            }
        }
        for (k, v) in tops {
            out.push_str(&format!("{k}: {v}\n"));
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,300}") {
        load_texts(&text, None, None);
    }

    #[test]
    fn random_compose_documents_never_panic(
        base in service_doc(),
        over in prop::option::of(service_doc()),
        dotenv in prop::option::of("[A-Z_=${}:?\\-\"' #\n]{0,80}"),
    ) {
        load_texts(&base, over.as_deref(), dotenv.as_deref());
    }

    #[test]
    fn templates_never_panic(template in "[$a-zA-Z_{}:?+\\-\\\\ ]{0,40}") {
        let lookup = |name: &str| (name == "A").then(|| "x".to_string());
        let _ = homeport_compose::interpolate::substitute(&template, &lookup);
    }
}
