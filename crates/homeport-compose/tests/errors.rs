//! What users see when a Compose project is wrong: the full rendered diagnostic (code,
//! `file:line:col`, source line, caret, help), snapshot-tested.

use homeport_compose::{load_with, LoadOptions, MemoryFs};
use homeport_diag::{render_human, ColorChoice};

/// Load `files` (paths relative to /p) from memory; render every diagnostic.
fn diagnostics(files: &[(&str, &str)]) -> (bool, String) {
    let mut fs = MemoryFs::new();
    for (path, text) in files {
        fs = fs.with(format!("/p/{path}"), *text);
    }
    let options = LoadOptions {
        cwd: "/p".into(),
        ..LoadOptions::default()
    };
    let loaded = load_with(&options, &fs);
    let rendered = loaded
        .diagnostics
        .iter()
        .map(|d| render_human(d, &loaded.sources, ColorChoice::Never))
        .collect::<Vec<_>>()
        .join("\n");
    (loaded.project.is_some(), rendered)
}

fn errors(files: &[(&str, &str)]) -> String {
    let (loaded, rendered) = diagnostics(files);
    assert!(!loaded, "expected errors, the project loaded:\n{rendered}");
    rendered
}

#[test]
fn invalid_yaml() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n   ports: [80\n"
    )]));
}

#[test]
fn unknown_key_suggests_the_closest_one() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    imagee: nginx\n    image: nginx\n"
    )]));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    ports: \"80:80\"\n    deploy:\n      replicas: many\n"
    )]));
}

#[test]
fn missing_env_file() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    env_file:\n      - web.env\n"
    )]));
}

#[test]
fn undefined_depends_on_service() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    depends_on:\n      - dbb\n  db:\n    image: postgres\n"
    )]));
}

#[test]
fn extends_cycle() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends:\n      service: c\n  c:\n    extends: a\n"
    )]));
}

#[test]
fn required_variable() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in .env}\n"
    )]));
}

#[test]
fn several_problems_are_reported_together() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    prots: [\"80:80\"]\n    volumes:\n      - media:/media\n    restart: sometimes\n  worker:\n    build: .\n    healthcheck:\n      interval: 30\n"
    )]));
}

#[test]
fn missing_side_files_name_the_path_and_the_key() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "include:\n  - other/compose.yaml\nservices:\n  web:\n    extends:\n      file: base.yaml\n      service: web\n    secrets: [key]\nsecrets:\n  key:\n    file: ./key.txt\n"
    )]));
}

#[test]
fn undefined_references() {
    insta::assert_snapshot!(errors(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    links: [api]\n    networks: [front]\n  proxy:\n    image: envoy\n    network_mode: service:web2\n    extends: base\n"
    )]));
}

#[test]
fn warnings_alone_keep_the_model() {
    let (loaded, rendered) = diagnostics(&[(
        "compose.yaml",
        "version: '3.8'\nservices:\n  web:\n    image: nginx:${TAG}\n",
    )]);
    assert!(loaded);
    insta::assert_snapshot!(rendered);
}

#[test]
fn no_compose_file() {
    insta::assert_snapshot!(errors(&[("README.md", "hello")]));
}
