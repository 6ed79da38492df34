#!/usr/bin/env bash
# Project set-up, run by `npm install` (postinstall) and again by `npm test` (scripts/test.ts), so that a fresh
# machine gets every real program the harness drives or tests with:
# - Debian packages, when we may install them (root + apt-get): chromium (status page screenshots),
#   wrk and hyperfine (benchmarks), prometheus (with promtool), prometheus-pushgateway and
#   prometheus-alertmanager (the monitoring stack's end-to-end test), shellcheck (actionlint runs it
#   on the workflows' scripts), rabbitmq-server (the self-test of the real server's mail outbox as
#   an inbox starts a node of its own);
# - Go-built tools, pinned, built from the Go module proxy when missing (scripts/ensure-tools.ts):
#   k6 and Mailpit (run time), actionlint and kubeconform (the project's own checks), and the
#   Kubernetes JSON schemas kubeconform reads (from PyPI's kubernetes-validate, with pip).
# Idempotent and quick when everything is already there.
# `--strict` (before tests): anything missing is an error (exit 3). Without it (npm install): a
# warning, so that installing the npm packages does not fail on a machine without Go or root.
set -euo pipefail
cd "$(dirname "$0")/.."

strict=
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      cat <<'HELP'
scripts/setup.sh — set-up (npm install runs it): the Debian packages and the pinned Go-built tools the harness drives

usage:
  npm run postinstall            (bash scripts/setup.sh; npm install runs it)
  bash scripts/setup.sh --strict (npm test runs it first)

options:
  --strict    anything missing is an error (exit 3), not a warning
  -h, --help  print this help and exit

Installs, when missing and it may (root + apt-get): chromium, wrk, hyperfine, shellcheck, prometheus,
prometheus-pushgateway, prometheus-alertmanager, rabbitmq-server; with Go: k6, Mailpit, actionlint,
kubeconform (scripts/ensure-tools.ts). Quick when everything is there.
HELP
      exit 0
      ;;
    --strict) strict=--strict ;;
    # Its one option is the nearest whatever was typed.
    *) echo "Bad command line: $arg: not an option of scripts/setup.sh; did you mean --strict? (-h/--help prints its help)" >&2; exit 2 ;;
  esac
done

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have chromium || [ -x /usr/bin/chromium ] || missing+=(chromium)
have wrk || missing+=(wrk)
have hyperfine || missing+=(hyperfine)
have shellcheck || missing+=(shellcheck)
have promtool || missing+=(prometheus)
have prometheus-pushgateway || missing+=(prometheus-pushgateway)
have prometheus-alertmanager || missing+=(prometheus-alertmanager)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "setup: installing Debian packages: ${missing[*]} (one-time, about a minute)" >&2
    apt-get update -qq >/dev/null
    # policy-rc.d may refuse to start services (containers): the harness starts its own on loopback.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} (e.g. sudo apt-get install ${missing[*]}); the status page test," \
      "the monitoring stack test, the outbox test and the benchmarks need them" >&2
    [ "$strict" = --strict ] && exit 3
  fi
fi

if ! node_modules/.bin/tsx scripts/ensure-tools.ts >/dev/null; then
  if [ "$strict" = --strict ]; then
    echo "setup: k6, Mailpit, actionlint and kubeconform are required to run the tests" \
      "(see above for other ways to install them)" >&2
    exit 3
  fi
  echo "setup: a Go-built tool is missing; the load scripts, the latest generation and 'npm test' need them (see above)" >&2
fi
