mod common;

use common::*;
use homeport_k8s_schema::{
    format_path, is_builtin_group, removed_in, schema_for, supported_versions, PathSegment,
    SchemaViolation, Schemas, VersionSchema, ViolationKind, REMOVED_APIS,
};
use serde_json::{json, Value};

fn v133() -> &'static VersionSchema {
    schema_for("1.33").expect("1.33 is embedded")
}

/// Exactly one violation, of `kind`, at `path`; returns it.
fn one(violations: Vec<SchemaViolation>, kind: ViolationKind, path: &str) -> SchemaViolation {
    assert_eq!(
        violations.len(),
        1,
        "expected one violation, got {violations:#?}"
    );
    let v = violations.into_iter().next().expect("one");
    assert_eq!(v.kind, kind, "{v:?}");
    assert_eq!(v.path_string(), path, "{v:?}");
    v
}

#[test]
fn every_embedded_version_decodes() {
    let versions = supported_versions();
    assert_eq!(versions.first(), Some(&"1.25"));
    assert!(versions.contains(&"1.29"));
    assert!(versions.contains(&"1.33"));
    assert!(versions.contains(&"1.35"));
    for v in versions {
        let schema = schema_for(v).expect("listed versions load");
        assert_eq!(schema.version(), *v);
        assert!(
            schema.source().contains("kubernetes-validate"),
            "{}",
            schema.source()
        );
        for (api, kind) in [
            ("apps/v1", "Deployment"),
            ("v1", "Service"),
            ("v1", "ConfigMap"),
            ("batch/v1", "CronJob"),
            ("networking.k8s.io/v1", "Ingress"),
            ("policy/v1", "PodDisruptionBudget"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ] {
            let t = schema
                .lookup(api, kind)
                .unwrap_or_else(|| panic!("{v}: {api} {kind}"));
            assert!(t.property("metadata").is_some());
        }
        assert!(
            schema.kinds().count() > 100,
            "{v}: {}",
            schema.kinds().count()
        );
        // Every sample object is valid in every version.
        for (name, object) in valid_objects() {
            let violations = schema.validate(&object);
            assert!(violations.is_empty(), "{v} {name}: {violations:#?}");
        }
    }
    assert_eq!(Schemas::latest().version(), *versions.last().expect("some"));
}

#[test]
fn version_strings() {
    for s in [
        "1.33",
        "1.33.0",
        "1.33.2",
        "v1.33.2",
        "1.33+",
        " 1.33 ",
        "1.33.4-eks-1234",
    ] {
        assert_eq!(schema_for(s).map(|s| s.version()), Some("1.33"), "{s}");
    }
    for s in [
        "", "1", "1.24", "1.99", "2.33", "one.two", "1.x", "1.33x", "latest", "1..33",
    ] {
        assert!(schema_for(s).is_none(), "{s}");
    }
    assert!(std::ptr::eq(
        schema_for("1.33.1").expect("1.33"),
        Schemas::get("v1.33").expect("1.33")
    ));
}

#[test]
fn valid_objects_pass_on_1_33() {
    for (name, object) in valid_objects() {
        let violations = v133().validate(&object);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
    }
}

#[test]
fn unknown_field_nested_in_a_container() {
    let mut d = deployment("web");
    insert(
        &mut d,
        "/spec/template/spec/containers/0",
        "imagePullPolcy",
        json!("Always"),
    );
    let v = one(
        v133().validate(&d),
        ViolationKind::UnknownField,
        "spec.template.spec.containers[0].imagePullPolcy",
    );
    assert_eq!(
        v.path,
        vec![
            PathSegment::Key("spec".into()),
            PathSegment::Key("template".into()),
            PathSegment::Key("spec".into()),
            PathSegment::Key("containers".into()),
            PathSegment::Index(0),
            PathSegment::Key("imagePullPolcy".into()),
        ]
    );
    assert!(
        v.message.contains("did you mean \"imagePullPolicy\""),
        "{}",
        v.message
    );
}

#[test]
fn unknown_top_level_and_spec_fields() {
    let mut d = deployment("web");
    insert(&mut d, "", "specs", json!({}));
    insert(&mut d, "/spec", "replicaz", json!(1));
    let violations = v133().validate(&d);
    let paths: Vec<String> = violations.iter().map(|v| v.path_string()).collect();
    assert_eq!(paths, ["spec.replicaz", "specs"], "{violations:#?}");
    assert!(violations
        .iter()
        .all(|v| v.kind == ViolationKind::UnknownField));
}

#[test]
fn string_where_an_integer_is_required() {
    let mut d = deployment("web");
    set(&mut d, "/spec/replicas", json!("3"));
    let v = one(
        v133().validate(&d),
        ViolationKind::WrongType,
        "spec.replicas",
    );
    assert_eq!(v.message, "expected integer, got string \"3\"");
    assert_eq!(
        v.to_string(),
        "spec.replicas: expected integer, got string \"3\""
    );
}

#[test]
fn other_wrong_types() {
    let schema = v133();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/spec/template/spec/containers/0/env/0/value",
            json!(8080),
            "spec.template.spec.containers[0].env[0].value",
        ),
        (
            "/metadata/labels/app.kubernetes.io~1name",
            json!(true),
            "metadata.labels[\"app.kubernetes.io/name\"]",
        ),
        (
            "/spec/template/spec/containers/0/args",
            json!("--port 8080"),
            "spec.template.spec.containers[0].args",
        ),
        (
            "/spec/template/spec/containers/0/ports/0/containerPort",
            json!(80.5),
            "spec.template.spec.containers[0].ports[0].containerPort",
        ),
        (
            "/spec/template/spec/containers/0/resources/limits/cpu",
            json!(true),
            "spec.template.spec.containers[0].resources.limits.cpu",
        ),
        (
            "/spec/strategy/rollingUpdate/maxSurge",
            json!(1.5),
            "spec.strategy.rollingUpdate.maxSurge",
        ),
        (
            "/spec/strategy/rollingUpdate/maxSurge",
            Value::Null,
            "spec.strategy.rollingUpdate.maxSurge",
        ),
        ("/spec/selector", json!(["app"]), "spec.selector"),
        (
            "/spec/template/spec/containers/0/securityContext/runAsNonRoot",
            json!("true"),
            "spec.template.spec.containers[0].securityContext.runAsNonRoot",
        ),
    ];
    for (pointer, value, path) in cases {
        let mut d = deployment("web");
        set(&mut d, pointer, value.clone());
        one(schema.validate(&d), ViolationKind::WrongType, path);
    }
}

#[test]
fn int_or_string_quantities_and_nulls_that_are_fine() {
    let schema = v133();
    let mut d = deployment("web");
    set(&mut d, "/spec/strategy/rollingUpdate/maxSurge", json!(1));
    set(
        &mut d,
        "/spec/template/spec/containers/0/resources/limits/cpu",
        json!(0.5),
    );
    set(
        &mut d,
        "/spec/template/spec/containers/0/resources/requests/memory",
        json!(134217728),
    );
    set(&mut d, "/spec/replicas", json!(3.0)); // an integer in JSON Schema's sense
    set(&mut d, "/spec/revisionHistoryLimit", Value::Null); // optional fields may be null
    insert(&mut d, "/metadata", "creationTimestamp", Value::Null);
    assert_eq!(schema.validate(&d), vec![]);

    let mut s = service("web");
    set(&mut s, "/spec/ports/0/targetPort", json!(8080));
    assert_eq!(schema.validate(&s), vec![]);
}

#[test]
fn missing_required_field() {
    let mut d = deployment("web");
    remove(&mut d, "/spec/template/spec/containers/0/name");
    let v = one(
        v133().validate(&d),
        ViolationKind::MissingRequired,
        "spec.template.spec.containers[0]",
    );
    assert_eq!(v.message, "missing required field \"name\"");

    let mut d = deployment("web");
    remove(&mut d, "/spec/selector");
    one(v133().validate(&d), ViolationKind::MissingRequired, "spec");

    let mut s = service("web");
    remove(&mut s, "/spec/ports/1/port");
    one(
        v133().validate(&s),
        ViolationKind::MissingRequired,
        "spec.ports[1]",
    );

    for key in ["apiVersion", "kind"] {
        let mut c = config_map("c");
        remove(&mut c, &format!("/{key}"));
        let v = one(v133().validate(&c), ViolationKind::MissingRequired, "");
        assert!(v.message.contains(key), "{}", v.message);
    }
}

#[test]
fn bad_enum() {
    // The enums of these schemas are the apiVersion/kind of embedded objects.
    let mut s = stateful_set("db");
    set(&mut s, "/spec/volumeClaimTemplates/0/kind", json!("PVC"));
    let v = one(
        v133().validate(&s),
        ViolationKind::InvalidEnum,
        "spec.volumeClaimTemplates[0].kind",
    );
    assert_eq!(
        v.message,
        "expected one of \"PersistentVolumeClaim\", got string \"PVC\""
    );

    // A kind in the wrong case is checked against the kind it names.
    let mut d = deployment("web");
    set(&mut d, "/kind", json!("deployment"));
    set(&mut d, "/spec/replicas", json!("2"));
    let violations = v133().validate(&d);
    let got: Vec<(ViolationKind, String)> = violations
        .iter()
        .map(|v| (v.kind, v.path_string()))
        .collect();
    assert_eq!(
        got,
        [
            (ViolationKind::InvalidEnum, "kind".to_string()),
            (ViolationKind::WrongType, "spec.replicas".to_string())
        ]
    );
}

#[test]
fn removed_apis() {
    let schema = v133();
    let mut pdb = pdb("web");
    set(&mut pdb, "/apiVersion", json!("policy/v1beta1"));
    let v = one(
        schema.validate(&pdb),
        ViolationKind::UnknownKind,
        "apiVersion",
    );
    assert_eq!(
        v.message,
        "policy/v1beta1 PodDisruptionBudget is not served by Kubernetes 1.33: deprecated in \
         1.21, removed in 1.25; use policy/v1"
    );

    let mut ing = ingress("web");
    set(&mut ing, "/apiVersion", json!("extensions/v1beta1"));
    let v = one(
        schema.validate(&ing),
        ViolationKind::UnknownKind,
        "apiVersion",
    );
    assert!(
        v.message
            .contains("removed in 1.22; use networking.k8s.io/v1"),
        "{}",
        v.message
    );

    let mut cj = cron_job("c");
    set(&mut cj, "/apiVersion", json!("batch/v1beta1"));
    one(
        schema.validate(&cj),
        ViolationKind::UnknownKind,
        "apiVersion",
    );

    assert!(schema
        .lookup("policy/v1beta1", "PodDisruptionBudget")
        .is_none());
    assert!(schema.lookup("extensions/v1beta1", "Ingress").is_none());
    assert_eq!(
        removed_in("policy/v1beta1", "PodDisruptionBudget"),
        Some(("1.21", "1.25", "policy/v1"))
    );
    assert_eq!(
        removed_in("policy/v1beta1", "PodSecurityPolicy"),
        Some(("1.21", "1.25", ""))
    );
    assert_eq!(removed_in("apps/v1", "Deployment"), None);

    // A version that still served it validates it.
    let hpa_v2beta2 = {
        let mut h = hpa("web");
        set(&mut h, "/apiVersion", json!("autoscaling/v2beta2"));
        h
    };
    assert_eq!(
        schema_for("1.25").expect("1.25").validate(&hpa_v2beta2),
        vec![]
    );
    one(
        schema_for("1.26").expect("1.26").validate(&hpa_v2beta2),
        ViolationKind::UnknownKind,
        "apiVersion",
    );
}

/// The table agrees with the embedded schemas: an API is served by the release before its
/// removal (when embedded) and by none from its removal on.
#[test]
fn removal_table_matches_the_schemas() {
    let key = |v: &str| -> (u32, u32) {
        let (a, b) = v.split_once('.').expect("X.Y");
        (a.parse().expect("major"), b.parse().expect("minor"))
    };
    for r in REMOVED_APIS {
        assert!(key(r.deprecated_in) < key(r.removed_in), "{r:?}");
        for v in supported_versions() {
            let served = schema_for(v)
                .expect("loads")
                .lookup(r.api_version, r.kind)
                .is_some();
            let (removed_major, removed_minor) = key(r.removed_in);
            if key(v) >= key(r.removed_in) {
                assert!(!served, "{r:?} is served in {v}");
            } else if key(v) == (removed_major, removed_minor - 1) {
                assert!(
                    served,
                    "{r:?} is not served in {v}, the release before its removal"
                );
            }
        }
        if !r.replacement.is_empty() {
            let latest = Schemas::latest();
            assert!(latest.lookup(r.replacement, r.kind).is_some(), "{r:?}");
        }
        assert!(is_builtin_group(r.api_version), "{r:?}");
    }
}

#[test]
fn custom_resources_give_one_unknown_kind() {
    let schema = v133();
    for (api, kind) in [
        ("cert-manager.io/v1", "Certificate"),
        ("keda.sh/v1alpha1", "ScaledObject"),
        ("traefik.io/v1alpha1", "IngressRoute"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ] {
        let object = json!({
            "apiVersion": api,
            "kind": kind,
            "metadata": {"name": "x"},
            "spec": {"anything": ["goes", 1, true]}
        });
        let v = one(schema.validate(&object), ViolationKind::UnknownKind, "kind");
        assert!(v.message.contains("custom resource"), "{}", v.message);
        assert!(!is_builtin_group(api), "{api}");
        assert!(schema.lookup(api, kind).is_none());
    }
    for api in [
        "v1",
        "apps/v1",
        "networking.k8s.io/v1",
        "policy/v1beta1",
        "extensions/v1beta1",
    ] {
        assert!(is_builtin_group(api), "{api}");
    }

    // A misspelled built-in kind is not a custom resource.
    let mut d = deployment("web");
    set(&mut d, "/kind", json!("Deploymnet"));
    let v = one(schema.validate(&d), ViolationKind::UnknownKind, "kind");
    assert!(
        v.message.contains("did you mean \"Deployment\""),
        "{}",
        v.message
    );

    // A built-in kind under the wrong group.
    let mut d = deployment("web");
    set(&mut d, "/apiVersion", json!("batch/v1"));
    let v = one(
        schema.validate(&d),
        ViolationKind::UnknownKind,
        "apiVersion",
    );
    assert!(v.message.contains("served as apps/v1"), "{}", v.message);
}

#[test]
fn not_an_object() {
    let schema = v133();
    one(
        schema.validate(&json!([1, 2])),
        ViolationKind::WrongType,
        "",
    );
    one(
        schema.validate(&json!("text")),
        ViolationKind::WrongType,
        "",
    );
    let v = one(
        schema.validate(&json!({"apiVersion": 1, "kind": "ConfigMap"})),
        ViolationKind::WrongType,
        "apiVersion",
    );
    assert_eq!(v.message, "expected string, got integer 1");
}

#[test]
fn formats_the_api_server_enforces() {
    let schema = v133();
    let mut s = secret("db");
    set(&mut s, "/data/password", json!("hunter2"));
    one(
        schema.validate(&s),
        ViolationKind::InvalidFormat,
        "data.password",
    );

    let mut c = config_map("c");
    set(&mut c, "/binaryData/logo.png", json!("not base64!"));
    one(
        schema.validate(&c),
        ViolationKind::InvalidFormat,
        "binaryData[\"logo.png\"]",
    );

    let mut d = deployment("web");
    set(&mut d, "/spec/replicas", json!(3_000_000_000u64));
    let v = one(
        schema.validate(&d),
        ViolationKind::InvalidFormat,
        "spec.replicas",
    );
    assert_eq!(v.message, "3000000000 is out of range for int32");

    let mut d = deployment("web");
    insert(&mut d, "/metadata", "creationTimestamp", json!("yesterday"));
    one(
        schema.validate(&d),
        ViolationKind::InvalidFormat,
        "metadata.creationTimestamp",
    );
    set(
        &mut d,
        "/metadata/creationTimestamp",
        json!("2024-05-01T10:00:00Z"),
    );
    assert_eq!(schema.validate(&d), vec![]);
}

#[test]
fn kubectl_list() {
    let schema = v133();
    let mut bad = service("web");
    set(&mut bad, "/spec/ports/0/port", json!("80"));
    let list = json!({
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": [deployment("web"), bad, {"apiVersion": "example.com/v1", "kind": "Widget"}]
    });
    let got: Vec<(ViolationKind, String)> = schema
        .validate(&list)
        .iter()
        .map(|v| (v.kind, v.path_string()))
        .collect();
    assert_eq!(
        got,
        [
            (
                ViolationKind::WrongType,
                "items[1].spec.ports[0].port".to_string()
            ),
            (ViolationKind::UnknownKind, "items[2].kind".to_string()),
        ]
    );
}

#[test]
fn type_refs() {
    let schema = v133();
    let d = schema.lookup("apps/v1", "Deployment").expect("Deployment");
    assert_eq!(d.name(), Some("io.k8s.api.apps.v1.Deployment"));
    let spec = d.property("spec").expect("spec");
    assert_eq!(spec.name(), Some("io.k8s.api.apps.v1.DeploymentSpec"));
    assert_eq!(
        spec.required().collect::<Vec<_>>(),
        ["selector", "template"]
    );
    let containers = spec
        .property("template")
        .and_then(|t| t.property("spec"))
        .and_then(|s| s.property("containers"))
        .expect("containers");
    let container = containers.items().expect("items");
    assert_eq!(container.name(), Some("io.k8s.api.core.v1.Container"));
    assert!(container.property_names().any(|p| p == "imagePullPolicy"));
    let labels = d
        .property("metadata")
        .and_then(|m| m.property("labels"))
        .expect("labels");
    assert!(labels.additional_properties().is_some());
    let errors = container.validate(&json!({"image": "x", "ports": [{"containerPort": "80"}]}));
    let paths: Vec<String> = errors.iter().map(|e| e.path_string()).collect();
    assert_eq!(paths, ["ports[0].containerPort", ""]);
    assert!(schema.definition("io.k8s.api.core.v1.Container") == Some(container));
    assert!(schema.definition("nope").is_none());
}

#[test]
fn path_formatting() {
    let path = vec![
        PathSegment::Key("metadata".into()),
        PathSegment::Key("annotations".into()),
        PathSegment::Key("a b\"c".into()),
    ];
    assert_eq!(format_path(&path), "metadata.annotations[\"a b\\\"c\"]");
    assert_eq!(
        format_path(&[PathSegment::Index(2), PathSegment::Key("x".into())]),
        "[2].x"
    );
    assert_eq!(format_path(&[]), "");
}

#[test]
fn deep_documents_do_not_overflow() {
    let schema = v133();
    // CustomResourceDefinition schemas are recursive (JSONSchemaProps): nest one deeply.
    let mut props = json!({"type": "string"});
    for _ in 0..500 {
        props = json!({"type": "object", "properties": {"x": props}});
    }
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "schema": {"openAPIV3Schema": props}}]
        }
    });
    let violations = schema.validate(&crd);
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].kind, ViolationKind::Other);
}
