//! A compliant object is evaluated without a single heap allocation: the cost of linting a
//! clean manifest set is only the walk over its fields.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use homeport_pss::{evaluate, Level, Version};
use serde_json::json;

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the thread-local may already be gone while a thread shuts down.
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn compliant_objects_do_not_allocate() {
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "app"},
        "spec": {"template": {
            "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}},
            "spec": {
                "securityContext": {
                    "runAsNonRoot": true,
                    "runAsUser": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"},
                    "seLinuxOptions": {"level": "s0:c1,c2"},
                    "sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
                },
                "initContainers": [{"name": "init", "image": "busybox",
                    "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "seLinuxOptions": {"type": "container_t"}}}],
                "containers": [{"name": "app", "image": "nginx",
                    "ports": [{"containerPort": 8080, "hostPort": 0}],
                    "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
                    "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                    "securityContext": {"allowPrivilegeEscalation": false, "procMount": "Default",
                        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
                        "appArmorProfile": {"type": "RuntimeDefault"}}}],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}, {"name": "tmp", "emptyDir": {}}]
            }
        }}
    });
    for level in [Level::Baseline, Level::Restricted] {
        for version in [
            Version::new(1, 0),
            Version::new(1, 18),
            Version::new(1, 25),
            Version::LATEST,
        ] {
            let mut found = usize::MAX;
            let allocations =
                allocations_during(|| found = evaluate(&deployment, level, version).len());
            assert_eq!(found, 0, "{level} {version}");
            assert_eq!(allocations, 0, "{level} {version}");
        }
    }
}

#[test]
fn non_pod_objects_do_not_allocate() {
    let service = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80}]}});
    let allocations = allocations_during(|| {
        assert!(evaluate(&service, Level::Restricted, Version::LATEST).is_empty())
    });
    assert_eq!(allocations, 0);
}
