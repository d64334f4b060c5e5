//! Shared checks for rendered objects.

use serde_json::Value;

/// Every pod-bearing object passes the Pod Security Standards at its namespace's enforced
/// level and version (the level homeport wrote on the Namespace).
pub fn assert_pod_security(objs: &[Value]) {
    for o in objs {
        let Some(ns) = o["metadata"]["namespace"].as_str() else {
            continue;
        };
        if homeport_pss::pod_spec_path(o).is_none() {
            continue;
        }
        let ns_obj = objs
            .iter()
            .find(|n| n["kind"] == "Namespace" && n["metadata"]["name"] == ns)
            .unwrap_or_else(|| panic!("no Namespace {ns}"));
        let (level, version) = homeport_pss::namespace_level(ns_obj).expect("enforce label");
        let violations =
            homeport_pss::evaluate(o, level, version.unwrap_or(homeport_pss::Version::LATEST));
        let msgs: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
        assert!(
            msgs.is_empty(),
            "{} {}/{} at {level:?}: {msgs:#?}",
            o["kind"],
            ns,
            o["metadata"]["name"]
        );
    }
}
