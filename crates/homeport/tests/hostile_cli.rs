//! Hostile input and faults through the real binary (issue 16): every reproducer of a crash,
//! hang, silent loss or leak, as the user ran it. Each run has a deadline, so a regression to
//! a hang fails the test instead of blocking the suite.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

/// Run homeport in `dir`; kill it and fail if it runs past the deadline.
fn homeport(dir: &Path, args: &[&str]) -> Output {
    homeport_with(dir, args, |_| {})
}

fn homeport_with(dir: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeport"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOMEPORT_OFFLINE", "1")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("COMPOSE_PROJECT_NAME")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    setup(&mut cmd);
    let mut child = cmd.spawn().expect("run homeport");
    // Both pipes are drained while it runs: output larger than a pipe's buffer must not
    // look like a hang.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!(
                "homeport {args:?} did not return within {DEADLINE:?}; stderr: {}",
                text(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    };
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.code().is_some(),
        "homeport {args:?} was killed by a signal (stack overflow?): {stderr}"
    );
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

const COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n";

fn project(compose: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    dir
}

#[test]
fn deep_nesting_is_an_error_on_every_entry_point() {
    let dir = project(COMPOSE);
    let deep = format!("{}1\n", "- ".repeat(25_000));
    std::fs::write(dir.path().join("so.yaml"), &deep).unwrap();
    for args in [
        vec!["lint", "so.yaml"],
        vec!["-f", "so.yaml", "inspect"],
        vec!["--cluster", "so.yaml", "plan"],
    ] {
        let out = homeport(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("nesting is too deep"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn nul_and_control_characters_are_reported_not_truncated() {
    let dir = project(COMPOSE);
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n\0\nspec:\n  containers:\n    - name: a\n      image: x\n      securityContext: {privileged: true}\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let out = homeport(dir.path(), &["lint", "pod.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("U+0000 (NUL)"), "{stderr}");
    assert!(stderr.contains("pod.yaml:5:1"), "{stderr}");

    let compose = "services:\n  web:\n    image: nginx\n    x: \"\u{1b}[31m\"\n";
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("U+001B (ESC)"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "raw ESC reached the terminal: {stderr:?}"
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = project(&format!("\u{feff}{COMPOSE}"));
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let pod = "\u{feff}apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: a\n      image: x\n      securityContext: {privileged: true}\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let out = homeport(dir.path(), &["lint", "pod.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("privileged"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn fifos_and_devices_are_refused_by_name_on_every_read_path() {
    let dir = project(
        "services:\n  web:\n    image: nginx\n    extends:\n      file: fifo.yaml\n      service: base\n",
    );
    mkfifo(&dir.path().join("fifo.yaml"));
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("FIFO (named pipe)"), "{stderr}");

    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    for cluster in ["fifo.yaml", "/dev/zero"] {
        let out = homeport(dir.path(), &["--cluster", cluster, "plan"]);
        assert_eq!(out.status.code(), Some(2), "{cluster}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("not a regular file") && stderr.contains(cluster),
            "{cluster}: {stderr}"
        );
    }
    let out = homeport(
        dir.path(),
        &["lint", "--cluster", "fifo.yaml", "compose.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));

    let lint = dir.path().join("manifests");
    std::fs::create_dir(&lint).unwrap();
    mkfifo(&lint.join("pipe.yaml"));
    std::os::unix::fs::symlink("/dev/zero", lint.join("zero.yaml")).unwrap();
    let out = homeport(dir.path(), &["lint", "manifests"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("pipe.yaml") && stderr.contains("FIFO"),
        "{stderr}"
    );
    assert!(
        stderr.contains("zero.yaml") && stderr.contains("character device"),
        "{stderr}"
    );

    // An env file and a secret file that are not regular files.
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n    env_file: env.fifo\n    secrets: [k]\nsecrets:\n  k:\n    file: /dev/zero\n",
    )
    .unwrap();
    mkfifo(&dir.path().join("env.fifo"));
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    let out = homeport(
        dir.path(),
        &["-f", "compose.yaml", "--env-file", "conf.d", "inspect"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("env file `conf.d` is a directory, not a file"),
        "{}",
        text(&out.stderr)
    );
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("env.fifo") && stderr.contains("FIFO"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("character device"),
        "{stderr}"
    );
}

#[test]
fn an_env_file_that_is_not_utf8_is_an_error_with_its_path() {
    let dir = project("services:\n  web:\n    image: nginx\n    env_file: app.env\n");
    std::fs::write(dir.path().join("app.env"), b"A=1\nB=\xff\xfe\n").unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("app.env") && stderr.contains("not UTF-8") && stderr.contains("line 2"),
        "{stderr}"
    );
    // Located where the project names the file.
    assert!(stderr.contains("--> compose.yaml:4:15"), "{stderr}");
}

#[test]
fn a_failed_write_to_stdout_is_exit_2_and_a_closed_pipe_is_not() {
    let dir = project(COMPOSE);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = homeport_with(dir.path(), &["render"], |cmd| {
        cmd.stdout(full);
    });
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot write the output to stdout"),
        "{}",
        text(&out.stderr)
    );

    // `| head -c 10`: the reader goes away; that is not an error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .current_dir(dir.path())
        .env("HOMEPORT_OFFLINE", "1")
        .args(["render"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

const LEAKY: &str = r#"services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: s3cretpw
    healthcheck:
      test: ["CMD-SHELL", "PGPASSWORD=s3cretpw pg_isready -U postgres"]
  migrate:
    image: postgres:16
    command: ["sh", "-c", "PGPASSWORD=lit3ral psql -h db -c 'select 1'"]
  cache:
    image: redis:7
    command: redis-server --requirepass abc12 --masterauth zz9
    healthcheck:
      test: ["CMD", "redis-cli", "-a", "abc12", "ping"]
  web:
    image: curlimages/curl:8.11.1
    command: ["sh", "-c", "curl -u admin:pw77 http://x/"]
    environment:
      APP_KEY: base64:abcdefgh
      DISCORD_WEBHOOK: https://discord.com/api/webhooks/1/t0ken
      BASIC_AUTH: admin:pw77
      DB_CONN: "Server=db;Password=Zz1;"
      TS_AUTHKEY: tskey-auth-xyz
      WIREGUARD_PRESHARED_KEY: psk0
      HOMEPAGE_VAR_SONARR_KEY: sonarrkey
      VPN_SERVICE_PROVIDER: mullvad
      OPENVPN_USER: vpnuser1
      OPENVPN_PASSWORD: vpnpass1
      JAVA_OPTS: -Xmx512m -Dspring.datasource.password=jvmpw123
      SPRING_APPLICATION_JSON: '{"spring":{"datasource":{"password":"jsonpw12"}}}'
    labels:
      com.example.token: ghp_abcdefghijklmnopqrstuvwxyz0123456789
  api:
    image: example/api:1
    command: ["curl", "-H", "Authorization: Bearer bearer-in-args-1", "http://x"]
    healthcheck:
      test: ["CMD", "curl", "-H", "Authorization: Bearer bearer-in-exec-2", "http://localhost:8080/"]
  probe:
    image: example/probe:1
    healthcheck:
      test: ["CMD-SHELL", "curl -H 'Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0' http://localhost:8080/"]
"#;

const LEAKED: [&str; 19] = [
    "lit3ral",
    "s3cretpw",
    "abc12",
    "zz9",
    "pw77",
    "abcdefgh",
    "t0ken",
    "Zz1",
    "tskey-auth-xyz",
    "psk0",
    "sonarrkey",
    "vpnuser1",
    "vpnpass1",
    "jvmpw123",
    "jsonpw12",
    "ghp_abcdefghijklmnop",
    "bearer-in-args-1",
    "bearer-in-exec-2",
    "eyJhbGciOi",
];

fn assert_no_secret(what: &str, out: &str) {
    for v in LEAKED {
        assert!(!out.contains(v), "{what} shows `{v}`:\n{out}");
    }
}

#[test]
fn plan_inspect_and_render_show_no_secret_value() {
    let dir = project(LEAKY);
    for args in [
        vec!["plan"],
        vec!["plan", "--format", "json"],
        vec!["inspect"],
        vec!["inspect", "--format", "json"],
    ] {
        let out = homeport(dir.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_no_secret(&format!("{args:?}"), &text(&out.stdout));
        assert_no_secret(&format!("{args:?} stderr"), &text(&out.stderr));
    }
    let out = homeport(dir.path(), &["render"]);
    let rendered = text(&out.stdout);
    // Everything outside Secret objects is free of secret values.
    for doc in rendered.split("\n---\n") {
        if !doc.contains("kind: Secret\n") {
            assert_no_secret("render (non-Secret object)", doc);
        }
    }
    assert!(rendered.contains("$(REQUIREPASS)"), "{rendered}");
    assert!(rendered.contains("$(MASTERAUTH)"), "{rendered}");
    assert!(
        rendered.contains("admin:${BASIC_AUTH_PASSWORD}"),
        "{rendered}"
    );
}

#[test]
fn error_excerpts_mask_secret_values_and_cut_long_lines() {
    let dir = project("services:\n  web:\n    image: nginx\n    env_file: app.env\n");
    std::fs::write(
        dir.path().join("app.env"),
        "DB_PASSWORD hunter2xyz\nAPI_TOKEN=${MISSING:?tok-hunter3}\n",
    )
    .unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("app.env:1:1"), "{stderr}");
    assert!(!stderr.contains("hunter2xyz"), "{stderr}");

    let compose = "services:\n  web:\n    image: nginx\n    environment:\n      POSTGRES_PASSWORD: hunter4abc\n      POSTGRES_PASSWORD: hunter5abc\n";
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("duplicate key"), "{stderr}");
    assert!(
        !stderr.contains("hunter4abc") && !stderr.contains("hunter5abc"),
        "{stderr}"
    );

    let long = format!(
        "services:\n  web:\n    image: nginx\n    labels: {{a: {}, b: [}}\n",
        "x".repeat(100_000)
    );
    std::fs::write(dir.path().join("compose.yaml"), long).unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.len() < 2_000,
        "excerpt not cut: {} bytes",
        stderr.len()
    );
    assert!(stderr.contains('…'), "{stderr}");
}

/// Names next to the output directory that are not the output itself.
fn left_beside(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out" && n != "compose.yaml")
        .collect()
}

#[test]
fn convert_killed_at_any_moment_leaves_nothing_the_next_run_does_not_clean() {
    use std::os::unix::fs::PermissionsExt;
    // Many secret files make the staging window wide enough to hit.
    let mut compose = String::from("services:\n");
    for i in 0..40 {
        compose.push_str(&format!(
            "  s{i}:\n    image: nginx:1.27\n    environment:\n      DB_PASSWORD: pw-{i}-secret\n      API_TOKEN: tok-{i}-secret\n"
        ));
    }
    let dir = project(&compose);
    let out = homeport(dir.path(), &["convert", "--out", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let reference = dir.path().join("out");
    let expected_files = walk(&reference);
    // Bounded: a few kills at fixed moments (start-up, loading, planning), then kills timed
    // from the moment staging starts (mid-staging, late staging, around the swap).
    let staging_root = dir.path().join(homeport_write_staging());
    let mut left_staged = 0;
    for round in 0..12u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_homeport"))
            .current_dir(dir.path())
            .env("HOMEPORT_OFFLINE", "1")
            .args(["convert", "--out", "out", "--force"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if round < 4 {
            std::thread::sleep(Duration::from_millis(round * 15));
        } else {
            // Wait (bounded) for this run's staged tree to appear, then a little longer.
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(20)
                && child.try_wait().unwrap().is_none()
                && !std::fs::read_dir(&staging_root)
                    .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.path().join("new").exists())))
            {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis((round - 4) * (round - 4) * 3));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Whatever the moment: anything staged is inside the private, git-ignored staging
        // directory, and the output is either there or recorded to be finished.
        for name in left_beside(dir.path()) {
            assert_eq!(name, homeport_write_staging(), "round {round}: {name} left");
            left_staged += 1;
            let mode = std::fs::metadata(&staging_root)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "round {round}: staging readable by others");
            assert!(staging_root.join(".gitignore").is_file(), "round {round}");
        }
        // The next run finishes or rolls back, and leaves nothing beside the output.
        let out = homeport(dir.path(), &["convert", "--out", "out", "--force"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            text(&out.stderr)
        );
        assert!(
            left_beside(dir.path()).is_empty(),
            "round {round}: {:?}",
            left_beside(dir.path())
        );
        assert_eq!(walk(&reference), expected_files, "round {round}");
    }
    // The timed kills did land inside a run's staging (else this test proved little).
    assert!(left_staged > 0, "no kill landed while staging");
}

fn homeport_write_staging() -> String {
    ".homeport-staging".to_string()
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn force_refuses_a_directory_homeport_did_not_write() {
    let dir = project(COMPOSE);
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("notes.txt"), "mine").unwrap();
    let out = homeport(dir.path(), &["convert", "--out", "docs", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("homeport did not write it"), "{stderr}");
    assert!(stderr.contains("--replace-unmarked"), "{stderr}");
    assert!(docs.join("notes.txt").exists());
    let out = homeport(
        dir.path(),
        &["convert", "--out", "docs", "--force", "--replace-unmarked"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!docs.join("notes.txt").exists());
}

#[test]
fn inputs_that_should_be_errors_are_errors_that_make_sense() {
    let dir = project("services:\n  web:\n    image: nginx\n    cpus: 1e400\n");
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("too large to represent"), "{stderr}");
    assert!(!stderr.contains("found a number\n"), "{stderr}");

    let out = homeport(
        dir.path(),
        &["--project-directory", "/nonexistent", "inspect"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent` does not exist"));

    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  db:\n    image: postgres:16\n    x-homeport:\n      backup:\n        schedule: \"61 25 * * *\"\n",
    )
    .unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a cron schedule"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        dir.path().join("compose.yaml"),
        "name: ../../tmp/pwn\nservices:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("project name `../../tmp/pwn` is not a valid name; using `tmppwn`"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: !!binary aGVsbG8=\n    command: !!python/object/apply:os.system [ls]\n",
    )
    .unwrap();
    let out = homeport(dir.path(), &["inspect"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unsupported YAML tag `!!binary`"));

    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: x}]}\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    for bad in ["99.99", "2.0", "banana"] {
        let out = homeport(
            dir.path(),
            &["lint", "--kubernetes-version", bad, "pod.yaml"],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).contains("--kubernetes-version"), "{bad}");
    }
}

#[test]
fn an_interrupted_swap_is_finished_even_by_a_run_that_fails_later() {
    let dir = project("services:\n  web: {image: nginx:1.27, bad_key: 1}\n");
    let out_dir = dir.path().join("out");
    // What `kill -9` inside the swap leaves: the old tree moved aside, the new one staged.
    let job = dir.path().join(".homeport-staging/job-1-2-0");
    std::fs::create_dir_all(job.join("new")).unwrap();
    std::fs::create_dir_all(job.join("old")).unwrap();
    std::fs::write(job.join("lock"), "").unwrap();
    std::fs::write(job.join("new/kustomization.yaml"), "resources: []\n").unwrap();
    std::fs::write(
        job.join("target"),
        std::fs::canonicalize(dir.path())
            .unwrap()
            .join("out")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let out = homeport(dir.path(), &["convert", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out_dir.join("kustomization.yaml").is_file());
    assert!(!dir.path().join(".homeport-staging").exists());
}

/// Found by the `inventory` fuzz target: a cluster file holding only an anchored null exited
/// 2 without a message.
#[test]
fn a_null_cluster_file_is_reported() {
    let dir = project(COMPOSE);
    for inventory in ["&a", "~", "null\n"] {
        std::fs::write(dir.path().join("cluster.yaml"), inventory).unwrap();
        let out = homeport(dir.path(), &["--cluster", "cluster.yaml", "plan"]);
        assert_eq!(out.status.code(), Some(2), "{inventory}");
        assert!(
            text(&out.stderr).contains("the cluster file is empty"),
            "{inventory}: {}",
            text(&out.stderr)
        );
    }
}

/// Found by the `inventory` fuzz target (2026-12-05): an empty `spec:` (and empty list items)
/// exited 2 without a message. Every failing cluster file says why.
#[test]
fn an_empty_spec_or_node_in_the_cluster_file_is_reported() {
    let dir = project(COMPOSE);
    let head = "apiVersion: homeport.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: home\n";
    for (body, expected) in [
        ("spec:\n#  ku \n", "missing `spec`"),
        ("spec: ~\n", "missing `spec`"),
        ("spec:\n  nodes:\n    - ~\n", "each node"),
        (
            "spec:\n  nodes:\n    - name: a\n      roles: [control-plane]\n  storage:\n    - ~\n",
            "each storage class",
        ),
    ] {
        let inventory = format!("{head}{body}");
        std::fs::write(dir.path().join("cluster.yaml"), &inventory).unwrap();
        let out = homeport(dir.path(), &["--cluster", "cluster.yaml", "plan"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{inventory}");
        assert!(stderr.contains("error["), "{inventory}: {stderr}");
        assert!(stderr.contains(expected), "{inventory}: {stderr}");
    }
}

#[test]
fn thousands_of_errors_print_the_first_fifty_and_count_the_rest() {
    // 3,000 copies of one key: 2,999 duplicate-key errors.
    let mut compose = String::from("services:\n  web:\n    image: nginx:1.27\n    labels:\n");
    for _ in 0..3_000 {
        compose.push_str("      same: value\n");
    }
    let dir = project(&compose);
    let out = homeport(dir.path(), &["inspect"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 50, "{stderr}");
    assert!(
        stderr.contains("... and 2949 more errors (not shown)"),
        "{stderr}"
    );
}

#[test]
fn a_large_multi_document_lint_report_is_complete_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut text_in = String::new();
    for i in 0..300 {
        text_in.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n  selector:\n    matchLabels: {{app: app{i}}}\n  template:\n    metadata:\n      labels: {{app: app{i}}}\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n---\n"
        ));
    }
    std::fs::write(dir.path().join("many.yaml"), text_in).unwrap();
    // Reports of megabytes: stdout goes to a file (a pipe nobody reads would fill up).
    let lint = |format: &str| -> (Option<i32>, Vec<u8>) {
        let path = dir.path().join(format!("out.{format}"));
        let file = std::fs::File::create(&path).unwrap();
        let out = homeport_with(
            dir.path(),
            &["lint", "--format", format, "many.yaml"],
            |cmd| {
                cmd.stdout(file);
            },
        );
        (out.status.code(), std::fs::read(&path).unwrap())
    };
    let (code, json) = lint("json");
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(v["summary"]["objects"], 300);
    assert!(findings.len() >= 300 * 5, "{}", findings.len());
    assert!(findings
        .iter()
        .any(|f| f["object"]["name"] == "app299" && f["severity"] == "error"));
    let (_, sarif) = lint("sarif");
    let s: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    assert_eq!(
        s["runs"][0]["results"].as_array().unwrap().len(),
        findings.len()
    );
    let (_, plain) = lint("text");
    let plain = text(&plain);
    assert_eq!(plain.matches("--> many.yaml:").count(), findings.len());
    assert!(plain
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .starts_with("300 objects checked"));
}

#[test]
fn glued_and_client_specific_passwords_in_commands_leave_the_deployment() {
    let dir = project(
        "services:\n  db:\n    image: mysql:8\n    command: [\"sh\", \"-c\", \"mysql -uroot -pq7z -e 'select 1'\"]\n  cli:\n    image: redis:7\n    command: [\"redis-cli\", \"-a\", \"zz9\", \"ping\"]\n",
    );
    let out = homeport(dir.path(), &["render"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Only the Secret's own entries may carry the values.
    for value in ["q7z", "zz9"] {
        let outside = stdout.lines().any(|l| {
            let l = l.trim_start();
            l.contains(value)
                && !l.starts_with("MYSQL_PASSWORD:")
                && !l.starts_with("REDIS_PASSWORD:")
        });
        assert!(!outside, "{value} in {stdout}");
    }
    assert!(stdout.contains("-p\"${MYSQL_PASSWORD}\""), "{stdout}");
    assert!(stdout.contains("$(REDIS_PASSWORD)"), "{stdout}");
    let inspect = homeport(dir.path(), &["inspect"]);
    let shown = text(&inspect.stdout);
    assert!(!shown.contains("q7z") && !shown.contains("zz9"), "{shown}");
}

/// `/proc/self/environ` is a "regular file" of size 0 that holds homeport's own environment:
/// named as an env file, a config or a bind-mounted file (directly or through a symlink in
/// the project), it must never end up in the output.
#[cfg(target_os = "linux")]
#[test]
fn kernel_files_are_never_read_into_the_output() {
    let dir =
        project("services:\n  app:\n    image: nginx:1.27\n    env_file: /proc/self/environ\n");
    let out = homeport_with(dir.path(), &["render"], |c| {
        c.env("LEAK_PROBE", "leak-probe-value");
    });
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("it is a file of the kernel's /proc file system"),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("leak-probe-value"));

    let dir = project(
        "services:\n  app:\n    image: nginx:1.27\n    volumes:\n      - ./env.txt:/env.txt:ro\n      - ./conf:/conf:ro\n",
    );
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("env.txt")).unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("conf/environ")).unwrap();
    let out = homeport_with(dir.path(), &["render"], |c| {
        c.env("LEAK_PROBE", "leak-probe-value");
    });
    assert!(
        !text(&out.stdout).contains("leak-probe-value"),
        "{}",
        text(&out.stdout)
    );
    assert!(!text(&out.stderr).contains("leak-probe-value"));
}

#[test]
fn a_nul_byte_in_an_env_file_is_an_error_at_its_position() {
    let dir = project("services:\n  app:\n    image: nginx:1.27\n    env_file: app.env\n");
    std::fs::write(dir.path().join("app.env"), "A=1\nB=x\0C=2\n").unwrap();
    let out = homeport(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("a NUL byte"), "{stderr}");
    assert!(stderr.contains("app.env:2:4"), "{stderr}");
    assert!(out.stdout.is_empty());
}
