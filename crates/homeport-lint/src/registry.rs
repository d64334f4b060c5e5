//! The single table of every rule, in code order.

use crate::rule::{Category, Check, Rule};
use crate::rules::{api_version, meta, networking, placement, rbac, reliability, schema, security};
use homeport_diag::Severity;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The rules written in this crate, in code order (the Pod Security rules come from
/// `homeport_pss` and are put first).
static RULES: &[&Rule] = &[
    &schema::UNKNOWN_FIELD,
    &schema::WRONG_TYPE,
    &schema::MISSING_REQUIRED_FIELD,
    &schema::INVALID_VALUE,
    &schema::UNKNOWN_API_KIND,
    &schema::CUSTOM_RESOURCE_UNCHECKED,
    &api_version::removed_api::RULE,
    &api_version::deprecated_api::RULE,
    &api_version::unstable_api_version::RULE,
    &security::docker_socket_mount::RULE,
    &security::sensitive_host_mount::RULE,
    &security::secret_in_env_value::RULE,
    &security::secret_in_configmap::RULE,
    &security::service_account_token_automount::RULE,
    &security::default_service_account::RULE,
    &security::missing_service_account::RULE,
    &security::deprecated_service_account_field::RULE,
    &security::writable_root_filesystem::RULE,
    &security::run_as_root_allowed::RULE,
    &security::privileged_container::RULE,
    &security::privilege_escalation_allowed::RULE,
    &security::host_network::RULE,
    &security::host_pid::RULE,
    &security::host_ipc::RULE,
    &security::net_raw_not_dropped::RULE,
    &security::unsafe_sysctl::RULE,
    &security::privileged_port::RULE,
    &security::ssh_port::RULE,
    &security::low_user_id::RULE,
    &security::image_not_pinned::RULE,
    &security::secret_as_env_var::RULE,
    &security::default_namespace::RULE,
    &security::ingress_nginx_snippet::RULE,
    &reliability::missing_cpu_request::RULE,
    &reliability::missing_memory_request::RULE,
    &reliability::missing_memory_limit::RULE,
    &reliability::missing_cpu_limit::RULE,
    &reliability::missing_ephemeral_storage::RULE,
    &reliability::missing_readiness_probe::RULE,
    &reliability::missing_liveness_probe::RULE,
    &reliability::identical_probes::RULE,
    &reliability::probe_port_not_declared::RULE,
    &reliability::image_tag_latest::RULE,
    &reliability::image_pull_policy::RULE,
    &reliability::duplicate_env_var::RULE,
    &reliability::selector_mismatch::RULE,
    &reliability::no_pod_anti_affinity::RULE,
    &reliability::missing_pdb::RULE,
    &reliability::pdb_blocks_eviction::RULE,
    &reliability::pdb_selects_nothing::RULE,
    &reliability::pdb_without_policy::RULE,
    &reliability::hpa_target_missing::RULE,
    &reliability::hpa_replicas_conflict::RULE,
    &reliability::hpa_invalid_range::RULE,
    &reliability::cronjob_missing_deadline::RULE,
    &reliability::cronjob_concurrency_policy::RULE,
    &reliability::job_missing_ttl::RULE,
    &reliability::invalid_restart_policy::RULE,
    &reliability::statefulset_service_name::RULE,
    &reliability::invalid_label::RULE,
    &reliability::invalid_port_name::RULE,
    &reliability::service_type_nodeport::RULE,
    &reliability::topology_spread_selects_nothing::RULE,
    &reliability::invalid_quantity::RULE,
    &reliability::invalid_object_name::RULE,
    &networking::service_selects_nothing::RULE,
    &networking::service_target_port_undeclared::RULE,
    &networking::ingress_service_missing::RULE,
    &networking::ingress_service_port_missing::RULE,
    &networking::network_policy_selects_nothing::RULE,
    &networking::pod_not_isolated::RULE,
    &networking::ingress_nginx_body_size::RULE,
    &rbac::wildcard::RULE,
    &rbac::secret_read::RULE,
    &rbac::escalation_verbs::RULE,
    &rbac::pod_exec::RULE,
    &rbac::workload_create::RULE,
    &rbac::cluster_admin_binding::RULE,
    &rbac::default_service_account_binding::RULE,
    &rbac::binding_subject_missing::RULE,
    &rbac::admission_webhook_control::RULE,
    &placement::gpu_without_node_constraint::RULE,
    &placement::node_selector_unsatisfiable::RULE,
    &placement::image_arch_mismatch::RULE,
    &placement::gpu_not_in_cluster::RULE,
    &meta::SUPPRESSION_WITHOUT_REASON,
    &meta::SUPPRESSION_UNKNOWN_CODE,
];

struct Registry {
    rules: Vec<Rule>,
    by_code: HashMap<&'static str, usize>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut rules: Vec<Rule> = homeport_pss::controls().iter().map(pss_rule).collect();
        rules.extend(RULES.iter().map(|r| (*r).clone()));
        let by_code = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
        Registry { rules, by_code }
    })
}

/// A Pod Security control as a rule: code, name and documentation come from `homeport_pss`.
fn pss_rule(c: &'static homeport_pss::Control) -> Rule {
    Rule {
        code: c.code,
        name: c.name,
        category: Category::PodSecurity,
        severity: Severity::Error,
        default_enabled: true,
        summary: c.summary,
        doc: c.doc,
        fix: match c.level {
            homeport_pss::Level::Baseline => "change the pod to meet the baseline level, or label its namespace with a level that allows it (`pod-security.kubernetes.io/enforce: privileged`) and say why",
            _ => "change the pod to meet the restricted level, or check it at `--level baseline` / label its namespace `pod-security.kubernetes.io/enforce: baseline`",
        },
        overlaps: &[],
        needs_cluster: false,
        check: Check::PodSecurity,
    }
}

/// Rules that report some findings at another severity than their default one (the
/// default is listed first by [`reported_severities`]).
const OTHER_SEVERITIES: &[(&str, &[Severity])] = &[
    // Undeclared numeric ports work: informational.
    ("NET002", &[Severity::Info]),
    ("REL009", &[Severity::Info]),
    // An image whose architectures are only guessed from its name: a warning.
    ("PLC003", &[Severity::Warning]),
    // Every Secret of the cluster, granted to a ServiceAccount: an error.
    ("RBC002", &[Severity::Error]),
];

/// The severities a rule's findings can have, its default first. Pod Security controls
/// are errors at the enforce level and warnings at a namespace's `warn`/`audit` level.
pub fn reported_severities(rule: &Rule) -> Vec<Severity> {
    let mut out = vec![rule.severity];
    if rule.category == Category::PodSecurity {
        out.push(Severity::Warning);
    }
    if let Some((_, more)) = OTHER_SEVERITIES.iter().find(|(c, _)| *c == rule.code) {
        out.extend(more.iter().copied());
    }
    out
}

/// Every rule: Pod Security first, then the others in code order.
pub fn all_rules() -> &'static [Rule] {
    &registry().rules
}

/// The rule with this code.
pub fn rule_by_code(code: &str) -> Option<&'static Rule> {
    let r = registry();
    r.by_code.get(code).and_then(|&i| r.rules.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for r in all_rules() {
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(
                r.code.starts_with(r.category.prefix()) && r.code.len() == 6,
                "{} does not fit category {}",
                r.code,
                r.category
            );
            assert!(
                r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{} is not kebab-case",
                r.name
            );
            assert_eq!(rule_by_code(r.code).map(|x| x.name), Some(r.name));
        }
    }

    #[test]
    fn codes_are_in_order_within_each_category() {
        let rules = all_rules();
        for pair in rules.windows(2) {
            if pair[0].category == pair[1].category {
                assert!(
                    pair[0].code < pair[1].code,
                    "{} before {}",
                    pair[0].code,
                    pair[1].code
                );
            }
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for r in all_rules() {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
            ] {
                assert!(r.doc.contains(section), "{} lacks `{section}`", r.code);
            }
            assert!(!r.summary.is_empty(), "{} has no summary", r.code);
            assert!(!r.fix.is_empty(), "{} has no fix line", r.code);
            for code in r.overlaps {
                let other = rule_by_code(code)
                    .unwrap_or_else(|| panic!("{} overlaps unknown {code}", r.code));
                assert_eq!(other.category, Category::PodSecurity);
            }
        }
    }

    #[test]
    fn other_severities_name_existing_rules() {
        for (code, more) in OTHER_SEVERITIES {
            let rule = rule_by_code(code).unwrap_or_else(|| panic!("unknown {code}"));
            assert!(!more.contains(&rule.severity), "{code} repeats its default");
        }
    }

    #[test]
    fn the_pod_security_category_is_exactly_the_pss_controls() {
        let pss: Vec<&str> = all_rules()
            .iter()
            .filter(|r| r.category == Category::PodSecurity)
            .map(|r| r.code)
            .collect();
        let controls: Vec<&str> = homeport_pss::controls().iter().map(|c| c.code).collect();
        assert_eq!(pss, controls);
    }
}
