#!/usr/bin/env bash
# npm run test:rules (part of npm test): the monitoring stack's configuration checked by the real
# tools: Prometheus's config and rule files (promtool check config), every alerting and recording
# rule against its unit tests, firing and not firing (promtool test rules), and Alertmanager's
# routing (amtool check-config).
set -euo pipefail
cd "$(dirname "$0")/.."
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
