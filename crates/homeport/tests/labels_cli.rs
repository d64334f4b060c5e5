//! Labels tell the truth: an object several services share (a claim on a NAS share and its
//! PersistentVolume) is labelled as the project's, not as one of the services, while objects
//! one service owns carry its name.

mod support;

use serde_json::Value;
use support::{render, stack_compose};

fn service_label(o: &Value) -> Option<&str> {
    o["metadata"]["labels"]["app.kubernetes.io/name"].as_str()
}

/// The pods (by their `app.kubernetes.io/name`) whose templates mount claim `name` in `ns`.
fn claim_users<'a>(objects: &'a [Value], ns: &str, name: &str) -> Vec<&'a str> {
    let mut users: Vec<&str> = objects
        .iter()
        .filter(|o| support::WORKLOAD_KINDS.contains(&o["kind"].as_str().unwrap_or("")))
        .filter(|o| o["metadata"]["namespace"] == ns)
        .filter(|o| {
            support::pod_template(o)["spec"]["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v["persistentVolumeClaim"]["claimName"] == name)
        })
        .filter_map(service_label)
        .collect();
    users.sort();
    users.dedup();
    users
}

#[test]
fn shared_claims_and_volumes_are_not_labelled_with_one_service() {
    let (_, objects) = render(&stack_compose("media-server"));
    let mut shared_seen = 0;
    for claim in support::kind(&objects, "PersistentVolumeClaim") {
        let ns = claim["metadata"]["namespace"].as_str().unwrap();
        let name = claim["metadata"]["name"].as_str().unwrap();
        let users = claim_users(&objects, ns, name);
        let pv = claim["spec"]["volumeName"]
            .as_str()
            .and_then(|v| support::named(&objects, "PersistentVolume", v));
        if users.len() > 1 {
            shared_seen += 1;
            assert_eq!(
                service_label(claim),
                None,
                "{ns}/{name} is shared by {users:?}"
            );
            if let Some(pv) = pv {
                assert_eq!(service_label(pv), None, "the volume of {ns}/{name}");
            }
            assert_eq!(
                claim["metadata"]["labels"]["app.kubernetes.io/part-of"],
                "media"
            );
        } else {
            assert_eq!(service_label(claim), users.first().copied(), "{ns}/{name}");
            if let Some(pv) = pv {
                assert_eq!(service_label(pv), users.first().copied());
            }
        }
    }
    // The example's /mnt/media share is used by jellyfin, sonarr, radarr and the API.
    assert!(shared_seen >= 1);
}
