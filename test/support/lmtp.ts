// A tiny LMTP client (RFC 2033) for the integration harness: delivers one message to one recipient
// the way an MTA hands mail to Dovecot, and resolves only after the final per-recipient 250.
import net from 'node:net';

export interface LmtpDeliverOptions {
  host: string;
  port: number;
  /** envelope recipient (RCPT TO) */
  rcpt: string;
  /** envelope sender (MAIL FROM); '' means the null sender <> */
  from?: string;
  /** name sent with LHLO */
  lhlo?: string;
  /** overall deadline for the whole transaction */
  timeoutMs?: number;
}

interface Reply {
  code: number;
  lines: string[];
}

export class LmtpError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'LmtpError';
  }
}

/**
 * Line endings are normalised to CRLF (a bare LF becomes CRLF, as an MTA would put it on the
 * wire) so callers can pass literal multi-line strings; Dovecot serves messages over IMAP with
 * CRLF anyway.
 */
export function toCrlf(raw: Buffer | string): Buffer {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const out: number[] = [];
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === 0x0a && (i === 0 || buf[i - 1] !== 0x0d)) out.push(0x0d);
    out.push(b);
  }
  return Buffer.from(out);
}

/** Dot-stuffs a CRLF message and appends the terminating CRLF.CRLF. */
export function dotStuff(crlf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let lineStart = 0;
  for (let i = 0; i <= crlf.length; i++) {
    const atLineStart = i === 0 || (crlf[i - 1] === 0x0a && crlf[i - 2] === 0x0d);
    if (atLineStart && i < crlf.length && crlf[i] === 0x2e) {
      parts.push(crlf.subarray(lineStart, i), Buffer.from('.'));
      lineStart = i;
    }
  }
  parts.push(crlf.subarray(lineStart));
  const endsWithCrlf = crlf.length >= 2 && crlf[crlf.length - 2] === 0x0d && crlf[crlf.length - 1] === 0x0a;
  parts.push(Buffer.from(endsWithCrlf || crlf.length === 0 ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

/**
 * Feeds a socket's replies to `onReply` one whole reply at a time: "250-..." continues a
 * multi-line reply, "250 ..." (or a bare "250") ends it.
 */
function readReplies(sock: net.Socket, onReply: (r: Reply) => void): void {
  let buf = '';
  let current: string[] = [];
  sock.setEncoding('latin1');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      current.push(line);
      if (line.length < 4 || line[3] !== '-') {
        const reply: Reply = { code: Number.parseInt(line.slice(0, 3), 10), lines: current };
        current = [];
        onReply(reply);
      }
    }
  });
}

export async function lmtpDeliver(raw: Buffer | string, opts: LmtpDeliverOptions): Promise<void> {
  const payload = dotStuff(toCrlf(raw));
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const sock = net.connect({ host: opts.host, port: opts.port });
  sock.setNoDelay(true);

  const replies: Reply[] = [];
  const waiters: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  let failure: Error | undefined;

  const fail = (err: Error): void => {
    if (failure) return;
    failure = err;
    for (const w of waiters.splice(0)) w.reject(err);
    sock.destroy();
  };
  const timer = setTimeout(
    () => fail(new LmtpError(`LMTP delivery to ${opts.rcpt} timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );

  readReplies(sock, (reply) => {
    const w = waiters.shift();
    if (w) w.resolve(reply);
    else replies.push(reply);
  });
  sock.on('error', (err) => fail(new LmtpError(`LMTP connection to ${opts.host}:${opts.port} failed: ${err.message}`)));
  sock.on('close', () => fail(new LmtpError('LMTP connection closed by the server')));

  const next = (): Promise<Reply> => {
    const r = replies.shift();
    if (r) return Promise.resolve(r);
    if (failure) return Promise.reject(failure);
    return new Promise<Reply>((resolve, reject) => waiters.push({ resolve, reject }));
  };
  const expect = async (what: string, ok: (code: number) => boolean): Promise<Reply> => {
    const reply = await next();
    if (!ok(reply.code)) {
      throw new LmtpError(`LMTP ${what} for <${opts.rcpt}> rejected: ${reply.lines.join(' | ')}`, reply.code);
    }
    return reply;
  };
  const command = async (line: string, what: string, ok: (code: number) => boolean): Promise<Reply> => {
    sock.write(`${line}\r\n`, 'latin1');
    return expect(what, ok);
  };

  try {
    await expect('greeting', (c) => c === 220);
    await command(`LHLO ${opts.lhlo ?? 'tidings-test.localhost'}`, 'LHLO', (c) => c === 250);
    await command(`MAIL FROM:<${opts.from ?? ''}>`, 'MAIL FROM', (c) => c === 250);
    await command(`RCPT TO:<${opts.rcpt}>`, 'RCPT TO', (c) => c === 250 || c === 251);
    await command('DATA', 'DATA', (c) => c === 354);
    sock.write(payload);
    // LMTP: one reply per accepted recipient; we sent exactly one
    await expect('message data', (c) => c === 250);
    await command('QUIT', 'QUIT', (c) => c === 221).catch(() => undefined);
  } finally {
    clearTimeout(timer);
    failure ??= new LmtpError('LMTP session finished');
    sock.removeAllListeners('close');
    sock.on('error', () => undefined);
    sock.end();
    sock.destroy();
  }
}

/**
 * A raw LMTP conversation for protocol tests: write anything (pipelined commands, a DATA body) and
 * read the replies as they come, each as its last line ("250 2.6.0 ..."), multi-line ones whole in `lines`.
 */
export interface LmtpConversation {
  write(text: string | Buffer): void;
  /** Resolves with the next `n` replies (waits for them). */
  replies(n: number, timeoutMs?: number): Promise<string[]>;
  /** Every reply so far with all its lines, e.g. the LHLO capabilities. */
  readonly all: Reply[];
  close(): void;
}

export async function lmtpConnect(target: { host: string; port: number } | { path: string }): Promise<LmtpConversation> {
  const sock = 'path' in target ? net.connect({ path: target.path }) : net.connect({ host: target.host, port: target.port });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  const all: Reply[] = [];
  let taken = 0;
  const wake: Array<() => void> = [];
  readReplies(sock, (reply) => {
    all.push(reply);
    for (const w of wake.splice(0)) w();
  });
  sock.on('error', () => undefined);
  sock.on('close', () => {
    for (const w of wake.splice(0)) w();
  });
  return {
    write: (text) => void sock.write(text),
    all,
    async replies(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (all.length < taken + n) {
        if (sock.destroyed || Date.now() > deadline) throw new LmtpError(`expected ${n} more replies, got ${all.length - taken}: ${all.slice(taken).map((r) => r.lines.at(-1)).join(' | ')}`);
        await new Promise<void>((resolve) => {
          wake.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      const got = all.slice(taken, taken + n).map((r) => r.lines.at(-1)!);
      taken += n;
      return got;
    },
    close: () => {
      sock.end();
      sock.destroy();
    },
  };
}
