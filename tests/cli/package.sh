#!/bin/sh
# The Debian package built from the tree and installed on a clean Debian 12
# (debootstrap folder, chroot): see tests/pkg.sh. Without root or a Debian
# base it says "# SKIP" and why.
set -u
top=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$top/tests/pkg.sh"
