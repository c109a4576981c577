#!/usr/bin/env bash
# Debian packages the test suite and the lab need on the machine running hapair.
# (Nothing here is needed on the cluster nodes: hapair installs what they need itself.)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(
  # the lab: guests under QEMU, their base image, the network namespaces
  qemu-system-x86 qemu-utils debootstrap busybox-static e2fsprogs apt-utils dpkg-dev kmod iproute2 procps iputils-ping
  # transport tests start a real sshd; the lab's client uses ssh and an NFS client without a kernel mount
  openssh-server openssh-client libnfs-utils
  # recorded-output tests and partition tests on loop devices
  util-linux fdisk parted drbd-utils
  # keepalived runs for real (in namespaces) in the template tests; policy-rc.d keeps it from starting on install
  keepalived psmisc
  # the drill's NFSv3 client is tested against a userspace NFS server the test starts itself
  nfs-ganesha nfs-ganesha-vfs
  # pacemaker fencing: the lab's BMCs (ipmi_sim) and the fence agent, tested together on loopback
  openipmi ipmitool fence-agents
)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Installed for the tests, which start their own: none of these may serve on the host itself.
for unit in nfs-ganesha keepalived openipmi; do
  systemctl disable --now "$unit" >/dev/null 2>&1 || true
done
