#!/usr/bin/env bash
# npm run test:rules (part of npm test): the monitoring stack's configuration checked by the real
# tools: Prometheus's config and rule files (promtool check config), every alerting and recording
# rule against its unit tests, firing and not firing (promtool test rules), and Alertmanager's
# routing (amtool check-config).
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      cat <<'HELP'
npm run test:rules — the monitoring stack's configuration checked by the real tools (part of npm test)

usage:
  npm run test:rules

options:
  -h, --help  print this help and exit

Runs: promtool check config deploy/prometheus/prometheus.yml; promtool test rules deploy/prometheus/tests/*.yml
(every alerting and recording rule, firing and not firing); amtool check-config deploy/alertmanager/alertmanager.yml.
exit codes: 0 all good, 1 a check failed, 3 promtool or amtool missing
HELP
      exit 0
      ;;
    *) echo "Bad command line: $arg: npm run test:rules takes no arguments (-h/--help prints its help)" >&2; exit 2 ;;
  esac
done
for tool in promtool amtool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test:rules: $tool is not installed: apt-get install prometheus prometheus-alertmanager" \
      "(npm install runs scripts/setup.sh, which installs them)" >&2
    exit 3
  fi
done
promtool check config deploy/prometheus/prometheus.yml
promtool test rules deploy/prometheus/tests/*.yml
amtool check-config deploy/alertmanager/alertmanager.yml
