//! `nodes/<node>/preflight.sh`: checks, on the machine itself before k3s is installed, what
//! k3s and the inventory's claims need (architecture, memory, the memory cgroup, swap, GPU
//! drivers and the NVIDIA container toolkit, the NFS client, local storage directories), and
//! prints how to fix each problem. POSIX sh, read-only, exits 1 when a check fails.

use crate::node_config::Role;
use homeport_plan::cluster::{Cluster, GpuVendor, NodeDef, Provisioner};

/// `text` as one single-quoted shell word.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

const PRELUDE: &str = r#"set -u

failures=0
warnings=0
ok() { printf 'ok    %s\n' "$1"; }
fail() {
  printf 'FAIL  %s\n      fix: %s\n' "$1" "$2"
  failures=$((failures + 1))
}
warn() {
  printf 'warn  %s\n      fix: %s\n' "$1" "$2"
  warnings=$((warnings + 1))
}
"#;

const MEMORY_CGROUP: &str = r#"
# The memory cgroup controller: without it the kubelet cannot account for or limit memory.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  if grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    ok "memory cgroup controller enabled (cgroup v2)"
  else
    fail "memory cgroup controller not enabled (cgroup v2)" \
      "add 'cgroup_memory=1 cgroup_enable=memory' to the kernel command line (Raspberry Pi: the single line of /boot/firmware/cmdline.txt or /boot/cmdline.txt; others: GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot"
  fi
elif awk '$1 == "memory" && $4 == 1 { found = 1 } END { exit !found }' /proc/cgroups 2>/dev/null; then
  ok "memory cgroup controller enabled (cgroup v1)"
else
  fail "memory cgroup controller not enabled" \
    "add 'cgroup_memory=1 cgroup_enable=memory' to the kernel command line and reboot"
fi

# Swap: the kubelet's reservations and memory evictions assume the node does not swap.
if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -gt 0 ]; then
  warn "swap is on" \
    "sudo swapoff -a and remove the swap entries from /etc/fstab (Raspberry Pi OS: sudo dphys-swapfile swapoff && sudo systemctl disable dphys-swapfile; zram: sudo systemctl disable --now systemd-zram-setup@zram0)"
else
  ok "swap is off"
fi
"#;

const NVIDIA: &str = r#"
# NVIDIA: the driver, and the container toolkit k3s looks for at start to add the nvidia
# runtime to containerd (the `nvidia` RuntimeClass comes with k3s).
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  found=$(nvidia-smi -L | grep -c '^GPU ')
  if [ "$found" -ge "$nvidia_gpus" ]; then
    ok "NVIDIA driver sees $found GPU(s)"
  else
    warn "NVIDIA driver sees $found GPU(s), the inventory declares $nvidia_gpus" \
      "correct the node's gpus: count in cluster.yaml, or check the cards with nvidia-smi -L"
  fi
else
  fail "no working NVIDIA driver (nvidia-smi -L failed)" \
    "install the NVIDIA driver (Ubuntu: sudo ubuntu-drivers install; Debian: sudo apt-get install nvidia-driver) and reboot"
fi
if command -v nvidia-container-runtime >/dev/null 2>&1 || command -v nvidia-ctk >/dev/null 2>&1; then
  ok "NVIDIA container toolkit installed"
else
  fail "NVIDIA container toolkit missing" \
    "install nvidia-container-toolkit (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html); k3s finds it when it starts (restart k3s if it was installed first)"
fi
"#;

const INTEL: &str = r#"
# Intel GPU: the render node the Intel GPU device plugin hands to pods.
found=$(find /dev/dri -maxdepth 1 -name 'renderD*' 2>/dev/null | wc -l)
if [ "$found" -gt 0 ]; then
  ok "GPU render node(s) present: $found under /dev/dri"
else
  fail "no /dev/dri/renderD* device" \
    "load the Intel GPU driver (i915 or xe; check with: lspci -k | grep -A3 VGA), install the firmware (Debian: firmware-misc-nonfree) and reboot"
fi
"#;

const AMD: &str = r#"
# AMD GPU: the ROCm device the AMD device plugin uses.
if [ -e /dev/kfd ]; then
  ok "/dev/kfd present"
else
  fail "no /dev/kfd (AMD ROCm kernel driver)" "load the amdgpu driver with ROCm support and reboot"
fi
"#;

const NFS_CLIENT: &str = r#"
# NFS client: pods on this node mount NFS volumes through the kubelet, which needs mount.nfs.
if command -v mount.nfs >/dev/null 2>&1 || [ -x /sbin/mount.nfs ] || [ -x /usr/sbin/mount.nfs ]; then
  ok "NFS client installed"
else
  fail "NFS client missing (mount.nfs)" \
    "Debian/Ubuntu/Raspberry Pi OS: sudo apt-get install -y nfs-common; Fedora/RHEL: sudo dnf install -y nfs-utils; Arch: sudo pacman -S nfs-utils"
fi
"#;

/// The script's text for `node`.
pub fn script(cluster: &Cluster, node: &NodeDef, role: Role) -> String {
    let mut s = String::new();
    s.push_str("#!/bin/sh\n");
    s.push_str(&format!(
        "# Preflight of node {} (k3s {}), written by `homeport bootstrap`: run it on the node\n# before installing k3s (sh preflight.sh). It only reads; it exits 1 when a check fails.\n",
        node.name,
        role.k3s_command()
    ));
    s.push_str(PRELUDE);

    // Architecture.
    let arch = node.arch.as_str();
    s.push_str(&format!(
        r#"
# Architecture, as the inventory declares it (images and placement rely on it).
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  armv6l | armv7l | armhf | arm) arch=arm ;;
  *) arch=$(uname -m) ;;
esac
if [ "$arch" = {want} ]; then
  ok "architecture $arch"
else
  fail "architecture is $arch, the inventory says {arch}" "correct arch: of node {name} in cluster.yaml"
fi
"#,
        want = sh_quote(arch),
        name = node.name,
    ));

    // Memory.
    if let Some(bytes) = node.memory_bytes {
        let kib = bytes / 1024;
        s.push_str(&format!(
            r#"
# Memory: at least 85% of what the inventory declares ({declared}; the kernel keeps some).
declared_kib={kib}
total_kib=$(awk '/^MemTotal:/ {{ print $2 }}' /proc/meminfo)
if awk -v t="$total_kib" -v d="$declared_kib" 'BEGIN {{ exit !(t >= d * 0.85) }}'; then
  ok "memory $((total_kib / 1024)) MiB"
else
  fail "memory is $((total_kib / 1024)) MiB, the inventory declares {declared}" \
    "correct memory: of node {name} in cluster.yaml (the plan's budgets and the kubelet reservations follow it)"
fi
"#,
            declared = homeport_plan::cluster::format_memory_bytes(bytes),
            name = node.name,
        ));
    }

    s.push_str(MEMORY_CGROUP);

    let count = |v: GpuVendor| -> u32 {
        node.gpus
            .iter()
            .filter(|g| g.vendor == v)
            .map(|g| g.count)
            .sum()
    };
    if count(GpuVendor::Nvidia) > 0 {
        s.push_str(&format!("\nnvidia_gpus={}", count(GpuVendor::Nvidia)));
        s.push_str(NVIDIA);
    }
    if count(GpuVendor::Intel) > 0 {
        s.push_str(INTEL);
    }
    if count(GpuVendor::Amd) > 0 {
        s.push_str(AMD);
    }

    // NFS: any node that runs pods may mount an NFS volume (storage-only nodes run none).
    let nfs = cluster
        .storage
        .iter()
        .any(|c| matches!(c.provisioner, Provisioner::Nfs | Provisioner::StaticNfs));
    if nfs && !node.is_storage_only() {
        s.push_str(NFS_CLIENT);
    }
    for class in cluster.storage.iter().filter(|c| {
        c.provisioner == Provisioner::StaticLocal && c.node.as_deref() == Some(node.name.as_str())
    }) {
        if let Some(path) = &class.path {
            s.push_str(&format!(
                r#"
# Storage class {class}: an existing directory on this node.
if [ -d {path} ]; then
  ok "directory {shown} present (storage class {class})"
else
  fail "directory {shown} missing (storage class {class})" \
    "mount the disk there (and add it to /etc/fstab) or correct path: of storage class {class}"
fi
"#,
                class = class.name,
                path = sh_quote(path),
                shown = path.replace(['"', '$', '`', '\\'], "_"),
            ));
        }
    }

    s.push_str(
        r#"
echo
if [ "$failures" -gt 0 ]; then
  echo "preflight: $failures check(s) failed, $warnings warning(s): fix them, then run this again"
  exit 1
fi
echo "preflight: all checks passed ($warnings warning(s))"
"#,
    );
    s
}
