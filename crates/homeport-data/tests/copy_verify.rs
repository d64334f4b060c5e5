//! Copy and verify on generated trees: many small files, a large sparse file, hard links,
//! symlinks (dangling too), odd names (newline, tab, non-UTF-8), permissions, owners, ns
//! timestamps, empty directories, a FIFO, xattrs and ACLs.

use homeport_data::{copy, read_manifest, verify, CopyOptions, Difference, Kind};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const SPARSE_SIZE: u64 = 256 << 20;

fn odd_name() -> &'static OsStr {
    OsStr::from_bytes(b"odd\nname\twith %20 and \xff\xfe bytes")
}

fn quiet() -> CopyOptions {
    CopyOptions {
        quiet: true,
        ..CopyOptions::default()
    }
}

fn set_mtime(path: &Path, sec: i64, nsec: i64) {
    let ts = rustix::fs::Timespec {
        tv_sec: sec,
        tv_nsec: nsec as _,
    };
    rustix::fs::utimensat(
        rustix::fs::CWD,
        path,
        &rustix::fs::Timestamps {
            last_access: ts,
            last_modification: ts,
        },
        rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
    )
    .unwrap();
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Whether `dir`'s filesystem takes `user.*` extended attributes.
fn user_xattrs_supported(dir: &Path) -> bool {
    let probe = dir.join(".xattr-probe");
    fs::write(&probe, b"").unwrap();
    let ok = xattr::set(&probe, "user.probe", b"1").is_ok();
    fs::remove_file(&probe).unwrap();
    ok
}

/// The generated tree; returns whether xattrs were set on it.
fn build_tree(root: &Path) -> bool {
    fs::create_dir_all(root.join("small/deeper")).unwrap();
    for i in 0..400 {
        let dir = if i % 2 == 0 { "small" } else { "small/deeper" };
        fs::write(
            root.join(format!("{dir}/f{i:04}")),
            format!("content {i}\n").repeat(i % 7),
        )
        .unwrap();
    }
    // Large sparse file: two data islands in a sea of holes.
    let sparse = fs::File::create(root.join("disk.img")).unwrap();
    sparse.set_len(SPARSE_SIZE).unwrap();
    use std::os::unix::fs::FileExt;
    sparse.write_all_at(b"boot sector", 0).unwrap();
    sparse.write_all_at(&[7u8; 70000], 100 << 20).unwrap();
    drop(sparse);
    // Hard links: three names, one inode.
    fs::write(root.join("original"), b"linked content").unwrap();
    fs::hard_link(root.join("original"), root.join("small/second-name")).unwrap();
    fs::hard_link(root.join("original"), root.join("third-name")).unwrap();
    std::os::unix::fs::symlink("original", root.join("link")).unwrap();
    std::os::unix::fs::symlink("../does/not/exist", root.join("dangling")).unwrap();
    fs::write(root.join(odd_name()), b"odd").unwrap();
    fs::write(root.join("#leading hash"), b"hash").unwrap();
    fs::create_dir(root.join("empty")).unwrap();
    fs::create_dir(root.join("sticky")).unwrap();
    fs::set_permissions(root.join("sticky"), fs::Permissions::from_mode(0o1777)).unwrap();
    fs::write(root.join("secret"), b"s").unwrap();
    fs::set_permissions(root.join("secret"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(root.join("tool"), b"#!/bin/sh\n").unwrap();
    fs::set_permissions(root.join("tool"), fs::Permissions::from_mode(0o4755)).unwrap();
    fs::write(root.join("readonly"), b"r").unwrap();
    fs::set_permissions(root.join("readonly"), fs::Permissions::from_mode(0o444)).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        root.join("pipe"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o640),
        0,
    )
    .unwrap();
    if is_root() {
        std::os::unix::fs::lchown(root.join("secret"), Some(1234), Some(5678)).unwrap();
        std::os::unix::fs::lchown(root.join("dangling"), Some(42), Some(43)).unwrap();
        std::os::unix::fs::lchown(root.join("empty"), Some(1000), Some(1000)).unwrap();
    }
    let xattrs = user_xattrs_supported(root);
    if xattrs {
        xattr::set(root.join("original"), "user.origin", b"camera \x00 raw").unwrap();
        xattr::set(root.join("empty"), "user.note", b"kept").unwrap();
        // A POSIX ACL is the xattr system.posix_acl_access.
        if let Ok(out) = Command::new("setfacl")
            .args(["-m", "u:1000:r"])
            .arg(root.join("secret"))
            .output()
        {
            assert!(out.status.success(), "setfacl failed: {out:?}");
        }
    } else {
        eprintln!(
            "skipping xattrs: {} does not support user.* extended attributes",
            root.display()
        );
    }
    set_mtime(&root.join(odd_name()), 1_000_000_000, 123_456_789);
    set_mtime(&root.join("dangling"), 1_500_000_000, 987_654_321);
    set_mtime(&root.join("empty"), 1_600_000_000, 1);
    xattrs
}

struct Fixture {
    _tmp: tempfile::TempDir,
    src: PathBuf,
    dst: PathBuf,
    manifest: PathBuf,
    xattrs: bool,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir(&src).unwrap();
    let xattrs = build_tree(&src);
    Fixture {
        dst: tmp.path().join("dst"),
        manifest: tmp.path().join("manifest.txt"),
        src,
        xattrs,
        _tmp: tmp,
    }
}

fn copied() -> Fixture {
    let f = fixture();
    let report = copy(&f.src, &f.dst, &f.manifest, &quiet()).unwrap();
    assert_eq!(report.differences, Vec::<Difference>::new());
    f
}

fn differences(f: &Fixture) -> Vec<(String, &'static str)> {
    let manifest = read_manifest(&f.manifest).unwrap();
    verify(&manifest, &f.dst, true)
        .unwrap()
        .into_iter()
        .map(|d| (d.path, d.what))
        .collect()
}

#[test]
fn copy_keeps_everything_and_verifies() {
    let f = copied();
    let manifest = read_manifest(&f.manifest).unwrap();
    // The manifest describes the source: verifying the source against it passes too.
    assert!(verify(&manifest, &f.src, true).unwrap().is_empty());
    assert!(manifest.len() > 400);
    assert!(!f.manifest.with_extension("txt.journal").exists());

    // Content, modes, ns mtimes.
    for name in ["small/deeper/f0013", "tool", "secret", "readonly"] {
        let (a, b) = (f.src.join(name), f.dst.join(name));
        assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap(), "{name}");
        let (ma, mb) = (fs::metadata(&a).unwrap(), fs::metadata(&b).unwrap());
        assert_eq!(ma.mode(), mb.mode(), "{name}");
        assert_eq!(
            (ma.mtime(), ma.mtime_nsec()),
            (mb.mtime(), mb.mtime_nsec()),
            "{name}"
        );
    }
    assert_eq!(
        fs::metadata(f.dst.join("tool")).unwrap().mode() & 0o7777,
        0o4755
    );
    assert_eq!(
        fs::metadata(f.dst.join("sticky")).unwrap().mode() & 0o7777,
        0o1777
    );
    let odd = fs::metadata(f.dst.join(odd_name())).unwrap();
    assert_eq!(
        (odd.mtime(), odd.mtime_nsec()),
        (1_000_000_000, 123_456_789)
    );
    let empty = fs::metadata(f.dst.join("empty")).unwrap();
    assert!(empty.is_dir());
    assert_eq!((empty.mtime(), empty.mtime_nsec()), (1_600_000_000, 1));

    // Symlinks are not followed, dangling ones are kept with their own mtime.
    assert_eq!(
        fs::read_link(f.dst.join("link")).unwrap(),
        Path::new("original")
    );
    let dangling = fs::symlink_metadata(f.dst.join("dangling")).unwrap();
    assert!(dangling.file_type().is_symlink());
    assert_eq!(
        fs::read_link(f.dst.join("dangling")).unwrap(),
        Path::new("../does/not/exist")
    );
    assert_eq!(
        (dangling.mtime(), dangling.mtime_nsec()),
        (1_500_000_000, 987_654_321)
    );

    // Hard links stay one inode.
    let ino = |p: &str| fs::metadata(f.dst.join(p)).unwrap().ino();
    assert_eq!(ino("original"), ino("small/second-name"));
    assert_eq!(ino("original"), ino("third-name"));
    assert_eq!(fs::metadata(f.dst.join("original")).unwrap().nlink(), 3);
    let kinds: Vec<Kind> = manifest
        .iter()
        .filter(|e| e.target == b"original" && e.kind == Kind::HardLink)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.len(), 2);

    // Holes stay holes.
    let sparse = fs::metadata(f.dst.join("disk.img")).unwrap();
    assert_eq!(sparse.len(), SPARSE_SIZE);
    assert!(
        sparse.blocks() * 512 < 4 << 20,
        "sparse copy allocated {} bytes",
        sparse.blocks() * 512
    );

    assert!(fs::symlink_metadata(f.dst.join("pipe"))
        .unwrap()
        .file_type()
        .is_fifo());
    if is_root() {
        let s = fs::metadata(f.dst.join("secret")).unwrap();
        assert_eq!((s.uid(), s.gid()), (1234, 5678));
        let d = fs::symlink_metadata(f.dst.join("dangling")).unwrap();
        assert_eq!((d.uid(), d.gid()), (42, 43));
    } else {
        eprintln!("skipping owner checks: not running as root");
    }
    if f.xattrs {
        assert_eq!(
            xattr::get(f.dst.join("original"), "user.origin")
                .unwrap()
                .as_deref(),
            Some(&b"camera \x00 raw"[..])
        );
        assert_eq!(
            xattr::get(f.dst.join("empty"), "user.note")
                .unwrap()
                .as_deref(),
            Some(&b"kept"[..])
        );
        let acl = |p: &Path| xattr::get(p, "system.posix_acl_access").unwrap();
        assert!(acl(&f.src.join("secret")).is_some());
        assert_eq!(acl(&f.src.join("secret")), acl(&f.dst.join("secret")));
    }
}

use std::os::unix::fs::FileTypeExt;

#[test]
fn verify_lists_every_difference() {
    let f = copied();
    assert!(differences(&f).is_empty());
    // Flip one byte in the middle of a data island of the sparse file, keeping size and mtime.
    let img = f.dst.join("disk.img");
    let before = fs::metadata(&img).unwrap();
    {
        use std::os::unix::fs::FileExt;
        let file = fs::OpenOptions::new().write(true).open(&img).unwrap();
        file.write_all_at(&[8u8], (100 << 20) + 1234).unwrap();
    }
    set_mtime(&img, before.mtime(), before.mtime_nsec());
    fs::remove_file(f.dst.join("small/f0010")).unwrap();
    fs::write(f.dst.join("small/intruder"), b"new").unwrap();
    fs::set_permissions(f.dst.join("readonly"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::remove_file(f.dst.join("link")).unwrap();
    std::os::unix::fs::symlink("elsewhere", f.dst.join("link")).unwrap();
    let mut expected = vec![
        ("disk.img".to_string(), "content"),
        ("link".to_string(), "target"),
        ("readonly".to_string(), "mode"),
        ("small/f0010".to_string(), "missing"),
        ("small/intruder".to_string(), "extra"),
    ];
    if is_root() {
        std::os::unix::fs::lchown(f.dst.join("small/deeper/f0001"), Some(7), None).unwrap();
        expected.push(("small/deeper/f0001".to_string(), "owner"));
    }
    let mut found = differences(&f);
    // The recreated symlink and the changed directory have new mtimes: listed too.
    found.retain(|(_, what)| *what != "mtime");
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn chown_maps_every_owner() {
    if !is_root() {
        eprintln!("skipping --chown: not running as root");
        return;
    }
    let f = fixture();
    let opts = CopyOptions {
        chown: Some((1000, 2000)),
        quiet: true,
        ..CopyOptions::default()
    };
    let report = copy(&f.src, &f.dst, &f.manifest, &opts).unwrap();
    assert!(report.differences.is_empty());
    for e in read_manifest(&f.manifest).unwrap() {
        assert_eq!((e.uid, e.gid), (1000, 2000), "{}", e.display_path());
    }
    let d = fs::symlink_metadata(f.dst.join("dangling")).unwrap();
    assert_eq!((d.uid(), d.gid()), (1000, 2000));
    // setuid survives the chown (mode is set after the owner).
    assert_eq!(
        fs::metadata(f.dst.join("tool")).unwrap().mode() & 0o7777,
        0o4755
    );
}

#[test]
fn bad_input_is_refused_before_anything_is_written() {
    let f = fixture();
    let err = |src: &Path, dst: &Path, m: &Path| copy(src, dst, m, &quiet()).unwrap_err().code();
    let missing = f.src.with_file_name("missing");
    assert_eq!(err(&missing, &f.dst, &f.manifest), "HP1301");
    assert_eq!(
        err(&f.src, &f.src.join("small/inside"), &f.manifest),
        "HP1302"
    );
    assert_eq!(err(&f.src, &f.src, &f.manifest), "HP1302");
    assert!(!f.src.join("small/inside").exists());
    assert_eq!(err(&f.src, &f.dst, &f.dst.join("m.txt")), "HP1311");
    fs::create_dir(&f.dst).unwrap();
    fs::write(f.dst.join("something"), b"x").unwrap();
    assert_eq!(err(&f.src, &f.dst, &f.manifest), "HP1303");
    assert!(!f.manifest.exists());
    assert_eq!(fs::read_dir(&f.dst).unwrap().count(), 1);
}

/// A small tmpfs (root only): not enough space, and a read-only destination.
#[test]
fn full_or_read_only_destinations_are_refused() {
    let f = fixture();
    let mnt = f.src.with_file_name("mnt");
    fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipping no-space and read-only checks: cannot mount a tmpfs here (needs root)");
        return;
    }
    let full = copy(&f.src, &mnt.join("dst"), &f.manifest, &quiet()).map_err(|e| e.code());
    let _ = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&mnt)
        .status();
    let ro = copy(&f.src, &mnt.join("dst"), &f.manifest, &quiet()).map_err(|e| e.code());
    let entries = fs::read_dir(&mnt).map(|d| d.count()).unwrap_or(99);
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(full.err(), Some("HP1305"));
    assert_eq!(ro.err(), Some("HP1304"));
    assert_eq!(entries, 0, "nothing may be written");
    assert!(!f.manifest.exists());
}

mod stream {
    use super::*;
    use homeport_data::stream::{receive, send, ReceiveOptions};

    fn sent(f: &Fixture) -> Vec<u8> {
        let mut bytes = Vec::new();
        send(&f.src, &mut bytes, None).unwrap();
        bytes
    }

    fn receive_into(
        f: &Fixture,
        bytes: &[u8],
    ) -> Result<homeport_data::stream::ReceiveReport, homeport_data::DataError> {
        let opts = ReceiveOptions {
            chown: None,
            quiet: true,
        };
        receive(&mut &bytes[..], &f.dst, &f.manifest, &opts)
    }

    #[test]
    fn a_sent_tree_is_received_identical() {
        let f = fixture();
        let local = f.src.with_file_name("sender-manifest");
        let mut bytes = Vec::new();
        send(&f.src, &mut bytes, Some(&local)).unwrap();
        // Holes are not sent.
        assert!(bytes.len() < 2 << 20, "stream of {} bytes", bytes.len());
        let report = receive_into(&f, &bytes).unwrap();
        assert!(report.differences.is_empty(), "{:?}", report.differences);
        // The receiver's manifest is the sender's: the tree arrived as it left.
        assert_eq!(fs::read(&local).unwrap(), fs::read(&f.manifest).unwrap());
        let sparse = fs::metadata(f.dst.join("disk.img")).unwrap();
        assert!(sparse.blocks() * 512 < 4 << 20);
        let ino = |p: &str| fs::metadata(f.dst.join(p)).unwrap().ino();
        assert_eq!(ino("original"), ino("third-name"));
        assert!(verify(&read_manifest(&local).unwrap(), &f.src, true)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn damaged_or_cut_streams_are_refused() {
        let f = fixture();
        let bytes = sent(&f);
        // One flipped content byte ("content 3" repeated in small/deeper/f0003).
        let at = bytes.windows(9).position(|w| w == b"content 3").unwrap();
        let mut damaged = bytes.clone();
        damaged[at + 8] = b'4';
        let e = receive_into(&f, &damaged).unwrap_err();
        assert_eq!(e.code(), "HP1310", "{e}");
        assert!(e.to_string().contains("BLAKE3"), "{e}");
        let _ = fs::remove_dir_all(&f.dst);
        let e = receive_into(&f, &bytes[..bytes.len() / 2]).unwrap_err();
        assert_eq!(e.code(), "HP1310", "{e}");
        assert!(!f.manifest.exists());
    }

    #[test]
    fn entries_cannot_leave_the_destination() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        fs::create_dir_all(src.join("xx")).unwrap();
        fs::write(src.join("xx/f"), b"escape").unwrap();
        let mut bytes = Vec::new();
        send(&src, &mut bytes, None).unwrap();
        let mut evil = bytes.clone();
        for i in 0..evil.len() - 1 {
            if &evil[i..i + 2] == b"xx" {
                evil[i] = b'.';
                evil[i + 1] = b'.';
            }
        }
        let dst = tmp.path().join("a/dst");
        let opts = ReceiveOptions {
            chown: None,
            quiet: true,
        };
        let e = receive(&mut &evil[..], &dst, &tmp.path().join("m"), &opts).unwrap_err();
        assert_eq!(e.code(), "HP1310", "{e}");
        assert!(!tmp.path().join("a/f").exists());
    }
}

/// A warm copy while the service runs, then a final `--resume` pass at the cutover: only
/// what changed is copied, what the source lost is removed, and DST ends identical.
#[test]
fn final_pass_after_a_warm_copy_moves_only_changes() {
    let f = copied();
    let ino = |p: &str| fs::metadata(f.dst.join(p)).unwrap().ino();
    let untouched = (
        ino("small/f0012"),
        fs::metadata(f.dst.join("small/f0012"))
            .unwrap()
            .ctime_nsec(),
    );
    fs::write(f.src.join("small/f0014"), b"changed after the warm copy").unwrap();
    fs::write(f.src.join("small/new"), b"new").unwrap();
    fs::remove_file(f.src.join("small/f0016")).unwrap();
    fs::remove_dir_all(f.src.join("sticky")).unwrap();
    let opts = CopyOptions {
        resume: true,
        quiet: true,
        ..CopyOptions::default()
    };
    let report = copy(&f.src, &f.dst, &f.manifest, &opts).unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    assert_eq!((report.files_copied, report.removed), (2, 2));
    assert!(report.files_kept > 300);
    let now = (
        ino("small/f0012"),
        fs::metadata(f.dst.join("small/f0012"))
            .unwrap()
            .ctime_nsec(),
    );
    assert_eq!(untouched, now, "an unchanged file was written again");
    assert!(!f.dst.join("sticky").exists() && !f.dst.join("small/f0016").exists());
    assert_eq!(
        fs::read(f.dst.join("small/f0014")).unwrap(),
        b"changed after the warm copy"
    );
    assert!(verify(&read_manifest(&f.manifest).unwrap(), &f.src, true)
        .unwrap()
        .is_empty());
}

/// A fresh ext4 volume has an empty `lost+found`: copying onto it is copying into an empty
/// directory, and verify does not count it as extra.
#[test]
fn a_fresh_filesystems_lost_found_is_not_in_the_way() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst, m) = (
        tmp.path().join("src"),
        tmp.path().join("dst"),
        tmp.path().join("m"),
    );
    fs::create_dir_all(src.join("a")).unwrap();
    fs::write(src.join("a/f"), b"x").unwrap();
    fs::create_dir_all(dst.join("lost+found")).unwrap();
    let report = copy(&src, &dst, &m, &quiet()).unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    fs::write(dst.join("lost+found/#1234"), b"recovered").unwrap();
    assert!(verify(&read_manifest(&m).unwrap(), &dst, true)
        .unwrap()
        .is_empty());
    // Anything else is in the way.
    let other = tmp.path().join("other");
    fs::create_dir_all(other.join("lost+found")).unwrap();
    fs::write(other.join("lost+found/x"), b"x").unwrap();
    assert_eq!(
        copy(&src, &other, &tmp.path().join("m2"), &quiet())
            .unwrap_err()
            .code(),
        "HP1303"
    );
}

/// SRC given as a symlink to the directory (e.g. a volume path through a link): its content is
/// copied, not the link.
#[test]
fn a_source_given_through_a_symlink_is_followed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir_all(real.join("d")).unwrap();
    fs::write(real.join("d/f"), b"x").unwrap();
    std::os::unix::fs::symlink(&real, tmp.path().join("link")).unwrap();
    let (dst, m) = (tmp.path().join("dst"), tmp.path().join("m"));
    let report = copy(&tmp.path().join("link"), &dst, &m, &quiet()).unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    assert!(fs::symlink_metadata(&dst).unwrap().is_dir());
    assert_eq!(fs::read(dst.join("d/f")).unwrap(), b"x");
}
