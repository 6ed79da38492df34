// The hooks of loaded-files.mjs: record each module's URL as it is resolved (a loader registered
// later, such as Playwright's, may load TypeScript itself without passing the load on, but it does
// pass resolution on) and as it is loaded.
import { appendFileSync } from 'node:fs';

let out;
export function initialize(data) {
  out = data.out;
}
const record = (url) => {
  if (url?.startsWith('file:')) appendFileSync(out, `${url}\n`);
};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  record(result.url);
  return result;
}
export async function load(url, context, next) {
  record(url);
  return next(url, context);
}
