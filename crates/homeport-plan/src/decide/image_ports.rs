//! The ports an image's config exposes (`EXPOSE`) become container ports, and from there
//! Service and NetworkPolicy ports, even when Compose declares none: an exporter that
//! exposes its metrics port only in its image is still reachable.

use crate::plan::*;
use crate::planner::Ctx;
use homeport_compose::Service;

/// Add the image's exposed ports to `ports` (the container's, Compose's first) when the
/// service runs the image's own program.
pub fn add_exposed(cx: &Ctx, svc: &Service, ports: &mut Vec<PortPlan>, pod: &mut PodPlan) {
    let Some(facts) = crate::planner::image_facts(cx, svc) else {
        return;
    };
    let exposed = facts.ports();
    if exposed.is_empty() {
        return;
    }
    let listed: Vec<String> = exposed
        .iter()
        .map(|(p, proto)| format!("{p}/{}", proto.to_ascii_lowercase()))
        .collect();
    if !crate::planner::runs_image_defaults(svc, facts) {
        pod.notes.push(format!(
            "{}: the image exposes {} but Compose runs another program in it: those ports are not declared",
            svc.name,
            listed.join(", ")
        ));
        return;
    }
    // A joined container's port the host container already declares (the VPN sidecar case).
    let declared_elsewhere = |port: u16, proto: &str| {
        pod.containers.iter().any(|c| {
            c.ports
                .iter()
                .any(|p| p.port == port && p.protocol == proto)
        })
    };
    let mut added = Vec::new();
    for (port, protocol) in exposed {
        if port == 0
            || ports
                .iter()
                .any(|p| p.port == port && p.protocol == protocol)
            || declared_elsewhere(port, &protocol)
        {
            continue;
        }
        let name = if protocol == "TCP" {
            format!("tcp-{port}")
        } else {
            format!("{}-{port}", protocol.to_ascii_lowercase())
        };
        added.push(format!("{port}/{}", protocol.to_ascii_lowercase()));
        ports.push(PortPlan {
            name,
            port,
            target: port,
            protocol,
        });
    }
    if !added.is_empty() {
        pod.decide(
            "ports",
            format!("{}: {}", svc.name, added.join(", ")),
            format!(
                "the image's config ({}) exposes {}",
                facts.source,
                listed.join(", ")
            ),
        );
    }
}
