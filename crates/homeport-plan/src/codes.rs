//! Diagnostic codes of the planner (HP04xx–HP06xx). Stable: users grep for them.

/// A service left out because `x-homeport.skip` says so.
pub const SKIPPED_BY_HINT: &str = "HP0401";
/// A Docker-socket tool left out; the message names its Kubernetes-native replacement.
pub const DOCKER_SOCKET_TOOL: &str = "HP0402";
/// A reverse proxy left out because the cluster's Ingress controller takes over its job.
pub const REVERSE_PROXY_REPLACED: &str = "HP0403";
/// A Docker socket mount dropped from a service that is otherwise deployed.
pub const DOCKER_SOCKET_DROPPED: &str = "HP0404";
/// `network_mode: service:X` / `container:X` naming a service that is missing or not deployed.
pub const NETWORK_MODE_TARGET: &str = "HP0405";
/// `network_mode` values without a Kubernetes equivalent (`none`, `bridge`, ...).
pub const NETWORK_MODE_OTHER: &str = "HP0406";
/// Host couplings (privileged, host network/PID/IPC, host devices, extra capabilities) without
/// an explicit `x-homeport.security` level and reason.
pub const HOST_COUPLING_UNEXPLAINED: &str = "HP0410";
/// The `x-homeport.security` level is lower than what the service needs.
pub const SECURITY_HINT_TOO_LOW: &str = "HP0411";
/// A capability the image does not need on Kubernetes (knowledge base) is dropped.
pub const CAPABILITY_DROPPED: &str = "HP0412";
/// `network_mode: host` dropped for an image that only uses it for LAN discovery.
pub const HOST_NETWORK_DROPPED: &str = "HP0417";
/// `ipc: host` dropped for an image that only uses it for a large /dev/shm.
pub const HOST_IPC_DROPPED: &str = "HP0418";
/// Unknown image user (no knowledge-base row, no registry facts): run as the image's own
/// user at baseline, never `runAsNonRoot` without a uid.
pub const UNKNOWN_IMAGE_NON_ROOT: &str = "HP0413";
/// A privileged pod moved to its own namespace.
pub const PRIVILEGED_NAMESPACE: &str = "HP0414";
/// `build:` without `image:`: the image must be pushed to a registry.
pub const BUILD_WITHOUT_IMAGE: &str = "HP0415";
/// The image is `latest` or untagged.
pub const LATEST_TAG: &str = "HP0416";
/// A bind mount became a PersistentVolumeClaim: its data must be copied.
pub const BIND_NEEDS_MIGRATION: &str = "HP0420";
/// A bind-mounted file/directory became a ConfigMap (read-only in Kubernetes).
pub const BIND_AS_CONFIGMAP: &str = "HP0421";
/// Existing data whose owner the container cannot run as (owned by root, or by another uid
/// than a root image's): the files must be handed to the container's user.
pub const DATA_OWNER_MISMATCH: &str = "HP0429";
/// A host-published port of a database, cache or queue stays inside the cluster (ClusterIP)
/// unless `x-homeport.expose` asks for it.
pub const DATA_PORT_NOT_EXPOSED: &str = "HP0444";
/// A published port bound to one host address in Compose: the LoadBalancer listens on every
/// node address.
pub const PORT_HOST_IP: &str = "HP0445";
/// A bind-mounted file that does not exist.
pub const BIND_SOURCE_MISSING: &str = "HP0424";
/// A hostPath volume (host agents in a privileged namespace only).
pub const HOST_PATH_USED: &str = "HP0422";
/// A volume shared by several pods with no ReadWriteMany class: pods are co-located.
pub const SHARED_VOLUME_COLOCATED: &str = "HP0423";
/// A device mapping that cannot be translated.
pub const DEVICE_NOT_TRANSLATED: &str = "HP0425";
/// A mount type without a Kubernetes equivalent, or a volume shared across namespaces.
pub const MOUNT_NOT_TRANSLATED: &str = "HP0426";
/// `/etc/localtime` / `/etc/timezone` replaced by `TZ`.
pub const TIMEZONE_AS_ENV: &str = "HP0427";
/// A data service keeps its data on a shared (NFS) static volume.
pub const DATA_SERVICE_ON_SHARED_STORAGE: &str = "HP0428";
/// An environment variable without a value is left out.
pub const ENV_UNSET: &str = "HP0431";
/// A secret or config whose content cannot be read.
pub const SECRET_UNREADABLE: &str = "HP0432";
/// An environment variable name Kubernetes cannot hold in a ConfigMap/Secret key.
pub const ENV_BAD_NAME: &str = "HP0433";
/// A published non-HTTP port becomes a LoadBalancer Service.
pub const LOAD_BALANCER_PORT: &str = "HP0441";
/// A published port bound to a host address (e.g. 127.0.0.1) is not exposed.
pub const PORT_LOCAL_ONLY: &str = "HP0442";
/// A Traefik/Caddy rule that cannot be translated.
pub const ROUTE_NOT_TRANSLATED: &str = "HP0443";
/// The healthcheck is disabled: no probes.
pub const HEALTHCHECK_DISABLED: &str = "HP0450";
/// A healthcheck that needs something dropped in the move (the Docker socket or host, a
/// fixed address, a service left out): not turned into probes.
pub const HEALTHCHECK_UNREACHABLE: &str = "HP0451";
/// A dependency that cannot be waited for (no port, or a completed job).
pub const DEPENDENCY_NOT_WAITED: &str = "HP0452";
/// `depends_on` naming a service that is not deployed.
pub const DEPENDENCY_MISSING: &str = "HP0453";
/// Requests on a node exceed its allocatable CPU or memory.
pub const NODE_OVERCOMMITTED: &str = "HP0461";
/// No node satisfies a service's placement constraints.
pub const NO_NODE_FITS: &str = "HP0462";
/// More GPU consumers than GPUs x sharing replicas.
pub const GPU_OVERSUBSCRIBED: &str = "HP0470";
/// `/dev/dri` without an Intel/AMD GPU in the inventory.
pub const DRI_WITHOUT_GPU: &str = "HP0471";
/// A GPU is requested but no node has one of that vendor.
pub const GPU_NO_NODE: &str = "HP0472";
/// `x-homeport.node` naming a node that is not in the inventory.
pub const UNKNOWN_NODE: &str = "HP0480";
/// A `deploy.placement` constraint that cannot be translated.
pub const PLACEMENT_NOT_TRANSLATED: &str = "HP0481";
/// A Compose key that is not translated (the message says why).
pub const KEY_NOT_TRANSLATED: &str = "HP0490";
/// An unsafe sysctl is dropped.
pub const UNSAFE_SYSCTL: &str = "HP0493";
/// `x-homeport.workload: cronjob` without a schedule.
pub const CRONJOB_WITHOUT_SCHEDULE: &str = "HP0495";
/// Services split across namespaces reach each other through ExternalName Services.
pub const CROSS_NAMESPACE: &str = "HP0501";
/// A service with neither image nor build.
pub const NO_IMAGE: &str = "HP0502";
/// The image's config says it runs as root: kept, at baseline.
pub const IMAGE_RUNS_AS_ROOT: &str = "HP0564";
/// A named user without a known uid: no `runAsNonRoot`, baseline.
pub const IMAGE_NAMED_USER: &str = "HP0565";
/// A volume the image declares that no Compose mount covers: its data is lost on restart.
pub const IMAGE_VOLUME_NOT_MOUNTED: &str = "HP0566";
/// No node of the cluster has an architecture the image exists for.
pub const IMAGE_NO_PLATFORM_NODE: &str = "HP0567";
/// An autoscale/queue hint refused: the workload cannot run several copies, or its max
/// replicas exceed the GPU slots that exist for it.
pub const AUTOSCALE_REFUSED: &str = "HP0510";
/// `autoscale.gpu` without `monitoring` in the inventory: no GPU trigger.
pub const GPU_SCALING_WITHOUT_MONITORING: &str = "HP0511";
/// `x-homeport.queue` whose broker (or its URL) is not found: no queue trigger.
pub const QUEUE_BROKER_MISSING: &str = "HP0512";
/// `x-homeport.backup` on a service that is not a database homeport can dump.
pub const BACKUP_NOT_A_DATABASE: &str = "HP0520";
/// `backups.storage` naming a class the inventory does not have.
pub const BACKUP_STORAGE_UNKNOWN: &str = "HP0521";
/// A registry the Docker config logs in to through a credential helper: its pull secret is
/// written without data, which the user supplies.
pub const PULL_SECRET_NEEDS_DATA: &str = "HP0580";
/// `x-homeport.pullSecret: true` for a registry the Docker config has no login for.
pub const PULL_SECRET_NO_LOGIN: &str = "HP0581";
/// `x-homeport.rbac` grants something lint reports (reading Secrets, creating pods, exec):
/// written as asked, with the lint exception explained.
pub const RBAC_SENSITIVE: &str = "HP0530";
