// Where alerts point people: the runbooks (docs/prometheus.md, by anchor) and the Grafana dashboard.
// The defaults are the placeholders deploy/ uses for this repository and its Grafana (as its image is
// ghcr.io/your-org/temporal-account-harness): RUNBOOK_BASE_URL and GRAFANA_URL name yours, for the
// monitor's own alerts and for the Prometheus rules (`npm run rules`). A leaf module: no imports.

/** This repository's docs folder, as deploy/ names the repository. */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/your-org/temporal-account-harness/blob/main/docs';
/** The Grafana the committed rules link (a placeholder: `npm run rules` writes yours). */
export const DEFAULT_GRAFANA_URL = 'https://grafana.example.com';
/** The dashboard's uid (deploy/grafana/dashboard.ts): /d/<uid> finds it whatever its title. */
export const DASHBOARD_UID = 'temporal-account-harness';

/** The runbook of an alert: the anchor of its section in docs/prometheus.md. */
export const runbookUrl = (base: string, anchor: string): string => `${base.replace(/\/+$/, '')}/prometheus.md#${anchor}`;

/** The dashboard, on one target (TARGET_ENV) when given. */
export const dashboardUrl = (grafana: string, target?: string): string =>
  `${grafana.replace(/\/+$/, '')}/d/${DASHBOARD_UID}${target ? `?var-target=${encodeURIComponent(target)}` : ''}`;
