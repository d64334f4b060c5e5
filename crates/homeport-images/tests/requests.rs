//! How many requests resolution costs, counted in the real registry's access log
//! (docker-registry on 127.0.0.1, no login, so no `WWW-Authenticate` challenge): the
//! `/v2/` probe once per registry per run, then exactly the index, the platform manifest
//! and the config blob of each image, each once, however many references name it.

use homeport_images::{resolve, Lock, Options, Source};
use homeport_testkit::registry::Registry;
use serde_json::json;
use std::time::{Duration, Instant};

const IMAGES: usize = 12;

/// The requests the registry logged after the first `skip`, once a marker request sent
/// now shows in its log (the log is written as each answer completes).
fn requests_after(reg: &Registry, skip: usize) -> Vec<String> {
    reg.request_anonymous("GET", "/v2/marker/manifests/end")
        .expect("marker request");
    let started = Instant::now();
    loop {
        let all = reg.requests();
        let after = all.get(skip..).unwrap_or_default();
        if let Some(end) = after
            .iter()
            .position(|r| r == "GET /v2/marker/manifests/end")
        {
            return after[..end].to_vec();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the marker never reached the access log: {all:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn one_probe_per_registry_and_each_document_once() {
    let Some(reg) = Registry::start() else {
        return;
    };
    let host = reg.host();
    let mut images = Vec::new();
    for i in 0..IMAGES {
        let repo = format!("count/app-{i:02}");
        let config = |arch: &str| {
            // uid:gid, so no layer is read for /etc/passwd.
            json!({"architecture": arch, "os": "linux",
                   "config": {"User": format!("{}:{}", 1000 + i, 1000 + i)},
                   "rootfs": {"type": "layers", "diff_ids": []}})
        };
        let amd = reg.push_image(&repo, None, &config("amd64"), &[]);
        let arm = reg.push_image(&repo, None, &config("arm64"), &[]);
        reg.push_index(
            &repo,
            "1",
            &[
                ("linux/amd64", &amd.0, amd.1),
                ("linux/arm64", &arm.0, arm.1),
            ],
        );
        images.push(format!("{host}/{repo}:1"));
    }
    // The same image written twice more (duplicates in Compose are common).
    images.push(images[0].clone());
    images.push(images[1].clone());

    for run in 0..2 {
        let before = reg.requests().len();
        let r = resolve(&images, &Lock::default(), &Options::default());
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert!(r.sources.values().all(|s| *s == Source::Registry));
        assert_eq!(r.facts.len(), IMAGES);
        let requests = requests_after(&reg, before);

        let probes = requests.iter().filter(|r| *r == "GET /v2/").count();
        assert_eq!(probes, 1, "run {run}: {requests:#?}");
        for i in 0..IMAGES {
            let repo = format!("/v2/count/app-{i:02}/");
            let of_image: Vec<&String> = requests.iter().filter(|r| r.contains(&repo)).collect();
            let tag = format!("GET {repo}manifests/1");
            let platform = format!("GET {repo}manifests/sha256:");
            let blob = format!("GET {repo}blobs/sha256:");
            assert_eq!(
                of_image.iter().filter(|r| ***r == tag).count(),
                1,
                "{of_image:?}"
            );
            assert_eq!(
                of_image.iter().filter(|r| r.starts_with(&platform)).count(),
                1,
                "{of_image:?}"
            );
            assert_eq!(
                of_image.iter().filter(|r| r.starts_with(&blob)).count(),
                1,
                "{of_image:?}"
            );
            assert_eq!(of_image.len(), 3, "{of_image:?}");
        }
        assert_eq!(requests.len(), 1 + 3 * IMAGES, "{requests:#?}");
    }
}
