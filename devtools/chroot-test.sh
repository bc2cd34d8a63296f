#!/bin/bash
# Runs `make test` of this checkout's committed HEAD inside a Debian chroot of another release, e.g.
#   devtools/chroot-test.sh trixie      # Debian 13: QGIS 3.40 LTR, Python 3.13, numpy 2
# Run as root. The chroot's base (Debian, make, git, and whatever `make test` installs) stays under
# /var/tmp/wifidensity-ci/<suite> so that later runs on the same machine reuse it; each run tests a fresh clone,
# with ../shared beside it when the checkout has one, and removes it afterwards.
set -euo pipefail
suite=${1:?usage: devtools/chroot-test.sh SUITE (a Debian codename, e.g. trixie)}
project=$(git rev-parse --show-toplevel)
base=/var/tmp/wifidensity-ci/$suite
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
log=/var/tmp/wifidensity-ci/$suite.log
mkdir -p /var/tmp/wifidensity-ci

if [ ! -x "$base/usr/bin/git" ]; then
  command -v debootstrap > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null
  rm -rf --one-file-system "$base"
  echo "building a Debian $suite chroot in $base (a few minutes, once per machine)"
  debootstrap --variant=minbase "$suite" "$base" ${mirror:+"$mirror"} > "$log" 2>&1 \
    || { tail -20 "$log"; echo "debootstrap of $suite failed"; exit 2; }
fi
# the host's resolver, the certificates its TLS traffic is checked against (its own authorities too, so that
# the bundle keeps them when a package install in the chroot rebuilds it), and its pip settings
cp /etc/resolv.conf "$base/etc/"
mkdir -p "$base/usr/local/share/ca-certificates" "$base/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$base/usr/local/share/ca-certificates/" 2> /dev/null || true
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$base/etc/ssl/certs/"
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$base/etc/"

work=$base/home/ci
rm -rf "$work" && mkdir -p "$work"
git clone -q "$project" "$work/project"
# the contents, so that a shared/ that is a symbolic link on the host is a real folder in the chroot
[ -d "$project/../shared" ] && mkdir -p "$work/shared" && cp -a "$project/../shared/." "$work/shared/"
mount -t proc proc "$base/proc"
mount --bind /dev "$base/dev"
cleanup() {
  umount "$base/dev" "$base/proc" 2> /dev/null || true
  mountpoint -q "$base/proc" || rm -rf --one-file-system "$work"
}
trap cleanup EXIT
chroot "$base" bash -c "command -v make > /dev/null && command -v git > /dev/null || \
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make git ca-certificates)" > "$log" 2>&1
chroot "$base" update-ca-certificates > /dev/null 2>&1 || true
echo "make test in Debian $suite:"
chroot "$base" bash -c "cd /home/ci/project && make test"
