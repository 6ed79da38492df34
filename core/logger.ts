// pino: JSON lines by default, pretty in a terminal, secrets redacted wherever they sit.
import pino, { type Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redact.ts';

export interface LoggerOptions {
  level?: string;
  format?: 'auto' | 'json' | 'pretty';
  name?: string;
  /** Where JSON lines go (tests capture them); default stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.format === 'pretty' || (opts.format !== 'json' && !opts.destination && process.stdout.isTTY === true);
  // Pretty lines go where the JSON would have gone: a destination on fd 2 (the monitor's one-shot
  // mode keeps stdout for its result) stays on stderr.
  const fd = (opts.destination as { fd?: unknown } | undefined)?.fd;
  const base: pino.LoggerOptions = {
    name: opts.name,
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  if (pretty)
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss', destination: typeof fd === 'number' ? fd : 1 },
      },
    });
  return opts.destination ? pino(base, opts.destination) : pino(base);
}
