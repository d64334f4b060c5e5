//! A NetworkPolicy reachability evaluator for tests: given rendered objects, may this pod
//! open a connection to that pod's port?
//!
//! Follows the Kubernetes NetworkPolicy semantics (networking.k8s.io/v1):
//! * a policy selects pods in its own namespace by `podSelector`; its `policyTypes` (default:
//!   Ingress, plus Egress when it has `egress` rules) say which directions it isolates;
//! * a pod not selected by any policy for a direction is not isolated in it (all allowed);
//! * a connection needs both the source's egress and the destination's ingress to allow it;
//!   rules of all policies selecting a pod are OR-ed;
//! * a rule peer is `ipBlock` (CIDR minus `except`), `namespaceSelector` (pods of matching
//!   namespaces), `podSelector` (pods of the policy's namespace), or both selectors (pods
//!   matching both); empty or absent `from`/`to` means every peer, empty or absent `ports`
//!   every port; a port is a number or a container port name of the destination pod,
//!   `endPort` makes a range, `protocol` defaults to TCP.
//!
//! Pods get IPs from k3s' pod CIDR (10.42.0.0/16), so `ipBlock` rules apply to them as a CNI
//! applies them after Service DNAT.

use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

pub type Labels = BTreeMap<String, String>;

/// One end of a connection: a pod (namespace, labels, named ports, IP) or an outside address.
#[derive(Debug, Clone)]
pub struct Peer {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: Labels,
    /// Container ports: (name, number, protocol).
    pub ports: Vec<(Option<String>, u16, String)>,
    pub ip: Ipv4Addr,
}

impl Peer {
    /// A pod the rendered objects do not define (the ingress controller, CoreDNS, ...).
    pub fn pod(namespace: &str, labels: &[(&str, &str)]) -> Peer {
        Peer {
            name: format!("{namespace}/{labels:?}"),
            namespace: Some(namespace.to_string()),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: Vec::new(),
            ip: Ipv4Addr::new(10, 42, 255, 1),
        }
    }

    /// An address outside the cluster.
    pub fn external(ip: Ipv4Addr) -> Peer {
        Peer {
            name: ip.to_string(),
            namespace: None,
            labels: Labels::new(),
            ports: Vec::new(),
            ip,
        }
    }

    pub fn with_port(mut self, name: &str, port: u16, protocol: &str) -> Peer {
        self.ports
            .push((Some(name.to_string()), port, protocol.to_string()));
        self
    }

    /// CoreDNS as k3s runs it.
    pub fn kube_dns() -> Peer {
        Peer::pod("kube-system", &[("k8s-app", "kube-dns")])
            .with_port("dns", 53, "UDP")
            .with_port("dns-tcp", 53, "TCP")
    }

    /// k3s' bundled Traefik ingress controller.
    pub fn traefik() -> Peer {
        Peer::pod(
            "kube-system",
            &[
                ("app.kubernetes.io/name", "traefik"),
                ("app.kubernetes.io/instance", "traefik-kube-system"),
            ],
        )
    }
}

pub struct Network {
    namespaces: BTreeMap<String, Labels>,
    policies: Vec<Value>,
    pods: Vec<Peer>,
}

impl Network {
    pub fn from_objects(objects: &[Value]) -> Network {
        let mut namespaces = BTreeMap::new();
        let mut policies = Vec::new();
        let mut pods = Vec::new();
        for o in objects {
            let kind = o["kind"].as_str().unwrap_or("");
            let meta = &o["metadata"];
            let ns = meta["namespace"].as_str().unwrap_or("default").to_string();
            match kind {
                "Namespace" => {
                    let name = meta["name"].as_str().unwrap_or("").to_string();
                    namespaces.insert(name, labels(&meta["labels"]));
                }
                "NetworkPolicy" => policies.push(o.clone()),
                _ => {
                    let template = match kind {
                        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
                            &o["spec"]["template"]
                        }
                        "CronJob" => &o["spec"]["jobTemplate"]["spec"]["template"],
                        "Pod" => o,
                        _ => continue,
                    };
                    let n = pods.len() + 1;
                    let mut ports = Vec::new();
                    for c in super::running_containers(&template["spec"]) {
                        for p in c["ports"].as_array().into_iter().flatten() {
                            ports.push((
                                p["name"].as_str().map(str::to_string),
                                p["containerPort"].as_u64().unwrap_or(0) as u16,
                                p["protocol"].as_str().unwrap_or("TCP").to_string(),
                            ));
                        }
                    }
                    pods.push(Peer {
                        name: meta["name"].as_str().unwrap_or("").to_string(),
                        namespace: Some(ns),
                        labels: labels(&template["metadata"]["labels"]),
                        ports,
                        ip: Ipv4Addr::new(10, 42, (n / 250) as u8, (n % 250 + 1) as u8),
                    });
                }
            }
        }
        Network {
            namespaces,
            policies,
            pods,
        }
    }

    /// The pod of the workload `name` in `namespace`.
    pub fn workload(&self, namespace: &str, name: &str) -> Peer {
        self.pods
            .iter()
            .find(|p| p.name == name && p.namespace.as_deref() == Some(namespace))
            .cloned()
            .unwrap_or_else(|| {
                let known: Vec<String> = self
                    .pods
                    .iter()
                    .map(|p| format!("{}/{}", p.namespace.as_deref().unwrap_or(""), p.name))
                    .collect();
                panic!("no workload {namespace}/{name}; workloads: {known:?}")
            })
    }

    pub fn workloads(&self) -> &[Peer] {
        &self.pods
    }

    /// Whether `from` may open a `protocol` connection to `to` on `port`.
    pub fn can_reach(&self, from: &Peer, to: &Peer, port: u16, protocol: &str) -> bool {
        self.allowed(from, to, port, protocol, Direction::Egress)
            && self.allowed(from, to, port, protocol, Direction::Ingress)
    }

    fn namespace_labels(&self, ns: &str) -> Labels {
        let mut l = self.namespaces.get(ns).cloned().unwrap_or_default();
        l.insert("kubernetes.io/metadata.name".into(), ns.into());
        l
    }

    fn allowed(&self, from: &Peer, to: &Peer, port: u16, protocol: &str, dir: Direction) -> bool {
        // The pod the policies are about, and the peer its rules must name.
        let (subject, other) = match dir {
            Direction::Egress => (from, to),
            Direction::Ingress => (to, from),
        };
        let Some(subject_ns) = subject.namespace.as_deref() else {
            return true; // outside the cluster: no policy applies
        };
        let selecting: Vec<&Value> = self
            .policies
            .iter()
            .filter(|p| p["metadata"]["namespace"].as_str().unwrap_or("default") == subject_ns)
            .filter(|p| selector_matches(&p["spec"]["podSelector"], &subject.labels))
            .filter(|p| policy_types(p).contains(&dir))
            .collect();
        if selecting.is_empty() {
            return true;
        }
        let (rules_key, peers_key) = match dir {
            Direction::Egress => ("egress", "to"),
            Direction::Ingress => ("ingress", "from"),
        };
        selecting.iter().any(|policy| {
            policy["spec"][rules_key]
                .as_array()
                .into_iter()
                .flatten()
                .any(|rule| {
                    self.peers_match(&rule[peers_key], other, subject_ns)
                        && ports_match(&rule["ports"], to, port, protocol)
                })
        })
    }

    fn peers_match(&self, peers: &Value, peer: &Peer, policy_ns: &str) -> bool {
        let Some(list) = peers.as_array().filter(|l| !l.is_empty()) else {
            return true;
        };
        list.iter().any(|p| {
            if let Some(block) = p.get("ipBlock") {
                return ip_block_matches(block, peer.ip);
            }
            let Some(peer_ns) = peer.namespace.as_deref() else {
                return false; // selectors only select pods
            };
            let ns_sel = p.get("namespaceSelector");
            let pod_sel = p.get("podSelector");
            let ns_ok = match ns_sel {
                Some(sel) => selector_matches(sel, &self.namespace_labels(peer_ns)),
                None => peer_ns == policy_ns,
            };
            let pod_ok = pod_sel.is_none_or(|sel| selector_matches(sel, &peer.labels));
            (ns_sel.is_some() || pod_sel.is_some()) && ns_ok && pod_ok
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

fn policy_types(policy: &Value) -> Vec<Direction> {
    match policy["spec"]["policyTypes"].as_array() {
        Some(types) => types
            .iter()
            .filter_map(|t| match t.as_str() {
                Some("Ingress") => Some(Direction::Ingress),
                Some("Egress") => Some(Direction::Egress),
                _ => None,
            })
            .collect(),
        None => {
            let mut t = vec![Direction::Ingress];
            if policy["spec"].get("egress").is_some() {
                t.push(Direction::Egress);
            }
            t
        }
    }
}

fn labels(v: &Value) -> Labels {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
        .collect()
}

/// A LabelSelector (matchLabels AND matchExpressions); `{}` selects everything.
pub fn selector_matches(selector: &Value, labels: &Labels) -> bool {
    let match_labels = selector["matchLabels"].as_object();
    let labels_ok = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let exprs_ok = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e["key"].as_str().unwrap_or("");
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let have = labels.get(key).map(String::as_str);
            match e["operator"].as_str() {
                Some("In") => have.is_some_and(|h| values.contains(&h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            }
        });
    labels_ok && exprs_ok
}

fn ports_match(ports: &Value, dest: &Peer, port: u16, protocol: &str) -> bool {
    let Some(list) = ports.as_array().filter(|l| !l.is_empty()) else {
        return true;
    };
    list.iter().any(|p| {
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        if proto != protocol {
            return false;
        }
        let start = match &p["port"] {
            Value::Null => return true,
            Value::Number(n) => n.as_u64().unwrap_or(0) as u16,
            Value::String(name) => {
                // A named port is the destination pod's container port of that name.
                return dest.ports.iter().any(|(n, num, pr)| {
                    n.as_deref() == Some(name) && *num == port && pr == protocol
                });
            }
            _ => return false,
        };
        let end = p["endPort"].as_u64().map_or(start, |e| e as u16);
        (start..=end).contains(&port)
    })
}

fn ip_block_matches(block: &Value, ip: Ipv4Addr) -> bool {
    let in_cidr = |cidr: &str| -> bool {
        let Some((addr, len)) = cidr.split_once('/') else {
            return false;
        };
        let (Ok(addr), Ok(len)) = (addr.parse::<Ipv4Addr>(), len.parse::<u32>()) else {
            return false; // IPv6 blocks never match the IPv4 addresses used here
        };
        let mask = if len == 0 {
            0
        } else {
            u32::MAX << (32 - len.min(32))
        };
        (u32::from(addr) & mask) == (u32::from(ip) & mask)
    };
    block["cidr"].as_str().is_some_and(in_cidr)
        && !block["except"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(in_cidr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn objects() -> Vec<Value> {
        vec![
            json!({"kind": "Namespace", "metadata": {"name": "app"}}),
            json!({"kind": "Deployment", "metadata": {"name": "api", "namespace": "app"}, "spec": {"template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"ports": [{"name": "http", "containerPort": 3000}]}]}}}}),
            json!({"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "app"}, "spec": {"template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"ports": [{"name": "pg", "containerPort": 5432}]}]}}}}),
            json!({"kind": "Deployment", "metadata": {"name": "web", "namespace": "app"}, "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{}]}}}}),
            json!({"kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "app"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
            json!({"kind": "NetworkPolicy", "metadata": {"name": "dns", "namespace": "app"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": [{"port": 53, "protocol": "UDP"}]}]}}),
            json!({"kind": "NetworkPolicy", "metadata": {"name": "db", "namespace": "app"}, "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]}}], "ports": [{"port": "pg"}]}]}}),
            json!({"kind": "NetworkPolicy", "metadata": {"name": "api-out", "namespace": "app"}, "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}, {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]}}),
        ]
    }

    #[test]
    fn semantics() {
        let net = Network::from_objects(&objects());
        let api = net.workload("app", "api");
        let db = net.workload("app", "db");
        let web = net.workload("app", "web");
        assert!(
            net.can_reach(&api, &db, 5432, "TCP"),
            "named port, both directions allowed"
        );
        assert!(!net.can_reach(&api, &db, 5433, "TCP"), "other port");
        assert!(
            !net.can_reach(&web, &db, 5432, "TCP"),
            "web has no egress rule to db"
        );
        assert!(!net.can_reach(&db, &api, 3000, "TCP"), "default deny");
        assert!(
            net.can_reach(&web, &Peer::kube_dns(), 53, "UDP"),
            "DNS egress"
        );
        assert!(
            !net.can_reach(&web, &Peer::kube_dns(), 53, "TCP"),
            "UDP only"
        );
        assert!(net.can_reach(&api, &Peer::external(Ipv4Addr::new(1, 1, 1, 1)), 443, "TCP"));
        assert!(
            !net.can_reach(
                &api,
                &Peer::external(Ipv4Addr::new(10, 0, 0, 5)),
                443,
                "TCP"
            ),
            "except"
        );
        assert!(
            !net.can_reach(&Peer::traefik(), &api, 3000, "TCP"),
            "nothing lets the ingress controller in"
        );
        // Cross-namespace: a namespaceSelector alone admits every pod of those namespaces;
        // with a podSelector only the matching ones; endPort ranges; no policyTypes.
        let mut objs = objects();
        objs.push(
            json!({"kind": "Namespace", "metadata": {"name": "mon", "labels": {"team": "ops"}}}),
        );
        objs.push(json!({"kind": "Deployment", "metadata": {"name": "prom", "namespace": "mon"}, "spec": {"template": {"metadata": {"labels": {"app": "prom"}}, "spec": {"containers": [{}]}}}}));
        objs.push(json!({"kind": "NetworkPolicy", "metadata": {"name": "web-in", "namespace": "app"}, "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]}}], "ports": [{"port": 9000, "endPort": 9100}]}]}}));
        let net = Network::from_objects(&objs);
        let prom = net.workload("mon", "prom");
        let web = net.workload("app", "web");
        assert!(
            net.can_reach(&prom, &web, 9090, "TCP"),
            "namespaceSelector + endPort"
        );
        assert!(
            !net.can_reach(&prom, &web, 9101, "TCP"),
            "outside the range"
        );
        assert!(
            !net.can_reach(&Peer::pod("other", &[("app", "x")]), &web, 9090, "TCP"),
            "namespace `other` has no team label"
        );
        assert!(!net.can_reach(
            &Peer::external(Ipv4Addr::new(1, 2, 3, 4)),
            &web,
            9090,
            "TCP"
        ));
        assert!(
            net.can_reach(&Peer::external(Ipv4Addr::new(1, 2, 3, 4)), &prom, 1, "TCP"),
            "mon is not isolated"
        );
        let sel = json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}, {"key": "legacy", "operator": "DoesNotExist"}]});
        let l = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Labels>()
        };
        assert!(selector_matches(&sel, &l(&[("tier", "web")])));
        assert!(selector_matches(&sel, &l(&[])));
        assert!(!selector_matches(&sel, &l(&[("tier", "db")])));
        assert!(!selector_matches(&sel, &l(&[("legacy", "1")])));
        // Without any policy, everything is allowed.
        let open = Network::from_objects(&objects()[..4]);
        assert!(open.can_reach(
            &open.workload("app", "web"),
            &open.workload("app", "db"),
            1,
            "TCP"
        ));
    }
}
