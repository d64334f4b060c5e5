//! The image knowledge base: ONE table matching image references to what the planner needs
//! to know about them (role, user, capabilities, writable paths, resources, probes, data
//! directory, replacement for Docker-socket tools). Every decision that depends on an image
//! family reads this table; nothing else in the planner matches image names.

/// What an image is for; drives workload kind, storage class, network rules and exposure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Database,
    Cache,
    Queue,
    Search,
    ObjectStore,
    ReverseProxy,
    WebServer,
    DockerSocketTool,
    MetricsExporter,
    LogShipper,
    Monitoring,
    Vpn,
    MediaServer,
    Dns,
    AiInference,
    WebApp,
    Unknown,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Database => "database",
            Role::Cache => "cache",
            Role::Queue => "queue",
            Role::Search => "search",
            Role::ObjectStore => "object-store",
            Role::ReverseProxy => "reverse-proxy",
            Role::WebServer => "web-server",
            Role::DockerSocketTool => "docker-socket-tool",
            Role::MetricsExporter => "metrics-exporter",
            Role::LogShipper => "log-shipper",
            Role::Monitoring => "monitoring",
            Role::Vpn => "vpn",
            Role::MediaServer => "media-server",
            Role::Dns => "dns",
            Role::AiInference => "ai-inference",
            Role::WebApp => "web-app",
            Role::Unknown => "app",
        }
    }

    /// Data services: StatefulSet when they own a volume, reachable only from the services
    /// that reference them, no internet egress.
    pub fn is_data_service(self) -> bool {
        matches!(
            self,
            Role::Database | Role::Cache | Role::Queue | Role::Search | Role::ObjectStore
        )
    }
}

/// The user the image's process runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageUser {
    /// Runs (or can be made to run) as this non-root uid/gid.
    NonRoot { uid: u32, gid: u32 },
    /// Must start as root (entrypoint chowns, drops privileges, or the app needs root).
    /// `caps` are the capabilities it needs on top of `drop: [ALL]`.
    Root { caps: &'static [&'static str] },
    /// Not known offline (unknown image).
    Unknown,
}

/// How to probe the image when the Compose file has no healthcheck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultProbe {
    None,
    Tcp(u16),
    Http(u16, &'static str),
}

/// One row of the knowledge base.
#[derive(Debug, Clone, Copy)]
pub struct ImageProfile {
    /// Family name shown in reasons (`postgres`, `linuxserver.io`, ...).
    pub family: &'static str,
    /// Repository patterns, registry and tag stripped: `postgres`, `linuxserver/*`, `*/gluetun`.
    pub patterns: &'static [&'static str],
    pub role: Role,
    pub user: ImageUser,
    /// Why the user/capability choice is what it is.
    pub security_reason: &'static str,
    pub fs_group: Option<u32>,
    /// The image copes with `readOnlyRootFilesystem: true` given `writable_paths` as emptyDirs.
    pub read_only_root: bool,
    pub writable_paths: &'static [&'static str],
    /// Devices the image needs (`/dev/net/tun`): only possible in a privileged namespace.
    pub devices: &'static [&'static str],
    /// Needs host access (reads /proc, /sys, host logs): a host agent run as a DaemonSet.
    pub host_agent: bool,
    /// Default requests/limits: (cpu millis, memory MiB) request, then limit.
    pub requests: (u64, u64),
    pub limits: (u64, u64),
    /// The port the service listens on (used when the Compose file declares none).
    pub port: Option<u16>,
    /// `port` speaks HTTP (so a published port becomes an Ingress).
    pub http: bool,
    pub probe: DefaultProbe,
    /// Where the image keeps its data (volumeClaimTemplate mount for StatefulSets).
    pub data_dir: Option<&'static str>,
    /// For Docker-socket tools and reverse proxies: what replaces it on Kubernetes.
    pub replacement: Option<&'static str>,
    /// Extra environment the planner sets (name, value).
    pub env: &'static [(&'static str, &'static str)],
    /// Capabilities Compose files commonly add that the image does not need on Kubernetes
    /// (capability, why it is dropped).
    pub optional_caps: &'static [(&'static str, &'static str)],
    /// Why `network_mode: host` is not needed for this image on Kubernetes (then it is
    /// dropped with a note instead of requiring a privileged namespace).
    pub host_network_optional: Option<&'static str>,
    /// Why `ipc: host` is not needed for this image on Kubernetes: it only wants a large
    /// `/dev/shm`, which a memory-backed emptyDir gives (then `ipc: host` is dropped with a
    /// note instead of requiring a privileged namespace).
    pub host_ipc_optional: Option<&'static str>,
}

/// Capabilities s6-overlay images (linuxserver.io and friends) need: start as root, chown
/// their directories (keeping setgid bits), drop to PUID/PGID, and signal and stop the
/// services they supervise, which run as another uid (KILL).
const S6_CAPS: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
];
const S6_REASON: &str = "s6-overlay images start as root to chown their directories and drop to PUID/PGID, then signal and stop the services they supervise; they need CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID and SETUID";

const fn base(family: &'static str, patterns: &'static [&'static str], role: Role) -> ImageProfile {
    ImageProfile {
        family,
        patterns,
        role,
        user: ImageUser::Unknown,
        security_reason: "",
        fs_group: None,
        read_only_root: false,
        writable_paths: &[],
        devices: &[],
        host_agent: false,
        requests: (100, 128),
        limits: (1000, 512),
        port: None,
        http: false,
        probe: DefaultProbe::None,
        data_dir: None,
        replacement: None,
        env: &[],
        optional_caps: &[],
        host_network_optional: None,
        host_ipc_optional: None,
    }
}

const fn nonroot(uid: u32, gid: u32) -> ImageUser {
    ImageUser::NonRoot { uid, gid }
}

/// The knowledge base. First match wins, so specific patterns come before generic ones.
pub static IMAGES: &[ImageProfile] = &[
    // ---- databases ----
    ImageProfile {
        user: nonroot(70, 70),
        security_reason: "the Alpine postgres image runs postgres as uid 70 and needs no root when the data directory is group-writable (fsGroup)",
        fs_group: Some(70),
        read_only_root: true,
        writable_paths: &["/var/run/postgresql", "/tmp"],
        requests: (250, 256),
        limits: (2000, 1024),
        port: Some(5432),
        probe: DefaultProbe::Tcp(5432),
        data_dir: Some("/var/lib/postgresql/data"),
        env: &[("PGDATA", "/var/lib/postgresql/data/pgdata")],
        ..base("postgres (alpine)", &["postgres:alpine"], Role::Database)
    },
    ImageProfile {
        user: nonroot(999, 999),
        security_reason: "the official postgres image runs postgres as uid 999; started as that user with fsGroup 999 it needs no root",
        fs_group: Some(999),
        read_only_root: true,
        writable_paths: &["/var/run/postgresql", "/tmp"],
        requests: (250, 256),
        limits: (2000, 1024),
        port: Some(5432),
        probe: DefaultProbe::Tcp(5432),
        data_dir: Some("/var/lib/postgresql/data"),
        env: &[("PGDATA", "/var/lib/postgresql/data/pgdata")],
        ..base(
            "postgres",
            &[
                "postgres",
                "postgis/postgis",
                "pgvector/pgvector",
                "timescale/timescaledb*",
                "immich-app/postgres",
                "tensorchord/pgvecto-rs",
                "supabase/postgres",
            ],
            Role::Database,
        )
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Bitnami images run as uid 1001",
        fs_group: Some(1001),
        writable_paths: &["/tmp"],
        requests: (250, 256),
        limits: (2000, 1024),
        port: Some(5432),
        probe: DefaultProbe::Tcp(5432),
        data_dir: Some("/bitnami/postgresql"),
        ..base("bitnami postgresql", &["bitnami/postgresql*"], Role::Database)
    },
    ImageProfile {
        user: nonroot(999, 999),
        security_reason: "the official MySQL/MariaDB images run mysqld as uid 999; started as that user with fsGroup 999 they need no root",
        fs_group: Some(999),
        read_only_root: true,
        writable_paths: &["/var/run/mysqld", "/tmp"],
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(3306),
        probe: DefaultProbe::Tcp(3306),
        data_dir: Some("/var/lib/mysql"),
        ..base("mysql/mariadb", &["mysql", "mariadb", "mysql/mysql-server"], Role::Database)
    },
    ImageProfile {
        user: nonroot(999, 999),
        security_reason: "the official mongo image runs mongod as uid 999; with fsGroup 999 it needs no root",
        fs_group: Some(999),
        read_only_root: true,
        writable_paths: &["/tmp", "/data/configdb"],
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(27017),
        probe: DefaultProbe::Tcp(27017),
        data_dir: Some("/data/db"),
        ..base("mongo", &["mongo", "mongodb/mongodb-community-server"], Role::Database)
    },
    ImageProfile {
        user: nonroot(101, 101),
        security_reason: "the ClickHouse server image runs as uid 101 (clickhouse)",
        fs_group: Some(101),
        writable_paths: &["/tmp"],
        requests: (500, 1024),
        limits: (2000, 4096),
        port: Some(8123),
        http: true,
        probe: DefaultProbe::Http(8123, "/ping"),
        data_dir: Some("/var/lib/clickhouse"),
        env: &[("CLICKHOUSE_DO_NOT_CHOWN", "1")],
        ..base(
            "clickhouse",
            &["clickhouse/clickhouse-server", "yandex/clickhouse-server", "clickhouse"],
            Role::Database,
        )
    },
    // ---- caches ----
    ImageProfile {
        user: nonroot(999, 999),
        security_reason: "the official redis/valkey images run as uid 999",
        fs_group: Some(999),
        read_only_root: true,
        writable_paths: &["/tmp"],
        requests: (100, 128),
        limits: (1000, 512),
        port: Some(6379),
        probe: DefaultProbe::Tcp(6379),
        data_dir: Some("/data"),
        ..base("redis", &["redis", "valkey/valkey", "valkey-io/valkey", "redis/redis-stack*", "eqalpha/keydb"], Role::Cache)
    },
    ImageProfile {
        user: nonroot(11211, 11211),
        security_reason: "the official memcached image runs as uid 11211",
        read_only_root: true,
        requests: (50, 64),
        limits: (500, 256),
        port: Some(11211),
        probe: DefaultProbe::Tcp(11211),
        ..base("memcached", &["memcached"], Role::Cache)
    },
    // ---- queues ----
    ImageProfile {
        user: nonroot(999, 999),
        security_reason: "the official rabbitmq image runs as uid 999",
        fs_group: Some(999),
        writable_paths: &["/tmp"],
        requests: (250, 512),
        limits: (2000, 1024),
        port: Some(5672),
        probe: DefaultProbe::Tcp(5672),
        data_dir: Some("/var/lib/rabbitmq"),
        ..base("rabbitmq", &["rabbitmq"], Role::Queue)
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Bitnami images run as uid 1001",
        fs_group: Some(1001),
        requests: (500, 1024),
        limits: (2000, 2048),
        port: Some(9092),
        probe: DefaultProbe::Tcp(9092),
        data_dir: Some("/bitnami/kafka"),
        ..base("bitnami kafka", &["bitnami/kafka"], Role::Queue)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "the Apache and Confluent Kafka images run as uid 1000 (appuser)",
        fs_group: Some(1000),
        requests: (500, 1024),
        limits: (2000, 2048),
        port: Some(9092),
        probe: DefaultProbe::Tcp(9092),
        data_dir: Some("/var/lib/kafka/data"),
        ..base("kafka", &["apache/kafka*", "confluentinc/cp-kafka", "*/kafka"], Role::Queue)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "the ZooKeeper images run as uid 1000",
        fs_group: Some(1000),
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(2181),
        probe: DefaultProbe::Tcp(2181),
        data_dir: Some("/data"),
        ..base("zookeeper", &["zookeeper", "confluentinc/cp-zookeeper", "*/zookeeper"], Role::Queue)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "NATS runs as any user",
        read_only_root: true,
        requests: (50, 64),
        limits: (500, 256),
        port: Some(4222),
        probe: DefaultProbe::Http(8222, "/healthz"),
        ..base("nats", &["nats"], Role::Queue)
    },
    // ---- search ----
    ImageProfile {
        user: nonroot(1000, 0),
        security_reason: "Elasticsearch/OpenSearch run as uid 1000; note that they need vm.max_map_count >= 262144 on the node",
        fs_group: Some(1000),
        requests: (500, 2048),
        limits: (2000, 4096),
        port: Some(9200),
        http: true,
        probe: DefaultProbe::Tcp(9200),
        data_dir: Some("/usr/share/elasticsearch/data"),
        ..base("elasticsearch", &["elasticsearch/elasticsearch", "elasticsearch"], Role::Search)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "OpenSearch runs as uid 1000; it needs vm.max_map_count >= 262144 on the node",
        fs_group: Some(1000),
        requests: (500, 2048),
        limits: (2000, 4096),
        port: Some(9200),
        http: true,
        probe: DefaultProbe::Tcp(9200),
        data_dir: Some("/usr/share/opensearch/data"),
        ..base("opensearch", &["opensearchproject/opensearch"], Role::Search)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "Meilisearch/Typesense run as any user",
        fs_group: Some(1000),
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(7700),
        http: true,
        probe: DefaultProbe::Http(7700, "/health"),
        data_dir: Some("/meili_data"),
        ..base("meilisearch", &["getmeili/meilisearch"], Role::Search)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "the Qdrant image runs as root by default (qdrant/qdrant:*-unprivileged runs as uid 1000)",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(6333),
        http: true,
        probe: DefaultProbe::Http(6333, "/readyz"),
        data_dir: Some("/qdrant/storage"),
        ..base("qdrant", &["qdrant/qdrant"], Role::Search)
    },
    // ---- object store ----
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "MinIO runs as any user when its data directory is writable (fsGroup)",
        fs_group: Some(1000),
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(9000),
        http: true,
        probe: DefaultProbe::Http(9000, "/minio/health/live"),
        data_dir: Some("/data"),
        ..base("minio", &["minio/minio"], Role::ObjectStore)
    },
    // ---- reverse proxies (the cluster ingress takes over their job) ----
    ImageProfile {
        replacement: Some("the cluster's Ingress controller (k3s ships Traefik): Ingress objects are generated from the Traefik labels instead"),
        ..base("traefik", &["traefik", "library/traefik"], Role::ReverseProxy)
    },
    ImageProfile {
        replacement: Some("the cluster's Ingress controller: Ingress objects are generated from the caddy labels and published ports instead"),
        ..base("caddy-docker-proxy", &["lucaslorentz/caddy-docker-proxy"], Role::ReverseProxy)
    },
    ImageProfile {
        replacement: Some("the cluster's Ingress controller: Ingress objects are generated for the services behind it instead"),
        ..base(
            "nginx-proxy",
            &["jwilder/nginx-proxy", "nginxproxy/nginx-proxy", "jc21/nginx-proxy-manager", "linuxserver/swag", "nginxproxy/acme-companion", "jrcs/letsencrypt-nginx-proxy-companion"],
            Role::ReverseProxy,
        )
    },
    ImageProfile {
        replacement: Some("the cluster's Ingress controller: Ingress objects are generated for the HTTP services behind it (check the Caddyfile for routes it served)"),
        ..base("caddy", &["caddy"], Role::ReverseProxy)
    },
    ImageProfile {
        replacement: Some("the cluster's Ingress controller: Ingress objects are generated for the HTTP services behind it (check haproxy.cfg for routes it served)"),
        ..base("haproxy", &["haproxy", "haproxytech/haproxy-*"], Role::ReverseProxy)
    },
    // ---- Docker-socket tools ----
    ImageProfile {
        replacement: Some("Headlamp or the Kubernetes Dashboard (or Portainer's Kubernetes agent), which use the Kubernetes API with RBAC instead of the Docker socket"),
        ..base("portainer", &["portainer/portainer*", "portainer/agent"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("Renovate or Flux/Argo CD image automation (or Keel) to update images through Git or the Kubernetes API"),
        ..base("watchtower", &["containrrr/watchtower", "*/watchtower", "pyouroboros/ouroboros", "crazymax/diun", "sergi0g/cup"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("`kubectl logs` / stern, or Dozzle in Kubernetes mode (DOZZLE_MODE=k8s) with a read-only RBAC role"),
        ..base("dozzle", &["amir20/dozzle"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("the cluster's Ingress controller: Ingress objects are generated instead of templated configs"),
        ..base("docker-gen", &["nginxproxy/docker-gen", "jwilder/docker-gen"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("liveness probes: the kubelet restarts unhealthy containers itself"),
        ..base("autoheal", &["willfarrell/autoheal"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("nothing: no service gets Docker API access on Kubernetes"),
        ..base("docker-socket-proxy", &["tecnativa/docker-socket-proxy", "linuxserver/socket-proxy"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("the kubelet's built-in cAdvisor endpoint (/metrics/cadvisor), scraped by Prometheus"),
        ..base("cadvisor", &["cadvisor/cadvisor", "google/cadvisor"], Role::DockerSocketTool)
    },
    ImageProfile {
        replacement: Some("Kubernetes CronJobs: give the scheduled service `x-homeport: {workload: cronjob, schedule: ...}`"),
        ..base("ofelia", &["mcuadros/ofelia"], Role::DockerSocketTool)
    },
    // ---- VPN ----
    ImageProfile {
        user: ImageUser::Root { caps: &["NET_ADMIN"] },
        security_reason: "gluetun configures the pod's routing and firewall: it runs as root with NET_ADMIN and needs the /dev/net/tun device",
        devices: &["/dev/net/tun"],
        requests: (50, 64),
        limits: (500, 256),
        port: Some(8000),
        // The control server (:8000) is gluetun's own port; the ports Compose publishes on it
        // belong to the containers that share its network, so they say nothing about gluetun.
        probe: DefaultProbe::Tcp(8000),
        ..base("gluetun", &["qmcgaw/gluetun", "*/gluetun"], Role::Vpn)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["NET_ADMIN", "SYS_MODULE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"] },
        security_reason: "WireGuard configures interfaces (NET_ADMIN) and the s6-overlay entrypoint starts as root; it needs the /dev/net/tun device",
        devices: &["/dev/net/tun"],
        requests: (50, 64),
        limits: (500, 256),
        port: Some(51820),
        ..base("wireguard", &["linuxserver/wireguard", "*/wg-easy", "*/wireguard"], Role::Vpn)
    },
    // ---- media servers ----
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "the official Jellyfin image runs as any user when /config and /cache are writable (fsGroup)",
        fs_group: Some(1000),
        writable_paths: &["/cache"],
        requests: (500, 1024),
        limits: (4000, 4096),
        port: Some(8096),
        http: true,
        probe: DefaultProbe::Http(8096, "/health"),
        data_dir: Some("/config"),
        host_network_optional: Some("Jellyfin/Emby use the host network only for LAN discovery (DLNA); on Kubernetes port 8096 is published instead"),
        ..base("jellyfin", &["jellyfin/jellyfin"], Role::MediaServer)
    },
    ImageProfile {
        user: ImageUser::Root { caps: S6_CAPS },
        security_reason: S6_REASON,
        requests: (500, 1024),
        limits: (4000, 4096),
        port: Some(32400),
        http: true,
        probe: DefaultProbe::Http(32400, "/identity"),
        data_dir: Some("/config"),
        host_network_optional: Some("Plex uses the host network only for LAN discovery (GDM/DLNA); on Kubernetes port 32400 is published instead and clients add the server by address"),
        ..base("plex", &["plexinc/pms-docker", "linuxserver/plex"], Role::MediaServer)
    },
    ImageProfile {
        user: ImageUser::Root { caps: S6_CAPS },
        security_reason: S6_REASON,
        requests: (500, 1024),
        limits: (4000, 4096),
        port: Some(8096),
        http: true,
        probe: DefaultProbe::Http(8096, "/health"),
        data_dir: Some("/config"),
        host_network_optional: Some("Jellyfin/Emby use the host network only for LAN discovery (DLNA); on Kubernetes port 8096 is published instead"),
        ..base("linuxserver jellyfin", &["linuxserver/jellyfin", "linuxserver/emby", "emby/embyserver"], Role::MediaServer)
    },
    // ---- monitoring ----
    ImageProfile {
        user: nonroot(65534, 65534),
        security_reason: "Prometheus runs as nobody (65534)",
        fs_group: Some(65534),
        read_only_root: true,
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(9090),
        http: true,
        probe: DefaultProbe::Http(9090, "/-/ready"),
        data_dir: Some("/prometheus"),
        ..base("prometheus", &["prom/prometheus", "prometheus/prometheus"], Role::Monitoring)
    },
    ImageProfile {
        user: nonroot(65534, 65534),
        security_reason: "node-exporter runs as nobody but reads the host's /proc and /sys (host agent)",
        host_agent: true,
        read_only_root: true,
        requests: (50, 32),
        limits: (250, 128),
        port: Some(9100),
        http: true,
        probe: DefaultProbe::Http(9100, "/metrics"),
        ..base("node-exporter", &["prom/node-exporter", "prometheus/node-exporter", "*/node-exporter"], Role::MetricsExporter)
    },
    ImageProfile {
        user: nonroot(65534, 65534),
        security_reason: "Prometheus exporters run as nobody",
        read_only_root: true,
        requests: (50, 32),
        limits: (250, 128),
        ..base("exporter", &["*-exporter", "*/*-exporter", "prom/*"], Role::MetricsExporter)
    },
    ImageProfile {
        user: nonroot(472, 0),
        security_reason: "Grafana runs as uid 472",
        fs_group: Some(472),
        writable_paths: &["/tmp"],
        requests: (100, 128),
        limits: (1000, 512),
        port: Some(3000),
        http: true,
        probe: DefaultProbe::Http(3000, "/api/health"),
        data_dir: Some("/var/lib/grafana"),
        ..base("grafana", &["grafana/grafana*"], Role::Monitoring)
    },
    ImageProfile {
        user: nonroot(10001, 10001),
        security_reason: "Loki runs as uid 10001",
        fs_group: Some(10001),
        requests: (250, 256),
        limits: (1000, 1024),
        port: Some(3100),
        http: true,
        probe: DefaultProbe::Http(3100, "/ready"),
        data_dir: Some("/loki"),
        ..base("loki", &["grafana/loki"], Role::Monitoring)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["DAC_READ_SEARCH"] },
        security_reason: "promtail reads every container's logs on the host as root (host agent); on Kubernetes the logs are under /var/log/pods",
        host_agent: true,
        requests: (50, 64),
        limits: (500, 256),
        port: Some(9080),
        http: true,
        probe: DefaultProbe::Http(9080, "/ready"),
        ..base("promtail", &["grafana/promtail", "grafana/alloy", "timberio/vector*", "fluent/fluent-bit*"], Role::LogShipper)
    },
    // ---- AI ----
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Ollama runs as root and keeps its models under /root/.ollama",
        requests: (1000, 4096),
        limits: (8000, 16384),
        port: Some(11434),
        http: true,
        probe: DefaultProbe::Http(11434, "/"),
        data_dir: Some("/root/.ollama"),
        ..base("ollama", &["ollama/ollama"], Role::AiInference)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Open WebUI runs as root by default and writes /app/backend/data",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(8080),
        http: true,
        probe: DefaultProbe::Http(8080, "/health"),
        data_dir: Some("/app/backend/data"),
        ..base("open-webui", &["open-webui/open-webui"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "the vLLM OpenAI server image runs as root and caches models under /root/.cache/huggingface",
        requests: (2000, 8192),
        limits: (8000, 32768),
        port: Some(8000),
        http: true,
        probe: DefaultProbe::Http(8000, "/health"),
        host_ipc_optional: Some("vLLM uses the host IPC namespace only for a large /dev/shm (PyTorch and NCCL shared memory); a memory-backed emptyDir at /dev/shm gives the same"),
        ..base("vllm", &["vllm/vllm-openai", "vllm/vllm-openai-*"], Role::AiInference)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "ComfyUI images run as root and write models, custom nodes and outputs under their home directory",
        requests: (1000, 4096),
        limits: (8000, 16384),
        port: Some(8188),
        http: true,
        probe: DefaultProbe::Http(8188, "/"),
        host_ipc_optional: Some("ComfyUI uses the host IPC namespace only for a large /dev/shm (PyTorch shared memory); a memory-backed emptyDir at /dev/shm gives the same"),
        ..base("comfyui", &["yanwk/comfyui-boot", "*/comfyui", "*/comfyui-*"], Role::AiInference)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "FlareSolverr runs as its own `flaresolverr` user (uid 1000), named rather than numbered in the image, so the uid is set explicitly",
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(8191),
        http: true,
        probe: DefaultProbe::Http(8191, "/health"),
        ..base("flaresolverr", &["flaresolverr/flaresolverr", "*/flaresolverr"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Jellyseerr/Overseerr images run as root and write /app/config (and Next.js caches inside /app)",
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(5055),
        http: true,
        probe: DefaultProbe::Http(5055, "/api/v1/status"),
        data_dir: Some("/app/config"),
        ..base("jellyseerr", &["fallenbagel/jellyseerr", "sctx/overseerr", "seerr-team/seerr"], Role::WebApp)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "Homepage starts as root only to chown /app/config and drop to PUID/PGID; started as uid 1000 with fsGroup 1000 it needs no root",
        fs_group: Some(1000),
        requests: (50, 128),
        limits: (500, 512),
        port: Some(3000),
        http: true,
        // Not an httpGet: Homepage rejects requests whose Host is not in
        // HOMEPAGE_ALLOWED_HOSTS, and the kubelet probes with the pod IP.
        probe: DefaultProbe::Tcp(3000),
        ..base("homepage", &["gethomepage/homepage", "benphelps/homepage"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["DAC_OVERRIDE"] },
        security_reason: "docker-volume-backup runs as root and reads the volumes it backs up whoever owns their files (DAC_OVERRIDE)",
        requests: (50, 64),
        limits: (1000, 512),
        ..base("docker-volume-backup", &["offen/docker-volume-backup"], Role::Unknown)
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Gotenberg runs as its `gotenberg` user (uid 1001), named rather than numbered in the image, so the uid is set explicitly",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(3000),
        http: true,
        probe: DefaultProbe::Http(3000, "/health"),
        ..base("gotenberg", &["gotenberg/gotenberg"], Role::WebApp)
    },
    ImageProfile {
        user: nonroot(35002, 35002),
        security_reason: "the Apache Tika server image runs as uid 35002 (tika)",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(9998),
        http: true,
        probe: DefaultProbe::Http(9998, "/tika"),
        ..base("tika", &["apache/tika", "logicalspark/docker-tikaserver"], Role::WebApp)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "n8n runs as the node user (uid 1000)",
        fs_group: Some(1000),
        requests: (250, 256),
        limits: (2000, 1024),
        port: Some(5678),
        http: true,
        probe: DefaultProbe::Http(5678, "/healthz"),
        data_dir: Some("/home/node/.n8n"),
        ..base("n8n", &["n8nio/n8n", "n8n-io/n8n"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Immich's server and machine-learning images run as root by default",
        requests: (500, 1024),
        limits: (4000, 4096),
        port: Some(2283),
        http: true,
        probe: DefaultProbe::Tcp(2283),
        ..base("immich-server", &["immich-app/immich-server"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Immich's server and machine-learning images run as root by default",
        requests: (500, 2048),
        limits: (4000, 8192),
        port: Some(3003),
        http: true,
        probe: DefaultProbe::Tcp(3003),
        ..base("immich-machine-learning", &["immich-app/immich-machine-learning"], Role::AiInference)
    },
    // ---- web apps ----
    ImageProfile {
        user: nonroot(101, 101),
        security_reason: "nginx-unprivileged runs as uid 101 on port 8080",
        read_only_root: true,
        writable_paths: &["/tmp"],
        requests: (50, 64),
        limits: (500, 256),
        port: Some(8080),
        http: true,
        probe: DefaultProbe::Tcp(8080),
        ..base("nginx-unprivileged", &["nginxinc/nginx-unprivileged"], Role::WebServer)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"] },
        security_reason: "the official nginx image starts its master process as root (port 80, chown of /var/cache/nginx) and drops workers to uid 101; nginxinc/nginx-unprivileged runs without root",
        read_only_root: true,
        writable_paths: &["/var/cache/nginx", "/var/run", "/tmp"],
        requests: (50, 64),
        limits: (500, 256),
        port: Some(80),
        http: true,
        probe: DefaultProbe::Tcp(80),
        ..base("nginx", &["nginx", "openresty/openresty"], Role::WebServer)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["NET_BIND_SERVICE", "SETGID", "SETUID"] },
        security_reason: "httpd starts as root to bind port 80 and drops to daemon",
        writable_paths: &["/usr/local/apache2/logs"],
        requests: (50, 64),
        limits: (500, 256),
        port: Some(80),
        http: true,
        probe: DefaultProbe::Tcp(80),
        ..base("httpd", &["httpd"], Role::WebServer)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["CHOWN", "DAC_OVERRIDE", "FOWNER", "NET_BIND_SERVICE", "SETGID", "SETUID"] },
        security_reason: "the official Nextcloud image starts as root to copy its sources and runs Apache as www-data",
        fs_group: Some(33),
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(80),
        http: true,
        probe: DefaultProbe::Http(80, "/status.php"),
        data_dir: Some("/var/www/html"),
        ..base("nextcloud", &["nextcloud"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["NET_BIND_SERVICE"] },
        security_reason: "Vaultwarden runs as root by default and listens on port 80",
        requests: (50, 64),
        limits: (500, 256),
        port: Some(80),
        http: true,
        probe: DefaultProbe::Http(80, "/alive"),
        data_dir: Some("/data"),
        ..base("vaultwarden", &["vaultwarden/server"], Role::WebApp)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "the rootless Gitea image runs as uid 1000",
        fs_group: Some(1000),
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(3000),
        http: true,
        probe: DefaultProbe::Http(3000, "/api/healthz"),
        data_dir: Some("/var/lib/gitea"),
        ..base("gitea (rootless)", &["gitea/gitea:*rootless*"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: S6_CAPS },
        security_reason: "the Gitea image starts as root (s6) and drops to USER_UID",
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(3000),
        http: true,
        probe: DefaultProbe::Http(3000, "/api/healthz"),
        data_dir: Some("/data"),
        ..base("gitea", &["gitea/gitea", "forgejo/forgejo"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: S6_CAPS },
        security_reason: "paperless-ngx starts as root (s6) and drops to USERMAP_UID",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(8000),
        http: true,
        probe: DefaultProbe::Tcp(8000),
        data_dir: Some("/usr/src/paperless/data"),
        ..base("paperless-ngx", &["paperless-ngx/paperless-ngx", "jonaswinkler/paperless-ng"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["CHOWN", "DAC_OVERRIDE", "FOWNER", "NET_BIND_SERVICE", "SETGID", "SETUID"] },
        security_reason: "Pi-hole starts as root (binds DNS port 53 and the web UI on 80) and drops to the pihole user",
        requests: (100, 128),
        limits: (1000, 512),
        port: Some(80),
        http: true,
        probe: DefaultProbe::Tcp(53),
        data_dir: Some("/etc/pihole"),
        optional_caps: &[
            ("NET_ADMIN", "Pi-hole only needs NET_ADMIN for its DHCP server, which cannot serve a LAN from a pod network anyway"),
            ("SYS_NICE", "Pi-hole only uses SYS_NICE to raise its own priority; not allowed below the privileged level"),
            ("SYS_TIME", "Pi-hole only uses SYS_TIME for its optional NTP server"),
        ],
        ..base("pihole", &["pihole/pihole"], Role::Dns)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["NET_BIND_SERVICE"] },
        security_reason: "AdGuard Home runs as root to bind DNS port 53",
        requests: (100, 128),
        limits: (1000, 512),
        port: Some(3000),
        http: true,
        probe: DefaultProbe::Tcp(53),
        data_dir: Some("/opt/adguardhome/work"),
        ..base("adguardhome", &["adguard/adguardhome"], Role::Dns)
    },
    ImageProfile {
        user: ImageUser::Root { caps: S6_CAPS },
        security_reason: S6_REASON,
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(3306),
        probe: DefaultProbe::Tcp(3306),
        data_dir: Some("/config"),
        ..base("linuxserver mariadb", &["linuxserver/mariadb"], Role::Database)
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Bitnami images run as uid 1001",
        fs_group: Some(1001),
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(6379),
        probe: DefaultProbe::Tcp(6379),
        data_dir: Some("/bitnami/redis/data"),
        ..base("bitnami redis", &["bitnami/redis", "bitnami/valkey"], Role::Cache)
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Bitnami images run as uid 1001",
        fs_group: Some(1001),
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(3306),
        probe: DefaultProbe::Tcp(3306),
        data_dir: Some("/bitnami/mariadb"),
        ..base("bitnami mariadb/mysql", &["bitnami/mariadb", "bitnami/mysql"], Role::Database)
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Bitnami images run as uid 1001",
        fs_group: Some(1001),
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(27017),
        probe: DefaultProbe::Tcp(27017),
        data_dir: Some("/bitnami/mongodb"),
        ..base("bitnami mongodb", &["bitnami/mongodb"], Role::Database)
    },
    ImageProfile {
        user: nonroot(1001, 1001),
        security_reason: "Bitnami images run as uid 1001",
        fs_group: Some(1001),
        ..base("bitnami", &["bitnami/*"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Home Assistant runs as root to reach devices and the network",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(8123),
        http: true,
        probe: DefaultProbe::Tcp(8123),
        data_dir: Some("/config"),
        host_network_optional: Some("Home Assistant uses the host network for device discovery (mDNS/SSDP); on Kubernetes its web port 8123 is published and integrations are added by address"),
        ..base("home-assistant", &["homeassistant/home-assistant", "home-assistant/home-assistant"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "the ESPHome dashboard runs as root and writes its build cache under /config",
        requests: (100, 256),
        limits: (2000, 2048),
        port: Some(6052),
        http: true,
        probe: DefaultProbe::Tcp(6052),
        data_dir: Some("/config"),
        host_network_optional: Some("the ESPHome dashboard uses the host network only to discover devices over mDNS; on Kubernetes its dashboard 6052 is published and devices are reached by address (static IPs or DNS)"),
        ..base("esphome", &["esphome/esphome", "esphome/esphome-*"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &[] },
        security_reason: "Uptime Kuma runs as root by default",
        requests: (100, 256),
        limits: (1000, 512),
        port: Some(3001),
        http: true,
        probe: DefaultProbe::Tcp(3001),
        data_dir: Some("/app/data"),
        ..base("uptime-kuma", &["louislam/uptime-kuma"], Role::Monitoring)
    },
    ImageProfile {
        user: nonroot(1883, 1883),
        security_reason: "the eclipse-mosquitto image runs the broker as uid 1883",
        fs_group: Some(1883),
        requests: (50, 64),
        limits: (500, 256),
        port: Some(1883),
        probe: DefaultProbe::Tcp(1883),
        data_dir: Some("/mosquitto/data"),
        ..base("mosquitto", &["eclipse-mosquitto"], Role::Queue)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "Node-RED runs as the node-red user (uid 1000)",
        fs_group: Some(1000),
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(1880),
        http: true,
        probe: DefaultProbe::Tcp(1880),
        data_dir: Some("/data"),
        ..base("node-red", &["nodered/node-red"], Role::WebApp)
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["CHOWN", "DAC_OVERRIDE", "FOWNER", "NET_BIND_SERVICE", "SETGID", "SETUID"] },
        security_reason: "the official WordPress image starts Apache as root and serves as www-data",
        fs_group: Some(33),
        requests: (100, 256),
        limits: (1000, 1024),
        port: Some(80),
        http: true,
        probe: DefaultProbe::Tcp(80),
        data_dir: Some("/var/www/html"),
        ..base("wordpress", &["wordpress"], Role::WebApp)
    },
    ImageProfile {
        user: nonroot(1000, 0),
        security_reason: "Keycloak runs as uid 1000",
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(8080),
        http: true,
        probe: DefaultProbe::Tcp(8080),
        ..base("keycloak", &["keycloak/keycloak"], Role::WebApp)
    },
    ImageProfile {
        user: nonroot(1000, 1000),
        security_reason: "InfluxDB 2 runs as the influxdb user (uid 1000)",
        fs_group: Some(1000),
        requests: (250, 512),
        limits: (2000, 2048),
        port: Some(8086),
        http: true,
        probe: DefaultProbe::Http(8086, "/health"),
        data_dir: Some("/var/lib/influxdb2"),
        ..base("influxdb", &["influxdb"], Role::Database)
    },
    ImageProfile {
        user: nonroot(1000, 0),
        security_reason: "Kibana and Logstash run as uid 1000",
        requests: (250, 1024),
        limits: (2000, 2048),
        port: Some(5601),
        http: true,
        probe: DefaultProbe::Tcp(5601),
        ..base("kibana", &["kibana/kibana", "kibana"], Role::Monitoring)
    },
    ImageProfile {
        user: nonroot(65532, 65532),
        security_reason: "cloudflared runs as the distroless nonroot user (65532)",
        read_only_root: true,
        requests: (50, 64),
        limits: (500, 256),
        ..base("cloudflared", &["cloudflare/cloudflared"], Role::Vpn)
    },
    ImageProfile {
        user: nonroot(1000, 0),
        security_reason: "Logstash runs as uid 1000",
        requests: (500, 1024),
        limits: (2000, 2048),
        port: Some(9600),
        http: true,
        probe: DefaultProbe::Tcp(9600),
        ..base("logstash", &["logstash/logstash", "logstash"], Role::LogShipper)
    },
    ImageProfile {
        user: nonroot(10001, 10001),
        security_reason: "the OpenTelemetry Collector images run as uid 10001",
        read_only_root: true,
        requests: (100, 128),
        limits: (1000, 512),
        port: Some(4317),
        probe: DefaultProbe::Tcp(4317),
        ..base(
            "otel-collector",
            &["open-telemetry/opentelemetry-collector-releases/*", "otel/opentelemetry-collector*"],
            Role::Monitoring,
        )
    },
    ImageProfile {
        user: ImageUser::Root { caps: &["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"] },
        security_reason: "the itzg game-server images start as root, chown /data and drop to UID/GID",
        requests: (1000, 2048),
        limits: (4000, 4096),
        port: Some(25565),
        probe: DefaultProbe::Tcp(25565),
        data_dir: Some("/data"),
        ..base("minecraft-server", &["itzg/minecraft-server", "itzg/minecraft-bedrock-server"], Role::WebApp)
    },
    // ---- linuxserver.io (after the specific linuxserver rows above) ----
    ImageProfile {
        user: ImageUser::Root { caps: S6_CAPS },
        security_reason: S6_REASON,
        requests: (100, 256),
        limits: (2000, 1024),
        http: true,
        probe: DefaultProbe::None,
        data_dir: Some("/config"),
        ..base("linuxserver.io", &["linuxserver/*", "hotio/*"], Role::WebApp)
    },
];

/// Well-known web ports of linuxserver.io images (their rows share one profile).
pub fn linuxserver_port(repo: &str) -> Option<u16> {
    let name = repo.rsplit('/').next().unwrap_or(repo);
    Some(match name {
        "sonarr" => 8989,
        "radarr" => 7878,
        "prowlarr" => 9696,
        "lidarr" => 8686,
        "readarr" => 8787,
        "bazarr" => 6767,
        "qbittorrent" => 8080,
        "transmission" => 9091,
        "overseerr" | "jellyseerr" => 5055,
        "jackett" => 9117,
        "tautulli" => 8181,
        "heimdall" | "nginx" => 80,
        "sabnzbd" => 8080,
        "nzbget" => 6789,
        "calibre-web" => 8083,
        "code-server" => 8443,
        "syncthing" => 8384,
        "homeassistant" => 8123,
        "duplicati" => 8200,
        "nextcloud" => 443,
        _ => return None,
    })
}

/// The default profile for images the knowledge base does not know (and `build:` services).
pub static UNKNOWN: ImageProfile = ImageProfile {
    security_reason: "unknown image: it runs as the image's own user",
    ..base("unknown", &[], Role::Unknown)
};

/// The repository of an image reference without registry, tag or digest, and without the
/// Docker Hub `library/` prefix: `lscr.io/linuxserver/sonarr:latest` → `linuxserver/sonarr`.
pub fn repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    // A tag is a ':' after the last '/'.
    let last_slash = no_digest.rfind('/');
    let no_tag = match no_digest.rfind(':') {
        Some(colon) if last_slash.is_none_or(|s| colon > s) => &no_digest[..colon],
        _ => no_digest,
    };
    let mut parts = no_tag.splitn(2, '/');
    let first = parts.next().unwrap_or("");
    let rest = parts.next();
    let repo = match rest {
        Some(rest) if first.contains('.') || first.contains(':') || first == "localhost" => rest,
        _ => no_tag,
    };
    // Amazon ECR Public mirrors Docker Hub's official images as `docker/library/<name>`.
    let repo = repo.strip_prefix("docker/library/").unwrap_or(repo);
    repo.strip_prefix("library/").unwrap_or(repo)
}

/// The tag of an image reference (`None` when untagged or pinned by digest only).
pub fn tag(image: &str) -> Option<&str> {
    if image.contains('@') {
        return None;
    }
    let last_slash = image.rfind('/');
    match image.rfind(':') {
        Some(colon) if last_slash.is_none_or(|s| colon > s) => image.get(colon + 1..),
        _ => None,
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((prefix, suffix)) => {
            if !text.starts_with(prefix) {
                return false;
            }
            let rest = &text[prefix.len()..];
            if suffix.contains('*') {
                // `a*b*c`: find `b` then match the remainder.
                let (mid, tail) = suffix.split_once('*').unwrap_or((suffix, ""));
                match rest.find(mid) {
                    Some(i) => glob(&format!("*{tail}"), &rest[i + mid.len()..]),
                    None => false,
                }
            } else {
                rest.len() >= suffix.len() && rest.ends_with(suffix)
            }
        }
    }
}

/// The knowledge-base row for an image reference (the unknown profile when none matches).
/// A pattern with a `:` (e.g. `postgres:alpine`) matches the repository plus a tag that
/// contains the pattern's tag part.
pub fn lookup(image: &str) -> &'static ImageProfile {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, &'static ImageProfile>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(image).copied()) {
        return hit;
    }
    let found = lookup_uncached(image);
    CACHE.with(|c| c.borrow_mut().insert(image.to_string(), found));
    found
}

fn lookup_uncached(image: &str) -> &'static ImageProfile {
    let repo = repository(image);
    let image_tag = tag(image).unwrap_or("");
    for profile in IMAGES {
        for pattern in profile.patterns {
            let hit = match pattern.split_once(':') {
                Some((p_repo, p_tag)) => {
                    glob(p_repo, repo) && glob(&format!("*{}*", p_tag.trim_matches('*')), image_tag)
                }
                None => glob(pattern, repo),
            };
            if hit {
                return profile;
            }
        }
    }
    // A mirror under another owner (`ghcr.io/<org>/<app>`, `quay.io/<org>/<app>`): the same
    // image name as a row's pattern, unless that name is too generic to mean one image.
    if let Some((_, name)) = repo.rsplit_once('/') {
        for profile in IMAGES {
            for pattern in profile.patterns {
                let (p_repo, p_tag) = pattern
                    .split_once(':')
                    .map_or((*pattern, None), |(r, t)| (r, Some(t)));
                let p_name = p_repo.rsplit('/').next().unwrap_or(p_repo);
                if p_name.starts_with('*') || GENERIC_NAMES.contains(&p_name) {
                    continue;
                }
                let tag_ok =
                    p_tag.is_none_or(|t| glob(&format!("*{}*", t.trim_matches('*')), image_tag));
                if tag_ok && glob(p_name, name) {
                    return profile;
                }
            }
        }
    }
    // A database image built on an official one and named after it
    // (`zulip/zulip-postgresql`): the official image's row.
    if let Some((_, name)) = repo.rsplit_once('/') {
        for (suffix, official) in DERIVED_DATABASES {
            if name.len() > suffix.len() && name.ends_with(suffix) {
                return lookup_uncached(official);
            }
        }
    }
    &UNKNOWN
}

/// Name suffixes of images derived from an official database image, with that image.
const DERIVED_DATABASES: &[(&str, &str)] = &[
    ("-postgresql", "postgres"),
    ("-postgres", "postgres"),
    ("-mariadb", "mariadb"),
    ("-mysql", "mysql"),
    ("-mongodb", "mongo"),
    ("-redis", "redis"),
];

/// Image names that do not identify one image across owners (`portainer/agent`, `*/server`).
const GENERIC_NAMES: &[&str] = &["agent", "server", "app", "api", "web", "worker", "cup"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_strips_registry_tag_and_library() {
        assert_eq!(repository("postgres:16"), "postgres");
        assert_eq!(repository("docker.io/library/postgres:16"), "postgres");
        assert_eq!(
            repository("lscr.io/linuxserver/sonarr:latest"),
            "linuxserver/sonarr"
        );
        assert_eq!(
            repository("ghcr.io/immich-app/immich-server:v1.2"),
            "immich-app/immich-server"
        );
        assert_eq!(repository("localhost:5000/app"), "app");
        assert_eq!(repository("redis@sha256:abc"), "redis");
        assert_eq!(tag("lscr.io/linuxserver/sonarr:latest"), Some("latest"));
        assert_eq!(tag("localhost:5000/app"), None);
    }

    #[test]
    fn user_stack_images_are_known() {
        // Images from users' stacks that hardening broke or misjudged while unknown.
        assert_eq!(
            lookup("ghcr.io/flaresolverr/flaresolverr:latest").user,
            nonroot(1000, 1000)
        );
        assert!(lookup("ghcr.io/flaresolverr/flaresolverr:v3.3.21").http);
        assert!(matches!(
            lookup("fallenbagel/jellyseerr:2.0").user,
            ImageUser::Root { .. }
        ));
        assert!(matches!(
            lookup("ghcr.io/gethomepage/homepage:v0.9").user,
            ImageUser::NonRoot { .. }
        ));
        assert!(lookup("vllm/vllm-openai:v0.6.3")
            .host_ipc_optional
            .is_some());
        assert_eq!(lookup("yanwk/comfyui-boot:cu124-slim").port, Some(8188));
        assert!(lookup("ghcr.io/esphome/esphome:2024.10")
            .host_network_optional
            .is_some());
        assert_eq!(lookup("qmcgaw/gluetun").probe, DefaultProbe::Tcp(8000));
        assert!(matches!(
            lookup("offen/docker-volume-backup:v2").user,
            ImageUser::Root { caps } if caps.contains(&"DAC_OVERRIDE")
        ));
    }

    #[test]
    fn lookup_finds_families() {
        assert_eq!(lookup("postgres:16").family, "postgres");
        assert_eq!(lookup("postgres:16-alpine").family, "postgres (alpine)");
        assert_eq!(
            lookup("lscr.io/linuxserver/sonarr").family,
            "linuxserver.io"
        );
        assert_eq!(lookup("lscr.io/linuxserver/wireguard").family, "wireguard");
        assert_eq!(lookup("qmcgaw/gluetun:v3").family, "gluetun");
        assert_eq!(lookup("traefik:v3.0").role, Role::ReverseProxy);
        assert_eq!(lookup("containrrr/watchtower").role, Role::DockerSocketTool);
        assert_eq!(lookup("nginx:1.27").family, "nginx");
        assert_eq!(
            lookup("nginxinc/nginx-unprivileged").family,
            "nginx-unprivileged"
        );
        assert_eq!(
            lookup("gitea/gitea:1.22-rootless").family,
            "gitea (rootless)"
        );
        assert_eq!(lookup("gitea/gitea:1.22").family, "gitea");
        assert_eq!(lookup("prom/node-exporter").family, "node-exporter");
        assert_eq!(
            lookup("prometheuscommunity/postgres-exporter").family,
            "exporter"
        );
        assert_eq!(lookup("my-app").family, "unknown");
        assert_eq!(lookup("valkey/valkey:8").family, "redis");
        // Derived from an official database image and named after it.
        assert_eq!(lookup("zulip/zulip-postgresql:14").family, "postgres");
        assert_eq!(lookup("example/app-redis:1").family, "redis");
        assert_ne!(lookup("example/postgresql-exporter:1").family, "postgres");
        assert_eq!(lookup("bitnami/redis:7.2").family, "bitnami redis");
        assert_eq!(lookup("bitnami/nginx:1.25").family, "bitnami");
        assert_eq!(lookup("lscr.io/linuxserver/mariadb").role, Role::Database);
        assert_eq!(
            lookup("ghcr.io/home-assistant/home-assistant:stable").family,
            "home-assistant"
        );
        assert_eq!(lookup("docker.n8n.io/n8nio/n8n").family, "n8n");
    }

    #[test]
    fn mirrors_match_one_entry() {
        for mirror in [
            "redis:7",
            "library/redis:7",
            "docker.io/library/redis:7",
            "index.docker.io/library/redis:7",
            "public.ecr.aws/docker/library/redis:7",
            "mirror.gcr.io/library/redis:7",
            "ghcr.io/someone/redis:7",
            "quay.io/opstree/redis:7",
        ] {
            assert_eq!(lookup(mirror).family, "redis", "{mirror}");
        }
        assert_eq!(
            lookup("quay.io/prometheus/node-exporter:v1.8").family,
            "node-exporter"
        );
        assert_eq!(
            lookup("ghcr.io/linuxserver/sonarr").family,
            "linuxserver.io"
        );
        assert_eq!(
            lookup("public.ecr.aws/docker/library/postgres:16-alpine").family,
            "postgres (alpine)"
        );
        // Generic names stay unknown.
        assert_eq!(lookup("ghcr.io/acme/server:1").family, "unknown");
        assert_eq!(lookup("ghcr.io/acme/agent:1").family, "unknown");
    }

    #[test]
    fn every_row_has_patterns_and_reasons() {
        for p in IMAGES {
            assert!(!p.patterns.is_empty(), "{}", p.family);
            let needs_reason = !matches!(p.user, ImageUser::Unknown);
            assert!(
                !needs_reason || !p.security_reason.is_empty(),
                "{}",
                p.family
            );
            if matches!(p.role, Role::DockerSocketTool | Role::ReverseProxy) {
                assert!(p.replacement.is_some(), "{}", p.family);
            }
        }
    }
}
