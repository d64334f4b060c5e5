//! What lint knows about the CPU architectures an image runs on: a small table of popular
//! images published for amd64 only, and the naming conventions of single-architecture images
//! (`amd64/…`, `arm64v8/…`, `…-amd64`, `…-arm64`). Multi-architecture images (most of Docker
//! Hub's official images, linuxserver.io) are not listed: unknown means "assume it runs".
//! A digest cannot be judged offline (it may name one platform's manifest or an index).

use crate::rules::helpers::parse_image;

/// Images published for amd64 only: (repository, why).
const AMD64_ONLY: &[(&str, &str)] = &[
    (
        "mcr.microsoft.com/mssql/server",
        "SQL Server for Linux is published for amd64 only",
    ),
    ("cm2network/steamcmd", "SteamCMD is an x86 program"),
    ("steamcmd/steamcmd", "SteamCMD is an x86 program"),
    (
        "selenium/standalone-chrome",
        "Google Chrome has no Linux arm64 build (use selenium/standalone-chromium)",
    ),
    (
        "selenium/node-chrome",
        "Google Chrome has no Linux arm64 build (use selenium/node-chromium)",
    ),
];

/// The single architecture an image runs on, when the image says so, with the reason.
pub fn single_arch(image: &str) -> Option<(&'static str, String)> {
    let r = parse_image(image);
    let repo = r
        .repository
        .strip_prefix("docker.io/")
        .unwrap_or(r.repository);
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    for (known, why) in AMD64_ONLY {
        if repo == *known || repo == known.trim_start_matches("docker.io/") {
            return Some(("amd64", (*why).to_string()));
        }
    }
    let first = repo.split('/').next().unwrap_or("");
    let arch_of_namespace = match first {
        "amd64" => Some("amd64"),
        "arm64v8" | "aarch64" => Some("arm64"),
        "arm32v7" | "arm32v6" | "arm32v5" | "armhf" => Some("arm"),
        _ => None,
    };
    if let Some(a) = arch_of_namespace {
        if repo.contains('/') {
            return Some((a, format!("`{first}/` images are built for {a} only")));
        }
    }
    let last = repo.rsplit('/').next().unwrap_or(repo);
    let tag = r.tag.unwrap_or("");
    for part in [last, tag] {
        let lower = part.to_ascii_lowercase();
        for (suffix, arch) in [
            ("amd64", "amd64"),
            ("x86_64", "amd64"),
            ("x86-64", "amd64"),
            ("arm64v8", "arm64"),
            ("arm64", "arm64"),
            ("aarch64", "arm64"),
            ("arm32v7", "arm"),
            ("armhf", "arm"),
            ("armv7", "arm"),
        ] {
            let Some(stem) = lower.strip_suffix(suffix) else {
                continue;
            };
            if stem.ends_with(['-', '_', '.']) {
                return Some((arch, format!("`{part}` names the {arch} build")));
            }
        }
    }
    if repo == "tensorflow/tensorflow" && tag.contains("gpu") {
        return Some((
            "amd64",
            "TensorFlow's GPU images are built for amd64 only".to_string(),
        ));
    }
    None
}

/// `arm` for 32-bit ARM variants, else the text as is.
pub fn normalize_arch(arch: &str) -> &str {
    match arch {
        "armhf" | "armv7" | "armv7l" | "arm32v7" => "arm",
        "aarch64" | "arm64v8" => "arm64",
        "x86_64" | "x86-64" => "amd64",
        a => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_architecture_images() {
        assert_eq!(
            single_arch("mcr.microsoft.com/mssql/server:2022-latest").map(|a| a.0),
            Some("amd64")
        );
        assert_eq!(single_arch("amd64/nginx:1.27").map(|a| a.0), Some("amd64"));
        assert_eq!(
            single_arch("arm64v8/postgres:16").map(|a| a.0),
            Some("arm64")
        );
        assert_eq!(
            single_arch("registry.k8s.io/pause-amd64:3.1").map(|a| a.0),
            Some("amd64")
        );
        assert_eq!(
            single_arch("example/app:1.0-arm64").map(|a| a.0),
            Some("arm64")
        );
        assert_eq!(single_arch("nginx:1.27").map(|a| a.0), None);
        assert_eq!(
            single_arch("lscr.io/linuxserver/jellyfin:10.10.3").map(|a| a.0),
            None
        );
        assert_eq!(single_arch("example/samd64:1").map(|a| a.0), None);
    }
}
