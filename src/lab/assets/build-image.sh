#!/usr/bin/env bash
# Builds the lab's base image into OUT (a fresh directory): root.img (raw ext4), client-root.img
# (the same tree plus the drill client's NFS client), vmlinuz,
# initrd.img and manifest.json. Run by src/lab/image.ts inside `unshare --mount` so that every
# mount made here vanishes with the process, even if the build is killed half way.
# Inputs come from the environment so that image.ts can hash exactly what it passes in.
set -euo pipefail

out=$1
assets=$(cd "$(dirname "$0")" && pwd)
: "${LAB_SUITE:?}" "${LAB_MIRROR:?}" "${LAB_SECURITY_MIRROR:?}" "${LAB_BASE_PACKAGES:?}"
: "${LAB_REPO_PACKAGES:?}" "${LAB_INITRD_MODULES:?}" "${LAB_ROOT_SIZE:?}" "${LAB_PRUNE_MODULES:?}"

root=$out/rootfs
repo=/var/local/hapair-repo
step() { echo "== $*"; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }

step "debootstrap $LAB_SUITE (minbase + ${LAB_BASE_PACKAGES// /,})"
debootstrap --variant=minbase --include="${LAB_BASE_PACKAGES// /,}" \
  "$LAB_SUITE" "$root" "$LAB_MIRROR" >"$out/debootstrap.log" 2>&1 \
  || { tail -n 30 "$out/debootstrap.log"; exit 1; }

# Nothing installed in the chroot may start a service on the build host.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"

cat >"$root/etc/apt/sources.list" <<SRC
deb $LAB_MIRROR $LAB_SUITE main
deb $LAB_MIRROR $LAB_SUITE-updates main
deb $LAB_SECURITY_MIRROR $LAB_SUITE-security main
SRC
step "apt-get update + upgrade in the image"
in_root apt-get -q update >/dev/null
in_root apt-get -q -y -o Dpkg::Options::=--force-confold dist-upgrade | grep -E '^(Inst|[0-9]+ upgraded)' || true

step "kernel: download and unpack the Debian kernel"
kpkg=$(in_root apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { echo "cannot resolve linux-image-amd64"; exit 1; }
in_root sh -c "cd /tmp && apt-get -q download $kpkg" >/dev/null
# Unpack beside the tree, not into it: dpkg -x would replace the merged-/usr /lib symlink.
dpkg -x "$root"/tmp/"$kpkg"_*.deb "$out/kernel"
rm -f "$root"/tmp/*.deb
kver=${kpkg#linux-image-}
mv "$out/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
mkdir -p "$root/lib/modules"
mv "$out/kernel/lib/modules/$kver" "$root/lib/modules/"
rm -rf "$out/kernel"
# Graphics, sound, wireless and the like never load in a headless guest: dropping them keeps
# the image small and mkfs fast.
for d in $LAB_PRUNE_MODULES; do rm -rf "$root/lib/modules/$kver/kernel/$d"; done
in_root depmod "$kver"
echo "kernel $kver"

step "local apt repository: download closure of $LAB_REPO_PACKAGES"
mkdir -p "$root$repo/partial"
in_root apt-get -q -y --download-only -o Dir::Cache::archives="$repo/" install $LAB_REPO_PACKAGES \
  | grep -E '^[0-9]+ upgraded' || true
rm -rf "$root$repo/partial" "$root$repo/lock"
(cd "$root$repo" && apt-ftparchive packages . >Packages && gzip -9 -k Packages \
  && apt-ftparchive release . >Release)
echo "repo: $(ls "$root$repo"/*.deb | wc -l) packages, $(du -sh "$root$repo" | cut -f1)"

step "apt: the local repository becomes the only source"
rm -f "$root"/etc/apt/sources.list.d/*
echo "deb [trusted=yes] file:$repo ./" >"$root/etc/apt/sources.list"
rm -rf "$root"/var/lib/apt/lists/*
in_root apt-get -q update >/dev/null
in_root apt-get clean

step "guest configuration"
install -m 0755 "$assets/guest-seed.sh" "$root/usr/local/sbin/hapair-seed"
install -m 0644 "$assets/hapair-seed.service" "$root/etc/systemd/system/hapair-seed.service"
install -m 0644 "$assets/sshd-lab.conf" "$root/etc/ssh/sshd_config.d/hapair-lab.conf"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 0' >"$root/etc/fstab"
echo 'unconfigured' >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
# An empty machine-id: each guest gets its own from systemd.machine_id= on its command line.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
in_root systemctl enable hapair-seed.service >/dev/null 2>&1
# Timers that would wake up in an emulated guest and compete for its single slow CPU.
in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
  e2scrub_reap.service fstrim.timer getty@tty1.service >/dev/null 2>&1
# systemd runs every generator on each daemon-reload, and package scripts, `systemctl enable` and
# hapair's drop-ins reload often: under emulation each generator costs 0.3-3 s (a reload took
# 8 s). These serve disks and boot modes a lab guest never has (encrypted, verity or integrity
# volumes, GPT auto-mounts, hibernation, offline updates, rc.local, systemd.run= on the kernel
# command line). fstab, getty, sysv and the NFS generators stay: the guests use them.
mkdir -p "$root/etc/systemd/system-generators"
for g in systemd-cryptsetup-generator systemd-integritysetup-generator systemd-veritysetup-generator \
  systemd-gpt-auto-generator systemd-hibernate-resume-generator systemd-debug-generator \
  systemd-run-generator systemd-system-update-generator systemd-rc-local-generator; do
  ln -sf /dev/null "$root/etc/systemd/system-generators/$g"
done
# dpkg syncs every unpacked file, and a guest's fsync is a host fsync of its qcow2 disk: the
# packages install for real, but without waiting for the host disk at each file (what container
# images do). The guest kernel still writes everything back; savevm captures it either way.
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/hapair-lab-unsafe-io"
rm -f "$root/usr/sbin/policy-rc.d"

step "initramfs (busybox + modules to mount /dev/vda)"
init=$out/initramfs
mkdir -p "$init"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$(command -v busybox)" "$init/bin/busybox"
in_root modprobe -a -S "$kver" --show-depends $LAB_INITRD_MODULES | awk '$1 == "insmod" {print $2}' \
  | awk '!seen[$0]++' >"$out/modules.list"
while read -r m; do
  cp "$root$m" "$init/lib/modules/"
  basename "$m" >>"$init/modules.order"
done <"$out/modules.list"
install -m 0755 "$assets/initramfs-init.sh" "$init/init"
(cd "$init" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out/initrd.img"
rm -rf "$init" "$out/modules.list"

umount -R "$root/dev"
umount "$root/sys" "$root/proc"

step "root.img ($LAB_ROOT_SIZE ext4 from the tree, no loop mount)"
mkfs.ext4 -q -F -L hapair-root -d "$root" "$out/root.img" "$LAB_ROOT_SIZE" >/dev/null

# The drill client is the lab's stand-in for a site's client machine, not a node under test: it
# boots with its NFS client already installed (natively here, a second or two, instead of about a
# minute of apt under emulation at every drill-client boot). netbase too: mount.nfs looks up "tcp"
# in /etc/protocols, which the minimal tree lacks. The nodes keep the minimal tree: hapair's
# install steps run a real apt-get install there.
step "client-root.img: the same tree plus nfs-common and netbase"
mount -t proc proc "$root/proc"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
in_root apt-get -q -y --no-install-recommends install nfs-common netbase >/dev/null
in_root apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"
umount "$root/proc"
mkfs.ext4 -q -F -L hapair-root -d "$root" "$out/client-root.img" "$LAB_ROOT_SIZE" >/dev/null
printf '{"kernel":"%s","rootUsedKiB":%s}\n' "$kver" "$(du -sk "$root" | cut -f1)" >"$out/manifest.json"
rm -rf "$root" "$out/debootstrap.log"
step "done"
