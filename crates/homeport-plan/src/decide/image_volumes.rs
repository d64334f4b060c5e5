//! Volumes an image declares (`VOLUME`) that no Compose mount covers: Docker gives them an
//! anonymous volume that outlives a container restart; on Kubernetes they are part of the
//! container's writable layer and lost when the pod restarts. The one the knowledge base
//! knows as the image's data directory gets a claim (storage's rules for a named volume);
//! the others are a warning.

use crate::codes;
use crate::plan::*;
use crate::planner::Ctx;
use homeport_compose::Service;
use homeport_diag::Diagnostic;

pub fn decide(
    cx: &mut Ctx,
    svc: &Service,
    index: usize,
    pod: &mut PodPlan,
    claims: &mut Vec<ClaimPlan>,
) {
    let Some(facts) = crate::planner::image_facts(cx, svc) else {
        return;
    };
    let mounted: Vec<&str> = pod
        .containers
        .get(index)
        .map(|c| c.mounts.iter().map(|m| m.path.as_str()).collect())
        .unwrap_or_default();
    let covered = |vol: &str| {
        let vol = vol.trim_end_matches('/');
        mounted.iter().any(|m| {
            let m = m.trim_end_matches('/');
            vol == m || vol.starts_with(&format!("{m}/")) || m.is_empty()
        })
    };
    let mut missing: Vec<String> = facts
        .volumes
        .iter()
        .filter(|v| !covered(v))
        .cloned()
        .collect();
    // The knowledge base knows it as the image's data directory: a claim keeps it.
    let profile = crate::planner::profile_of(svc);
    if let Some(dir) = profile.data_dir.filter(|d| {
        missing
            .iter()
            .any(|v| v.trim_end_matches('/') == d.trim_end_matches('/'))
    }) {
        missing.retain(|v| v.trim_end_matches('/') != dir.trim_end_matches('/'));
        let volume =
            crate::decide::storage::image_data_claim(cx, svc, profile, index, pod, claims, dir);
        pod.decide(
            "storage",
            format!("{}: image volume {dir} -> volume `{volume}`", svc.name),
            format!(
                "the image declares the volume {dir}, where {} keeps its data, and no Compose mount covers it: a claim keeps the data across restarts (Docker would have kept it in an anonymous volume)",
                profile.family
            ),
        );
    }
    if missing.is_empty() {
        return;
    }
    let list = missing.join(", ");
    pod.notes.push(format!(
        "{}: the image declares the volume {list}, which no Compose mount covers: its data lives in the container and is lost when the pod restarts",
        svc.name
    ));
    cx.push(
        Diagnostic::warning(
            codes::IMAGE_VOLUME_NOT_MOUNTED,
            format!(
                "service `{}`: image `{}` declares the volume {list}; without a mount its data does not survive a restart",
                svc.name,
                svc.image.as_deref().unwrap_or("")
            ),
        )
        .with_span_opt(svc.origin.field("image").or(svc.origin.key))
        .with_help(format!(
            "mount a named volume there (`volumes: [\"data:{}\"]`) to keep the data",
            missing[0]
        )),
    );
}
