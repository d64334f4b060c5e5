//! Failure paths against a small fake registry of the test's own on 127.0.0.1: a 401 with a
//! Bearer challenge (then a token), 401/403/404/429 answers, a stalled response, invalid
//! JSON. Every failure is a warning naming the image and the registry, never a panic or a
//! hang.

use homeport_images::{resolve, Lock, Options, Source};
use homeport_testkit::registry::digest;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the fake registry does with the repository's manifest and blob requests.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Serve a valid image, but only with `Authorization: Bearer secret-token` (the token
    /// the realm hands out after a 401 challenge on /v2/).
    BearerAuth,
    /// As `BearerAuth`, but the realm only hands out the token for the user's credentials
    /// (HTTP Basic `user:pass`, from the Docker config).
    BearerWithCredentials,
    Status(u16),
    Stall,
    InvalidJson,
    /// A manifest answer that never ends (no length, data until the client hangs up).
    EndlessManifest,
    /// A Bearer challenge whose realm answers the token request without end.
    EndlessToken,
}

struct Fake {
    host: String,
    /// How many `GET /v2/` probes it answered.
    probes: Arc<AtomicUsize>,
}

fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// An answer with no length and data until the client hangs up (at most 256 MiB, so a
/// client without a cap ends the test too).
/// Returns how many bytes of body the client took before it hung up.
fn endless(stream: &mut TcpStream, content_type: &str) -> usize {
    let head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(head.as_bytes());
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    for _ in 0..4096 {
        if stream.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    sent
}

/// Bytes of the endless token answer the client took (`Mode::EndlessToken`).
static TOKEN_BYTES_TAKEN: AtomicUsize = AtomicUsize::new(0);

fn start(mode: Mode) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let config = serde_json::to_vec(&json!({"architecture": "amd64", "os": "linux", "config": {"User": "4242", "ExposedPorts": {"9000/tcp": {}}}})).unwrap();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(&config), "size": config.len()},
        "layers": []
    }))
    .unwrap();
    let realm = format!("http://{host}/token");
    let probes = Arc::new(AtomicUsize::new(0));
    let counter = probes.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (config, manifest, realm) = (config.clone(), manifest.clone(), realm.clone());
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut auth = String::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    if h.to_ascii_lowercase().starts_with("authorization:") {
                        auth = h[14..].trim().to_string();
                    }
                }
                let authorized = auth == "Bearer secret-token";
                let bearer = matches!(
                    mode,
                    Mode::BearerAuth | Mode::BearerWithCredentials | Mode::EndlessToken
                );
                if path == "/v2/" {
                    counter.fetch_add(1, Ordering::SeqCst);
                    if bearer && !authorized {
                        let challenge = format!("Bearer realm=\"{realm}\",service=\"fake\"");
                        respond(&mut stream, 401, &[("WWW-Authenticate", challenge)], b"");
                    } else {
                        respond(&mut stream, 200, &[], b"{}");
                    }
                    return;
                }
                if path.starts_with("/token") {
                    assert!(path.contains("scope=repository%3Aapp%2Fx%3Apull"), "{path}");
                    // base64("user:pass")
                    if mode == Mode::EndlessToken {
                        let taken = endless(&mut stream, "application/json");
                        TOKEN_BYTES_TAKEN.fetch_add(taken, Ordering::SeqCst);
                        return;
                    }
                    if mode == Mode::BearerWithCredentials && auth != "Basic dXNlcjpwYXNz" {
                        respond(&mut stream, 401, &[], b"");
                        return;
                    }
                    respond(&mut stream, 200, &[], br#"{"token": "secret-token"}"#);
                    return;
                }
                match mode {
                    Mode::Stall => {
                        // Never answer; hold the connection open.
                        let mut sink = [0u8; 64];
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                        let _ = stream.read(&mut sink);
                    }
                    Mode::Status(code) => {
                        let mut headers = vec![];
                        if code == 429 {
                            headers.push(("Retry-After", "3600".to_string()));
                        }
                        let oci_code = match code {
                            401 => "UNAUTHORIZED",
                            404 => "MANIFEST_UNKNOWN",
                            429 => "TOOMANYREQUESTS",
                            _ => "DENIED",
                        };
                        let body = format!(
                            r#"{{"errors":[{{"code":"{oci_code}","message":"refused by the test"}}]}}"#
                        );
                        respond(&mut stream, code, &headers, body.as_bytes());
                    }
                    Mode::EndlessManifest => {
                        endless(&mut stream, "application/vnd.oci.image.manifest.v1+json");
                    }
                    Mode::EndlessToken => respond(&mut stream, 401, &[], b""),
                    Mode::InvalidJson => {
                        let body = b"{this is not json";
                        respond(
                            &mut stream,
                            200,
                            &[
                                (
                                    "Content-Type",
                                    "application/vnd.oci.image.manifest.v1+json".into(),
                                ),
                                ("Docker-Content-Digest", digest(body)),
                            ],
                            body,
                        );
                    }
                    Mode::BearerAuth | Mode::BearerWithCredentials if !authorized => {
                        respond(&mut stream, 401, &[], b"");
                    }
                    Mode::BearerAuth | Mode::BearerWithCredentials => {
                        if path.contains("/manifests/") {
                            respond(
                                &mut stream,
                                200,
                                &[
                                    (
                                        "Content-Type",
                                        "application/vnd.oci.image.manifest.v1+json".into(),
                                    ),
                                    ("Docker-Content-Digest", digest(&manifest)),
                                ],
                                &manifest,
                            );
                        } else if path.contains("/blobs/") {
                            respond(&mut stream, 200, &[], &config);
                        } else {
                            respond(&mut stream, 404, &[], b"");
                        }
                    }
                }
            });
        }
    });
    Fake { host, probes }
}

fn quick() -> Options {
    Options {
        timeout: Duration::from_secs(2),
        ..Options::default()
    }
}

#[test]
fn anonymous_bearer_challenge_then_token() {
    let fake = start(Mode::BearerAuth);
    let image = format!("{}/app/x:1", fake.host);
    let r = resolve(std::slice::from_ref(&image), &Lock::default(), &quick());
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.sources[&image], Source::Registry);
    assert_eq!(r.facts[&image].user, "4242");
    assert_eq!(r.facts[&image].exposed_ports, vec!["9000/tcp"]);
}

#[test]
fn the_challenge_is_asked_once_per_registry_and_run() {
    let fake = start(Mode::BearerAuth);
    // Three tags of the repository the realm hands tokens for, resolved concurrently.
    let images: Vec<String> = (1..=3)
        .map(|tag| format!("{}/app/x:{tag}", fake.host))
        .collect();
    let r = resolve(&images, &Lock::default(), &quick());
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(images.iter().all(|i| r.sources[i] == Source::Registry));
    assert_eq!(fake.probes.load(Ordering::SeqCst), 1);
    // A new run (a new client) asks again, once.
    let r = resolve(&images, &Lock::default(), &quick());
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(fake.probes.load(Ordering::SeqCst), 2);
}

#[test]
fn docker_config_credentials_are_used_for_the_token() {
    let fake = start(Mode::BearerWithCredentials);
    let image = format!("{}/app/x:1", fake.host);
    // Anonymous: the realm refuses, so a warning.
    let r = resolve(std::slice::from_ref(&image), &Lock::default(), &quick());
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    // With the `auths` entry `docker login` writes for this registry: resolved.
    let config = format!(
        r#"{{"auths": {{"{}": {{"auth": "dXNlcjpwYXNz"}}}}}}"#,
        fake.host
    );
    let options = Options {
        credentials: homeport_images::Credentials::parse(&config),
        ..quick()
    };
    let r = resolve(std::slice::from_ref(&image), &Lock::default(), &options);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.facts[&image].user, "4242");
}

#[test]
fn every_failure_is_a_warning_naming_image_and_registry_and_none_hangs() {
    let cases = [
        ("stalled", start(Mode::Stall)),
        ("401", start(Mode::Status(401))),
        ("403", start(Mode::Status(403))),
        ("404", start(Mode::Status(404))),
        ("429", start(Mode::Status(429))),
        ("invalid json", start(Mode::InvalidJson)),
    ];
    // A port nothing listens on: the registry is down.
    let down = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let mut images: Vec<(String, String)> = cases
        .iter()
        .map(|(what, f)| (what.to_string(), format!("{}/app/x:1", f.host)))
        .collect();
    images.push(("down".into(), format!("{down}/app/x:1")));
    let refs: Vec<String> = images.iter().map(|(_, i)| i.clone()).collect();
    let started = Instant::now();
    let r = resolve(&refs, &Lock::default(), &quick());
    let took = started.elapsed();
    // All at once: the stalled registry costs one timeout, not one per image.
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert!(r.facts.is_empty());
    assert_eq!(r.warnings.len(), images.len(), "{:?}", r.warnings);
    for (what, image) in &images {
        let w = r
            .warnings
            .iter()
            .find(|w| &w.image == image)
            .unwrap_or_else(|| panic!("no warning for {what}"));
        let registry = image.split('/').next().unwrap();
        assert_eq!(w.registry, registry, "{what}");
        assert!(!w.message.is_empty(), "{what}");
        assert_eq!(r.sources[image], Source::KnowledgeBase);
    }
    let msg = |what: &str| {
        let image = &images.iter().find(|(w, _)| w == what).unwrap().1;
        r.warnings
            .iter()
            .find(|w| &w.image == image)
            .unwrap()
            .message
            .clone()
    };
    assert!(msg("429").contains("TOOMANYREQUESTS"), "{}", msg("429"));
    assert!(msg("404").contains("MANIFEST_UNKNOWN"), "{}", msg("404"));
    assert!(msg("403").contains("DENIED"), "{}", msg("403"));
    assert!(
        msg("stalled").contains("2 s")
            || msg("stalled").contains("timed out")
            || msg("stalled").contains("timeout"),
        "{}",
        msg("stalled")
    );
}

/// Resolve one image from a fake registry in `mode` with a 30 s timeout, which it must not
/// wait for: the image and the result.
fn resolve_without_waiting(mode: Mode) -> (String, homeport_images::Resolution) {
    let fake = start(mode);
    let image = format!("{}/app/x:1", fake.host);
    let options = Options {
        timeout: Duration::from_secs(30),
        ..Options::default()
    };
    let started = Instant::now();
    let r = resolve(std::slice::from_ref(&image), &Lock::default(), &options);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it waited for the timeout"
    );
    (image, r)
}

#[test]
fn an_endless_manifest_is_cut_off_at_the_cap() {
    let (image, r) = resolve_without_waiting(Mode::EndlessManifest);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].message.contains("more than 16 MiB"),
        "{}",
        r.warnings[0].message
    );
    assert_eq!(r.sources[&image], Source::KnowledgeBase);
}

#[test]
fn an_endless_token_answer_is_cut_off_at_the_cap() {
    let (image, r) = resolve_without_waiting(Mode::EndlessToken);
    // The token was refused after its first MiB (the rest of what was taken sat in socket
    // buffers): the registry sent 256 MiB to a client without the cap. Without a token the
    // image is refused, a warning, from the knowledge base.
    let taken = TOKEN_BYTES_TAKEN.load(Ordering::SeqCst);
    assert!(taken < 32 * 1024 * 1024, "{taken} bytes of token read");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(r.sources[&image], Source::KnowledgeBase);
}
