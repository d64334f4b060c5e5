//! The table of controls in code order, and the evaluation that runs them.

use serde_json::Value;

use crate::carrier::locate;
use crate::context::{PodContext, Sink};
use crate::controls::*;
use crate::{Control, Level, Version, Violation};

type CheckFn = fn(&PodContext<'_>, &mut Sink<'_>);

/// A control's check and the baseline controls (by code) it replaces at the restricted level
/// once it applies, like upstream's `OverrideCheckIDs`.
struct Check {
    run: CheckFn,
    overrides: &'static [&'static str],
}

const fn check(run: CheckFn) -> Check {
    Check {
        run,
        overrides: &[],
    }
}

static CONTROLS: [Control; 19] = [
    host_process::CONTROL,
    host_namespaces::CONTROL,
    privileged::CONTROL,
    capabilities_baseline::CONTROL,
    host_path_volumes::CONTROL,
    host_ports::CONTROL,
    apparmor::CONTROL,
    selinux::CONTROL,
    proc_mount::CONTROL,
    seccomp_baseline::CONTROL,
    sysctls::CONTROL,
    privilege_escalation::CONTROL,
    restricted_volumes::CONTROL,
    run_as_non_root::CONTROL,
    run_as_user::CONTROL,
    seccomp_restricted::CONTROL,
    capabilities_restricted::CONTROL,
    probe_host::CONTROL,
    proc_mount_restricted::CONTROL,
];

static CHECKS: [Check; 19] = [
    check(host_process::check),
    check(host_namespaces::check),
    check(privileged::check),
    check(capabilities_baseline::check),
    check(host_path_volumes::check),
    check(host_ports::check),
    check(apparmor::check),
    check(selinux::check),
    check(proc_mount::check),
    check(seccomp_baseline::check),
    check(sysctls::check),
    check(privilege_escalation::check),
    Check {
        run: restricted_volumes::check,
        overrides: restricted_volumes::OVERRIDES,
    },
    check(run_as_non_root::check),
    check(run_as_user::check),
    Check {
        run: seccomp_restricted::check,
        overrides: seccomp_restricted::OVERRIDES,
    },
    Check {
        run: capabilities_restricted::check,
        overrides: capabilities_restricted::OVERRIDES,
    },
    check(probe_host::check),
    Check {
        run: proc_mount_restricted::check,
        overrides: proc_mount_restricted::OVERRIDES,
    },
];

/// Every control, in code order (`PSS001` first).
pub fn controls() -> &'static [Control] {
    &CONTROLS
}

/// The control with this code (`PSS012`), if any.
pub fn control_by_code(code: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.code == code)
}

/// Whether a restricted control that applies at `version` replaces `control`.
fn overridden(control: &Control, level: Level, version: Version) -> bool {
    level == Level::Restricted
        && CONTROLS.iter().zip(CHECKS.iter()).any(|(other, check)| {
            check.overrides.contains(&control.code) && other.applies(level, version)
        })
}

/// Evaluates `object` against the Pod Security Standards at `level` and policy `version`.
///
/// Returns nothing for objects that carry no pod spec (see [`crate::pod_spec_path`]) and for
/// the privileged level. Every container, init container and ephemeral container is
/// checked. Violations come in control order, then in upstream's visiting order (pod-level
/// fields, then init containers, containers, ephemeral containers). Allocates nothing when
/// the object passes.
pub fn evaluate(object: &Value, level: Level, version: Version) -> Vec<Violation> {
    let mut out = Vec::new();
    if level == Level::Privileged {
        return out;
    }
    let Some(located) = locate(object) else {
        return out;
    };
    let ctx = PodContext::new(located, version);
    for (control, check) in CONTROLS.iter().zip(CHECKS.iter()) {
        if !control.applies(level, ctx.version) || overridden(control, level, ctx.version) {
            continue;
        }
        (check.run)(
            &ctx,
            &mut Sink {
                control,
                out: &mut out,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sequential_unique_and_names_are_kebab_case() {
        for (i, control) in controls().iter().enumerate() {
            assert_eq!(control.code, format!("PSS{:03}", i + 1));
            assert!(
                control
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                control.name
            );
            assert!(!control.name.starts_with('-') && !control.name.ends_with('-'));
        }
        let mut names: Vec<_> = controls().iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), controls().len());
    }

    #[test]
    fn the_contract_example_code_is_privilege_escalation() {
        let control = control_by_code("PSS012").expect("PSS012");
        assert_eq!(control.name, "privilege-escalation-allowed");
        assert_eq!(control.upstream_id, "allowPrivilegeEscalation");
        assert_eq!(control.level, Level::Restricted);
        assert!(control_by_code("PSS999").is_none());
    }

    #[test]
    fn every_doc_has_the_sections_in_order() {
        let sections = [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
            "## Versions",
        ];
        for control in controls() {
            let mut from = 0;
            for section in sections {
                let at = control.doc[from..]
                    .find(section)
                    .unwrap_or_else(|| panic!("{}: missing or misplaced {section}", control.code));
                from += at + section.len();
            }
            assert!(!control.summary.is_empty(), "{}", control.code);
        }
    }

    #[test]
    fn overrides_name_baseline_controls_only() {
        for (control, check) in CONTROLS.iter().zip(CHECKS.iter()) {
            for code in check.overrides {
                assert_eq!(control.level, Level::Restricted, "{}", control.code);
                let target = control_by_code(code).expect("override target exists");
                assert_eq!(
                    target.level,
                    Level::Baseline,
                    "{} overrides {code}",
                    control.code
                );
            }
        }
    }

    #[test]
    fn upstream_ids_are_unique() {
        let mut ids: Vec<_> = controls().iter().map(|c| c.upstream_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), controls().len());
    }
}
