//! Where what the planner knows about a container's image came from (`homeport.lock`, its
//! registry, or the knowledge base alone), as a decision in the plan.

use crate::plan::*;
use crate::planner::Ctx;
use homeport_compose::Service;

pub fn record(cx: &Ctx, svc: &Service, pod: &mut PodPlan) {
    let Some(image) = svc.image.as_deref() else {
        return;
    };
    if svc.build.is_some() {
        return;
    }
    let family = crate::planner::profile_of(svc).family;
    let known = family != "unknown";
    let kb = if known {
        format!("knowledge base: {family}")
    } else {
        "not in the knowledge base".to_string()
    };
    let reason = match crate::planner::image_facts(cx, svc) {
        Some(f) => {
            let from = if f.source == "lock" {
                "homeport.lock"
            } else {
                "its registry"
            };
            format!("the image's config from {from} (digest {}); {kb}", f.digest)
        }
        None if known => format!(
            "no image config (offline, unreachable or not looked up): decided from the knowledge base ({family})"
        ),
        None => "no image config (offline, unreachable or not looked up) and not in the knowledge base: conservative defaults".to_string(),
    };
    pod.decide("image", format!("{}: {image}", svc.name), reason);
}
