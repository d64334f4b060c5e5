//! Cross-checks our verdicts against `kubernetes-validate --strict` (PyPI), the reference.
//!
//! The tool is found through `HOMEPORT_KUBERNETES_VALIDATE`, then
//! `<workspace>/.cache/tools/bin` (`scripts/install-tools` puts it there), then `PATH`. When
//! it is missing the test is skipped, unless `CI` is set: then it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use homeport_k8s_schema::{schema_for, SchemaViolation, ViolationKind};
use serde_json::{json, Value};

fn find_tool() -> Option<PathBuf> {
    if let Some(path) = homeport_testkit::kubernetes_validate() {
        return Some(path);
    }
    if std::env::var_os("HOMEPORT_KUBERNETES_VALIDATE").is_some_and(|v| !v.is_empty()) {
        return None; // set, but not to a file: do not look elsewhere
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("kubernetes-validate"))
        .find(|p| p.is_file())
}

/// What kubernetes-validate said about one object.
#[derive(Debug, PartialEq)]
enum Verdict {
    Pass,
    /// The path of its (first) error, dotted, indexes as numbers.
    Fail(String),
    /// "Couldn't find schema": not a built-in kind.
    NoSchema,
    /// "could not be validated": the tool failed on the object (a non-string `kind`, ...).
    Crash,
}

fn run_tool(tool: &Path, objects: &[(String, Value)], version: &str) -> Vec<Verdict> {
    let stream: String = objects.iter().map(|(_, o)| format!("---\n{o}\n")).collect();
    let file = std::env::temp_dir().join(format!(
        "homeport-k8s-schema-{}-{version}.yaml",
        std::process::id()
    ));
    std::fs::write(&file, stream).expect("write the stream");
    let out = Command::new(tool)
        .arg("--strict")
        .arg("--kubernetes-version")
        .arg(version)
        .arg(&file)
        .stdin(Stdio::null())
        .output()
        .expect("run kubernetes-validate");
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let verdicts: Vec<Verdict> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            if line.starts_with("INFO ") && line.contains(" passed for resource ") {
                Verdict::Pass
            } else if line.starts_with("WARN ") && line.contains("Couldn't find schema") {
                Verdict::NoSchema
            } else if line.starts_with("ERROR ") && line.contains(" could not be validated: ") {
                Verdict::Crash
            } else if let Some((_, rest)) = line
                .strip_prefix("ERROR ")
                .and_then(|l| l.split_once(" against version "))
            {
                let (_, rest) = rest.split_once(": ").unwrap_or((rest, ""));
                let (path, _) = rest.split_once(": ").unwrap_or(("", rest));
                Verdict::Fail(path.to_string())
            } else {
                panic!("unexpected kubernetes-validate output: {line}\n{stdout}")
            }
        })
        .collect();
    assert_eq!(
        verdicts.len(),
        objects.len(),
        "one line per object expected:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    verdicts
}

/// Our path as kubernetes-validate prints it: dotted, and for an unknown field the object
/// that has it (JSON Schema reports additionalProperties on the object).
fn tool_path(v: &SchemaViolation) -> String {
    use homeport_k8s_schema::PathSegment;
    let keep = if v.kind == ViolationKind::UnknownField {
        v.path.len().saturating_sub(1)
    } else {
        v.path.len()
    };
    v.path[..keep]
        .iter()
        .map(|s| match s {
            PathSegment::Key(k) => k.clone(),
            PathSegment::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn named(mut object: Value, name: &str) -> (String, Value) {
    set(&mut object, "/metadata/name", json!(name));
    (name.to_string(), object)
}

fn cases() -> Vec<(String, Value)> {
    let mut cases: Vec<(String, Value)> = valid_objects()
        .into_iter()
        .map(|(name, o)| named(o, &format!("valid-{name}")))
        .collect();
    let mut add = |name: &str, base: Value, edit: &dyn Fn(&mut Value)| {
        let mut o = base;
        edit(&mut o);
        cases.push(named(o, name));
    };
    add("replicas-string", deployment("x"), &|o| {
        set(o, "/spec/replicas", json!("3"))
    });
    add("replicas-float", deployment("x"), &|o| {
        set(o, "/spec/replicas", json!(3.0))
    });
    add("unknown-container-field", deployment("x"), &|o| {
        insert(
            o,
            "/spec/template/spec/containers/0",
            "imagePullPolcy",
            json!("Always"),
        )
    });
    add("unknown-top-level-field", config_map("x"), &|o| {
        insert(o, "", "extra", json!(1))
    });
    add("container-without-name", deployment("x"), &|o| {
        remove(o, "/spec/template/spec/containers/0/name")
    });
    add("env-value-int", deployment("x"), &|o| {
        set(
            o,
            "/spec/template/spec/containers/0/env/0/value",
            json!(8080),
        )
    });
    add("label-bool", deployment("x"), &|o| {
        set(o, "/metadata/labels/app.kubernetes.io~1name", json!(true))
    });
    add("target-port-float", service("x"), &|o| {
        set(o, "/spec/ports/0/targetPort", json!(80.5))
    });
    add("target-port-null", service("x"), &|o| {
        set(o, "/spec/ports/0/targetPort", Value::Null)
    });
    add("quantity-bool", pvc("x"), &|o| {
        set(o, "/spec/resources/requests/storage", json!(true))
    });
    add("optional-null", deployment("x"), &|o| {
        set(o, "/spec/revisionHistoryLimit", Value::Null)
    });
    add("required-port-null", service("x"), &|o| {
        set(o, "/spec/ports/0/port", Value::Null)
    });
    add("claim-template-kind", stateful_set("x"), &|o| {
        set(o, "/spec/volumeClaimTemplates/0/kind", json!("PVC"))
    });
    add("kind-lowercase", config_map("x"), &|o| {
        set(o, "/kind", json!("configmap"))
    });
    add("pdb-v1beta1", pdb("x"), &|o| {
        set(o, "/apiVersion", json!("policy/v1beta1"))
    });
    add("ingress-extensions", ingress("x"), &|o| {
        set(o, "/apiVersion", json!("extensions/v1beta1"))
    });
    add(
        "certificate",
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "x"},
               "spec": {"secretName": "x-tls", "issuerRef": {"name": "letsencrypt"}}}),
        &|_| {},
    );
    add(
        "scaled-object",
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "x"},
               "spec": {"scaleTargetRef": {"name": "web"}}}),
        &|_| {},
    );
    cases
}

#[test]
fn verdicts_match_kubernetes_validate() {
    let Some(tool) = find_tool() else {
        let why = "kubernetes-validate not found (set HOMEPORT_KUBERNETES_VALIDATE, run \
                   scripts/install-tools, or put it on PATH)";
        if homeport_testkit::in_ci() {
            panic!("{why}; CI is set, so this test must not be skipped");
        }
        eprintln!("skipping: {why}");
        return;
    };
    let cases = cases();
    for version in ["1.29", "1.33", "1.37"] {
        let schema = schema_for(version).expect("embedded");
        let verdicts = run_tool(&tool, &cases, &format!("{version}.0"));
        for ((name, object), verdict) in cases.iter().zip(verdicts) {
            let ours = schema.validate(object);
            match verdict {
                Verdict::Pass => assert!(ours.is_empty(), "{version} {name}: {ours:#?}"),
                Verdict::Crash => assert!(!ours.is_empty(), "{version} {name}"),
                Verdict::NoSchema => {
                    assert_eq!(ours.len(), 1, "{version} {name}: {ours:#?}");
                    assert_eq!(ours[0].kind, ViolationKind::UnknownKind, "{version} {name}");
                }
                Verdict::Fail(path) => {
                    assert!(
                        !ours.is_empty(),
                        "{version} {name}: ours passes, theirs fails at {path:?}"
                    );
                    assert!(
                        ours.iter().any(|v| tool_path(v) == path),
                        "{version} {name}: they fail at {path:?}, we report {ours:#?}"
                    );
                }
            }
        }
    }
}

/// Where we are deliberately stricter: formats that the API server checks and
/// kubernetes-validate does not.
#[test]
fn format_checks_are_ours_alone() {
    let Some(tool) = find_tool() else {
        if homeport_testkit::in_ci() {
            panic!("kubernetes-validate not found; CI is set, so this test must not be skipped");
        }
        eprintln!("skipping: kubernetes-validate not found");
        return;
    };
    let mut secret = secret("plain");
    set(&mut secret, "/data/password", json!("hunter2"));
    let mut huge = deployment("huge");
    set(&mut huge, "/spec/replicas", json!(3_000_000_000u64));
    let cases = vec![named(secret, "plain-secret"), named(huge, "huge-replicas")];
    let verdicts = run_tool(&tool, &cases, "1.33.0");
    let schema = schema_for("1.33").expect("embedded");
    for ((name, object), verdict) in cases.iter().zip(verdicts) {
        assert_eq!(verdict, Verdict::Pass, "{name}");
        let ours = schema.validate(object);
        assert_eq!(ours.len(), 1, "{name}: {ours:#?}");
        assert_eq!(ours[0].kind, ViolationKind::InvalidFormat, "{name}");
    }
}

/// Every single-step mutation of the sample objects (each value replaced by a value of every
/// other JSON type, each key removed, an unknown key added to each object): the verdicts
/// must agree with kubernetes-validate's. Slow (thousands of objects through the Python
/// tool), hence ignored; run with `-- --ignored`.
#[test]
#[ignore = "slow: thousands of objects through kubernetes-validate"]
fn mutations_match_kubernetes_validate() {
    let Some(tool) = find_tool() else {
        eprintln!("skipping: kubernetes-validate not found");
        return;
    };
    let mut cases = Vec::new();
    for (name, object) in valid_objects() {
        let mut pointers = Vec::new();
        collect_pointers(&object, String::new(), &mut pointers);
        for (i, (pointer, is_object)) in pointers.iter().enumerate() {
            let replacements = [
                json!("text"),
                json!(7),
                json!(1.5),
                json!(true),
                Value::Null,
                json!([]),
                json!({}),
            ];
            for (j, r) in replacements.into_iter().enumerate() {
                // kubernetes-validate crashes when it cannot name the object.
                if pointer.is_empty() || pointer == "/metadata" || pointer == "/metadata/name" {
                    continue;
                }
                let mut o = object.clone();
                set(&mut o, pointer, r);
                cases.push(named_if_possible(o, &format!("{name}-{i}-r{j}")));
            }
            if !pointer.is_empty()
                && !pointer.ends_with("/name")
                && !pointer.ends_with("/apiVersion")
                && !pointer.ends_with("/kind")
                && !pointer.ends_with("/metadata")
                && o_parent_is_object(&object, pointer)
            {
                let mut o = object.clone();
                remove(&mut o, pointer);
                cases.push(named_if_possible(o, &format!("{name}-{i}-del")));
            }
            if *is_object {
                let mut o = object.clone();
                insert(&mut o, pointer, "zzUnknown", json!(1));
                cases.push(named_if_possible(o, &format!("{name}-{i}-add")));
            }
        }
    }
    let schema = schema_for("1.33").expect("embedded");
    let verdicts = run_tool(&tool, &cases, "1.33.0");
    let mut mismatches = Vec::new();
    for ((name, object), verdict) in cases.iter().zip(verdicts) {
        let ours: Vec<SchemaViolation> = schema
            .validate(object)
            .into_iter()
            .filter(|v| v.kind != ViolationKind::InvalidFormat)
            .collect();
        let agree = match &verdict {
            Verdict::Pass => ours.is_empty(),
            Verdict::NoSchema => ours.len() == 1 && ours[0].kind == ViolationKind::UnknownKind,
            Verdict::Crash => !ours.is_empty(),
            Verdict::Fail(path) => ours.iter().any(|v| tool_path(v) == *path),
        };
        if !agree {
            mismatches.push(format!("{name}: theirs {verdict:?}, ours {ours:?}"));
        }
    }
    eprintln!("{} mutated objects compared", cases.len());
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

fn o_parent_is_object(object: &Value, pointer: &str) -> bool {
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    object.pointer(parent).is_some_and(Value::is_object)
}

/// Gives the object a unique name when its metadata is still an object.
fn named_if_possible(mut object: Value, name: &str) -> (String, Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("name".to_string(), json!(name));
    }
    (name.to_string(), object)
}

/// Every JSON pointer in `value` (the root is ""), with whether it points at an object.
fn collect_pointers(value: &Value, at: String, out: &mut Vec<(String, bool)>) {
    out.push((at.clone(), value.is_object()));
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                collect_pointers(v, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A minimal object (`apiVersion`, `kind`, `metadata.name`) of every built-in kind of some
/// versions: the same verdicts (required fields, kind lookup) as kubernetes-validate, except
/// for StorageVersion, which it has no schema for (see the crate documentation).
#[test]
#[ignore = "slow: every kind of several versions through kubernetes-validate"]
fn every_kind_matches_kubernetes_validate() {
    let Some(tool) = find_tool() else {
        eprintln!("skipping: kubernetes-validate not found");
        return;
    };
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for version in ["1.25", "1.29", "1.33", "1.37"] {
        let schema = schema_for(version).expect("embedded");
        let cases: Vec<(String, Value)> = schema
            .kinds()
            .enumerate()
            .map(|(i, (api, kind))| {
                let name = format!("k{i}");
                (
                    name.clone(),
                    json!({"apiVersion": api, "kind": kind, "metadata": {"name": name}}),
                )
            })
            .collect();
        let verdicts = run_tool(&tool, &cases, &format!("{version}.0"));
        for ((_, object), verdict) in cases.iter().zip(verdicts) {
            if object["apiVersion"] == "internal.apiserver.k8s.io/v1alpha1" {
                // kubernetes-validate looks for storageversion-internal-v1alpha1.json, which
                // it does not ship: it has no schema for this group's kinds.
                assert_eq!(verdict, Verdict::NoSchema, "{object}");
                continue;
            }
            compared += 1;
            let ours = schema.validate(object);
            let agree = match &verdict {
                Verdict::Pass => ours.is_empty(),
                Verdict::Fail(path) => ours.iter().any(|v| tool_path(v) == *path),
                Verdict::NoSchema | Verdict::Crash => false,
            };
            if !agree {
                mismatches.push(format!(
                    "{version} {} {}: theirs {verdict:?}, ours {:?}",
                    object["apiVersion"],
                    object["kind"],
                    ours.iter().map(|v| v.to_string()).collect::<Vec<_>>()
                ));
            }
        }
    }
    eprintln!("{compared} objects compared");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
