// The loop's own logic with an in-memory transport double; the SMTP behaviour is in smtp-outbox.test.ts.
import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../src/errors.js';
import { createOutboxLoop, DEFAULT_BACKOFF, defaultJitter, retryDelayMs, type OutboxLoopDeps } from '../../src/outbox/outbox-loop.js';
import type { Envelope, MailTransport, SendReceipt } from '../../src/outbox/transport.js';
import type { Repositories } from '../../src/store/repositories.js';
import { countingCommits, freshRepos, HOUR, MIN, newTicket } from '../store/helpers.js';
import { ackMail, BODY_MARKER, enqueueAck, enqueuePlain, eventsOf, memoryLogger, SECOND, SUPPORT, T0, testClock } from './helpers.js';

interface Sent {
  envelope: Envelope;
  raw: Buffer;
  messageId: string;
}

/** Records sends; `next` decides each outcome (undefined = accept). */
function fakeTransport(next: (n: number, messageId: string) => Promise<SendReceipt | void> | undefined = () => undefined) {
  const sent: Sent[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const transport: MailTransport = {
    kind: 'fake',
    async send(envelope, raw, messageId) {
      calls += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const r = await (next(calls, messageId) ?? new Promise<void>((res) => setImmediate(res)));
        sent.push({ envelope, raw, messageId });
        return r;
      } finally {
        inFlight -= 1;
      }
    },
    close: async () => undefined,
  };
  return { transport, sent, maxInFlight: () => maxInFlight, calls: () => calls };
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function loopWith(repos: Repositories, transport: MailTransport, over: Partial<OutboxLoopDeps> = {}) {
  const clock = testClock();
  const log = memoryLogger();
  const loop = createOutboxLoop({ repos, transport, logger: log.logger, now: clock.now, envelopeFrom: SUPPORT, jitter: (d) => d, ...over });
  return { loop, clock, log };
}

const temporary = (msg = 'try later') => new TidingsError('E_TRANSPORT_TEMPORARY', msg, { details: { permanent: false } });

describe('retry backoff', () => {
  it('doubles from baseMs and is capped at maxMs', () => {
    const b = { baseMs: 1000, maxMs: 10_000, maxAttempts: 20 };
    expect([1, 2, 3, 4, 5, 6, 100, 5000].map((a) => retryDelayMs(a, b))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('default jitter stays within 75–100 % of the delay', () => {
    for (let i = 0; i < 200; i++) {
      const d = defaultJitter(HOUR, 3);
      expect(d).toBeGreaterThanOrEqual(0.75 * HOUR);
      expect(d).toBeLessThanOrEqual(HOUR);
    }
  });

  it('defaults give up after 20 attempts, about two days after the first', () => {
    expect(DEFAULT_BACKOFF.maxAttempts).toBe(20);
    let total = 0;
    for (let a = 1; a < DEFAULT_BACKOFF.maxAttempts; a++) total += retryDelayMs(a, DEFAULT_BACKOFF);
    expect(total / HOUR).toBeGreaterThan(40);
    expect(total / HOUR).toBeLessThan(50);
  });

  it('applies the injected jitter, never beyond the cap', async () => {
    const repos = freshRepos();
    const id = enqueuePlain(repos, 1);
    const { transport } = fakeTransport(() => Promise.reject(temporary()));
    const seen: Array<[number, number]> = [];
    const { loop } = loopWith(repos, transport, {
      backoff: { baseMs: MIN, maxMs: 10 * MIN, maxAttempts: 5 },
      jitter: (d, attempt) => {
        seen.push([d, attempt]);
        return d * 2;
      },
    });
    await loop.runOnce();
    expect(seen).toEqual([[MIN, 1]]);
    expect(repos.outbox.getOutbox(id)?.nextAttemptAt).toBe(T0 + 2 * MIN);
    repos.db.prepare('UPDATE outbox SET attempts = 3, next_attempt_at = ? WHERE id = ?').run(T0, id);
    await loop.runOnce();
    expect(seen[1]).toEqual([8 * MIN, 4]);
    expect(repos.outbox.getOutbox(id)?.nextAttemptAt).toBe(T0 + 10 * MIN); // 16 min jittered, capped at 10
  });
});

describe('outbox loop', () => {
  it('sends the envelope from deps and the row recipients, accepts a transport that returns nothing', async () => {
    const { repos, tid } = enqueueAck(freshRepos(), { to: ['ann@client.example', 'bob@client.example'] });
    const fake = fakeTransport();
    const { loop } = loopWith(repos, fake.transport);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(fake.sent[0]?.envelope).toEqual({ from: SUPPORT, to: ['ann@client.example', 'bob@client.example'] });
    expect(repos.tickets.findTicketByTid(tid)?.ackSentAt).toBe(T0);
  });

  it('marks ack_sent_at only for an ack, not for other mail of the ticket', async () => {
    const repos = freshRepos();
    const t = newTicket(repos);
    const mail = ackMail(t.tid);
    repos.outbox.enqueueOutbox({ ticketId: t.tid, kind: 'notification', messageId: 'n1@desk.example', recipients: ['staff@desk.example'], subject: 's', mail, at: T0 });
    const { loop } = loopWith(repos, fakeTransport().transport);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(repos.tickets.findTicketByTid(t.tid)?.ackSentAt).toBeNull();
    expect(eventsOf(repos, 'outbox.sent')[0]).toMatchObject({ ticketId: t.tid, data: { kind: 'notification' } });
  });

  it('fails a row it cannot render, without calling the transport', async () => {
    const repos = freshRepos();
    const broken = repos.outbox.enqueueOutbox({ kind: 'ack', messageId: 'b1@desk.example', recipients: ['a@b.example'], subject: 's', mail: {}, at: T0 });
    const { outboxId: missingBlob } = enqueueAck(repos, { attachments: [{ sha256: 'a'.repeat(64), contentType: 'image/png' }] });
    const noRecipients = repos.outbox.enqueueOutbox({ kind: 'ack', messageId: 'b3@desk.example', recipients: [], subject: 's', mail: ackMail(1), at: T0 });
    const fake = fakeTransport();
    const { loop } = loopWith(repos, fake.transport);
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 3 });
    expect(fake.calls()).toBe(0);
    for (const id of [broken, missingBlob, noRecipients]) expect(repos.outbox.getOutbox(id)?.status).toBe('failed');
    expect(eventsOf(repos, 'outbox.failed').map((e) => e.data)).toEqual([
      expect.objectContaining({ outboxId: broken, reason: 'permanent', stage: 'render', error: expect.stringMatching(/from\.address/) }),
      expect.objectContaining({ outboxId: missingBlob, stage: 'render', error: expect.stringMatching(/attachment blob a{64} is missing/) }),
      expect.objectContaining({ outboxId: noRecipients, stage: 'render', error: expect.stringMatching(/no envelope recipients/) }),
    ]);
  });

  it('sends a row enqueued already rendered as is', async () => {
    const repos = freshRepos();
    const raw = Buffer.from('Message-ID: <pre@desk.example>\r\nSubject: pre\r\n\r\npre-rendered\r\n');
    repos.outbox.enqueueOutbox({ kind: 'relay', messageId: 'pre@desk.example', recipients: ['a@b.example'], subject: 'pre', mail: {}, raw, at: T0 });
    const fake = fakeTransport();
    const { loop } = loopWith(repos, fake.transport);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(fake.sent[0]?.raw.equals(raw)).toBe(true);
  });

  it('classifies an unexpected transport error as temporary', async () => {
    const repos = freshRepos();
    const id = enqueuePlain(repos, 1);
    const { loop } = loopWith(repos, fakeTransport(() => Promise.reject(new Error('socket hang up'))).transport);
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(repos.outbox.getOutbox(id)).toMatchObject({ status: 'pending', lastError: 'socket hang up', nextAttemptAt: T0 + DEFAULT_BACKOFF.baseMs });
  });

  it('keeps the lease when recording the outcome fails, and logs it', async () => {
    const repos = freshRepos();
    const id = enqueuePlain(repos, 1);
    const broken: Repositories = {
      ...repos,
      outbox: {
        ...repos.outbox,
        markRetry: () => {
          throw new Error('disk I/O error');
        },
      },
    };
    const { loop, log } = loopWith(broken, fakeTransport(() => Promise.reject(temporary())).transport, { leaseMs: 2 * MIN });
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(repos.outbox.getOutbox(id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 2 * MIN });
    expect(log.events()).toContain('outbox.record_error');
  });

  it('handles at most batchSize rows per run, oldest first, `concurrency` at a time', async () => {
    const repos = freshRepos();
    for (let n = 1; n <= 7; n++) enqueuePlain(repos, n, T0 + n);
    const fake = fakeTransport();
    const { loop, clock } = loopWith(repos, fake.transport, { batchSize: 5, concurrency: 2 });
    clock.advance(SECOND);
    expect(await loop.runOnce()).toEqual({ sent: 5, retried: 0, failed: 0 });
    expect(fake.maxInFlight()).toBe(2);
    expect(await loop.runOnce()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(fake.sent.map((s) => s.messageId)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `note${n}.x@desk.example`));
  });

  it('uses the transport maxConcurrency when none is given', async () => {
    const repos = freshRepos();
    for (let n = 1; n <= 6; n++) enqueuePlain(repos, n);
    const fake = fakeTransport();
    const transport: MailTransport = { ...fake.transport, maxConcurrency: 3 };
    const { loop } = loopWith(repos, transport);
    expect(await loop.runOnce()).toEqual({ sent: 6, retried: 0, failed: 0 });
    expect(fake.maxInFlight()).toBe(3);
  });

  it('stop() waits for the send in flight, records it, and claims nothing more', async () => {
    const repos = freshRepos();
    const first = enqueuePlain(repos, 1);
    const second = enqueuePlain(repos, 2);
    const gate = deferred();
    const started = deferred();
    const fake = fakeTransport((n) => {
      if (n === 1) {
        started.resolve();
        return gate.promise;
      }
      return undefined;
    });
    const clock = testClock();
    const log = memoryLogger();
    const loop = createOutboxLoop({ repos, transport: fake.transport, logger: log.logger, now: clock.now, envelopeFrom: SUPPORT, concurrency: 1 });
    loop.start(60_000);
    await started.promise;
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(repos.outbox.getOutbox(first)?.status).toBe('sent');
    expect(repos.outbox.getOutbox(second)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(fake.calls()).toBe(1);
    expect(log.events()).toEqual(expect.arrayContaining(['outbox.started', 'outbox.sent', 'outbox.stopped']));
    expect(() => loop.start(1000)).toThrow(/stopped/);
  });

  it('records outcomes that finish together in one commit, and never has more than `concurrency` sent but unrecorded', async () => {
    const repos = freshRepos();
    for (let n = 1; n <= 12; n++) enqueuePlain(repos, n);
    const { repos: counted, commits } = countingCommits(repos);
    let worstUnrecorded = 0;
    const fake = fakeTransport(() => {
      const sentRows = repos.outbox.countByStatus().sent;
      worstUnrecorded = Math.max(worstUnrecorded, fake.sent.length - sentRows);
      return undefined;
    });
    const { loop } = loopWith(counted, fake.transport, { concurrency: 4 });
    expect(await loop.runOnce()).toEqual({ sent: 12, retried: 0, failed: 0 });
    // one claim + one store of the rendered bytes + the grouped records: far fewer than 3 per mail
    expect(commits()).toBeLessThanOrEqual(2 + 12 / 4 + 1);
    expect(worstUnrecorded).toBeLessThanOrEqual(4);
    expect(repos.outbox.countByStatus()).toMatchObject({ sent: 12, pending: 0 });
  });

  it('leases a claimed chunk for one send per round of `concurrency` sends', async () => {
    const repos = freshRepos();
    const ids = [1, 2, 3, 4, 5, 6].map((n) => enqueuePlain(repos, n));
    const seen: number[] = [];
    const fake = fakeTransport(() => {
      seen.push(repos.outbox.getOutbox(ids[5]!)!.nextAttemptAt);
      return undefined;
    });
    const { loop } = loopWith(repos, fake.transport, { concurrency: 2, leaseMs: 2 * MIN });
    expect(await loop.runOnce()).toEqual({ sent: 6, retried: 0, failed: 0 });
    expect(seen[0]).toBe(T0 + 3 * 2 * MIN);
  });

  it('while yieldTo() says the source has a backlog, sends one chunk per pause, then goes flat out again', async () => {
    const repos = freshRepos();
    for (let n = 1; n <= 40; n++) enqueuePlain(repos, n);
    let backlog = true;
    const fake = fakeTransport();
    const { loop } = loopWith(repos, fake.transport, { concurrency: 2, batchSize: 50, yieldTo: () => backlog, yieldPauseMs: 150 });
    loop.start(60 * MIN);
    for (let i = 0; i < 100 && fake.sent.length < 32; i++) await new Promise((r) => setTimeout(r, 5));
    // one chunk (32 rows) went out; the next waits for the pause, and a wake does not cut it short
    expect(fake.sent).toHaveLength(32);
    loop.wake();
    await new Promise((r) => setTimeout(r, 60));
    expect(fake.sent).toHaveLength(32);
    backlog = false;
    for (let i = 0; i < 100 && fake.sent.length < 40; i++) await new Promise((r) => setTimeout(r, 5));
    await loop.stop();
    expect(fake.sent).toHaveLength(40);
  });

  it('a full batch in start() mode is followed by another pass at once', async () => {
    const repos = freshRepos();
    for (let n = 1; n <= 5; n++) enqueuePlain(repos, n);
    const fake = fakeTransport();
    const { loop } = loopWith(repos, fake.transport, { batchSize: 2 });
    loop.start(60 * MIN);
    for (let i = 0; i < 100 && fake.sent.length < 5; i++) await new Promise((r) => setTimeout(r, 5));
    await loop.stop();
    expect(fake.sent).toHaveLength(5);
  });

  it('logs stable events under component "outbox", never bodies', async () => {
    const repos = freshRepos();
    enqueueAck(repos);
    const { loop, log, clock } = loopWith(repos, fakeTransport((n) => (n === 1 ? Promise.reject(temporary('451 later')) : undefined)).transport, {
      backoff: { baseMs: SECOND, maxMs: SECOND, maxAttempts: 3 },
    });
    await loop.runOnce();
    clock.advance(SECOND);
    await loop.runOnce();
    const lines = log
      .text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['outbox.retry', 'outbox.sent']);
    for (const l of lines) expect(l).toMatchObject({ component: 'outbox', messageId: expect.any(String), outboxId: expect.any(Number) });
    expect(lines[0]).toMatchObject({ level: 40, err: { code: 'E_TRANSPORT_TEMPORARY', message: '451 later' } });
    expect(log.text()).not.toContain(BODY_MARKER);
    expect(log.text()).not.toContain('Printer on fire');
  });
});
