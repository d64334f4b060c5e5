//! Shared by the bootstrap tests: the inventories written for them, and the files bootstrap
//! makes of them, parsed.
#![allow(dead_code)]

use homeport_bootstrap::Bootstrap;
use homeport_diag::{FileId, SourceMap};
use homeport_plan::cluster::Cluster;
use homeport_plan::Plan;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub const INVENTORIES: [&str; 4] = ["media", "board", "ai-lab", "intel-mini"];

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn inventory_text(name: &str) -> String {
    let path = crate_dir()
        .join("tests/inventories")
        .join(format!("{name}.yaml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn cluster_from(text: &str) -> Cluster {
    let mut sources = SourceMap::new();
    Cluster::from_str("cluster.yaml", text, &mut sources)
        .unwrap_or_else(|d| panic!("inventory does not load: {d:?}"))
}

pub fn cluster(name: &str) -> Cluster {
    cluster_from(&inventory_text(name))
}

/// The bootstrap tree as path -> text.
pub struct Tree {
    pub files: BTreeMap<String, String>,
    pub result: Bootstrap,
}

pub fn tree_of(cluster: &Cluster, plan: Option<&Plan>) -> Tree {
    let result = homeport_bootstrap::bootstrap(cluster, plan, Vec::new())
        .unwrap_or_else(|d| panic!("bootstrap failed: {d:?}"));
    let files = result
        .files
        .iter()
        .map(|f| {
            assert!(
                !f.secret,
                "{} is marked secret: bootstrap writes none",
                f.path
            );
            (
                f.path.clone(),
                String::from_utf8(f.contents.clone()).expect("utf-8"),
            )
        })
        .collect();
    Tree { files, result }
}

pub fn tree(name: &str) -> Tree {
    tree_of(&cluster(name), None)
}

/// Every YAML document of `text` as JSON.
pub fn yaml_docs(text: &str) -> Vec<Value> {
    let docs = homeport_yaml::parse(text, FileId(0), homeport_yaml::Limits::default())
        .unwrap_or_else(|e| panic!("not YAML: {e:?}\n{text}"));
    docs.iter()
        .map(|d| d.to_json())
        .filter(|v| !v.is_null())
        .collect()
}

pub fn yaml(text: &str) -> Value {
    let mut docs = yaml_docs(text);
    assert_eq!(docs.len(), 1, "expected one document:\n{text}");
    docs.remove(0)
}

impl Tree {
    pub fn text(&self, path: &str) -> &str {
        self.files.get(path).unwrap_or_else(|| {
            panic!(
                "{path} not written; files: {:?}",
                self.files.keys().collect::<Vec<_>>()
            )
        })
    }

    /// A node's config.yaml as JSON.
    pub fn config(&self, node: &str) -> Value {
        yaml(self.text(&format!("nodes/{node}/config.yaml")))
    }

    pub fn strings(&self, node: &str, key: &str) -> Vec<String> {
        self.config(node)[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every object of every add-on file.
    pub fn objects(&self) -> Vec<(String, Value)> {
        self.files
            .iter()
            .filter(|(p, _)| p.starts_with("addons/") || p.starts_with("after-addons/"))
            .flat_map(|(p, t)| yaml_docs(t).into_iter().map(move |o| (p.clone(), o)))
            .collect()
    }

    /// The HelmChart named `name`, if written.
    pub fn helm_chart(&self, name: &str) -> Option<Value> {
        self.objects()
            .into_iter()
            .map(|(_, o)| o)
            .find(|o| o["kind"] == "HelmChart" && o["metadata"]["name"] == name)
    }

    /// The HelmChart's valuesContent, parsed.
    pub fn values(&self, name: &str) -> Value {
        let chart = self
            .helm_chart(name)
            .unwrap_or_else(|| panic!("no HelmChart {name}"));
        yaml(
            chart["spec"]["valuesContent"]
                .as_str()
                .expect("valuesContent"),
        )
    }

    pub fn helm_chart_names(&self) -> Vec<String> {
        self.objects()
            .into_iter()
            .filter(|(_, o)| o["kind"] == "HelmChart")
            .filter_map(|(_, o)| o["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    }

    pub fn preflights(&self) -> Vec<(&String, &String)> {
        self.files
            .iter()
            .filter(|(p, _)| p.ends_with("/preflight.sh"))
            .collect()
    }
}
