#!/usr/bin/env bash
# npm run typecheck: tsc over the Node side (tsconfig.json: Node's types) and over the k6 side of load/
# (load/tsconfig.json: k6's runtime, @types/k6), one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      cat <<'HELP'
npm run typecheck — tsc over the Node side (tsconfig.json) and over the k6 scripts of load/ against k6's runtime (load/tsconfig.json)

usage:
  npm run typecheck

options:
  -h, --help  print this help and exit

exit codes: 0 both type-check, non-zero a type error (tsc's own messages above it)
HELP
      exit 0
      ;;
    *) echo "Bad command line: $arg: npm run typecheck takes no arguments (-h/--help prints its help)" >&2; exit 2 ;;
  esac
done
node_modules/.bin/tsc -p .
node_modules/.bin/tsc -p load
