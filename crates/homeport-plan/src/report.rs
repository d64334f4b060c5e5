//! `homeport plan` output: the contract's JSON shape (extended) and a human table.

use crate::cluster::{format_cpu_millis, format_memory_bytes};
use crate::plan::*;
use homeport_diag::{Diagnostic, SourceMap};
use serde_json::{json, Value};
use std::fmt::Write;

/// The service a planner diagnostic is about (its message names it as ``service `x` ``).
fn diagnostic_service(d: &Diagnostic) -> Option<String> {
    let i = d.message.find("service `")?;
    let rest = &d.message[i + "service `".len()..];
    Some(rest[..rest.find('`')?].to_string())
}

fn exposed(pod: &PodPlan) -> Vec<String> {
    let mut out: Vec<String> = pod
        .ingresses
        .iter()
        .map(|r| {
            format!(
                "{}://{}{}",
                if r.tls { "https" } else { "http" },
                r.host,
                if r.path == "/" { "" } else { &r.path }
            )
        })
        .collect();
    out.extend(
        pod.load_balancer
            .iter()
            .map(|p| format!("{}/{}", p.port, p.protocol.to_ascii_lowercase())),
    );
    out
}

impl Plan {
    /// The pod a Compose service runs in.
    pub fn pod_of(&self, service: &str) -> Option<&PodPlan> {
        self.pods
            .iter()
            .find(|p| p.containers.iter().any(|c| c.service == service))
    }

    pub fn to_json(&self) -> Value {
        self.to_json_with_sources(None)
    }

    /// As [`Plan::to_json`], with file and line of each diagnostic.
    pub fn to_json_with_sources(&self, sources: Option<&SourceMap>) -> Value {
        let mut services = Vec::new();
        for pod in &self.pods {
            for c in &pod.containers {
                let decisions: Vec<Value> = pod
                    .decisions
                    .iter()
                    .filter(|d| {
                        !d.value.contains(": ")
                            || d.value.starts_with(&format!("{}: ", c.service))
                            || c.service == pod.service
                                && !pod.containers.iter().any(|o| {
                                    o.service != c.service
                                        && d.value.starts_with(&format!("{}: ", o.service))
                                })
                    })
                    .map(|d| json!({"topic": d.topic, "value": d.value, "reason": d.reason}))
                    .collect();
                let notes: Vec<&String> = pod
                    .notes
                    .iter()
                    .filter(|n| n.starts_with(&format!("{}: ", c.service)) || !n.contains(": "))
                    .collect();
                services.push(json!({
                    "name": c.service,
                    "namespace": pod.namespace,
                    "pod": pod.name,
                    "workload": pod.workload.as_str(),
                    "replicas": pod.replicas,
                    "nodes": pod.placement.nodes,
                    "security": level_str(pod.level),
                    "exposed": exposed(pod),
                    "role": pod.role.as_str(),
                    "image": c.image,
                    "resources": {
                        "cpu": {"request": format_cpu_millis(c.resources.cpu_request_millis), "limit": c.resources.cpu_limit_millis.map(format_cpu_millis)},
                        "memory": {"request": format_memory_bytes(c.resources.memory_request_bytes), "limit": format_memory_bytes(c.resources.memory_limit_bytes)},
                        "gpu": c.resources.gpu.as_ref().map(|(r, n)| json!({"resource": r, "count": n})),
                    },
                    "preemptible": pod.placement.preemptible,
                    "decisions": decisions,
                    "notes": notes,
                }));
            }
        }
        for s in &self.skipped {
            services.push(json!({
                "name": s.service, "namespace": null, "workload": null, "nodes": [], "security": null,
                "exposed": [], "skipped": true, "notes": [s.reason],
            }));
        }
        let nodes: Vec<Value> = self
            .nodes
            .iter()
            .map(|b| {
                json!({
                    "name": b.name,
                    "cpu": {"allocatable": b.cpu_allocatable_millis.map(format_cpu_millis), "requested": format_cpu_millis(b.cpu_requested_millis)},
                    "memory": {"allocatable": b.memory_allocatable_bytes.map(format_memory_bytes), "requested": format_memory_bytes(b.memory_requested_bytes)},
                    "gpus": {"allocatable": b.gpu_allocatable, "requested": b.gpu_requested},
                    "pods": b.pods,
                })
            })
            .collect();
        let diagnostics: Vec<Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let loc = d.span.and_then(|s| sources.and_then(|m| m.describe(s)));
                json!({
                    "severity": d.severity.as_str(),
                    "code": d.code,
                    "service": diagnostic_service(d),
                    "message": d.message,
                    "file": loc.as_ref().map(|(f, _)| f.clone()),
                    "line": loc.as_ref().map(|(_, l)| l.line),
                    "help": d.help,
                })
            })
            .collect();
        let namespaces: Vec<Value> = self
            .namespaces
            .iter()
            .map(|n| json!({"name": n.name, "security": level_str(n.level), "reason": n.reason}))
            .collect();
        json!({
            "project": self.project,
            "cluster": {"name": self.cluster.name, "kubernetesVersion": self.cluster.kubernetes_version, "default": self.cluster.is_default},
            "namespaces": namespaces,
            "services": services,
            "nodes": nodes,
            "addons": self.addons.iter().map(|a| json!({"name": a.addon.name(), "neededBy": a.needed_by, "reason": a.reason, "provided": a.provided, "how": a.how})).collect::<Vec<Value>>(),
            "images": {
                "lock": self.images.from_lock,
                "registry": self.images.from_registry,
                "knowledgeBase": self.images.from_knowledge_base,
                "built": self.images.built,
                "network": self.images.network,
            },
            "hostPaths": self.host_paths.iter().map(|h| json!({"path": h.path, "source": h.source, "facts": h.facts})).collect::<Vec<Value>>(),
            "production": self.production.to_json(),
            "tenancy": self.tenancy.to_json(),
            "diagnostics": diagnostics,
        })
    }

    /// A human-readable summary: one row per service, the decisions with reasons, node budgets.
    pub fn to_table(&self) -> String {
        let mut rows: Vec<[String; 6]> = vec![[
            "SERVICE".into(),
            "NAMESPACE".into(),
            "WORKLOAD".into(),
            "SECURITY".into(),
            "NODES".into(),
            "EXPOSED".into(),
        ]];
        for pod in &self.pods {
            for c in &pod.containers {
                let workload = if c.service == pod.service {
                    pod.workload.as_str().to_string()
                } else {
                    format!("in pod {}", pod.name)
                };
                let nodes = if pod.placement.nodes.is_empty() {
                    "-".to_string()
                } else {
                    pod.placement.nodes.join(",")
                };
                let ex = exposed(pod);
                rows.push([
                    c.service.clone(),
                    pod.namespace.clone(),
                    workload,
                    level_str(pod.level).to_string(),
                    nodes,
                    if ex.is_empty() || c.service != pod.service {
                        "-".into()
                    } else {
                        ex.join(" ")
                    },
                ]);
            }
        }
        for s in &self.skipped {
            rows.push([
                s.service.clone(),
                "-".into(),
                "not deployed".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
        }
        let mut widths = [0usize; 6];
        for r in &rows {
            for (i, cell) in r.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for r in &rows {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(cell);
                } else {
                    let _ = write!(line, "{:<w$}  ", cell, w = widths[i]);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push_str("\nNAMESPACES\n");
        for n in &self.namespaces {
            let _ = writeln!(
                out,
                "  {:<24} pod-security {:<10} {}",
                n.name,
                level_str(n.level),
                n.reason
            );
        }
        out.push_str("\nDECISIONS\n");
        for pod in &self.pods {
            let _ = writeln!(
                out,
                "  {} ({} {}/{})",
                pod.service,
                pod.workload.as_str(),
                pod.namespace,
                pod.name
            );
            for d in &pod.decisions {
                let _ = writeln!(
                    out,
                    "    {:<18} {}\n    {:<18}   because {}",
                    d.topic, d.value, "", d.reason
                );
            }
            for n in &pod.notes {
                let _ = writeln!(out, "    {:<18} {}", "note", n);
            }
        }
        if !self.skipped.is_empty() {
            out.push_str("\nNOT DEPLOYED\n");
            for s in &self.skipped {
                let _ = writeln!(out, "  {:<20} {}", s.service, s.reason);
            }
        }
        let im = &self.images;
        let _ = writeln!(
            out,
            "\nIMAGES\n  {} from homeport.lock, {} from their registry, {} from the knowledge base only, {} built locally{}",
            im.from_lock,
            im.from_registry,
            im.from_knowledge_base,
            im.built,
            if im.network.is_empty() { String::new() } else { format!(" ({})", im.network) }
        );
        if !self.host_paths.is_empty() {
            out.push_str("\nHOST PATHS\n");
            for h in &self.host_paths {
                let source = if h.source == "lock" {
                    "homeport.lock"
                } else {
                    "this host"
                };
                let _ = writeln!(out, "  {:<30} {} (from {source})", h.path, h.facts);
            }
        }
        out.push_str("\nNODES\n");
        for b in &self.nodes {
            let cpu = match b.cpu_allocatable_millis {
                Some(a) => format!(
                    "{} / {}",
                    format_cpu_millis(b.cpu_requested_millis),
                    format_cpu_millis(a)
                ),
                None => format!("{} / ?", format_cpu_millis(b.cpu_requested_millis)),
            };
            let mem = match b.memory_allocatable_bytes {
                Some(a) => format!(
                    "{} / {}",
                    format_memory_bytes(b.memory_requested_bytes),
                    format_memory_bytes(a)
                ),
                None => format!("{} / ?", format_memory_bytes(b.memory_requested_bytes)),
            };
            let _ = writeln!(
                out,
                "  {:<16} cpu {:<14} memory {:<18} gpu {}/{}  ({} pods)",
                b.name,
                cpu,
                mem,
                b.gpu_requested,
                b.gpu_allocatable,
                b.pods.len()
            );
        }
        if self.cluster.is_default {
            out.push_str(
                "  (built-in single-node cluster: no capacity declared, budgets not checked)\n",
            );
        }
        out.push_str(&self.production.to_table());
        out.push_str(&self.tenancy.to_table());
        if !self.addons.is_empty() {
            out.push_str("\nADD-ONS (cluster side, see `homeport bootstrap`)\n");
            for a in &self.addons {
                let _ = writeln!(
                    out,
                    "  {:<32} {:<12} for {} ({})\n  {:<32} {}",
                    a.addon.name(),
                    if a.provided { "provided" } else { "MISSING" },
                    a.needed_by.join(", "),
                    a.reason,
                    "",
                    a.how
                );
            }
        }
        out
    }
}
