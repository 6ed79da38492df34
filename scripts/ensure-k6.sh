#!/usr/bin/env bash
# Prints the path of the pinned k6 on stdout, installing it with Go when it is missing (said on
# stderr). Exit 3 with the other ways to install k6 when it cannot. Logic: load/runner/k6-bin.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node_modules/.bin/tsx scripts/ensure-k6.ts "$@"
