//! Pull secrets: a pod whose image comes from a registry the user's Docker config logs in to
//! (or whose `x-homeport.pullSecret` asks for one) pulls with a `kubernetes.io/dockerconfigjson`
//! Secret, one per registry and namespace. Decided from the registry facts gathered before
//! planning; the credential itself never reaches the plan.

use crate::codes;
use crate::facts::RegistryLogin;
use crate::plan::PodPlan;
use crate::planner::Ctx;
use crate::pull_secrets::{secret_name, PullSecretOrigin, PullSecretPlan};
use homeport_compose::PullSecretHint;
use homeport_diag::Diagnostic;

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan]) -> Vec<PullSecretPlan> {
    let mut secrets: Vec<PullSecretPlan> = Vec::new();
    for pod in pods.iter_mut() {
        let Some(svc) = cx.project.services.get(&pod.service) else {
            continue;
        };
        let hint = cx.hints(svc).pull_secret;
        let span = svc.origin.key;
        match hint {
            Some(PullSecretHint::FromDockerConfig(false)) => {
                pod.decide(
                    "registry",
                    "no pull secret",
                    "x-homeport.pullSecret: false (the images are pulled anonymously)",
                );
                continue;
            }
            Some(PullSecretHint::Existing(name)) => {
                pod.decide(
                    "registry",
                    format!("imagePullSecrets: {name}"),
                    format!("x-homeport.pullSecret names the existing Secret `{name}` (a kubernetes.io/dockerconfigjson Secret you create in namespace {}; homeport writes none)", pod.namespace),
                );
                pod.production.image_pull_secrets = vec![name];
                continue;
            }
            _ => {}
        }
        let required = hint == Some(PullSecretHint::FromDockerConfig(true));
        // The registries of the pod's images, in container order.
        let mut registries: Vec<String> = Vec::new();
        for c in &pod.containers {
            let image = cx
                .project
                .services
                .get(&c.service)
                .and_then(|s| s.image.as_deref());
            if let Some(r) = image.and_then(|i| cx.facts.registry_of(i)) {
                if !registries.iter().any(|x| x == r) {
                    registries.push(r.to_string());
                }
            }
        }
        for registry in registries {
            let origin = match cx.facts.registry_login(&registry) {
                Some(RegistryLogin::Auths) => PullSecretOrigin::DockerConfig,
                Some(RegistryLogin::Helper(h)) => PullSecretOrigin::Helper(h.clone()),
                None => {
                    if required {
                        cx.push(
                            Diagnostic::error(
                                codes::PULL_SECRET_NO_LOGIN,
                                format!("service `{}`: x-homeport.pullSecret is true, but your Docker config has no login for registry `{registry}`", pod.service),
                            )
                            .with_span_opt(span)
                            .with_help(format!("run `docker login {registry}` (DOCKER_CONFIG or ~/.docker/config.json is read), or name an existing kubernetes.io/dockerconfigjson Secret: `pullSecret: NAME`")),
                        );
                    }
                    continue;
                }
            };
            if let PullSecretOrigin::Helper(h) = &origin {
                if registry == "docker.io" && !required {
                    // Docker Desktop's `credsStore` records a Docker Hub login for everyone:
                    // public images pull anonymously, so no Secret to fill by hand.
                    pod.decide(
                        "registry",
                        "no pull secret for docker.io",
                        format!("your Docker config logs in to Docker Hub through `docker-credential-{h}`, which homeport does not run: the image is pulled anonymously; `x-homeport.pullSecret: true` writes a Secret for you to fill, or `pullSecret: NAME` uses one you made"),
                    );
                    continue;
                }
            }
            let existing = secrets
                .iter()
                .position(|s| s.namespace == pod.namespace && s.registry == registry);
            let index = match existing {
                Some(i) => i,
                None => {
                    let mut name = secret_name(&registry);
                    // Two registries with the same DNS form: number the later one.
                    let mut n = 2;
                    while secrets
                        .iter()
                        .any(|s| s.namespace == pod.namespace && s.name == name)
                    {
                        name = format!("{}-{n}", secret_name(&registry));
                        n += 1;
                    }
                    if let PullSecretOrigin::Helper(h) = &origin {
                        cx.push(
                            Diagnostic::warning(
                                codes::PULL_SECRET_NEEDS_DATA,
                                format!("the Secret `{name}` (namespace {}) for registry `{registry}` is written without a credential: your Docker config keeps that login in the credential helper `docker-credential-{h}`, which homeport does not run", pod.namespace),
                            )
                            .with_span_opt(span)
                            .with_help(format!("create it yourself: kubectl create secret docker-registry {name} -n {} --docker-server={registry} --docker-username=... --docker-password=... (or put the credential in `auths` with `docker login` without a helper and convert again)", pod.namespace)),
                        );
                    }
                    secrets.push(PullSecretPlan {
                        name,
                        namespace: pod.namespace.clone(),
                        registry: registry.clone(),
                        origin: origin.clone(),
                        pods: Vec::new(),
                    });
                    secrets.len() - 1
                }
            };
            let s = &mut secrets[index];
            s.pods.push(pod.name.clone());
            let why = match &origin {
                PullSecretOrigin::DockerConfig => format!("your Docker config logs in to {registry} (`auths`): the image is private or rate-limited there; `x-homeport.pullSecret: false` pulls anonymously"),
                PullSecretOrigin::Helper(h) => format!("your Docker config logs in to {registry} through `docker-credential-{h}`: you supply the Secret's data"),
            };
            pod.decide("registry", format!("imagePullSecrets: {}", s.name), why);
            if !pod.production.image_pull_secrets.contains(&s.name) {
                pod.production.image_pull_secrets.push(s.name.clone());
            }
        }
    }
    secrets
}
