//! The registries a project's images come from and how the user's Docker config logs in to
//! each, gathered before planning: the planner gets the registry hosts and the kind of
//! login ([`homeport_plan::facts::Facts::registry_logins`]), never a credential; the
//! renderer gets the `.dockerconfigjson` of each pull secret ([`pull_credentials`]).

use crate::credentials::{Credentials, RegistryLogin};
use crate::reference;
use homeport_compose::Project;
use homeport_plan::facts::Facts;
use std::collections::BTreeMap;

/// Fill `facts.image_registries` (every service image, built ones included: they are
/// pushed to and pulled from their registry) and `facts.registry_logins`.
pub fn gather_registry_facts(project: &Project, credentials: &Credentials, facts: &mut Facts) {
    for svc in project.services.values() {
        let Some(image) = &svc.image else { continue };
        let Some(parsed) = reference::parse(image) else {
            continue;
        };
        let registry = parsed.registry().to_string();
        if let Some(login) = credentials.login(&registry) {
            facts.registry_logins.insert(registry.clone(), login);
        }
        facts.image_registries.insert(image.clone(), registry);
    }
}

/// Registry -> the `.dockerconfigjson` for it, for every registry whose login is an `auths`
/// credential.
pub fn pull_credentials(facts: &Facts, credentials: &Credentials) -> BTreeMap<String, Vec<u8>> {
    facts
        .registry_logins
        .iter()
        .filter(|(_, login)| **login == RegistryLogin::Auths)
        .filter_map(|(registry, _)| {
            Some((registry.clone(), credentials.docker_config_json(registry)?))
        })
        .collect()
}
