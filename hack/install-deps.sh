#!/bin/sh
# Installs what Timonel needs on a Debian machine, idempotently: system packages
# first (only those missing), then the npm dependencies.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="etcd-server etcd-client containerd runc containernetworking-plugins iptables nftables conntrack iproute2 skopeo docker-registry apache2-utils victoria-metrics chromium debootstrap busybox-static gcc libc6-dev python3-kubernetes"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # Debian starts a system etcd on install where it can; ours runs on its own ports and data dir.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
