#!/bin/bash
# Installs, from Debian, what the plugin, its demo and its tests need (only what is missing; root or sudo).
# QGIS must load every Python module from the distribution (a pip wheel of rasterio or numpy next to QGIS's
# GDAL breaks it), so all of these are Debian packages. Works on Debian 12 (QGIS 3.22) and 13 (QGIS 3.40, or 3.44
# when apt prefers trixie-backports for QGIS).
set -euo pipefail
runtime="qgis python3-qgis qgis-providers python3-scipy python3-shapely python3-rasterio python3-pyproj
  python3-dask python3-distributed python3-psycopg2 python3-venv tzdata xvfb xauth"
tests="postgresql python3-dpkt"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
missing() { for p in "$@"; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"; done; }
want=$(missing $runtime $tests)
# PostGIS is packaged per PostgreSQL major version (15 on Debian 12, 17 on Debian 13)
pg_major() { apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -1; }
postgis=""
[ -n "$(pg_major)" ] && postgis="postgresql-$(pg_major)-postgis-3" && want="$want $(missing $postgis)"
if [ -n "${want// /}" ] || [ -z "$postgis" ]; then
  echo "Installing from Debian: $(echo $want $postgis | tr '\n' ' ')"
  $sudo apt-get update -qq
  postgis="postgresql-$(pg_major)-postgis-3"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $runtime $tests $postgis \
    > /tmp/wifidensity-apt.log 2>&1 || { tail -20 /tmp/wifidensity-apt.log; exit 1; }
fi
