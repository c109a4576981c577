#!/bin/busybox sh
# The lab's whole initramfs: load the few modules needed to see /dev/vda (virtio) and mount it
# (ext4), then hand over to systemd. Debian's kernel has both as modules, not built in.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/lib/modules/$m"; done </modules.order
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
if ! mount -t ext4 -o rw /dev/vda /newroot; then
  echo "hapair initramfs: cannot mount /dev/vda" >/dev/console
  poweroff -f
fi
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
