#!/usr/bin/env bash
# The README's test command: installs what the tests need, then lint, typecheck, all tests.
# Real services, no mocks: InfluxDB 1.x, Mosquitto, Redis and Chromium come from Debian's packages.
# Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# binary -> Debian package; /usr/sbin is not on every user's PATH, so look there too.
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
need=()
has influxd || need+=(influxdb)
has influx || need+=(influxdb-client)
has mosquitto || need+=(mosquitto)
has chromium || need+=(chromium)
has openssl || need+=(openssl)
has snmpget || need+=(snmp)
has systemd-analyze || need+=(systemd)
has redis-server || need+=(redis-server)
has sumo || need+=(sumo)
if [ ${#need[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${need[*]}"
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "scripts/test.sh: missing ${need[*]}; run as root or: apt-get install -y ${need[*]}" >&2
      exit 1
    fi
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian may start the packaged services on their standard ports; the tests never use those
# (every test server gets a free port on 127.0.0.1), so they are left alone.

npm ci --no-audit --no-fund
npm run lint
npm run typecheck
npm test
