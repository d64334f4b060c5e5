//! `homeport images`: every image of the project with each fact and where it came from
//! (Compose, `homeport.lock`, the registry, the knowledge base).

use crate::resolve::{Resolution, Source};
use homeport_compose::Project;
use homeport_plan::images::{self, DefaultProbe, ImageUser};
use serde::Serialize;
use std::fmt::Write;

/// One fact with its source.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Fact {
    pub value: String,
    pub source: String,
}

/// One image of the project.
#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    pub image: String,
    pub canonical: Option<String>,
    pub services: Vec<String>,
    /// `lock`, `registry` or `knowledge base`.
    pub source: String,
    /// The knowledge-base family (`unknown` when none matches).
    pub family: String,
    pub facts: Vec<(String, Fact)>,
}

fn fact(name: &str, value: impl Into<String>, source: &str) -> (String, Fact) {
    (
        name.to_string(),
        Fact {
            value: value.into(),
            source: source.to_string(),
        },
    )
}

/// The report of every image (services built locally are left out).
pub fn describe(project: &Project, resolution: &Resolution) -> Vec<ImageReport> {
    let mut out = Vec::new();
    for image in crate::project::project_images(project) {
        let services: Vec<&homeport_compose::Service> = project
            .services
            .values()
            .filter(|s| s.build.is_none() && s.image.as_deref() == Some(image.as_str()))
            .collect();
        let source = resolution
            .sources
            .get(&image)
            .copied()
            .unwrap_or(Source::KnowledgeBase);
        let profile = images::lookup(&image);
        let mut facts = Vec::new();
        let compose_user: Vec<String> = services
            .iter()
            .filter_map(|s| s.user.as_ref().map(|u| format!("{}: {u}", s.name)))
            .collect();
        if !compose_user.is_empty() {
            facts.push(fact("user", compose_user.join(", "), "compose"));
        }
        let kb_user = match profile.user {
            ImageUser::NonRoot { uid, gid } => Some(format!("{uid}:{gid}")),
            ImageUser::Root { .. } => Some("root (starts as root)".to_string()),
            ImageUser::Unknown => None,
        };
        match (resolution.facts.get(&image), kb_user) {
            (Some(f), kb) => {
                let src = f.source.as_str();
                let mut user = if f.user.is_empty() {
                    "(empty: root)".to_string()
                } else {
                    f.user.clone()
                };
                if let Some((uid, gid)) = f.user_ids {
                    let _ = write!(user, " = {uid}:{gid} (/etc/passwd)");
                }
                facts.push(fact("user", user, src));
                if let Some(kb) = kb {
                    facts.push(fact("user", format!("runs as {kb}"), "knowledge base"));
                }
                facts.push(fact("digest", f.digest.clone(), src));
                facts.push(fact("ports", list(&f.exposed_ports), src));
                facts.push(fact("volumes", list(&f.volumes), src));
                let hc = f
                    .healthcheck
                    .as_ref()
                    .map_or("-".to_string(), |h| h.test.join(" "));
                facts.push(fact("healthcheck", hc, src));
                facts.push(fact("entrypoint", list(&f.entrypoint), src));
                facts.push(fact("command", list(&f.cmd), src));
                if !f.workdir.is_empty() {
                    facts.push(fact("workdir", f.workdir.clone(), src));
                }
                facts.push(fact("platforms", list(&f.platforms), src));
                let names: Vec<&str> = f
                    .env
                    .iter()
                    .map(|e| e.split('=').next().unwrap_or(e))
                    .collect();
                facts.push(fact("env", names.join(", "), src));
                for (k, v) in &f.labels {
                    if k.starts_with("org.opencontainers.image.") {
                        facts.push(fact(&format!("label {k}"), v.clone(), src));
                    }
                }
            }
            (None, kb) => {
                facts.push(fact(
                    "user",
                    kb.unwrap_or_else(|| "unknown".into()),
                    "knowledge base",
                ));
                if let Some(port) = profile.port {
                    facts.push(fact("ports", format!("{port}/tcp"), "knowledge base"));
                }
                match profile.probe {
                    DefaultProbe::Http(port, path) => facts.push(fact(
                        "healthcheck",
                        format!("HTTP {path} on {port}"),
                        "knowledge base",
                    )),
                    DefaultProbe::Tcp(port) => {
                        facts.push(fact("healthcheck", format!("TCP {port}"), "knowledge base"))
                    }
                    DefaultProbe::None => {}
                }
            }
        }
        let compose_ports: Vec<String> = services
            .iter()
            .flat_map(|s| {
                s.ports
                    .iter()
                    .map(|p| format!("{}/{}", p.target, p.protocol))
            })
            .collect();
        if !compose_ports.is_empty() {
            facts.push(fact("ports", compose_ports.join(", "), "compose"));
        }
        if services.iter().any(|s| s.healthcheck.is_some()) {
            facts.push(fact("healthcheck", "set in Compose (wins)", "compose"));
        }
        out.push(ImageReport {
            canonical: crate::reference::canonical(&image),
            services: services.iter().map(|s| s.name.clone()).collect(),
            source: source.as_str().to_string(),
            family: profile.family.to_string(),
            image,
            facts,
        });
    }
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(" ")
    }
}

/// The human table.
pub fn to_table(reports: &[ImageReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{}  ({}; services: {}; knowledge base: {})",
            r.image,
            r.source,
            r.services.join(", "),
            r.family
        );
        let width = r.facts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, f) in &r.facts {
            let _ = writeln!(out, "  {k:<width$}  {}  [{}]", f.value, f.source);
        }
        out.push('\n');
    }
    if reports.is_empty() {
        out.push_str("no images to resolve (every service is built locally)\n");
    }
    out
}

/// The JSON document.
pub fn to_json(reports: &[ImageReport]) -> serde_json::Value {
    let images: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let facts: Vec<serde_json::Value> = r
                .facts
                .iter()
                .map(|(k, f)| serde_json::json!({"fact": k, "value": f.value, "source": f.source}))
                .collect();
            serde_json::json!({
                "image": r.image,
                "canonical": r.canonical,
                "services": r.services,
                "source": r.source,
                "family": r.family,
                "facts": facts,
            })
        })
        .collect();
    serde_json::json!({ "images": images })
}
