//! A real OCI registry for tests: the CNCF distribution registry (Debian package
//! `docker-registry`, installed by `scripts/install-tools`), started on 127.0.0.1 with a
//! free port and a temporary storage directory, stopped when dropped. Tests push their own
//! images through the registry HTTP API ([`Registry::push_image`], [`Registry::push_index`]).
//!
//! ```no_run
//! let Some(registry) = homeport_testkit::registry::Registry::start() else {
//!     return; // docker-registry not installed on this developer machine: skip
//! };
//! ```

use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";

/// The registry binary: `HOMEPORT_DOCKER_REGISTRY`, else `docker-registry` on PATH.
pub fn registry_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOMEPORT_DOCKER_REGISTRY").filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("docker-registry"))
        .find(|p| p.is_file())
}

/// An HTTP answer: status, headers (names lower-cased), body.
pub type Response = (u16, Vec<(String, String)>, Vec<u8>);

/// A running registry; stopped (and its storage removed) on drop.
pub struct Registry {
    child: Option<Child>,
    addr: SocketAddr,
    /// `Basic <base64 user:password>` sent with every request of a registry that needs a
    /// login.
    basic: Option<String>,
    /// The registry's access log (one line per request it answered).
    access_log: PathBuf,
    _storage: tempfile::TempDir,
}

/// A login a registry requires (`auth.htpasswd`): the user, the password and its bcrypt
/// hash (the registry accepts bcrypt only; tests pass a hash made beforehand, e.g. with
/// `htpasswd -nbB`, so no bcrypt implementation is needed here).
#[derive(Debug, Clone)]
pub struct Login<'a> {
    pub user: &'a str,
    pub password: &'a str,
    pub bcrypt: &'a str,
}

/// Standard base64 with padding (the `auth` of a Docker config, HTTP Basic).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A free port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

impl Registry {
    /// Start the registry, or `None` (skip) when it is not installed; under CI a missing
    /// registry panics so CI never skips silently.
    pub fn start() -> Option<Registry> {
        Self::start_with(None)
    }

    /// Start a registry that requires `login` (HTTP Basic against an htpasswd file); this
    /// handle's own requests carry it.
    pub fn start_with_login(login: &Login) -> Option<Registry> {
        Self::start_with(Some(login))
    }

    fn start_with(login: Option<&Login>) -> Option<Registry> {
        let Some(bin) = registry_binary() else {
            let why = "docker-registry not found: install the Debian package docker-registry (scripts/install-tools) or set HOMEPORT_DOCKER_REGISTRY";
            if crate::in_ci() {
                panic!("{why}; CI is set, so tests that need it must not be skipped");
            }
            eprintln!("skipping: {why}");
            return None;
        };
        // Another process may take the port between bind and start: retry a few times.
        for _ in 0..5 {
            let storage = tempfile::tempdir().expect("temp dir");
            let port = free_port();
            let config = storage.path().join("config.yml");
            let data = storage.path().join("data");
            let mut text = format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                data.display()
            );
            if let Some(l) = login {
                let file = storage.path().join("htpasswd");
                std::fs::write(&file, format!("{}:{}\n", l.user, l.bcrypt))
                    .expect("write htpasswd");
                text.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: homeport-test\n    path: {}\n",
                    file.display()
                ));
            }
            std::fs::write(&config, text).expect("write registry config");
            let access_log = storage.path().join("access.log");
            let log = std::fs::File::create(&access_log).expect("create access log");
            let child = Command::new(&bin)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(Stdio::null())
                .spawn()
                .expect("start docker-registry");
            let mut registry = Registry {
                child: Some(child),
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                basic: login.map(|l| {
                    format!(
                        "Basic {}",
                        base64(format!("{}:{}", l.user, l.password).as_bytes())
                    )
                }),
                access_log,
                _storage: storage,
            };
            if registry.wait_ready(Duration::from_secs(10)) {
                return Some(registry);
            }
            registry.stop();
        }
        panic!("docker-registry did not start on 127.0.0.1 (5 tries)");
    }

    fn wait_ready(&mut self, within: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(_)) = child.try_wait() {
                    return false;
                }
            }
            if let Ok((200, _, _)) = self.request("GET", "/v2/", &[], &[]) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// `127.0.0.1:PORT`, the registry part of image references.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The requests answered so far, one `METHOD PATH` each in the order the registry
    /// logged them (its access log), e.g. `GET /v2/`.
    pub fn requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.access_log).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let quoted = line.split('"').nth(1)?;
                let mut parts = quoted.split(' ');
                Some(format!("{} {}", parts.next()?, parts.next()?))
            })
            .collect()
    }

    /// Stop the registry (images pushed are no longer reachable).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// One HTTP/1.1 request; (status, headers lower-cased, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Response> {
        match &self.basic {
            Some(basic) => {
                let mut with: Vec<(&str, &str)> = vec![("Authorization", basic.as_str())];
                with.extend_from_slice(headers);
                http(self.addr, method, path, &with, body)
            }
            None => http(self.addr, method, path, headers, body),
        }
    }

    /// A request without this handle's login (what an anonymous client gets).
    pub fn request_anonymous(&self, method: &str, path: &str) -> std::io::Result<Response> {
        http(self.addr, method, path, &[], &[])
    }

    /// Upload a blob (monolithic: POST then PUT with the digest); returns its digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let d = digest(bytes);
        let (status, headers, body) = self
            .request("POST", &format!("/v2/{repo}/blobs/uploads/"), &[], &[])
            .expect("start upload");
        assert_eq!(
            status,
            202,
            "start upload: {}",
            String::from_utf8_lossy(&body)
        );
        let location = header(&headers, "location").expect("upload location");
        let location = location
            .strip_prefix(&format!("http://{}", self.addr))
            .unwrap_or(&location)
            .to_string();
        let sep = if location.contains('?') { '&' } else { '?' };
        let (status, _, body) = self
            .request(
                "PUT",
                &format!("{location}{sep}digest={d}"),
                &[("Content-Type", "application/octet-stream")],
                bytes,
            )
            .expect("upload blob");
        assert_eq!(
            status,
            201,
            "upload blob: {}",
            String::from_utf8_lossy(&body)
        );
        d
    }

    /// Put a manifest (image manifest or index) under `reference` (tag or digest).
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let (status, _, body) = self
            .request(
                "PUT",
                &format!("/v2/{repo}/manifests/{reference}"),
                &[("Content-Type", media_type)],
                bytes,
            )
            .expect("put manifest");
        assert_eq!(
            status,
            201,
            "put manifest: {}",
            String::from_utf8_lossy(&body)
        );
        digest(bytes)
    }

    /// Push an image: `config` (the image config JSON), `layers` (tar or tar+gzip blobs),
    /// tagged `tag` when given. Returns (manifest digest, manifest size).
    pub fn push_image(
        &self,
        repo: &str,
        tag: Option<&str>,
        config: &serde_json::Value,
        layers: &[Vec<u8>],
    ) -> (String, usize) {
        let config_bytes = serde_json::to_vec(config).expect("config json");
        let config_digest = self.push_blob(repo, &config_bytes);
        let layer_descs: Vec<serde_json::Value> = layers
            .iter()
            .map(|l| {
                let media = if l.starts_with(&[0x1f, 0x8b]) {
                    OCI_LAYER_GZIP
                } else {
                    OCI_LAYER_TAR
                };
                serde_json::json!({"mediaType": media, "digest": self.push_blob(repo, l), "size": l.len()})
            })
            .collect();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config_bytes.len()},
            "layers": layer_descs,
        });
        let bytes = serde_json::to_vec(&manifest).expect("manifest json");
        let d = digest(&bytes);
        self.push_manifest(repo, tag.unwrap_or(&d), OCI_MANIFEST, &bytes);
        (d, bytes.len())
    }

    /// Push an index over already pushed manifests: (os/arch[/variant], digest, size).
    pub fn push_index(&self, repo: &str, tag: &str, entries: &[(&str, &str, usize)]) -> String {
        let manifests: Vec<serde_json::Value> = entries
            .iter()
            .map(|(platform, d, size)| {
                let mut parts = platform.split('/');
                let os = parts.next().unwrap_or("linux");
                let arch = parts.next().unwrap_or("amd64");
                let mut p = serde_json::json!({"os": os, "architecture": arch});
                if let Some(v) = parts.next() {
                    p["variant"] = serde_json::json!(v);
                }
                serde_json::json!({"mediaType": OCI_MANIFEST, "digest": d, "size": size, "platform": p})
            })
            .collect();
        let index =
            serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
        let bytes = serde_json::to_vec(&index).expect("index json");
        self.push_manifest(repo, tag, OCI_INDEX, &bytes)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// A minimal HTTP/1.1 client (Connection: close) for loopback test servers.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if header(&headers, "transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body);
    }
    Ok((status, headers, body))
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || raw.len() < end + 2 + size {
            return out;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[(end + 4 + size).min(raw.len())..];
    }
}

/// A small tar layer holding `files` (path, content), uncompressed.
pub fn tar_layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, data) in files {
        let mut header = [0u8; 512];
        header[..path.len()].copy_from_slice(path.as_bytes());
        header[100..108].copy_from_slice(b"0000644\0");
        header[108..116].copy_from_slice(b"0000000\0");
        header[116..124].copy_from_slice(b"0000000\0");
        header[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
        header[136..148].copy_from_slice(b"00000000000\0");
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}
