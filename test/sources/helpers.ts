import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { IngestOutcome, MessageHandler, SourcePosition } from '../../src/sources/mail-source.js';

export const USER = 'support@desk.example';
export const PASSWORD = 'support-secret';

/** A small client mail; `tag` makes the body and Message-ID unique per test. */
export function mail(i: number, tag = 'm'): string {
  return [
    `From: Client ${i} <client${i}@client.example>`,
    `To: ${USER}`,
    `Subject: ${tag} number ${i}`,
    `Message-ID: <${tag}-${i}@client.example>`,
    'Date: Mon, 23 Nov 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${tag} ${i}: private-body-text.`,
    '',
  ].join('\r\n');
}

export interface Call {
  raw: Buffer;
  position: SourcePosition;
  ok: boolean;
}

export interface RecordingHandler {
  handler: MessageHandler;
  /** Every call, failed ones included, in call order. */
  calls: Call[];
  /** Keys of successful calls, in order. */
  stored(): string[];
  /** Subjects of successful calls ("m number 3"), in order. */
  subjects(): string[];
}

/**
 * An in-memory stand-in for the ingest pipeline. `fail` decides per call whether to throw (a
 * temporary failure); `gate` lets a test hold a call until it says so.
 */
export function recordingHandler(opts: { fail?: (c: Call, attempt: number) => boolean; gate?: (c: Call) => Promise<void> | undefined; delayMs?: number } = {}): RecordingHandler {
  const calls: Call[] = [];
  const attempts = new Map<string, number>();
  const handler: MessageHandler = async (raw, position): Promise<IngestOutcome> => {
    const call: Call = { raw, position, ok: false };
    calls.push(call);
    const attempt = (attempts.get(position.key) ?? 0) + 1;
    attempts.set(position.key, attempt);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const g = opts.gate?.(call);
    if (g) await g;
    if (opts.fail?.(call, attempt)) throw new Error(`temporary failure for ${position.key}`);
    call.ok = true;
    return { status: 'stored' };
  };
  return {
    handler,
    calls,
    stored: () => calls.filter((c) => c.ok).map((c) => c.position.key),
    subjects: () => calls.filter((c) => c.ok).map((c) => subjectOf(c.raw)),
  };
}

export function subjectOf(raw: Buffer): string {
  return /^Subject: (.*)$/m.exec(raw.toString('utf8'))?.[1]?.trim() ?? '';
}

/** Polls until fn returns something truthy; fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A pino logger that keeps its JSON lines in memory. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level }, dest);
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export const silent = (): Logger => pino({ level: 'silent' });
