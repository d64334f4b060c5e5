//! Plan and render never panic, whatever the (already loaded) Compose model holds.

use homeport_compose::*;
use homeport_plan::cluster::Cluster;
use homeport_plan::plan;
use homeport_render::render;
use proptest::prelude::*;

fn service(
    name: String,
    image: String,
    env_value: String,
    label: String,
    target: String,
    mode: String,
) -> Service {
    let mut s = Service {
        name: name.clone(),
        dns_name: homeport_plan::dns_label(&name),
        image: Some(image),
        ..Default::default()
    };
    s.environment.insert(
        "DB_HOST".into(),
        EnvValue {
            value: Some(env_value.clone()),
            ..Default::default()
        },
    );
    s.environment.insert(
        "URL".into(),
        EnvValue {
            value: Some(format!("http://{env_value}")),
            ..Default::default()
        },
    );
    s.labels
        .insert("traefik.http.routers.x.rule".into(), label.clone());
    s.labels.insert("caddy".into(), label);
    s.volumes.push(VolumeMount {
        kind: MountType::Bind,
        source: Some(target.clone()),
        target: target.clone(),
        read_only: false,
        subpath: None,
        options: vec![],
        tmpfs_size_bytes: None,
        span: None,
    });
    s.tmpfs.push(target.clone());
    s.expose.push(env_value);
    s.network_mode = Some(mode);
    s.user = Some(target);
    s.ports.push(Port {
        target: 80,
        published: Some("8080".into()),
        protocol: "tcp".into(),
        ..Default::default()
    });
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn plan_and_render_never_panic(
        names in proptest::collection::vec("[a-zA-Z0-9_.-]{1,12}", 1..4),
        image in ".{0,30}",
        env_value in ".{0,30}",
        label in ".{0,40}",
        target in "/?[a-z/.:]{0,20}",
        mode in prop_oneof![Just("host".to_string()), Just("service:a".to_string()), Just("container:b".to_string()), ".{0,10}"],
    ) {
        let mut project = Project { name: "p".into(), working_dir: "/nonexistent".into(), ..Default::default() };
        for n in names {
            project.services.insert(n.clone(), service(n, image.clone(), env_value.clone(), label.clone(), target.clone(), mode.clone()));
        }
        let p = plan(&project, &Cluster::default_k3s());
        let _ = p.to_json();
        let _ = p.to_table();
        let _ = render(&p, &project);
    }
}
