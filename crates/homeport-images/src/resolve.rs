//! Facts for every image of a project: `homeport.lock` first, then the registries (every
//! image concurrently, each bounded by the timeout), falling back to the knowledge base
//! (no facts) with a warning naming the image and its registry. Never panics, never hangs.

use crate::credentials::Credentials;
use crate::lock::Lock;
use crate::reference;
use crate::registry::{self, RegistryError};
use homeport_plan::facts::ImageFacts;
use oci_client::secrets::RegistryAuth;
use std::collections::BTreeMap;
use std::time::Duration;

/// The default bound on one registry's answers.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Options {
    /// Never open a connection: the lock and the knowledge base only.
    pub offline: bool,
    /// Ask the registries even for images the lock has (`homeport images --update`).
    pub update: bool,
    /// Bound on each registry request, and on each image's whole resolution.
    pub timeout: Duration,
    pub credentials: Credentials,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            offline: false,
            update: false,
            timeout: DEFAULT_TIMEOUT,
            credentials: Credentials::default(),
        }
    }
}

/// Where an image's facts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Lock,
    Registry,
    /// No facts: the planner uses the knowledge base (or conservative defaults).
    KnowledgeBase,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Lock => "lock",
            Source::Registry => "registry",
            Source::KnowledgeBase => "knowledge base",
        }
    }
}

/// An image whose registry could not tell its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub image: String,
    pub registry: String,
    pub message: String,
}

/// The outcome for a project's images.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Reference as written -> facts (source set), for the planner.
    pub facts: BTreeMap<String, ImageFacts>,
    /// Reference as written -> where its facts came from.
    pub sources: BTreeMap<String, Source>,
    /// The lock with what the registries answered added.
    pub lock: Lock,
    pub warnings: Vec<Warning>,
    /// Connections were attempted (false offline or when the lock had everything).
    pub contacted_registries: bool,
}

impl Resolution {
    /// How many images came from each source.
    pub fn counts(&self) -> BTreeMap<Source, usize> {
        let mut out = BTreeMap::new();
        for s in self.sources.values() {
            *out.entry(*s).or_insert(0) += 1;
        }
        out
    }
}

/// Resolve `images` (references as written in Compose; duplicates are fine).
pub fn resolve(images: &[String], lock: &Lock, options: &Options) -> Resolution {
    let mut out = Resolution {
        lock: lock.clone(),
        ..Resolution::default()
    };
    let mut wanted: Vec<(String, String, oci_client::Reference)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for image in images {
        if !seen.insert(image.clone()) {
            continue;
        }
        let Some(parsed) = reference::parse(image) else {
            out.sources.insert(image.clone(), Source::KnowledgeBase);
            if !options.offline {
                out.warnings.push(Warning {
                    image: image.clone(),
                    registry: String::new(),
                    message: "not a valid image reference, so it is not looked up".into(),
                });
            }
            continue;
        };
        let key = parsed.whole();
        // Offline, even --update keeps the lock: nothing better is reachable.
        if !options.update || options.offline {
            if let Some(facts) = lock.images.get(&key) {
                out.facts.insert(
                    image.clone(),
                    ImageFacts {
                        source: Source::Lock.as_str().into(),
                        ..facts.clone()
                    },
                );
                out.sources.insert(image.clone(), Source::Lock);
                continue;
            }
        }
        if options.offline {
            out.sources.insert(image.clone(), Source::KnowledgeBase);
            continue;
        }
        wanted.push((image.clone(), key, parsed));
    }
    if wanted.is_empty() {
        return out;
    }
    out.contacted_registries = true;
    let auths = registry_auths(&wanted, options, &mut out.warnings);
    for (image, key, parsed, result) in fetch_all(wanted, &auths, options) {
        match result {
            Ok(mut facts) => {
                facts.source = String::new();
                out.lock.images.insert(key, facts.clone());
                facts.source = Source::Registry.as_str().into();
                out.facts.insert(image.clone(), facts);
                out.sources.insert(image, Source::Registry);
            }
            Err(e) => {
                // A stale lock entry beats nothing when --update cannot reach the registry.
                if let Some(facts) = lock.images.get(&key) {
                    out.facts.insert(
                        image.clone(),
                        ImageFacts {
                            source: Source::Lock.as_str().into(),
                            ..facts.clone()
                        },
                    );
                    out.sources.insert(image.clone(), Source::Lock);
                } else {
                    out.sources.insert(image.clone(), Source::KnowledgeBase);
                }
                out.warnings.push(Warning {
                    image,
                    registry: parsed.registry().to_string(),
                    message: e,
                });
            }
        }
    }
    out
}

/// Image as written, lock key, reference, facts or the error with its causes.
type Fetched = (
    String,
    String,
    oci_client::Reference,
    Result<ImageFacts, String>,
);

/// The auth for each registry of `wanted`, found once per registry (credential helpers run
/// concurrently, each bounded); a helper's failure is a warning on the first image of its
/// registry.
fn registry_auths(
    wanted: &[(String, String, oci_client::Reference)],
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> BTreeMap<String, RegistryAuth> {
    let mut first_image: BTreeMap<String, String> = BTreeMap::new();
    for (image, _, parsed) in wanted {
        first_image
            .entry(parsed.registry().to_string())
            .or_insert_with(|| image.clone());
    }
    let looked_up: Vec<(String, String, (RegistryAuth, Option<String>))> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = first_image
                .iter()
                .map(|(registry, image)| {
                    let credentials = &options.credentials;
                    let handle = scope.spawn(move || credentials.lookup(registry));
                    (registry.clone(), image.clone(), handle)
                })
                .collect();
            handles
                .into_iter()
                .map(|(registry, image, handle)| {
                    let found = handle.join().unwrap_or_else(|_| {
                        (
                            RegistryAuth::Anonymous,
                            Some("reading the credentials failed; trying anonymously".into()),
                        )
                    });
                    (registry, image, found)
                })
                .collect()
        });
    let mut auths = BTreeMap::new();
    for (registry, image, (auth, warning)) in looked_up {
        if let Some(message) = warning {
            warnings.push(Warning {
                image,
                registry: registry.clone(),
                message,
            });
        }
        auths.insert(registry, auth);
    }
    auths
}

/// At most this many images are asked for at once (all registries together): enough that
/// a 50-image project needs two rounds, few enough not to open a connection per image to
/// a public registry.
const MAX_CONCURRENT: usize = 32;

/// Every image concurrently (at most [`MAX_CONCURRENT`] at once) on one small runtime,
/// through one client: one connection pool, and each registry's `/v2/` challenge asked
/// once. References written differently that name the same image (`redis:7`,
/// `docker.io/library/redis:7`) are fetched once. Each registry's images must all answer
/// within the timeout, counted from the start, so waiting for a turn never stretches it.
fn fetch_all(
    wanted: Vec<(String, String, oci_client::Reference)>,
    auths: &BTreeMap<String, RegistryAuth>,
    options: &Options,
) -> Vec<Fetched> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return wanted
                .into_iter()
                .map(|(i, k, r)| (i, k, r, Err(format!("no async runtime: {e}"))))
                .collect()
        }
    };
    let loopback: Vec<String> = wanted
        .iter()
        .map(|(_, _, r)| r.resolve_registry().to_string())
        .filter(|r| reference::is_loopback(r))
        .collect();
    let client = registry::client(loopback, options.timeout);
    let timeout = options.timeout;
    let mut unique: BTreeMap<String, oci_client::Reference> = BTreeMap::new();
    for (_, key, parsed) in &wanted {
        unique.entry(key.clone()).or_insert_with(|| parsed.clone());
    }
    let fetched: BTreeMap<String, Result<ImageFacts, String>> = runtime.block_on(async {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + timeout;
        let jobs = unique.into_iter().map(|(key, parsed)| {
            let client = &client;
            let auth = auths
                .get(parsed.registry())
                .cloned()
                .unwrap_or(RegistryAuth::Anonymous);
            async move {
                let result = tokio::time::timeout_at(
                    deadline,
                    registry::fetch(client, &parsed, &auth, timeout / 2),
                )
                .await
                .unwrap_or(Err(RegistryError::Timeout(registry::whole_seconds(
                    timeout,
                ))));
                (key, result.map_err(|e| error_chain(&e)))
            }
        });
        futures_util::stream::iter(jobs)
            .buffer_unordered(MAX_CONCURRENT)
            .collect()
            .await
    });
    wanted
        .into_iter()
        .map(|(image, key, parsed)| {
            let result = fetched
                .get(&key)
                .cloned()
                .unwrap_or_else(|| Err("not fetched".into()));
            (image, key, parsed, result)
        })
        .collect()
}

/// An error with its causes (`error sending request: connection refused`), each once.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}
