//! Every diagnostic about a service points into that service: for each compose file of the
//! repository's stacks and of the shared corpus, `plan --format json` is read, and each
//! diagnostic naming a service must carry a file and line, and when that file defines the
//! service under `services:`, the line must lie in the service's block (or in a top-level
//! block outside `services:`, such as an `x-` anchor the service merges). A line past the
//! service (the next service's key) is what a position taken from an empty YAML value gives.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::*;

fn compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            compose_files(&path, out);
        } else {
            let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
            if name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml")) {
                out.push(path);
            }
        }
    }
}

/// The key of a `key:` line (quotes stripped), if the line is one.
fn key_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let (k, _) = t.split_once(':')?;
    let k = k.trim().trim_matches(|c| c == '"' || c == '\'');
    (!k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    .then_some(k)
}

/// Layout of a compose file: each service's line range under `services:`, and the
/// top-level key that each line belongs to.
struct Layout {
    services: BTreeMap<String, (usize, usize)>,
    top: Vec<Option<String>>,
}

fn layout(text: &str) -> Layout {
    let mut services: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut top = vec![None];
    let mut current_top: Option<String> = None;
    let mut indent: Option<usize> = None;
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let content = line.trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            top.push(current_top.clone());
            continue;
        }
        let ind = content.len() - trimmed.len();
        if ind == 0 {
            current_top = key_of(content).map(str::to_string);
            indent = None;
            current = None;
        } else if current_top.as_deref() == Some("services") {
            let svc_indent = *indent.get_or_insert(ind);
            if ind == svc_indent {
                current = key_of(content).map(str::to_string);
                if let Some(c) = &current {
                    services.entry(c.clone()).or_insert((n, n));
                }
            }
            if let Some(c) = &current {
                if let Some(range) = services.get_mut(c) {
                    range.1 = n;
                }
            }
        }
        top.push(current_top.clone());
    }
    Layout { services, top }
}

/// Diagnostics of one compose file that point outside the service they name.
fn misplaced(compose: &Path, plan: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut layouts: BTreeMap<String, Option<Layout>> = BTreeMap::new();
    for d in plan["diagnostics"].as_array().into_iter().flatten() {
        let Some(service) = d["service"].as_str() else {
            continue;
        };
        let code = d["code"].as_str().unwrap_or("");
        let (Some(file), Some(line)) = (d["file"].as_str(), d["line"].as_u64()) else {
            out.push(format!(
                "{}: {code} about `{service}` has no file:line: {}",
                compose.display(),
                d["message"]
            ));
            continue;
        };
        let layout = layouts
            .entry(file.to_string())
            .or_insert_with(|| std::fs::read_to_string(file).ok().map(|t| layout(&t)));
        let Some(layout) = layout else { continue };
        let Some(&(start, end)) = layout.services.get(service) else {
            continue; // defined in another file (extends, include)
        };
        let line = line as usize;
        if (start..=end).contains(&line) {
            continue;
        }
        if layout.top.get(line).cloned().flatten().as_deref() != Some("services") {
            continue; // an anchor or top-level block the service uses
        }
        out.push(format!(
            "{file}:{line}: {code} about `{service}` (lines {start}-{end}): {}",
            d["message"]
        ));
    }
    out
}

#[test]
fn diagnostics_about_a_service_point_into_that_service() {
    let root = workspace_root();
    let mut files = Vec::new();
    compose_files(&root.join("crates/homeport/tests/stacks"), &mut files);
    compose_files(&root.join("examples"), &mut files);
    compose_files(&homeport_testkit::corpus_dir(), &mut files);
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in &files {
        let out = run(homeport()
            .arg("-f")
            .arg(file)
            .args(["plan", "--format", "json"]));
        let Ok(plan) = serde_json::from_slice::<Value>(&out.stdout) else {
            continue; // refused before planning: input_errors_cli and hostile_cli check those
        };
        seen += plan["diagnostics"].as_array().map_or(0, |d| d.len());
        problems.extend(misplaced(file, &plan));
    }
    assert!(seen >= 100, "only {seen} diagnostics checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_unset_variable_points_at_its_own_key() {
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "services:\n  smtp:\n    image: example/smtp:1\n    environment:\n      SES_REGION:\n  cache:\n    image: memcached:1.6\n",
    )
    .unwrap();
    let out = run(homeport()
        .arg("-f")
        .arg(&compose)
        .args(["plan", "--format", "json"])
        .env_remove("SES_REGION"));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = plan["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap_or("").contains("SES_REGION"))
        .expect("a diagnostic for the unset variable");
    assert_eq!(d["line"], 5, "{d}");
    assert!(misplaced(&compose, &plan).is_empty());
}
