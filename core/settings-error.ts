// A bad setting or command line, one sentence per problem, each naming the setting: the harness's one
// settings error. Every program prints it and exits 2 before any traffic; the k6 scripts throw it in
// their init context (load/lib/settings.ts: k6 exits 107). No imports, so that k6, which loads only k6
// modules and import-free leaf modules, can load it too.
export class SettingsError extends Error {
  constructor(
    readonly problems: string[],
    heading = 'Bad settings (fix them in the environment or .env; see .env.example)',
  ) {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}
