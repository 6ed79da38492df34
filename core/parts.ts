// The harness's parts, by name, in the order they run: the three that check the contract as written
// (the Playwright tests, the k6 scripts, the monitor), then the explorer, which looks for what nobody
// wrote a check for. The fault catalog names them (which parts must catch a fault); parts/ runs them.
export const PARTS = ['tests', 'load', 'monitor', 'explore'] as const;
export type Part = (typeof PARTS)[number];
