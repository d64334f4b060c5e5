//! `homeport plan --format mermaid|dot` and the Mermaid picture in the README that
//! `convert` writes: every inventory node drawn with its marks, each pod on the node the plan
//! placed it, every exposed host, and the allowed network paths, with no edge to an
//! undeclared box.

mod support;

use std::collections::BTreeSet;
use std::process::Command;
use support::{homeport, run, stack_compose};

fn plan(format: &str) -> String {
    let out = run(homeport()
        .arg("-f")
        .arg(stack_compose("media-server"))
        .args(["plan", "--format", format]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Declared box ids and edges (`from`, `to`) of a Mermaid flowchart as homeport writes it.
fn mermaid_graph(text: &str) -> (BTreeSet<String>, Vec<(String, String)>) {
    let mut boxes = BTreeSet::new();
    let mut edges = Vec::new();
    for line in text.lines().skip(1) {
        let line = line.trim();
        if line == "end" {
            continue;
        }
        let id = |s: &str| {
            s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
                .to_string()
        };
        if let Some(rest) = line.strip_prefix("subgraph ") {
            boxes.insert(id(rest));
        } else if let Some((from, to)) = line.split_once("-->").or_else(|| line.split_once("-.->"))
        {
            let from = id(from);
            boxes.insert(from.clone());
            let to = to.rsplit(' ').next().unwrap_or("").to_string();
            edges.push((from, to));
        } else {
            boxes.insert(id(line));
        }
    }
    (boxes, edges)
}

#[test]
fn mermaid_draws_nodes_pods_exposure_and_paths() {
    let text = plan("mermaid");
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    // Every inventory node, with its marks.
    assert!(text.contains("subgraph node_rog_strix[\"rog-strix (amd64, GPU nvidia RTX 2070 SUPER"));
    assert!(text.contains("aorus (amd64, GPU nvidia RTX 5070 Ti, opportunistic)"));
    assert!(text.contains("subgraph node_raspberrypi["));
    assert!(text.contains("subgraph node_pi_nas["));
    // The preemptible GPU transcoder may run on both GPU nodes and is drawn on each.
    assert!(text.contains("pod_media_transcoder_on_rog_strix[\"transcoder<br/>media · Deployment · GPU · preemptible\"]"));
    assert!(text.contains("pod_media_transcoder_on_aorus["));
    // Exposure and an allowed path from the network policies.
    assert!(text.contains(
        "([\"http://tv.home.arpa\"]) -->|\"Ingress :8096\"| pod_media_jellyfin_on_rog_strix"
    ));
    assert!(
        text.contains("pod_media_api_on_rog_strix -.->|\":5432\"| pod_media_postgres_on_rog_strix")
    );
    let (boxes, edges) = mermaid_graph(&text);
    assert!(!edges.is_empty());
    for (from, to) in &edges {
        assert!(boxes.contains(from), "edge from undeclared {from}");
        assert!(boxes.contains(to), "edge to undeclared {to}");
    }
}

#[test]
fn dot_is_a_valid_graphviz_digraph_of_the_same_picture() {
    let text = plan("dot");
    assert!(text.starts_with("digraph homeport {"));
    assert!(text.contains("subgraph cluster_node_aorus {"));
    assert!(text.contains("pod_media_api_on_rog_strix -> pod_media_postgres_on_rog_strix [label=\":5432\", style=dashed];"));
    let Some(dot) = which("dot") else {
        assert!(
            !homeport_testkit::in_ci(),
            "graphviz `dot` is missing under CI (scripts/install-tools installs it)"
        );
        eprintln!("skipping: graphviz `dot` not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.dot");
    std::fs::write(&file, &text).unwrap();
    let out = Command::new(dot).arg("-Tsvg").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(svg.contains("tv.home.arpa"));
}

#[test]
fn convert_puts_the_mermaid_picture_in_the_tree_readme() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    support::convert(&stack_compose("media-server"), &out, &[]);
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    let picture = plan("mermaid");
    assert!(readme.contains(&format!("```mermaid\n{picture}```\n")));
    assert!(readme.contains("kubectl apply -k overlays/prod"));
    // The secret files are named, never their values.
    let secret_files: Vec<String> = support::files_under(&out)
        .into_iter()
        .filter(|f| f.starts_with("base/secrets/"))
        .collect();
    assert!(!secret_files.is_empty());
    for path in secret_files {
        assert!(readme.contains(&format!("* `{path}`")), "{path}");
        let value = std::fs::read_to_string(out.join(&path)).unwrap();
        assert!(
            !readme.contains(value.trim()),
            "README holds the value of {path}"
        );
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(name))
        .find(|p| p.is_file())
}
