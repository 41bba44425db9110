# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the scripts that boot a real Linux guest (User-Mode Linux):
# finds the kernel, its virtio_balloon module and insmod, or ends the
# script: exit 77 (skip) only when linux.uml or the module is missing,
# exit 1 when insmod is (the project set-up installs kmod).
#   in:  LINUX_UML (default /usr/bin/linux.uml)
#   out: UML, KVER, MOD, INSMOD
UML=${LINUX_UML:-/usr/bin/linux.uml}
if [ ! -x "$UML" ]; then
	echo "SKIP: $UML not found (Debian package user-mode-linux)"
	exit 77
fi
KVER=$("$UML" --version 2>/dev/null | tail -n 1 | tr -d '[:space:]')
MOD=$(ls /usr/lib/uml/modules/"$KVER"/kernel/drivers/virtio/virtio_balloon.ko 2>/dev/null ||
      ls /usr/lib/uml/modules/*/kernel/drivers/virtio/virtio_balloon.ko 2>/dev/null | head -n 1)
if [ -z "$MOD" ] || [ ! -f "$MOD" ]; then
	echo "SKIP: virtio_balloon.ko for UML not found"
	exit 77
fi
INSMOD=$(command -v insmod || echo /usr/sbin/insmod)
if [ ! -x "$INSMOD" ]; then
	echo "FAIL: insmod (package kmod) not found: the project set-up installs it"
	exit 1
fi
