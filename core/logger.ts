// pino: JSON lines by default, pretty in a terminal, secrets redacted wherever they sit: the secret
// fields by path, and every line as a whole (its message and every string in it) by the one text
// redaction, with the process's known secrets in every form they may take (core/redact.ts). In a
// terminal, control characters a target sent are shown escaped (core/terminal.ts).
import pino, { type Logger } from 'pino';
import { REDACT_PATHS, REDACTED, redactText } from './redact.ts';
import { terminalValue } from './terminal.ts';
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
    hooks: { streamWrite: pretty ? (line) => forTerminal(redactText(line)) : (line) => redactText(line) },
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

/** A JSON line whose strings pino-pretty will print as they are: each one's control characters
 *  escaped (a stack keeps its line breaks). JSON escapes C0 characters, so the line itself is safe;
 *  what it decodes to is not. */
function forTerminal(line: string): string {
  if (!/\\u00|\\[nrtbf]|[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(line)) return line;
  try {
    return `${JSON.stringify(JSON.parse(line), (key, v) =>
      typeof v !== 'string' ? v : key === 'stack' ? v.split('\n').map(terminalValue).join('\n') : terminalValue(v),
    )}\n`;
  } catch {
    return line;
  }
}
