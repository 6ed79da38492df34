// `node --import ./selftest/support/loaded-files.mjs ...`: writes every file the process loaded to
// LOADED_FILES_OUT when it exits. ES modules are seen by a load hook (it runs on the loaders'
// thread, so it appends as it goes); CommonJS packages by the require cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.LOADED_FILES_OUT;
if (out) {
  register('./loaded-files-hook.mjs', import.meta.url, { data: { out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () =>
    appendFileSync(
      out,
      Object.keys(require.cache)
        .map((f) => `file://${f}\n`)
        .join(''),
    ),
  );
}
