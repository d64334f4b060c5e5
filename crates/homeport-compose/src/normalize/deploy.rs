//! `deploy` (replicas, mode, resources incl. device reservations, placement, restart and
//! update policies) and `gpus`.

use crate::load::Loader;
use crate::model::*;
use crate::schema;
use homeport_yaml::{Node, Value};

pub(crate) fn deploy(ld: &mut Loader, node: &Node, what: &str) -> Option<Deploy> {
    let m = ld.map_of(node, what)?;
    ld.check_keys(m, &format!("`{what}`"), schema::DEPLOY);
    let mut d = Deploy::default();
    for e in &m.entries {
        let w = format!("{what}.{}", e.key_str());
        let v = &e.value;
        match e.key_str() {
            "mode" => {
                d.mode = ld.str_of(v, &w);
                if let Some(mode) = &d.mode {
                    if !matches!(
                        mode.as_str(),
                        "replicated" | "global" | "replicated-job" | "global-job"
                    ) {
                        ld.invalid(
                            v.span,
                            format!("`{w}`: `{mode}` is not a deploy mode"),
                            "use replicated or global",
                        );
                    }
                }
            }
            "replicas" => d.replicas = ld.u32_of(v, &w),
            "labels" => d.labels = ld.string_map(v, &w),
            "endpoint_mode" => d.endpoint_mode = ld.str_of(v, &w),
            "resources" => d.resources = resources(ld, v, &w),
            "restart_policy" => {
                if let Some(rm) = ld.map_of(v, &w) {
                    ld.check_keys(rm, &format!("`{w}`"), schema::RESTART_POLICY);
                    let mut r = DeployRestart::default();
                    for f in &rm.entries {
                        let fw = format!("{w}.{}", f.key_str());
                        match f.key_str() {
                            "condition" => r.condition = ld.str_of(&f.value, &fw),
                            "delay" => r.delay_ns = ld.duration_of(&f.value, &fw),
                            "max_attempts" => r.max_attempts = ld.u64_of(&f.value, &fw),
                            "window" => r.window_ns = ld.duration_of(&f.value, &fw),
                            _ => {}
                        }
                    }
                    d.restart_policy = Some(r);
                }
            }
            "placement" => {
                if let Some(pm) = ld.map_of(v, &w) {
                    ld.check_keys(pm, &format!("`{w}`"), schema::PLACEMENT);
                    for f in &pm.entries {
                        let fw = format!("{w}.{}", f.key_str());
                        match f.key_str() {
                            "constraints" => {
                                d.placement_constraints = ld
                                    .str_list(&f.value, &fw)
                                    .into_iter()
                                    .map(|(s, _)| s)
                                    .collect()
                            }
                            "preferences" => {
                                for (i, p) in ld
                                    .seq_of(&f.value, &fw)
                                    .unwrap_or_default()
                                    .iter()
                                    .enumerate()
                                {
                                    let pw = format!("{fw}[{i}]");
                                    if let Some(pm) = ld.map_of(p, &pw) {
                                        ld.check_keys(pm, &format!("`{pw}`"), &["spread"]);
                                        if let Some(s) = pm
                                            .get("spread")
                                            .and_then(|n| ld.str_of(n, &format!("{pw}.spread")))
                                        {
                                            d.placement_preferences.push(format!("spread={s}"));
                                        }
                                    }
                                }
                            }
                            "max_replicas_per_node" => {
                                d.max_replicas_per_node = ld.u32_of(&f.value, &fw)
                            }
                            _ => {}
                        }
                    }
                }
            }
            "update_config" => d.update_config = update_config(ld, v, &w),
            "rollback_config" => d.rollback_config = update_config(ld, v, &w),
            _ => {}
        }
    }
    Some(d)
}

fn update_config(ld: &mut Loader, node: &Node, what: &str) -> Option<UpdateConfig> {
    let m = ld.map_of(node, what)?;
    ld.check_keys(m, &format!("`{what}`"), schema::UPDATE_CONFIG);
    let mut u = UpdateConfig::default();
    for e in &m.entries {
        let w = format!("{what}.{}", e.key_str());
        let v = &e.value;
        match e.key_str() {
            "parallelism" => u.parallelism = ld.u64_of(v, &w),
            "delay" => u.delay_ns = ld.duration_of(v, &w),
            "failure_action" => u.failure_action = ld.str_of(v, &w),
            "monitor" => u.monitor_ns = ld.duration_of(v, &w),
            "max_failure_ratio" => u.max_failure_ratio = ld.f64_of(v, &w),
            "order" => {
                u.order = ld.str_of(v, &w);
                if let Some(o) = &u.order {
                    if o != "start-first" && o != "stop-first" {
                        ld.invalid(
                            v.span,
                            format!("`{w}`: `{o}` is not an update order"),
                            "use start-first or stop-first",
                        );
                    }
                }
            }
            _ => {}
        }
    }
    Some(u)
}

fn resources(ld: &mut Loader, node: &Node, what: &str) -> Option<Resources> {
    let m = ld.map_of(node, what)?;
    ld.check_keys(m, &format!("`{what}`"), schema::RESOURCES);
    let mut r = Resources::default();
    for e in &m.entries {
        let w = format!("{what}.{}", e.key_str());
        let known = if e.key_str() == "limits" {
            schema::LIMITS
        } else {
            schema::RESERVATIONS
        };
        let Some(sm) = ld.map_of(&e.value, &w) else {
            continue;
        };
        ld.check_keys(sm, &format!("`{w}`"), known);
        let mut spec = ResourceSpec::default();
        for f in &sm.entries {
            let fw = format!("{w}.{}", f.key_str());
            match f.key_str() {
                "cpus" => spec.cpus = ld.f64_of(&f.value, &fw),
                "memory" => spec.memory_bytes = ld.bytes_of(&f.value, &fw),
                "pids" => spec.pids = ld.i64_of(&f.value, &fw),
                "devices" if known == schema::RESERVATIONS => {
                    spec.devices = device_requests(ld, &f.value, &fw)
                }
                "generic_resources" if known == schema::RESERVATIONS => {
                    spec.generic_resources = generic_resources(ld, &f.value, &fw)
                }
                _ => {}
            }
        }
        match e.key_str() {
            "limits" => r.limits = Some(spec),
            "reservations" => r.reservations = Some(spec),
            _ => {}
        }
    }
    Some(r)
}

fn generic_resources(ld: &mut Loader, node: &Node, what: &str) -> Vec<GenericResource> {
    let mut out = Vec::new();
    for (i, item) in ld.seq_of(node, what).unwrap_or_default().iter().enumerate() {
        let w = format!("{what}[{i}]");
        let Some(m) = ld.map_of(item, &w) else {
            continue;
        };
        ld.check_keys(m, &format!("`{w}`"), &["discrete_resource_spec"]);
        let Some(spec) = m
            .get("discrete_resource_spec")
            .and_then(|n| ld.map_of(n, &format!("{w}.discrete_resource_spec")))
        else {
            continue;
        };
        ld.check_keys(
            spec,
            &format!("`{w}.discrete_resource_spec`"),
            &["kind", "value"],
        );
        let kind = spec
            .get("kind")
            .and_then(|n| ld.str_of(n, &format!("{w}.kind")));
        let value = spec
            .get("value")
            .and_then(|n| ld.i64_of(n, &format!("{w}.value")));
        if let (Some(kind), Some(value)) = (kind, value) {
            out.push(GenericResource { kind, value });
        }
    }
    out
}

/// `count: all` is -1.
fn count_of(ld: &mut Loader, node: &Node, what: &str) -> Option<i64> {
    if node.as_str().is_some_and(|s| s.trim() == "all") {
        return Some(-1);
    }
    ld.i64_of(node, what)
}

pub(crate) fn device_requests(ld: &mut Loader, node: &Node, what: &str) -> Vec<DeviceRequest> {
    let mut out = Vec::new();
    for (i, item) in ld.seq_of(node, what).unwrap_or_default().iter().enumerate() {
        let w = format!("{what}[{i}]");
        let Some(m) = ld.map_of(item, &w) else {
            continue;
        };
        ld.check_keys(m, &format!("`{w}`"), schema::DEVICE_REQUEST);
        let mut d = DeviceRequest::default();
        for e in &m.entries {
            let fw = format!("{w}.{}", e.key_str());
            match e.key_str() {
                "capabilities" => {
                    d.capabilities = ld
                        .str_or_list(&e.value, &fw)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect()
                }
                "driver" => d.driver = ld.str_of(&e.value, &fw),
                "count" => d.count = count_of(ld, &e.value, &fw),
                "device_ids" => {
                    d.device_ids = ld
                        .str_or_list(&e.value, &fw)
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect()
                }
                "options" => d.options = ld.string_map(&e.value, &fw),
                _ => {}
            }
        }
        out.push(d);
    }
    out
}

/// `gpus: all` or a list of device requests.
pub(crate) fn gpus(ld: &mut Loader, node: &Node, what: &str) -> Vec<DeviceRequest> {
    match &node.value {
        Value::Scalar(s, _) if s.trim() == "all" => vec![DeviceRequest {
            capabilities: vec!["gpu".into()],
            count: Some(-1),
            ..DeviceRequest::default()
        }],
        Value::Seq(_) => device_requests(ld, node, what),
        _ if node.is_null() => Vec::new(),
        _ => {
            ld.wrong_type(node, what, "`all` or a list of device requests");
            Vec::new()
        }
    }
}
