//! The plan's list of bind-mounted host paths: what each held and whether that was read on
//! this machine or taken from `homeport.lock`, so a plan made away from the data says so.

use crate::facts::{is_host_system_path, Facts, HostPathFacts, HostPathKind};
use crate::plan::HostPathSummary;
use homeport_compose::Project;
use std::path::Path;

/// One row per host path the facts cover (host system paths left out: they are never read).
pub fn summarize(project: &Project, facts: &Facts) -> Vec<HostPathSummary> {
    facts
        .host
        .iter()
        .filter(|(path, _)| !is_host_system_path(path))
        .map(|(path, f)| HostPathSummary {
            path: shown(project, path),
            source: if f.source.is_empty() {
                "host".into()
            } else {
                f.source.clone()
            },
            facts: describe(f),
        })
        .collect()
}

fn shown(project: &Project, path: &str) -> String {
    match Path::new(path).strip_prefix(&project.working_dir) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => path.to_string(),
    }
}

fn describe(f: &HostPathFacts) -> String {
    if let Some(e) = &f.error {
        return format!("not readable ({e})");
    }
    let mut parts: Vec<String> = vec![match f.kind {
        HostPathKind::Missing => return "missing".into(),
        HostPathKind::File => "file".into(),
        HostPathKind::Directory => "directory".into(),
        HostPathKind::Socket => "socket".into(),
        HostPathKind::Other => "special file".into(),
    }];
    if let (Some(uid), Some(gid)) = (f.uid, f.gid) {
        parts.push(format!("owner {uid}:{gid}"));
    }
    if let Some(mode) = f.mode {
        parts.push(format!("mode {mode:04o}"));
    }
    parts.push(if f.empty {
        "empty".into()
    } else if f.size > 0 {
        format!("{} bytes", f.size)
    } else {
        "not empty".into()
    });
    if let Some(db) = &f.database {
        let at = if db.at.is_empty() {
            String::new()
        } else {
            format!(" in {}/", db.at)
        };
        parts.push(format!("{} data{at}", db.engine.as_str()));
    }
    if let Some(files) = &f.files {
        parts.push(format!("{} configuration file(s)", files.len()));
    }
    parts.join(", ")
}
