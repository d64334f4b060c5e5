//! Prometheus metrics of the guard and the tiny HTTP server that serves them (`--metrics`).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

type Labels = Vec<(String, String)>;

/// Every metric the guard exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    gaming: Gauge,
    nvml: Gauge,
    transitions: Family<Labels, Counter>,
    evictions: Family<Labels, Counter>,
    api_errors: Family<Labels, Counter>,
    detection_to_taint: Histogram,
}

/// How one eviction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionOutcome {
    Evicted,
    /// The pod was already gone.
    Gone,
    /// Still refused by its PodDisruptionBudget after every retry.
    Refused,
    Failed,
    /// `--dry-run`: logged, not sent.
    DryRun,
}

impl EvictionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            EvictionOutcome::Evicted => "evicted",
            EvictionOutcome::Gone => "gone",
            EvictionOutcome::Refused => "pdb_refused",
            EvictionOutcome::Failed => "failed",
            EvictionOutcome::DryRun => "dry_run",
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("homeport_guard");
        let gaming = Gauge::default();
        let nvml = Gauge::default();
        let transitions = Family::<Labels, Counter>::default();
        let evictions = Family::<Labels, Counter>::default();
        let api_errors = Family::<Labels, Counter>::default();
        let detection_to_taint = Histogram::new(exponential_buckets(0.005, 2.0, 12));
        registry.register(
            "gaming",
            "1 while the node is in the gaming state",
            gaming.clone(),
        );
        registry.register("nvml_available", "1 when NVML was loaded", nvml.clone());
        registry.register(
            "transitions",
            "State changes, by new state",
            transitions.clone(),
        );
        registry.register(
            "evictions",
            "Evictions of preemptible pods, by outcome",
            evictions.clone(),
        );
        registry.register(
            "api_errors",
            "Failed API requests, by operation",
            api_errors.clone(),
        );
        registry.register(
            "detection_to_taint_seconds",
            "Time from detecting gaming to the API server accepting the taint",
            detection_to_taint.clone(),
        );
        Metrics {
            registry,
            gaming,
            nvml,
            transitions,
            evictions,
            api_errors,
            detection_to_taint,
        }
    }

    pub fn set_gaming(&self, gaming: bool) {
        self.gaming.set(i64::from(gaming));
    }

    pub fn set_nvml(&self, available: bool) {
        self.nvml.set(i64::from(available));
    }

    pub fn transition(&self, to: &str) {
        self.transitions
            .get_or_create(&vec![("to".into(), to.into())])
            .inc();
    }

    pub fn eviction(&self, outcome: EvictionOutcome) {
        self.evictions
            .get_or_create(&vec![("outcome".into(), outcome.as_str().into())])
            .inc();
    }

    pub fn api_error(&self, op: &str) {
        self.api_errors
            .get_or_create(&vec![("op".into(), op.into())])
            .inc();
    }

    pub fn taint_latency(&self, d: Duration) {
        self.detection_to_taint.observe(d.as_secs_f64());
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Serve `GET /metrics` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let metrics = metrics.clone();
                async move {
                    let response = if req.uri().path() == "/metrics" {
                        Response::builder()
                            .header(
                                "content-type",
                                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                            )
                            .body(Full::new(Bytes::from(metrics.render())))
                    } else {
                        Response::builder()
                            .status(404)
                            .body(Full::new(Bytes::from_static(b"not found\n")))
                    };
                    response
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Bind `addr` (fails early on a bad or busy address) and serve in the background.
pub async fn spawn_server(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(serve(listener, metrics));
    Ok(local)
}
