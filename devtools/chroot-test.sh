#!/bin/bash
# Runs `make test` of this checkout's committed HEAD inside a Debian chroot of another release, e.g.
#   devtools/chroot-test.sh trixie              # Debian 13: QGIS 3.40 LTR, Python 3.13, numpy 2
#   devtools/chroot-test.sh trixie --backports  # Debian 13 with QGIS 3.44 from trixie-backports
#   devtools/chroot-test.sh trixie --backports test-qgis  # another make target than `test`
# Run as root. The chroot's base (Debian, make, git, and whatever `make test` installs) stays under
# /var/tmp/wifidensity-ci/<suite> (<suite>-backports with --backports) so that later runs on the same machine
# reuse it; each run tests a fresh clone, with ../shared beside it when the checkout has one, and removes it
# afterwards. With --backports the base gets <suite>-backports as an apt source and a pin (by codename) that
# takes QGIS, and only QGIS, from there: what a user who wants the newest QGIS 3 on Debian stable does.
set -euo pipefail
usage="usage: devtools/chroot-test.sh SUITE [--backports] [MAKE_TARGET] (SUITE: a Debian codename, e.g. trixie)"
suite=${1:?$usage}
shift
backports=""
target=test
for arg in "$@"; do
  case "$arg" in
    --backports) backports=yes ;;
    -*) echo "$usage"; exit 2 ;;
    *) target=$arg ;;
  esac
done
name=$suite${backports:+-backports}
project=$(git rev-parse --show-toplevel)
base=/var/tmp/wifidensity-ci/$name
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
log=/var/tmp/wifidensity-ci/$name.log
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
if [ -n "$backports" ]; then
  echo "deb ${mirror:-http://deb.debian.org/debian} $suite-backports main" > "$base/etc/apt/sources.list.d/backports.list"
  printf 'Package: qgis qgis-* python3-qgis python3-qgis-* libqgis*\nPin: release n=%s-backports\nPin-Priority: 990\n' \
    "$suite" > "$base/etc/apt/preferences.d/qgis-backports"
fi

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
echo "make $target in Debian $suite${backports:+ with $suite-backports}:"
rc=0
chroot "$base" bash -c "cd /home/ci/project && make $target" || rc=$?
qgis=$(chroot "$base" dpkg-query -W -f='${Version}' qgis 2> /dev/null || true)
echo "Debian $suite${backports:+ with $suite-backports}, QGIS $qgis: make $target exit $rc"
# a lane that meant to test the backported QGIS but got the release's own has not tested what it says
if [ -n "$backports" ] && [[ $qgis != *bpo* ]]; then
  echo "QGIS $qgis is not the one from $suite-backports (is the pin in $base/etc/apt/preferences.d in force?)"
  exit 3
fi
exit $rc
