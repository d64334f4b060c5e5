//! Autoscaling: `x-homeport.autoscale` becomes a HorizontalPodAutoscaler; with
//! `x-homeport.queue` or `autoscale.gpu` a KEDA ScaledObject instead (one scaler per
//! workload). Workloads that cannot run several copies are refused with a diagnostic.

use crate::codes;
use crate::images::Role;
use crate::plan::{AutoscalePlan, ClaimPlan, PodPlan, VolumeSource, WorkloadKind};
use crate::planner::Ctx;
use crate::production::{GpuTrigger, QueueTrigger};
use homeport_compose::{AutoscaleHint, ServiceHints};
use homeport_diag::Diagnostic;

/// GPU slots of `pod`'s vendor in the cluster not taken by other pods, and the GPUs one
/// replica of `pod` needs. `None` when the pod uses no GPU or nothing is known of the nodes.
pub(crate) fn gpu_room(cx: &Ctx, pods: &[PodPlan], pod: &PodPlan) -> Option<(u64, u64)> {
    let per_replica: u64 = pod
        .containers
        .iter()
        .filter_map(|c| c.resources.gpu.as_ref())
        .map(|(_, n)| u64::from(*n))
        .sum();
    if per_replica == 0 || cx.cluster.is_default {
        return None;
    }
    let vendor = pod.placement.gpu_vendor?;
    let total: u64 = cx.cluster.nodes.iter().map(|n| n.gpu_slots(vendor)).sum();
    let used_by_others: u64 = pods
        .iter()
        .filter(|p| p.name != pod.name || p.namespace != pod.namespace)
        .filter(|p| p.placement.gpu_vendor == Some(vendor))
        .map(|p| {
            let g: u64 = p
                .containers
                .iter()
                .filter_map(|c| c.resources.gpu.as_ref())
                .map(|(_, n)| u64::from(*n))
                .sum();
            g * u64::from(p.replicas.max(1))
        })
        .sum();
    Some((total.saturating_sub(used_by_others), per_replica))
}

/// Why the pod cannot run several copies, if it cannot.
fn cannot_scale(pod: &PodPlan, claims: &[ClaimPlan]) -> Option<String> {
    if pod.workload == WorkloadKind::StatefulSet && pod.role.is_data_service() {
        return Some(format!(
            "it is a {} StatefulSet: replicas of a database are not copies of it (each would start an empty, separate instance)",
            pod.role.as_str()
        ));
    }
    for v in &pod.volumes {
        if let VolumeSource::Claim { claim, read_only } = &v.source {
            let rwo = claims
                .iter()
                .find(|c| &c.name == claim && c.namespace == pod.namespace)
                .is_some_and(|c| c.access_mode == "ReadWriteOnce");
            if rwo && !read_only && pod.workload == WorkloadKind::Deployment {
                return Some(format!(
                    "it writes to the ReadWriteOnce volume `{claim}`: a second replica could not mount it on another node, and on the same node two writers would corrupt it"
                ));
            }
        }
    }
    let sqlite = pod.containers.iter().any(|c| {
        c.config_env.iter().any(|(k, v)| {
            v.to_ascii_lowercase().contains("sqlite") || k.to_ascii_lowercase().contains("sqlite")
        })
    });
    if sqlite {
        return Some(
            "it keeps its state in an embedded SQLite database (single writer)".to_string(),
        );
    }
    if pod.role == Role::MediaServer
        && pod.volumes.iter().any(|v| {
            matches!(
                v.source,
                VolumeSource::Claim {
                    read_only: false,
                    ..
                }
            )
        })
    {
        return Some(
            "a media server keeps its library database on its config volume (single writer)"
                .to_string(),
        );
    }
    None
}

fn refuse(cx: &mut Ctx, svc: &homeport_compose::Service, pod: &mut PodPlan, why: &str, help: &str) {
    cx.push(
        Diagnostic::warning(
            codes::AUTOSCALE_REFUSED,
            format!("service `{}` is not autoscaled: {why}", svc.name),
        )
        .with_span_opt(svc.origin.field("x-homeport"))
        .with_label("autoscale hint refused")
        .with_help(help.to_string()),
    );
    pod.decide(
        "autoscale",
        "refused",
        format!("x-homeport.autoscale: {why}"),
    );
}

pub fn decide(cx: &mut Ctx, pods: &mut [PodPlan], claims: &[ClaimPlan]) {
    for i in 0..pods.len() {
        let Some(svc) = cx.project.services.get(&pods[i].service) else {
            continue;
        };
        let hints: ServiceHints = cx.hints(svc);
        if hints.autoscale.is_none() && hints.queue.is_none() {
            continue;
        }
        let a: AutoscaleHint = hints.autoscale.clone().unwrap_or_default();
        let snapshot: Vec<PodPlan> = pods.to_vec();
        let pod = &mut pods[i];
        if !matches!(
            pod.workload,
            WorkloadKind::Deployment | WorkloadKind::StatefulSet
        ) {
            refuse(
                cx,
                svc,
                pod,
                &format!("a {} does not run replicas", pod.workload.as_str()),
                "remove `autoscale`/`queue` from its x-homeport block",
            );
            continue;
        }
        if let Some(why) = cannot_scale(pod, claims) {
            refuse(cx, svc, pod, &why, "remove `autoscale` (it keeps one replica), or move its state to a database or a ReadWriteMany volume first");
            continue;
        }
        let queue_based = hints.queue.is_some();
        let floor = if queue_based { 0 } else { 1 };
        let min = a.min.unwrap_or(pod.replicas.max(1)).max(floor);
        let max = a.max.unwrap_or(min.max(2)).max(min.max(1));
        if let Some((free, per_replica)) = gpu_room(cx, &snapshot, pod) {
            let fit = free / per_replica.max(1);
            if u64::from(max) > fit {
                let why = format!(
                    "max {max} replicas need {} GPU slot(s) but only {free} exist for it in the inventory",
                    u64::from(max) * per_replica
                );
                refuse(cx, svc, pod, &why, &format!("lower `autoscale.max` to {fit}, or raise `shared:` (time-slicing) of the GPU in cluster.yaml"));
                continue;
            }
        }
        let explicit = a.cpu.is_some() || a.memory.is_some();
        let cpu = a.cpu.or(if explicit || queue_based || a.gpu.is_some() {
            None
        } else {
            Some(80)
        });
        let mut plan = AutoscalePlan {
            min,
            max,
            cpu,
            memory: a.memory,
            queue: None,
            gpu: None,
        };
        if let Some(q) = &hints.queue {
            plan.queue = queue_trigger(cx, svc, pod, &snapshot, q);
        }
        if let Some(g) = a.gpu {
            match &cx.cluster.monitoring {
                Some(m) => {
                    plan.gpu = Some(GpuTrigger {
                        server: m.prometheus.clone(),
                        query: format!(
                            "avg(DCGM_FI_DEV_GPU_UTIL{{exported_namespace=\"{ns}\",exported_pod=~\"{name}-.+\"}}) or avg(DCGM_FI_DEV_GPU_UTIL{{namespace=\"{ns}\",pod=~\"{name}-.+\"}})",
                            ns = pod.namespace,
                            name = pod.name
                        ),
                        threshold: g,
                    });
                }
                None => cx.push(
                    Diagnostic::warning(
                        codes::GPU_SCALING_WITHOUT_MONITORING,
                        format!("service `{}`: `autoscale.gpu` needs Prometheus with the DCGM exporter, and the inventory declares no `monitoring`: no GPU trigger", svc.name),
                    )
                    .with_span_opt(svc.origin.field("x-homeport"))
                    .with_help("add `monitoring: {operator: prometheus-operator, prometheus: URL}` to cluster.yaml"),
                ),
            }
        }
        if plan.cpu.is_none() && plan.memory.is_none() && plan.queue.is_none() && plan.gpu.is_none()
        {
            plan.cpu = Some(80);
        }
        pod.replicas = min.max(1);
        pod.disruption_budget = max > 1;
        let mut what = format!("{min}..{max} replicas");
        if let Some(c) = plan.cpu {
            what.push_str(&format!(", cpu {c}%"));
        }
        if let Some(m) = plan.memory {
            what.push_str(&format!(", memory {m}%"));
        }
        if let Some(q) = &plan.queue {
            what.push_str(&format!(
                ", {} queue `{}` {} per replica",
                q.kind, q.queue, q.target
            ));
        }
        if let Some(g) = &plan.gpu {
            what.push_str(&format!(", GPU utilisation {}%", g.threshold));
        }
        let keda = plan.queue.is_some() || plan.gpu.is_some();
        pod.decide(
            "autoscale",
            what,
            if keda {
                "x-homeport.queue/autoscale.gpu: a KEDA ScaledObject (one scaler: it owns the HorizontalPodAutoscaler); scale-up fast, scale-down one pod a minute after 5 minutes calm"
            } else {
                "x-homeport.autoscale: an autoscaling/v2 HorizontalPodAutoscaler on utilisation of requests; scale-up fast, scale-down one pod a minute after 5 minutes calm"
            },
        );
        if a.min == Some(0) && !keda {
            pod.notes.push(format!("{}: x-homeport.autoscale.min 0 is raised to 1: a HorizontalPodAutoscaler cannot scale to zero (queue-based scaling to zero needs KEDA)", svc.name));
        }
        pod.autoscale = Some(plan);
    }
}

/// The broker of a queue hint and the Secret the TriggerAuthentication reads.
fn queue_trigger(
    cx: &mut Ctx,
    svc: &homeport_compose::Service,
    pod: &mut PodPlan,
    pods: &[PodPlan],
    q: &homeport_compose::QueueHint,
) -> Option<QueueTrigger> {
    let target = q
        .target
        .unwrap_or(if q.kind == "redis" { 5 } else { 10 })
        .max(1);
    let family = if q.kind == "rabbitmq" {
        "rabbitmq"
    } else {
        "redis"
    };
    let broker = pods.iter().find(|p| {
        p.containers
            .iter()
            .any(|c| crate::images::lookup(&c.image).family.contains(family))
    });
    let Some(broker) = broker else {
        cx.push(
            Diagnostic::warning(
                codes::QUEUE_BROKER_MISSING,
                format!("service `{}`: `x-homeport.queue` names {} but no {} service is deployed in this project: no queue trigger", svc.name, q.kind, q.kind),
            )
            .with_span_opt(svc.origin.field("x-homeport"))
            .with_help("deploy the broker in the same project, or remove `queue`"),
        );
        return None;
    };
    let fqdn = format!("{}.{}.svc.cluster.local", broker.name, broker.namespace);
    if q.kind == "rabbitmq" {
        // The worker's own Secret holds the AMQP URL (it carries the password); KEDA's
        // operator runs in its own namespace, so the trigger gets the same URL with the
        // broker's fully qualified name in a Secret of its own.
        let found = pod.containers.iter().find_map(|c| {
            c.secret_env
                .iter()
                .chain(c.config_env.iter())
                .find(|(_, v)| v.starts_with("amqp://") || v.starts_with("amqps://"))
                .map(|(k, v)| (c.name.clone(), k.clone(), v.clone()))
        });
        let Some((_, key, url)) = found else {
            cx.push(
                Diagnostic::warning(
                    codes::QUEUE_BROKER_MISSING,
                    format!("service `{}`: no AMQP URL (amqp://...) in its environment for the RabbitMQ trigger: no queue trigger", svc.name),
                )
                .with_span_opt(svc.origin.field("x-homeport"))
                .with_help("give it the broker URL in an environment variable, e.g. AMQP_URL"),
            );
            return None;
        };
        let url = qualify_host(&url, &broker.name, &fqdn);
        pod.decide("queue trigger", format!("rabbitmq queue `{}`", q.name), format!("KEDA reads the broker URL of `{key}` (Secret {}-keda, the broker addressed as {fqdn})", pod.name));
        Some(QueueTrigger {
            kind: "rabbitmq".into(),
            queue: q.name.clone(),
            target,
            broker: broker.name.clone(),
            secret: format!("{}-keda", pod.name),
            secret_key: "host".into(),
            address: Some(url),
            broker_namespace: broker.namespace.clone(),
            broker_port: broker
                .ports
                .iter()
                .find(|p| p.port == 5672)
                .or(broker.ports.first())
                .map_or(5672, |p| p.target),
        })
    } else {
        let port = broker.ports.first().map_or(6379, |p| p.port);
        let broker_port = broker.ports.first().map_or(6379, |p| p.target);
        let password = broker.containers.iter().find_map(|c| {
            c.secret_env
                .keys()
                .find(|k| k.contains("PASSWORD"))
                .map(|k| (format!("{}-env", c.name), k.clone()))
        });
        let (secret, key) = password.unwrap_or_default();
        pod.decide(
            "queue trigger",
            format!("redis list `{}`", q.name),
            format!(
                "KEDA reads the list length at {fqdn}:{port}{}",
                if secret.is_empty() {
                    String::new()
                } else {
                    format!(", password from Secret {secret}")
                }
            ),
        );
        Some(QueueTrigger {
            kind: "redis".into(),
            queue: q.name.clone(),
            target,
            broker: broker.name.clone(),
            secret,
            secret_key: key,
            address: Some(format!("{fqdn}:{port}")),
            broker_namespace: broker.namespace.clone(),
            broker_port,
        })
    }
}

/// `amqp://u:p@rabbitmq:5672/` -> `amqp://u:p@rabbitmq.ns.svc.cluster.local:5672/`.
fn qualify_host(url: &str, short: &str, fqdn: &str) -> String {
    let Some(at) = url.rfind('@').or_else(|| url.find("://").map(|i| i + 2)) else {
        return url.to_string();
    };
    let (head, rest) = url.split_at(at + 1);
    let end = rest.find([':', '/']).unwrap_or(rest.len());
    if &rest[..end] == short {
        format!("{head}{fqdn}{}", &rest[end..])
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::qualify_host;

    #[test]
    fn qualifies_the_broker_host() {
        assert_eq!(
            qualify_host(
                "amqp://u:p@rabbitmq:5672/",
                "rabbitmq",
                "rabbitmq.t.svc.cluster.local"
            ),
            "amqp://u:p@rabbitmq.t.svc.cluster.local:5672/"
        );
        assert_eq!(
            qualify_host("amqp://rabbitmq/", "rabbitmq", "r.t.svc"),
            "amqp://r.t.svc/"
        );
        assert_eq!(
            qualify_host("amqp://u:p@other:5672/", "rabbitmq", "x"),
            "amqp://u:p@other:5672/"
        );
    }
}
