//! `homeport data copy/verify` as a user runs them: exit codes, diagnostics, and a copy killed
//! with SIGKILL mid-way then finished with `--resume` without copying complete files again.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn homeport() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_homeport"));
    cmd.env("HOMEPORT_OFFLINE", "1");
    cmd
}

fn run(args: &[&Path]) -> Output {
    homeport().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn verify_exit_codes_and_listing() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst, m) = (
        tmp.path().join("src"),
        tmp.path().join("dst"),
        tmp.path().join("m"),
    );
    fs::create_dir_all(src.join("a")).unwrap();
    fs::write(src.join("a/one"), b"1").unwrap();
    fs::write(src.join("two"), b"2").unwrap();
    let o = run(&[
        Path::new("data"),
        Path::new("copy"),
        &src,
        &dst,
        Path::new("--manifest"),
        &m,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let o = run(&[Path::new("data"), Path::new("verify"), &m, &dst]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    fs::write(dst.join("two"), b"3").unwrap();
    fs::remove_file(dst.join("a/one")).unwrap();
    let o = run(&[Path::new("data"), Path::new("verify"), &m, &dst]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("missing  a/one"), "{out}");
    assert!(out.contains("content  two"), "{out}");
}

#[test]
fn bad_input_is_a_diagnostic_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir(&src).unwrap();
    let m = tmp.path().join("m");
    let o = run(&[
        Path::new("data"),
        Path::new("copy"),
        &tmp.path().join("nope"),
        &tmp.path().join("d"),
        Path::new("--manifest"),
        &m,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("error[HP1301]") && e.contains("help:"), "{e}");
    let o = run(&[
        Path::new("data"),
        Path::new("copy"),
        &src,
        &src.join("x"),
        Path::new("--manifest"),
        &m,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[HP1302]"), "{}", stderr(&o));
    assert!(!src.join("x").exists());
    let o = run(&[
        Path::new("data"),
        Path::new("copy"),
        &src,
        &tmp.path().join("d"),
        Path::new("--manifest"),
        &m,
        Path::new("--chown"),
        Path::new("root"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[Path::new("data"), Path::new("verify"), &src, &src]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error[HP1307]") || stderr(&o).contains("error[HP1308]"),
        "{}",
        stderr(&o)
    );
}

/// (inode, ctime) of every file the journal lists as complete.
fn finished_files(journal: &Path, dst: &Path) -> HashMap<String, (u64, i64, i64)> {
    let text = fs::read_to_string(journal).unwrap_or_default();
    text.lines()
        .filter(|l| l.split('\t').count() == 9)
        .filter_map(|l| l.split('\t').next())
        .filter_map(|p| {
            let m = fs::metadata(dst.join(p)).ok()?;
            Some((p.to_string(), (m.ino(), m.ctime(), m.ctime_nsec())))
        })
        .collect()
}

#[test]
fn killed_copy_resumes_without_copying_finished_files_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst, m) = (
        tmp.path().join("src"),
        tmp.path().join("dst"),
        tmp.path().join("m.txt"),
    );
    let journal = tmp.path().join("m.txt.journal");
    for d in 0..20 {
        let dir = src.join(format!("d{d:02}"));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..50 {
            let fill = (d * 50 + f) as u8;
            fs::write(dir.join(format!("f{f:02}")), vec![fill; 192 * 1024]).unwrap();
        }
    }
    let mut child = homeport()
        .args(["data", "copy", "--quiet", "--manifest"])
        .arg(&m)
        .arg(&src)
        .arg(&dst)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lines = fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines >= 20 || Instant::now() > deadline {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none(),
        "the copy finished before it could be killed; use a bigger tree"
    );
    assert!(!m.exists(), "no manifest after a killed run");
    let finished = finished_files(&journal, &dst);
    assert!(
        finished.len() >= 20 && finished.len() < 1000,
        "{} finished",
        finished.len()
    );

    // Without --resume: refused, nothing touched.
    let o = homeport()
        .args(["data", "copy", "-q", "--manifest"])
        .arg(&m)
        .arg(&src)
        .arg(&dst)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("HP1303") || e.contains("HP1309"), "{e}");

    let o = homeport()
        .args(["data", "copy", "-q", "--resume", "--manifest"])
        .arg(&m)
        .arg(&src)
        .arg(&dst)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    let kept = format!("kept {} complete files", finished.len());
    assert!(e.contains(&kept), "expected `{kept}` in: {e}");
    // Finished files were not written again: same inode, unchanged ctime.
    for (path, before) in &finished {
        let m = fs::metadata(dst.join(path)).unwrap();
        assert_eq!(
            &(m.ino(), m.ctime(), m.ctime_nsec()),
            before,
            "{path} was rewritten"
        );
    }
    assert!(!journal.exists());
    // Identical to the source: the source verifies against the manifest, and so does DST.
    let o = homeport()
        .args(["data", "verify", "-q"])
        .arg(&m)
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = homeport()
        .args(["data", "verify", "-q"])
        .arg(&m)
        .arg(&dst)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// `data send SRC | data receive DST --manifest M`, as the receiver pod runs it.
#[test]
fn send_pipe_receive_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(src.join("sub/empty")).unwrap();
    fs::write(src.join("sub/file"), b"payload").unwrap();
    std::os::unix::fs::symlink("sub/file", src.join("link")).unwrap();
    let bin = env!("CARGO_BIN_EXE_homeport");
    let script = format!(
        "set -o pipefail; '{bin}' data send src --manifest sent.txt | '{bin}' data receive dst --manifest received.txt --chown 1000:1000 -q"
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("dst matches received.txt"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read(src.join("sub/file")).unwrap(),
        fs::read(tmp.path().join("dst/sub/file")).unwrap()
    );
    // The receiver's manifest differs from the sender's only in the mapped owners.
    let sent = fs::read_to_string(tmp.path().join("sent.txt")).unwrap();
    let received = fs::read_to_string(tmp.path().join("received.txt")).unwrap();
    assert_eq!(sent.lines().count(), received.lines().count());
    assert!(
        received
            .lines()
            .skip(1)
            .all(|l| l.contains("\t1000:1000\t")),
        "{received}"
    );
    let o = homeport()
        .args(["data", "verify", "-q", "received.txt", "dst"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
}

const PLAN_COMPOSE: &str = r#"name: media
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
    volumes: [dbdata:/var/lib/postgresql/data]
  app:
    image: ghcr.io/example/app:1.0
    user: "1000:1000"
    volumes:
      - ./uploads:/srv/uploads
      - /mnt/media/photos:/photos
      - /mnt/hdd/cache:/cache
volumes:
  dbdata: {}
"#;

const PLAN_CLUSTER: &str = r#"apiVersion: homeport.dev/v1alpha1
kind: Cluster
metadata:
  name: home
spec:
  storage:
    - name: local-path
      provisioner: local-path
      default: true
    - name: media
      provisioner: static-nfs
      server: nas.home.arpa
      path: /export/media
      capacity: 4Ti
      hostPaths: [/mnt/media]
    - name: hdd
      provisioner: static-local
      node: n1
      path: /mnt/hdd
      hostPaths: [/mnt/hdd]
  nodes:
    - name: n1
      arch: amd64
      cpu: 4
      memory: 8Gi
"#;

#[test]
fn data_plan_lists_sources_destinations_and_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("compose.yaml"), PLAN_COMPOSE).unwrap();
    fs::write(dir.join("cluster.yaml"), PLAN_CLUSTER).unwrap();
    fs::create_dir_all(dir.join("uploads/sub")).unwrap();
    for i in 0..3 {
        fs::write(dir.join(format!("uploads/sub/f{i}")), vec![b'x'; 1000]).unwrap();
    }
    let out_dir = dir.join("out");
    let o = homeport()
        .args(["data", "plan", "--out"])
        .arg(&out_dir)
        .current_dir(dir)
        .env("DB_PASSWORD", "hunter2-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        !text.contains("hunter2-secret"),
        "a secret value leaked:\n{text}"
    );
    let uploads = dir.join("uploads").canonicalize().unwrap();
    // Bind mount with its measured size, to a claim filled by a receiver pod.
    assert!(
        text.contains(&format!(
            "from  bind {}  (3 files, 2.9 KiB)",
            uploads.display()
        )),
        "{text}"
    );
    assert!(text.contains("to    claim media/app-uploads"), "{text}");
    assert!(text.contains("| kubectl -n media exec -i homeport-receive-app-uploads -- /opt/homeport/homeport data receive '/data' --manifest /tmp/app-srv-uploads.manifest --chown 1000:1000"), "{text}");
    // Static NFS and local PersistentVolumes.
    assert!(
        text.contains(
            "to    PersistentVolume media-media-photos: NFS nas.home.arpa:/export/media/photos"
        ),
        "{text}"
    );
    assert!(
        text.contains("to    PersistentVolume media-hdd-cache: local /mnt/hdd/cache on node n1"),
        "{text}"
    );
    // The named volume of the database: dump/restore/row counts; the claim of its StatefulSet.
    assert!(
        text.contains("from  volume media_dbdata at /var/lib/docker/volumes/media_dbdata/_data"),
        "{text}"
    );
    assert!(text.contains("to    claim media/dbdata-db-0"), "{text}");
    assert!(
        text.contains("dump     docker exec -i media-db-1 sh -c"),
        "{text}"
    );
    assert!(
        text.contains("restore  kubectl -n media exec -i statefulset/db -- sh -c"),
        "{text}"
    );
    assert!(text.contains("&& echo \"db: row counts match\""), "{text}");

    let receivers = out_dir.join("receivers");
    let mut names: Vec<String> = fs::read_dir(&receivers)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["media-app-uploads.yaml", "media-dbdata-db-0.yaml"]);
    let db = fs::read_to_string(receivers.join("media-dbdata-db-0.yaml")).unwrap();
    assert!(
        db.contains("kind: PersistentVolumeClaim") && db.contains("name: dbdata-db-0"),
        "{db}"
    );
    // Restricted, schema-valid objects: lint finds no warning or error in them.
    let o = homeport()
        .arg("lint")
        .arg(&receivers)
        .args(["--level", "restricted"])
        .output()
        .unwrap();
    let lint = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{lint}");
    assert!(
        !lint.contains("warning[") && !lint.contains("error["),
        "{lint}"
    );
    for name in &names {
        let yaml = fs::read_to_string(receivers.join(name)).unwrap();
        if homeport_testkit::require_tool(homeport_testkit::Tool::KubernetesValidate).is_some() {
            homeport_testkit::validate_k8s_objects(&yaml, "1.33").unwrap();
        }
    }
}

/// The receiver pod runs as a non-root user; the claim's root directory belongs to root.
#[test]
fn non_root_receiver_keeps_a_claim_root_it_does_not_own() {
    if !running_as_root() || Command::new("runuser").arg("--help").output().is_err() {
        eprintln!("skipping non-root receiver: needs root and runuser to switch to nobody");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let claim = tmp.path().join("claim");
    fs::create_dir_all(tmp.path().join("src/dir")).unwrap();
    fs::write(tmp.path().join("src/dir/file"), b"data").unwrap();
    fs::create_dir(&claim).unwrap();
    fs::set_permissions(&claim, fs::Permissions::from_mode(0o777)).unwrap();
    let bin = env!("CARGO_BIN_EXE_homeport");
    let script = format!(
        "set -o pipefail; '{bin}' data send src | runuser -u nobody -- '{bin}' data receive claim --manifest m --chown 65534:65534 -q"
    );
    let o = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not ours"), "{}", stderr(&o));
    let file = fs::metadata(claim.join("dir/file")).unwrap();
    assert_eq!((file.uid(), file.gid()), (65534, 65534));
    assert_eq!(fs::metadata(&claim).unwrap().uid(), 0);
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

#[test]
fn convert_writes_the_cutover_runbook() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("compose.yaml"), PLAN_COMPOSE).unwrap();
    fs::write(dir.join("cluster.yaml"), PLAN_CLUSTER).unwrap();
    fs::create_dir_all(dir.join("uploads")).unwrap();
    let o = homeport()
        .args(["convert", "--out", "tree"])
        .current_dir(dir)
        .env("DB_PASSWORD", "hunter2-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let book = fs::read_to_string(dir.join("tree/RUNBOOK.md")).unwrap();
    assert!(!book.contains("hunter2-secret"));
    let at = |needle: &str| {
        book.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing:\n{book}"))
    };
    // Writers stop first, then the database moves (dump, stop, apply, wait, restore, counts),
    // then the app (final copy, apply, wait, verified), then rollback and what to keep.
    let order = [
        at("docker compose -p media stop app"),
        at("### 1. db (statefulset/db in media)"),
        at("pg_dumpall"),
        at("docker compose -p media stop db`"),
        at("kubectl apply -k . -l 'app.kubernetes.io/name=db'"),
        at("kubectl -n media rollout status statefulset/db"),
        at("psql -X -q"),
        at("row counts match"),
        at("### 2. app (deployment/app in media)"),
        at("homeport data send '"),
        at("kubectl apply -k . -l 'app.kubernetes.io/name=app'"),
        at("kubectl -n media rollout status deployment/app"),
        at("## Rollback"),
        at("docker compose -p media start db app"),
        at("## Keep until the rollback window ends"),
        at("media_dbdata"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "steps out of order:\n{book}"
    );
    // Same inputs, same bytes.
    let o = homeport()
        .args(["convert", "--out", "tree2"])
        .current_dir(dir)
        .env("DB_PASSWORD", "hunter2-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        book,
        fs::read_to_string(dir.join("tree2/RUNBOOK.md")).unwrap()
    );
}
