#!/usr/bin/env bash
# Project set-up, run by `npm install` (postinstall) and again by `npm test` (pretest), so that a fresh
# machine gets everything the harness runs: k6 (built from the Go module proxy when missing) and,
# when we may install system packages (root + apt-get), Debian's chromium (status page test), wrk and
# hyperfine (benchmarks). Idempotent and quick when everything is already there.
# `--strict` (before tests): a missing k6 is an error. Without it (npm install): a warning, so that
# installing the npm packages does not fail on a machine without Go.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]} (one-time, about a minute)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} (e.g. sudo apt-get install ${missing[*]}); the status page test and benchmarks need them" >&2
  fi
fi

if ! node_modules/.bin/tsx scripts/ensure-k6.ts >/dev/null; then
  if [ "${1:-}" = --strict ]; then echo "setup: k6 is required to run the tests (see docs/load.md for other ways to install it)" >&2; exit 3; fi
  echo "setup: k6 is not installed; the load scripts and 'npm test' need it (see docs/load.md)" >&2
fi
