//! A mock Kubernetes API server at the HTTP level on 127.0.0.1 (a free port): nodes, pods
//! and the pod eviction subresource, with the API server's semantics the guard relies on
//! (field and label selectors, JSON merge patch with the resourceVersion precondition, 429
//! from a PodDisruptionBudget, node watches: `?watch=true` streamed as chunked JSON lines of
//! WatchEvents from a resourceVersion, ended after `timeoutSeconds`). Every request is recorded; every written object is validated
//! against the Kubernetes 1.33 schema. It can be stopped and started again on the same port.

use http_body_util::BodyExt;
use hyper::body::{Bytes, Frame};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Option<Value>,
    pub at: Instant,
}

#[derive(Debug, Default)]
pub struct ApiState {
    pub nodes: HashMap<String, Value>,
    pub pods: Vec<Value>,
    pub requests: Vec<Recorded>,
    /// `namespace/name` -> how many more evictions the PDB refuses.
    pub refuse_evictions: HashMap<String, u32>,
    /// Schema violations of objects written (must stay empty).
    pub violations: Vec<String>,
    resource_version: u64,
    /// Open node watches: (id, node name, the stream's sender).
    watchers: Vec<(u64, String, mpsc::UnboundedSender<Bytes>)>,
    next_watcher: u64,
}

impl ApiState {
    /// Send `node` as a MODIFIED event to the watches of its name.
    fn notify(&mut self, node: &Value) {
        let name = node["metadata"]["name"].as_str().unwrap_or("").to_string();
        let mut line =
            serde_json::to_vec(&json!({"type": "MODIFIED", "object": node})).unwrap_or_default();
        line.push(b'\n');
        let line = Bytes::from(line);
        self.watchers
            .retain(|(_, n, tx)| *n != name || tx.send(line.clone()).is_ok());
    }

    /// How many node watches are open now.
    pub fn open_watches(&self) -> usize {
        self.watchers
            .iter()
            .filter(|(_, _, tx)| !tx.is_closed())
            .count()
    }
}

/// A response body: all at once, or streamed (a watch) until the sender goes.
pub enum MockBody {
    Full(Option<Bytes>),
    Stream(mpsc::UnboundedReceiver<Bytes>),
}

impl hyper::body::Body for MockBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            MockBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            MockBody::Stream(rx) => rx.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
        }
    }
}

pub struct MockApi {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<ApiState>>,
    server: Option<JoinHandle<()>>,
}

impl MockApi {
    pub async fn start() -> MockApi {
        let mut api = MockApi {
            addr: "127.0.0.1:0".parse().expect("addr"),
            state: Arc::default(),
            server: None,
        };
        api.up().await;
        api
    }

    /// Listen again (on the same port after [`MockApi::down`]).
    pub async fn up(&mut self) {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("reuseaddr");
        socket.bind(self.addr).expect("bind");
        let listener = socket.listen(64).expect("listen");
        self.addr = listener.local_addr().expect("local addr");
        let state = self.state.clone();
        self.server = Some(tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = state.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }));
    }

    /// Stop listening and drop every open connection (the API server is down).
    pub async fn down(&mut self) {
        if let Some(h) = self.server.take() {
            h.abort();
            let _ = h.await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A kubeconfig pointing at this server.
    pub fn kubeconfig(&self, dir: &Path) -> PathBuf {
        let path = dir.join("kubeconfig");
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: {}\ncontexts:\n- name: mock\n  context:\n    cluster: mock\n    user: mock\ncurrent-context: mock\nusers:\n- name: mock\n  user: {{}}\n",
            self.url()
        );
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    pub fn add_node(&self, name: &str, taints: Value, annotations: Value) {
        let mut s = self.state.lock().expect("lock");
        s.resource_version += 1;
        let node = json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": format!("uid-{name}"), "resourceVersion": s.resource_version.to_string(), "annotations": annotations},
            "spec": {"taints": taints},
        });
        s.nodes.insert(name.to_string(), node);
    }

    pub fn add_pod(&self, namespace: &str, name: &str, node: &str, preemptible: bool) {
        let mut s = self.state.lock().expect("lock");
        let mut labels = json!({"app.kubernetes.io/name": name});
        if preemptible {
            labels["homeport.dev/preemptible"] = json!("true");
        }
        s.pods.push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "uid": format!("uid-{namespace}-{name}"), "labels": labels},
            "spec": {"nodeName": node, "containers": [{"name": "main", "image": "busybox"}]},
        }));
    }

    /// Change a node as another client would (`kubectl annotate`): a new resourceVersion, and
    /// the change is sent to the node's watches.
    pub fn update_node(&self, name: &str, change: impl FnOnce(&mut Value)) {
        let mut s = self.state.lock().expect("lock");
        s.resource_version += 1;
        let rv = s.resource_version.to_string();
        let node = s.nodes.get_mut(name).expect("node");
        change(node);
        node["metadata"]["resourceVersion"] = json!(rv);
        let node = node.clone();
        s.notify(&node);
    }

    pub fn node(&self, name: &str) -> Value {
        self.state
            .lock()
            .expect("lock")
            .nodes
            .get(name)
            .cloned()
            .unwrap_or(Value::Null)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().expect("lock").requests.clone()
    }

    /// Writes only (PATCH, POST), as `METHOD path`.
    pub fn writes(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    pub fn evictions(&self) -> Vec<String> {
        self.writes()
            .iter()
            .filter(|r| r.path.ends_with("/eviction"))
            .map(|r| r.path.clone())
            .collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().expect("lock").violations.clone()
    }

    /// Wait (bounded) until `pred` holds on the state.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&ApiState) -> bool) {
        for _ in 0..800 {
            if pred(&self.state.lock().expect("lock")) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!(
            "timed out waiting for {what}; requests: {:#?}",
            self.requests()
                .iter()
                .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
                .collect::<Vec<_>>()
        );
    }
}

impl Drop for MockApi {
    fn drop(&mut self) {
        if let Some(h) = self.server.take() {
            h.abort();
        }
    }
}

pub fn is_tainted(node: &Value) -> bool {
    node["spec"]["taints"].as_array().is_some_and(|ts| {
        ts.iter().any(|t| {
            t["key"] == "homeport.dev/gaming" && t["effect"] == "NoSchedule" && t["value"] == "true"
        })
    })
}

fn validate(state: &mut ApiState, what: &str, object: &Value) {
    let schema = homeport_k8s_schema::schema_for("1.33").expect("schema 1.33");
    for v in schema.validate(object) {
        state.violations.push(format!("{what}: {v}"));
    }
}

fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
    (
        code,
        json!({"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": if code < 300 {"Success"} else {"Failure"}, "reason": reason, "message": message, "code": code}),
    )
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `k=v,k2=v2` selectors (all the guard uses); `path` is a dotted field path for fields.
fn selector_matches(selector: &str, get: impl Fn(&str) -> Option<String>) -> bool {
    selector
        .split(',')
        .filter(|s| !s.is_empty())
        .all(|term| match term.split_once('=') {
            Some((k, v)) => get(k).as_deref() == Some(v),
            None => false,
        })
}

/// `GET /api/v1/nodes?watch=true&fieldSelector=metadata.name=NAME&resourceVersion=RV`: the
/// node at once when it changed after RV (the server's history, collapsed), then every change,
/// until `timeoutSeconds`.
fn watch_node(state: &Arc<Mutex<ApiState>>, s: &mut ApiState, query: &str) -> Response<MockBody> {
    let fields = query_param(query, "fieldSelector").unwrap_or_default();
    let Some(name) = fields.strip_prefix("metadata.name=").map(str::to_string) else {
        let (code, v) = status(
            400,
            "BadRequest",
            "the mock watches one node by metadata.name",
        );
        return json_response(code, &v);
    };
    let since: u64 = query_param(query, "resourceVersion")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (tx, rx) = mpsc::unbounded_channel();
    if let Some(node) = s.nodes.get(&name) {
        let current: u64 = node["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if current > since {
            let mut line = serde_json::to_vec(&json!({"type": "MODIFIED", "object": node}))
                .unwrap_or_default();
            line.push(b'\n');
            let _ = tx.send(Bytes::from(line));
        }
    }
    let id = s.next_watcher;
    s.next_watcher += 1;
    s.watchers.push((id, name, tx));
    let timeout = query_param(query, "timeoutSeconds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1800);
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(timeout)).await;
        if let Ok(mut s) = state.lock() {
            s.watchers.retain(|(i, _, _)| *i != id);
        }
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(MockBody::Stream(rx))
        .expect("response")
}

fn json_response(code: u16, value: &Value) -> Response<MockBody> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(MockBody::Full(Some(Bytes::from(body))))
        .expect("response")
}

async fn handle(
    state: Arc<Mutex<ApiState>>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<MockBody>, hyper::Error> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = req.into_body().collect().await?.to_bytes();
    let body: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let mut s = state.lock().expect("lock");
    s.requests.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        content_type: content_type.clone(),
        body: body.clone(),
        at: Instant::now(),
    });
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if method == "GET"
        && parts == ["api", "v1", "nodes"]
        && query_param(&query, "watch").as_deref() == Some("true")
    {
        return Ok(watch_node(&state, &mut s, &query));
    }
    let (code, value) = match (method.as_str(), parts.as_slice()) {
        ("GET", ["api", "v1", "nodes", name]) => match s.nodes.get(*name) {
            Some(n) => (200, n.clone()),
            None => status(404, "NotFound", &format!("nodes \"{name}\" not found")),
        },
        ("PATCH", ["api", "v1", "nodes", name]) => {
            if content_type != "application/merge-patch+json" {
                status(415, "UnsupportedMediaType", &content_type)
            } else if let (Some(mut node), Some(patch)) = (s.nodes.get(*name).cloned(), body) {
                let want_rv = patch["metadata"]["resourceVersion"]
                    .as_str()
                    .map(str::to_string);
                if want_rv.is_some()
                    && want_rv.as_deref() != node["metadata"]["resourceVersion"].as_str()
                {
                    status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again")
                } else {
                    merge_patch(&mut node, &patch);
                    s.resource_version += 1;
                    node["metadata"]["resourceVersion"] = json!(s.resource_version.to_string());
                    validate(&mut s, "patched Node", &node);
                    s.nodes.insert(name.to_string(), node.clone());
                    s.notify(&node);
                    (200, node)
                }
            } else {
                status(404, "NotFound", "no such node or no body")
            }
        }
        ("GET", ["api", "v1", "pods"]) => {
            let fields = query_param(&query, "fieldSelector").unwrap_or_default();
            let labels = query_param(&query, "labelSelector").unwrap_or_default();
            let items: Vec<Value> = s
                .pods
                .iter()
                .filter(|p| {
                    selector_matches(&fields, |k| match k {
                        "spec.nodeName" => p["spec"]["nodeName"].as_str().map(str::to_string),
                        "metadata.namespace" => {
                            p["metadata"]["namespace"].as_str().map(str::to_string)
                        }
                        _ => None,
                    }) && selector_matches(&labels, |k| {
                        p["metadata"]["labels"][k].as_str().map(str::to_string)
                    })
                })
                .cloned()
                .collect();
            (
                200,
                json!({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": s.resource_version.to_string()}, "items": items}),
            )
        }
        ("POST", ["api", "v1", "namespaces", ns, "pods", name, "eviction"]) => {
            match &body {
                Some(b) => {
                    let b = b.clone();
                    validate(&mut s, "Eviction", &b);
                    if b["kind"] != "Eviction"
                        || b["apiVersion"] != "policy/v1"
                        || b["metadata"]["name"] != *name
                    {
                        s.violations
                            .push(format!("eviction body does not name the pod: {b}"));
                    }
                }
                None => s.violations.push("eviction without a body".into()),
            }
            let key = format!("{ns}/{name}");
            let exists = s
                .pods
                .iter()
                .any(|p| p["metadata"]["namespace"] == *ns && p["metadata"]["name"] == *name);
            if !exists {
                status(404, "NotFound", &format!("pods \"{name}\" not found"))
            } else if s.refuse_evictions.get(&key).copied().unwrap_or(0) > 0 {
                *s.refuse_evictions.get_mut(&key).expect("counted") -= 1;
                status(
                    429,
                    "TooManyRequests",
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                )
            } else {
                s.pods.retain(|p| {
                    !(p["metadata"]["namespace"] == *ns && p["metadata"]["name"] == *name)
                });
                status(201, "", "")
            }
        }
        _ => status(
            404,
            "NotFound",
            &format!("{method} {path} is not served by the mock"),
        ),
    };
    Ok(json_response(code, &value))
}
