#!/usr/bin/env bash
# DICOMweb checked by software others wrote: the `dicomweb-client` package (PyPI) stores, searches
# and retrieves on SQLite and on PostgreSQL; then the web viewer (OHIF, installed by `cargo xtask
# viewer`) in headless Chromium signs in, lists the studies and draws a CT and the 30-frame
# ultrasound, with no console error and no request to another host. Screenshots go to
# $TARGET/viewer-shots.
#
# Usage: bash .ci/dicomweb.sh path/to/server
#   The server binary is built by the caller. Needs python3 (a virtualenv is made), npm, chromium,
#   and PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
# Environment: MEDCARE_CI_CACHE (where the virtualenv is kept), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib.sh

DICOMWEB_CLIENT_VERSION=0.61.2
WEBSOCKET_CLIENT_VERSION=1.9.2
CACHE=${MEDCARE_CI_CACHE:-/var/cache/medcare-ci}
if ! { mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ]; }; then
  CACHE=${TMPDIR:-/tmp}/medcare-ci
  mkdir -p "$CACHE"
fi
VENV=$CACHE/dicomweb-venv
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
TESTDATA=$(realpath ../shared/testdata/dicom)
PGURL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}

server_bin=$(realpath "${1:?usage: bash .ci/dicomweb.sh path/to/server}")

log() { printf '\n== %s\n' "$*"; }

log "dicomweb-client $DICOMWEB_CLIENT_VERSION, websocket-client $WEBSOCKET_CLIENT_VERSION"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import dicomweb_client, websocket, sys; sys.exit(dicomweb_client.__version__ != '$DICOMWEB_CLIENT_VERSION')" 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "dicomweb-client==$DICOMWEB_CLIENT_VERSION" "websocket-client==$WEBSOCKET_CLIENT_VERSION"

log "the viewer"
cargo xtask viewer

work=$(mktemp -d)
database=
stop() {
  stop_server
  if [ -n "$database" ]; then
    psql "$PGURL" -qtAc "drop database if exists $database" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap stop EXIT

# serve NAME [DATABASE_URL]: a fresh server with the demo staff; sets base.
serve() {
  local name=$1 url=${2:-}
  stop_server
  unset DATABASE_URL TOKEN_KEYS METRICS_BIND_ADDR BLOB_STORE_URL BLOB_DIR DICOMWEB_CORS_ORIGINS
  local port
  port=$(free_port)
  base=http://127.0.0.1:$port
  export DATA_DIR=$work/$name BIND_ADDR=127.0.0.1:$port DICOM_BIND_ADDR=off RUST_LOG=warn
  export DRAFT_REMINDER_INTERVAL_SECONDS=0 VIEWER_DIR=$TARGET/viewer
  [ -n "$url" ] && export DATABASE_URL=$url
  mkdir -p "$DATA_DIR"
  start_server "$server_bin" "$work/$name.log" "$base"
  "$server_bin" seed-demo >/dev/null
}

log "dicomweb-client on SQLite"
serve sqlite
"$VENV/bin/python" .ci/dicomweb_conformance.py "$base" "$TESTDATA"

log "the viewer in headless Chromium"
"$VENV/bin/python" .ci/viewer_browser.py "$base" doctor demo-clinic-2026 "$TARGET/viewer-shots" \
  "CT=1.3.6.1.4.1.5962.1.2.1.20040119072730.12322" \
  "PLA=1.2.840.114340.3.8251017118051.1.20160503.120850.2171"

log "dicomweb-client on PostgreSQL"
database=medcare_dicomweb_$$
psql "$PGURL" -qtAc "create database $database" >/dev/null
serve postgres "${PGURL%/*}/$database"
"$VENV/bin/python" .ci/dicomweb_conformance.py "$base" "$TESTDATA"
