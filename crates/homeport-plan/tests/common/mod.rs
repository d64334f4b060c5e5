//! Builders shared by the planner's tests: hand-built Compose services and projects.

use homeport_compose::*;
use indexmap::IndexMap;

/// A service on the project's default network.
pub fn svc(name: &str, image: &str) -> Service {
    let mut networks = IndexMap::new();
    networks.insert("default".to_string(), ServiceNetwork::default());
    Service {
        name: name.into(),
        dns_name: name.into(),
        image: Some(image.into()),
        networks,
        ..Default::default()
    }
}

/// A project of `services`, with the default network and every named volume they mount.
pub fn project(services: Vec<Service>) -> Project {
    let mut p = Project {
        name: "stack".into(),
        working_dir: "/nonexistent/stack".into(),
        files: vec!["compose.yaml".into()],
        ..Default::default()
    };
    for s in services {
        for m in &s.volumes {
            if m.kind == MountType::Volume {
                if let Some(src) = &m.source {
                    p.volumes.insert(
                        src.clone(),
                        Volume {
                            name: src.clone(),
                            dns_name: src.clone(),
                            ..Default::default()
                        },
                    );
                }
            }
        }
        p.services.insert(s.name.clone(), s);
    }
    p.networks.insert(
        "default".into(),
        Network {
            name: "stack_default".into(),
            dns_name: "default".into(),
            ..Default::default()
        },
    );
    p
}
