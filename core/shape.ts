// Turning a zod failure into words: "✖ expected credits as a JSON number → at response".
import { z } from 'zod';

export type ShapeResult<T> = { ok: true; data: T } | { ok: false; problem: string };

/** What is wrong with `body`, field by field, without dumping the body (it may hold a token). */
export function describeShapeError(error: z.ZodError): string {
  return z.prettifyError(error);
}

export function checkShape<S extends z.ZodType>(schema: S, body: unknown, what = 'body'): ShapeResult<z.infer<S>> {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, data: r.data };
  const kind = body === undefined ? 'no body' : typeof body === 'string' ? 'a non-JSON body' : undefined;
  return { ok: false, problem: `${what} does not match the contract${kind ? ` (got ${kind})` : ''}:\n${describeShapeError(r.error)}` };
}

/** Parses or throws an Error whose message names each field that is wrong. */
export function expectShape<S extends z.ZodType>(schema: S, body: unknown, what = 'body'): z.infer<S> {
  const r = checkShape(schema, body, what);
  if (!r.ok) throw new Error(r.problem);
  return r.data;
}
