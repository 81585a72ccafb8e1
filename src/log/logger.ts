import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Paths pino censors wherever they appear in a logged object. Bodies and raw headers are never
 * passed to the logger in the first place; this list is the safety net for credentials.
 */
export const REDACT_PATHS = [
  'password', '*.password', '*.*.password',
  'pass', '*.pass', '*.*.pass',
  'token', '*.token', '*.*.token',
  'secret', '*.secret', '*.*.secret',
  'hmacKey', '*.hmacKey', '*.*.hmacKey',
  'auth', '*.auth', '*.*.auth',
  'authorization', '*.authorization', 'headers.authorization',
];

// user:pass@ in any URL-ish string; also "password: x" style lines quoted in error messages.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;
// \b does not see Cyrillic letters as word characters, hence the explicit look-behind.
const PASSWORD_LINE = /(?<![\p{L}\p{N}_])(pass(?:word)?|passwd|pwd|пароль)(\s*[:=]\s*)(\S+)/giu;
// Keys whose value is a secret at any depth; pino's redact paths only reach fixed depths.
const SECRET_KEY = /^(password|pass|passwd|token|secret|hmackey|auth|authorization|api_?key)$/i;

/** Masks credentials inside free text (URLs with user:pass, "password: x"). */
export function maskCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@').replace(PASSWORD_LINE, '$1$2***');
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskCredentials(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v != null ? '***' : maskDeep(v, depth + 1);
  return out;
}

export interface LoggerSettings {
  level?: string;
  /**
   * json (the default): one pino object a line, for journald, Docker and log collectors.
   * pretty: pino-pretty's readable lines, for a person at a terminal or reading a file.
   */
  format?: 'json' | 'pretty';
  /** Append to this file (its folder created) instead of writing to stdout. */
  file?: string | undefined;
  /** Tests: where lines go instead of stdout or `file`. */
  destination?: DestinationStream;
}

/**
 * Where the lines go. pretty formats each line in this thread with pino-pretty's prettyFactory
 * (no transport worker: a terminal or a file does not need one, and the line it gets is already
 * masked). A file is written synchronously, so the lines before a crash are on disk; tidings logs
 * per message or batch, which a write(2) per line keeps up with.
 */
function logStream(settings: LoggerSettings): DestinationStream | undefined {
  const out = settings.destination ?? (settings.file ? pino.destination({ dest: settings.file, mkdir: true, append: true, sync: true }) : undefined);
  if (settings.format !== 'pretty') return out;
  // Required here, not imported at the top: a json log (production) never pays for pino-pretty,
  // and createLogger stays synchronous.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const prettify = prettyFactory({
    colorize: !out && process.stdout.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    // one line per event, "component: message {fields}", so a backgrounded daemon stays readable
    singleLine: true,
    messageFormat: '{if component}{component}: {end}{msg}',
    ignore: 'pid,hostname,app,component',
  });
  const sink = out ?? pino.destination(1);
  return { write: (line: string) => void sink.write(prettify(line)) };
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.TIDINGS_LOG_LEVEL ?? 'info',
    base: { app: 'tidings' },
    redact: { paths: REDACT_PATHS, censor: '***' },
    hooks: {
      // The message text can quote a URL or an error from a library; mask it like object fields.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskCredentials(a) : a)) as typeof args);
      },
    },
    formatters: {
      log: (obj) => maskDeep(obj) as Record<string, unknown>,
    },
    serializers: {
      err: (err: unknown) => {
        const s = pino.stdSerializers.err(err as Error);
        if (s && typeof s.message === 'string') s.message = maskCredentials(s.message);
        if (s && typeof s.stack === 'string') s.stack = maskCredentials(s.stack);
        return s;
      },
    },
  };
  const stream = logStream(settings);
  return stream ? pino(options, stream) : pino(options);
}

/** One child per component so every line says where it came from. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}

export type { Logger };
