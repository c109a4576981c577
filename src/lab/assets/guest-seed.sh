#!/bin/sh
# Runs in the guest before the network and sshd start (hapair-seed.service). The lab gives each
# guest a small read-only ext4 disk (/dev/vdc) whose files/ tree is copied over /: hostname,
# /etc/hosts, /etc/network/interfaces, SSH host keys and root's authorized_keys. This keeps the
# base image identical for both guests and free of secrets.
set -eu
dev=/dev/vdc
mnt=/run/hapair-seed
[ -b "$dev" ] || { echo "hapair-seed: no $dev, nothing to apply"; exit 0; }
mkdir -p "$mnt"
mount -t ext4 -o ro "$dev" "$mnt"
cp -a "$mnt/files/." /
umount "$mnt"
rmdir "$mnt"
hostname -F /etc/hostname
echo "hapair-seed: applied for $(hostname)"
