// An SMTP sink for integration tests, built on nodemailer's smtp-server: listens on a free
// 127.0.0.1 port, no TLS, records every accepted message, and can be told to answer MAIL, RCPT or
// DATA with a chosen code (451 temporary, 550 permanent, ...) to exercise outbox retries.
import { SMTPServer, type SMTPServerSession, type SMTPServerDataStream } from 'smtp-server';
import { EventEmitter } from 'node:events';
import { freePort, LOCALHOST } from './net.js';

export interface SinkMessage {
  /** envelope sender (MAIL FROM), '' for the null sender */
  from: string;
  /** envelope recipients (RCPT TO) that were accepted */
  to: string[];
  /** message bytes exactly as received (dot-unstuffed, CRLF line endings) */
  raw: Buffer;
  /** authenticated user, if the client logged in */
  user?: string;
  /** when DATA completed */
  receivedAt: Date;
}

export type SinkStage = 'mail' | 'rcpt' | 'data';

export interface SinkFailure {
  stage: SinkStage;
  /** SMTP reply code, e.g. 451 or 550 */
  code: number;
  /** reply text (default: a text naming the simulated condition) */
  message?: string;
  /**
   * How many mail transactions to fail (default: every one until resetFailures()). A
   * transaction with several RCPTs counts once.
   */
  times?: number;
  /** only for stage 'rcpt': fail just these recipients (case-insensitive); others are accepted */
  recipients?: string[];
}

export interface StartSmtpSinkOptions {
  /** If set, AUTH is required (PLAIN/LOGIN without TLS) and must match; otherwise AUTH is optional and any login is accepted. */
  auth?: { user: string; password: string };
  /** Fixed port instead of a free one (e.g. to restart a sink on the same port). */
  port?: number;
  /** Max message size advertised and enforced (SIZE extension); default unlimited. */
  size?: number;
}

export interface SmtpSink {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** accepted messages, in order of completion */
  readonly messages: readonly SinkMessage[];
  /** number of rejections the sink generated (by simulated failures or bad auth) */
  readonly rejections: number;
  /** Resolves with the messages once at least `count` have been accepted; rejects after `timeoutMs` (default 10 s). */
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Forgets recorded messages (failures stay armed). */
  clear(): void;
  /** Arms a simulated failure; several may be armed for different stages. */
  fail(failure: SinkFailure): void;
  /** Shorthand: fail(stage, code) for the next `times` transactions (default: until reset). */
  failNext(stage: SinkStage, code: number, times?: number): void;
  /** Disarms all simulated failures. */
  resetFailures(): void;
  /** nodemailer transport options for this sink (pass `auth` to log in). */
  transportOptions(auth?: { user: string; pass: string }): {
    host: string;
    port: number;
    secure: false;
    ignoreTLS: true;
    auth?: { user: string; pass: string };
  };
  stop(): Promise<void>;
}

interface ArmedFailure extends SinkFailure {
  remaining: number;
  /** transactions (ids assigned at MAIL FROM) already counted against `remaining` */
  counted: Set<number>;
}

function smtpError(code: number, message: string): Error {
  const err = new Error(message) as Error & { responseCode: number };
  err.responseCode = code;
  return err;
}

export async function startSmtpSink(opts: StartSmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let failures: ArmedFailure[] = [];
  let rejections = 0;
  // smtp-server only bumps session.transaction after a completed DATA, so a client that RSETs
  // after a refused RCPT and retries would look like the same transaction: number them at MAIL
  let txSeq = 0;
  const txOf = new WeakMap<SMTPServerSession, number>();

  /** Returns the error to answer with at `stage`, consuming one transaction from its budget. */
  const injected = (stage: SinkStage, session: SMTPServerSession, address?: string): Error | undefined => {
    const tx = txOf.get(session) ?? 0;
    for (const f of failures) {
      if (f.stage !== stage) continue;
      if (f.recipients && address !== undefined) {
        const wanted = f.recipients.map((r) => r.toLowerCase());
        if (!wanted.includes(address.toLowerCase())) continue;
      }
      if (!f.counted.has(tx)) {
        if (f.remaining <= 0) continue;
        f.remaining -= 1;
        f.counted.add(tx);
      }
      rejections += 1;
      const kind = f.code >= 500 ? 'permanent' : 'temporary';
      return smtpError(f.code, f.message ?? `simulated ${kind} failure at ${stage.toUpperCase()}`);
    }
    return undefined;
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    authOptional: opts.auth === undefined,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    banner: 'tidings test SMTP sink',
    disableReverseLookup: true, // no PTR lookup of 127.0.0.1: no DNS dependency in CI
    closeTimeout: 100,
    ...(opts.size !== undefined ? { size: opts.size } : {}),
    onAuth(auth, _session, callback) {
      if (opts.auth && (auth.username !== opts.auth.user || auth.password !== opts.auth.password)) {
        rejections += 1;
        callback(smtpError(535, 'Authentication credentials invalid'));
        return;
      }
      callback(null, { user: auth.username ?? '' });
    },
    onMailFrom(_address, session, callback) {
      txSeq += 1;
      txOf.set(session, txSeq);
      callback(injected('mail', session) ?? null);
    },
    onRcptTo(address, session, callback) {
      callback(injected('rcpt', session, address.address) ?? null);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('error', (err: Error) => callback(err));
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          callback(smtpError(552, 'message exceeds fixed maximum message size'));
          return;
        }
        const err = injected('data', session);
        if (err) {
          callback(err);
          return;
        }
        const env = session.envelope;
        const user = typeof session.user === 'string' ? session.user : undefined;
        messages.push({
          from: env.mailFrom === false ? '' : env.mailFrom.address,
          to: env.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          ...(user ? { user } : {}),
          receivedAt: new Date(),
        });
        callback(null, `OK: queued as sink-${messages.length}`);
        events.emit('message');
      });
    },
  });
  server.on('error', () => undefined); // client-side protocol errors are not test failures

  let port = opts.port ?? (await freePort());
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.server.once('error', onError);
        server.listen(port, LOCALHOST, () => {
          server.server.off('error', onError);
          resolve();
        });
      });
      break;
    } catch (err) {
      // the free port was taken in the meantime by someone else: pick another one
      if (opts.port !== undefined || attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      port = await freePort();
    }
  }

  let stopped = false;
  const sink: SmtpSink = {
    host: LOCALHOST,
    port,
    get messages() {
      return messages;
    },
    get rejections() {
      return rejections;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages.slice());
      return new Promise<SinkMessage[]>((resolve, reject) => {
        const onMessage = (): void => {
          if (messages.length >= count) {
            clearTimeout(timer);
            events.off('message', onMessage);
            resolve(messages.slice());
          }
        };
        const timer = setTimeout(() => {
          events.off('message', onMessage);
          reject(
            new Error(
              `SMTP sink: timed out after ${timeoutMs} ms waiting for ${count} message(s); have ${messages.length}, ${rejections} rejection(s)`,
            ),
          );
        }, timeoutMs);
        events.on('message', onMessage);
      });
    },
    clear() {
      messages.length = 0;
      rejections = 0;
    },
    fail(failure) {
      if (failure.recipients && failure.stage !== 'rcpt') {
        throw new Error('SMTP sink: `recipients` only applies to the rcpt stage');
      }
      if (!(failure.code >= 400 && failure.code <= 599)) {
        throw new Error(`SMTP sink: failure code must be 4xx or 5xx, got ${failure.code}`);
      }
      failures.push({ ...failure, remaining: failure.times ?? Number.POSITIVE_INFINITY, counted: new Set() });
    },
    failNext(stage, code, times) {
      sink.fail({ stage, code, ...(times !== undefined ? { times } : {}) });
    },
    resetFailures() {
      failures = [];
    },
    transportOptions(auth) {
      return { host: LOCALHOST, port, secure: false, ignoreTLS: true, ...(auth ? { auth } : {}) };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // idle pooled client connections get "421" after closeTimeout instead of holding stop() for 30 s
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sink;
}
