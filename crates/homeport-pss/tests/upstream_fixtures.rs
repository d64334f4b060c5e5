//! Runs the upstream pod-security-admission conformance fixtures
//! (`staging/src/k8s.io/pod-security-admission/test/testdata/{level}/v1.N/{pass,fail}/*.yaml`
//! of kubernetes/kubernetes, Apache-2.0) when `HOMEPORT_PSS_UPSTREAM_DIR` points at a copy of
//! that `testdata` directory; skipped otherwise (the fixtures are not vendored).
//!
//! The copies available to us come from an index that unions the file's whole history,
//! including pre-merge drafts, so a few files contradict the merged policy; those are listed in
//! [`SUPERSEDED`] with the reason and reported, not failed. Unknown check names (checks that
//! were proposed upstream but never merged) only need to produce some violation when they sit
//! in `fail/`; checks of open upstream pull requests ([`UNMERGED_CHECKS`]) are skipped.

use std::path::Path;

use homeport_pss::{evaluate, Level, Version};

/// Fixture versions from pre-merge drafts that the merged upstream policy contradicts:
/// (path under testdata, upstream commit of the copy, why it is superseded).
const SUPERSEDED: &[(&str, &str, &str)] = &[
    (
        "restricted/v1.0/pass/apparmorprofile0.yaml",
        "4cb67517",
        "draft fixtures_apparmor.go had generatePass/generateFail swapped; merged \
         appArmorProfile forbids `unconfined` in any container.apparmor annotation",
    ),
    (
        "baseline/v1.21/pass/apparmorprofile1.yaml",
        "4cb67517",
        "same swapped draft generator as restricted/v1.0/pass/apparmorprofile0.yaml",
    ),
    (
        "restricted/v1.22/pass/dropcapabilities0.yaml",
        "5aa7a3b1",
        "draft `dropCapabilities` check before capabilities_restricted required drop ALL and \
         before the restricted base pod set a seccomp profile",
    ),
    (
        "restricted/v1.22/pass/hostprocess0.yaml",
        "f38845fc",
        "draft restricted base pod without drop ALL / seccompProfile (required from 1.22 / 1.19)",
    ),
    (
        "baseline/v1.34/pass/hostprobesandhostlifecycle1.yaml",
        "33155ee7",
        "KEP-4940 draft allowed loopback hosts; merged check and the PSS docs allow only \
         undefined or \"\" (baseline/v1.35/fail/hostprobesandhostlifecycle4.yaml fails `::1`)",
    ),
    (
        "restricted/v1.34/pass/hostprobesandhostlifecycle2.yaml",
        "db6e76e5",
        "same KEP-4940 loopback draft",
    ),
    (
        "restricted/v1.35/pass/procmount1.yaml",
        "e8bd3f62",
        "draft that relaxed procMount for hostUsers=false at restricted too; merged policy adds \
         procMount_restricted (restricted/v1.35/fail/procmount_restricted0.yaml)",
    ),
];

/// Fixture name stems of checks that exist only in open upstream pull requests, for API
/// fields Kubernetes does not have yet: `ulimits` (KEP-5758, kubernetes#137023),
/// `cgroupoptions` (KEP-5474, kubernetes#137568), `baselinevolumes` (an unmerged rework of the
/// volume checks). Their fixtures are reported and skipped.
const UNMERGED_CHECKS: &[&str] = &["ulimits", "cgroupoptions", "baselinevolumes"];

/// The control a fixture file name is about (current and historical upstream names).
fn control_for(file: &str) -> Option<&'static str> {
    let stem = file
        .trim_end_matches(".yaml")
        .trim_end_matches(|c: char| c.is_ascii_digit());
    Some(match stem {
        "windowshostprocess" | "hostprocess" => "PSS001",
        "hostnamespaces" => "PSS002",
        "privileged" => "PSS003",
        "capabilities_baseline" | "addcapabilities" => "PSS004",
        "hostpathvolumes" | "hostpath" => "PSS005",
        "hostports" => "PSS006",
        "apparmorprofile" => "PSS007",
        "selinuxoptions" | "selinux" => "PSS008",
        "procmount" | "procmount_baseline" => "PSS009",
        "procmount_restricted" => "PSS019",
        "hostprobesandhostlifecycle" => "PSS018",
        "seccompprofile_baseline" | "seccomp_baseline" => "PSS010",
        "sysctls" => "PSS011",
        "allowprivilegeescalation" => "PSS012",
        "restrictedvolumes" => "PSS013",
        "runasnonroot" => "PSS014",
        "runasuser" => "PSS015",
        "seccompprofile_restricted" | "seccomp_restricted" => "PSS016",
        "capabilities_restricted" | "dropcapabilities" => "PSS017",
        _ => return None,
    })
}

/// At the restricted level these restricted controls replace the baseline control (upstream
/// `OverrideCheckIDs`), so a baseline fixture may fail through them instead.
fn replaced_by(code: &str) -> &'static [&'static str] {
    match code {
        "PSS004" => &["PSS017"],
        "PSS005" => &["PSS013"],
        "PSS009" => &["PSS019"],
        "PSS010" => &["PSS016"],
        _ => &[],
    }
}

fn parse(text: &str) -> serde_json::Value {
    homeport_yaml::parse_one(text, homeport_diag::FileId(0))
        .expect("valid yaml")
        .expect("one document")
        .to_json()
}

#[test]
fn upstream_fixtures() {
    let Ok(root) = std::env::var("HOMEPORT_PSS_UPSTREAM_DIR") else {
        eprintln!("HOMEPORT_PSS_UPSTREAM_DIR unset: skipping upstream fixtures");
        return;
    };
    let root = Path::new(&root);
    let mut checked = 0;
    let mut superseded = 0;
    let mut unmerged = 0;
    let mut failures = Vec::new();
    let mut levels: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    levels.sort();
    for level_dir in levels.into_iter().filter(|p| p.is_dir()) {
        let level: Level = level_dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let mut versions: Vec<_> = std::fs::read_dir(&level_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        versions.sort();
        for version_dir in versions {
            let version_text = version_dir
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let version = Version::parse(&version_text).unwrap();
            for expect_pass in [true, false] {
                let dir = version_dir.join(if expect_pass { "pass" } else { "fail" });
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
                files.sort();
                for file in files {
                    let name = file.file_name().unwrap().to_str().unwrap().to_string();
                    let object = parse(&std::fs::read_to_string(&file).unwrap());
                    let got = evaluate(&object, level, version);
                    checked += 1;
                    let where_ = format!(
                        "{level}/{version_text}/{}/{name}",
                        if expect_pass { "pass" } else { "fail" }
                    );
                    let codes: Vec<String> = got
                        .iter()
                        .map(|v| format!("{} {}: {}", v.control.code, v.path_string(), v.message))
                        .collect();
                    let rel = where_.as_str();
                    let stem = name
                        .trim_end_matches(".yaml")
                        .trim_end_matches(|c: char| c.is_ascii_digit());
                    if UNMERGED_CHECKS.contains(&stem) {
                        eprintln!("skipped {rel}: check `{stem}` is not merged upstream");
                        unmerged += 1;
                        continue;
                    }
                    if let Some((_, commit, why)) = SUPERSEDED.iter().find(|(p, _, _)| *p == rel) {
                        eprintln!("superseded {rel} (upstream {commit}): {why}; got {codes:#?}");
                        superseded += 1;
                        continue;
                    }
                    if expect_pass && !got.is_empty() {
                        failures.push(format!("{where_}: expected pass, got {codes:#?}"));
                    }
                    if !expect_pass {
                        match control_for(&name) {
                            Some(code)
                                if !got.iter().any(|v| {
                                    v.control.code == code
                                        || replaced_by(code).contains(&v.control.code)
                                }) =>
                            {
                                failures.push(format!("{where_}: expected {code}, got {codes:#?}"))
                            }
                            None if got.is_empty() => {
                                failures.push(format!("{where_}: expected a violation, got none"))
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    eprintln!("checked {checked} upstream fixtures ({superseded} superseded drafts, {unmerged} of unmerged checks)");
    assert!(
        failures.is_empty(),
        "{} discrepancies:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
