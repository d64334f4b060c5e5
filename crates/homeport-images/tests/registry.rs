//! Resolution against a real registry (the CNCF distribution registry, Debian package
//! `docker-registry`) started on 127.0.0.1 with a free port; the test pushes its own images.

use homeport_images::{resolve, Lock, Options, Source};
use homeport_testkit::registry::{tar_layer, Login, Registry};
use serde_json::json;
use std::time::{Duration, Instant};

fn config(arch: &str, user: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut c = json!({"User": user, "Env": ["PATH=/usr/bin"]});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            c.insert(k.clone(), v.clone());
        }
    }
    json!({"architecture": arch, "os": "linux", "config": c, "rootfs": {"type": "layers", "diff_ids": []}})
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Pushes the test images; returns the digest of the multi-platform index.
fn push_images(reg: &Registry) -> String {
    // A multi-platform image with a numeric user, a port, a healthcheck and a volume.
    let extra = json!({
        "ExposedPorts": {"8080/tcp": {}},
        "Volumes": {"/data": {}},
        "WorkingDir": "/srv",
        "Entrypoint": ["/app"],
        "Labels": {"org.opencontainers.image.source": "https://example.org/app"},
        "Healthcheck": {"Test": ["CMD", "wget", "-q", "--spider", "http://localhost:8080/health"], "Interval": 10000000000u64, "Retries": 3}
    });
    let layer = tar_layer(&[("app", b"binary")]);
    let amd = reg.push_image(
        "tools/numeric",
        None,
        &config("amd64", "1000:1000", extra.clone()),
        std::slice::from_ref(&layer),
    );
    let arm = reg.push_image(
        "tools/numeric",
        None,
        &config("arm64", "1000:1000", extra),
        &[layer],
    );
    let index = reg.push_index(
        "tools/numeric",
        "1.0",
        &[
            ("linux/arm64/v8", &arm.0, arm.1),
            ("linux/amd64", &amd.0, amd.1),
        ],
    );
    // Root (empty user), single-platform amd64 manifest, no index.
    reg.push_image(
        "tools/root",
        Some("1"),
        &config("amd64", "", json!({})),
        &[],
    );
    // A named user whose uid is in /etc/passwd of the top layer (gzip), below a layer
    // without one.
    let passwd = gzip(&tar_layer(&[(
        "etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\napp:x:1234:1235::/home/app:/bin/false\n",
    )]));
    let other = tar_layer(&[("srv/index.html", b"hello")]);
    reg.push_image(
        "tools/named",
        Some("1"),
        &config("amd64", "app", json!({})),
        &[passwd, other],
    );
    // A uid without a group: its primary group from /etc/passwd.
    let passwd = tar_layer(&[("etc/passwd", b"svc:x:4000:4001::/:/bin/false\n")]);
    reg.push_image(
        "tools/uidonly",
        Some("1"),
        &config("amd64", "4000", json!({})),
        &[passwd],
    );
    // A named user with no /etc/passwd anywhere.
    reg.push_image(
        "tools/nameless",
        Some("1"),
        &config("amd64", "nginx", json!({})),
        &[],
    );
    index
}

#[test]
fn resolves_index_platform_manifest_config_and_passwd_from_a_real_registry() {
    let Some(mut reg) = Registry::start() else {
        return;
    };
    let index = push_images(&reg);
    let host = reg.host();
    let images: Vec<String> = [
        "tools/numeric:1.0",
        "tools/root:1",
        "tools/named:1",
        "tools/nameless:1",
        "tools/missing:1",
    ]
    .iter()
    .map(|i| format!("{host}/{i}"))
    .collect();
    let options = Options::default();
    let r = resolve(&images, &Lock::default(), &options);

    let numeric = &r.facts[&images[0]];
    assert_eq!(numeric.source, "registry");
    assert_eq!(numeric.digest, index, "the index digest is pinned");
    assert_eq!(numeric.user, "1000:1000");
    assert_eq!(numeric.exposed_ports, vec!["8080/tcp"]);
    assert_eq!(numeric.volumes, vec!["/data"]);
    assert_eq!(numeric.workdir, "/srv");
    assert_eq!(numeric.entrypoint, vec!["/app"]);
    assert_eq!(numeric.platforms, vec!["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(numeric.architectures(), vec!["amd64", "arm64"]);
    assert_eq!(numeric.healthcheck.as_ref().unwrap().retries, Some(3));
    assert_eq!(
        numeric.labels["org.opencontainers.image.source"],
        "https://example.org/app"
    );

    let root = &r.facts[&images[1]];
    assert_eq!(root.user, "");
    assert_eq!(root.platforms, vec!["linux/amd64"]);
    assert!(root.digest.starts_with("sha256:"));

    let named = &r.facts[&images[2]];
    assert_eq!(named.user, "app");
    assert_eq!(named.user_ids, Some((1234, 1235)));
    let nameless = &r.facts[&images[3]];
    assert_eq!(nameless.user_ids, None);
    let uid_only = resolve(
        &[format!("{host}/tools/uidonly:1")],
        &Lock::default(),
        &options,
    );
    assert_eq!(
        uid_only.facts.values().next().unwrap().user_ids,
        Some((4000, 4001))
    );

    // The missing image is a warning naming it and the registry; the rest resolved.
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(r.warnings[0].image, images[4]);
    assert_eq!(r.warnings[0].registry, host);
    assert_eq!(r.sources[&images[4]], Source::KnowledgeBase);
    assert!(r.contacted_registries);

    // The lock has every resolved image under its canonical reference.
    let lock = r.lock.clone();
    assert_eq!(lock.images.len(), 4);
    assert!(lock
        .images
        .contains_key(&format!("{host}/tools/numeric:1.0")));
    let text = lock.to_text();
    assert_eq!(Lock::parse(&text).unwrap().to_text(), text);

    // With the registry stopped, the lock answers everything it has and nothing is asked.
    reg.stop();
    let again = resolve(&images[..4], &lock, &options);
    assert!(!again.contacted_registries);
    assert!(again.warnings.is_empty());
    for image in &images[..4] {
        assert_eq!(again.sources[image], Source::Lock);
        let mut f = again.facts[image].clone();
        f.source = "registry".into();
        assert_eq!(&f, &r.facts[image]);
    }
    // Without the lock: warnings naming image and registry, quickly (connection refused).
    let started = Instant::now();
    let cold = resolve(&images[..4], &Lock::default(), &options);
    assert!(started.elapsed() < Duration::from_secs(9));
    assert_eq!(cold.warnings.len(), 4);
    assert!(cold.warnings.iter().all(|w| w.registry == host));
    assert!(cold.facts.is_empty());
    // --update with a lock and an unreachable registry keeps the lock's facts.
    let update = resolve(
        &images[..1],
        &lock,
        &Options {
            update: true,
            ..Options::default()
        },
    );
    assert_eq!(update.sources[&images[0]], Source::Lock);
    assert_eq!(update.warnings.len(), 1);
}

#[test]
fn offline_never_connects() {
    // A listener that records whether anyone connected.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let images = vec![format!("{host}/x/y:1"), "redis:7".to_string()];
    let r = resolve(
        &images,
        &Lock::default(),
        &Options {
            offline: true,
            ..Options::default()
        },
    );
    assert!(!r.contacted_registries);
    assert!(r.warnings.is_empty());
    assert!(r.facts.is_empty());
    assert!(listener.accept().is_err(), "offline opened a connection");
}

/// A fake `docker-credential-<name>` in `dir`.
fn credential_helper(dir: &std::path::Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(format!("docker-credential-{name}"));
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn credential_helper_unlocks_a_registry_with_htpasswd_auth() {
    // bcrypt of the test password `s3cret` (the registry's htpasswd backend takes bcrypt).
    let login = Login {
        user: "tester",
        password: "s3cret",
        bcrypt: "$2b$12$FATniq2WbJu4YcJYePcMbOQYtC8GtsDWxCIPEmWzYe/RsHiBOu62K",
    };
    let Some(reg) = Registry::start_with_login(&login) else {
        return;
    };
    let host = reg.host();
    reg.push_image(
        "private/app",
        Some("1"),
        &config("amd64", "4242", json!({"ExposedPorts": {"9000/tcp": {}}})),
        &[tar_layer(&[("app", b"binary")])],
    );
    let image = format!("{host}/private/app:1");
    let images = std::slice::from_ref(&image);

    // Anonymous: the registry refuses; a warning and the knowledge base.
    let r = resolve(images, &Lock::default(), &Options::default());
    assert_eq!(r.sources[&image], Source::KnowledgeBase);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);

    let dir = tempfile::tempdir().unwrap();
    credential_helper(
        dir.path(),
        "fake",
        &format!(
            "read server\n[ \"$server\" = \"{host}\" ] || exit 4\necho '{{\"ServerURL\":\"{host}\",\"Username\":\"tester\",\"Secret\":\"s3cret\"}}'"
        ),
    );
    credential_helper(dir.path(), "stuck", "exec sleep 30");
    let path = Some(dir.path().as_os_str().to_owned());

    // `credHelpers` names the helper for this registry: it answers, the image resolves.
    let config = format!(r#"{{"credsStore": "stuck", "credHelpers": {{"{host}": "fake"}}}}"#);
    let options = Options {
        credentials: homeport_images::Credentials::parse(&config).with_search_path(path.clone()),
        ..Options::default()
    };
    let r = resolve(images, &Lock::default(), &options);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.sources[&image], Source::Registry);
    assert_eq!(r.facts[&image].user, "4242");
    assert_eq!(r.facts[&image].exposed_ports, vec!["9000/tcp"]);
    assert!(!r.lock.to_text().contains("s3cret"));

    // A helper that never answers is stopped: a warning naming it, then anonymous access.
    let options = Options {
        credentials: homeport_images::Credentials::parse(r#"{"credsStore": "stuck"}"#)
            .with_search_path(path)
            .with_helper_timeout(Duration::from_millis(300)),
        ..Options::default()
    };
    let started = Instant::now();
    let r = resolve(images, &Lock::default(), &options);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "a stuck helper hung"
    );
    assert_eq!(r.sources[&image], Source::KnowledgeBase);
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert_eq!(r.warnings[0].image, image);
    assert_eq!(r.warnings[0].registry, host);
    assert!(
        r.warnings[0]
            .message
            .contains("docker-credential-stuck` gave no answer"),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings.iter().all(|w| !w.message.contains("s3cret")));
}

/// A registry that serves a huge image config (here a real one with a 5 MiB config blob)
/// gives a warning naming the image, and the knowledge base is used: the blob is never held
/// past the cap.
#[test]
fn an_oversized_config_is_a_warning_not_unbounded_memory() {
    let Some(mut reg) = Registry::start() else {
        return;
    };
    let padding = "x".repeat(5 * 1024 * 1024);
    reg.push_image(
        "tools/huge",
        Some("1"),
        &config("amd64", "1000", json!({"Labels": {"padding": padding}})),
        &[tar_layer(&[("app", b"binary")])],
    );
    let image = format!("{}/tools/huge:1", reg.host());
    let r = resolve(
        std::slice::from_ref(&image),
        &Lock::default(),
        &Options::default(),
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(r.warnings[0].image, image);
    assert!(
        r.warnings[0].message.contains("limit"),
        "{}",
        r.warnings[0].message
    );
    assert_ne!(r.sources.get(&image), Some(&Source::Registry));
    reg.stop();
}
