// pino: JSON lines by default, pretty in a terminal, secrets redacted wherever they sit.
import pino, { type Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redact.ts';
import { settingsEnv } from './settings.ts';

/**
 * Whether to colour what goes to `stream`, by the conventions every terminal tool follows, as Node's
 * own does: FORCE_COLOR set and not 0/false forces colour (a CI log that renders it), 0/false refuses
 * it; else no colour unless the stream is a terminal that has colours (NO_COLOR, NODE_DISABLE_COLORS
 * and TERM=dumb say it has none: tty.WriteStream.hasColors reads them).
 */
export function colourWanted(
  stream: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: (env?: object) => boolean },
  env = settingsEnv(),
): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && (stream.hasColors?.(env) ?? false);
}

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
  if (pretty) {
    const destination = typeof fd === 'number' ? fd : 1;
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: {
          colorize: colourWanted(destination === 2 ? process.stderr : process.stdout),
          translateTime: 'SYS:HH:MM:ss',
          destination,
        },
      },
    });
  }
  return opts.destination ? pino(base, opts.destination) : pino(base);
}
