// The outbox loop against a real SMTP server (nodemailer's smtp-server sink on a free port).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log/logger.js';
import { createOutboxLoop, type OutboxLoopDeps } from '../../src/outbox/outbox-loop.js';
import { renderMail } from '../../src/outbox/render-mail.js';
import { createSmtpTransport, type SmtpTransportConfig } from '../../src/outbox/smtp-transport.js';
import type { MailTransport } from '../../src/outbox/transport.js';
import type { Repositories } from '../../src/store/repositories.js';
import { freePort } from '../support/net.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { freshRepos, MIN } from '../store/helpers.js';
import { BODY_MARKER, enqueueAck, enqueuePlain, eventsOf, memoryLogger, messageIdHeader, parse, PNG, SECOND, SUPPORT, T0, testClock } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(opts);
  cleanups.push(() => s.stop());
  return s;
}

function smtpConfig(port: number, over: Partial<SmtpTransportConfig> = {}): SmtpTransportConfig {
  return { kind: 'smtp', host: '127.0.0.1', port, secure: false, pool: true, max_connections: 2, ...over };
}

function smtp(port: number, logger: Logger, over: Partial<SmtpTransportConfig> = {}, env: NodeJS.ProcessEnv = {}): MailTransport {
  const t = createSmtpTransport({ config: smtpConfig(port, over), logger, env, timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 } });
  cleanups.push(() => t.close());
  return t;
}

function loopFor(repos: Repositories, transport: MailTransport, clock: { now: () => number }, logger: Logger, over: Partial<OutboxLoopDeps> = {}) {
  const loop = createOutboxLoop({
    repos,
    transport,
    logger,
    now: clock.now,
    envelopeFrom: SUPPORT,
    backoff: { baseMs: SECOND, maxMs: 8 * SECOND, maxAttempts: 6 },
    jitter: (d) => d,
    ...over,
  });
  cleanups.push(() => loop.stop());
  return loop;
}

describe('outbox loop over SMTP', () => {
  it('delivers an ack with our Message-ID, Auto-Submitted and the attachment, and registers the request', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger, text } = memoryLogger();
    const { repos, tid, outboxId, messageId } = enqueueAck(freshRepos());
    const loop = loopFor(repos, smtp(s.port, logger), clock, logger);

    clock.advance(1500);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const [msg] = await s.waitFor(1);
    expect(msg!.from).toBe(SUPPORT);
    expect(msg!.to).toEqual(['ann@client.example']);
    expect(messageIdHeader(msg!.raw)).toBe(`<${messageId}>`);
    const parsed = await parse(msg!.raw);
    expect(parsed.messageId).toBe(`<${messageId}>`);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.inReplyTo).toBe('<orig-1@client.example>');
    expect(parsed.subject).toBe(`[TID#${tid}] Printer on fire`);
    expect(parsed.text).toContain(BODY_MARKER);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'screen.png', contentType: 'image/png' });
    expect(parsed.attachments[0]!.content.equals(PNG)).toBe(true);

    // the wire bytes are the stored bytes
    const row = repos.outbox.getOutbox(outboxId)!;
    expect(row).toMatchObject({ status: 'sent', attempts: 1, sentAt: T0 + 1500 });
    expect(msg!.raw.equals(row.raw!)).toBe(true);
    expect(repos.tickets.findTicketByTid(tid)?.ackSentAt).toBe(T0 + 1500);
    expect(eventsOf(repos, 'outbox.sent')).toEqual([
      expect.objectContaining({
        ticketId: tid,
        at: T0 + 1500,
        data: expect.objectContaining({ outboxId, kind: 'ack', messageId, attempts: 1, recipients: 1, response: expect.stringMatching(/^250 /) }),
      }),
    ]);
    // logs name the event, never the body
    expect(text()).toContain('"event":"outbox.sent"');
    expect(text()).not.toContain('Body-marker');
  });

  it('retries a 4xx and then delivers once: attempts 2, a retry event, identical bytes', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger } = memoryLogger();
    const { repos, outboxId, messageId } = enqueueAck(freshRepos());
    const loop = loopFor(repos, smtp(s.port, logger), clock, logger);
    s.failNext('data', 451, 1);

    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    const afterFailure = repos.outbox.getOutbox(outboxId)!;
    expect(afterFailure).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + SECOND });
    expect(afterFailure.lastError).toMatch(/^451 /);
    expect(eventsOf(repos, 'outbox.retry')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ outboxId, messageId, attempt: 1, nextAttemptAt: T0 + SECOND, responseCode: 451, error: expect.stringMatching(/^451 /) }),
      }),
    ]);
    const storedAtFirstClaim = afterFailure.raw!;

    // not due yet
    clock.advance(SECOND - 1);
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const msgs = await s.waitFor(1);
    expect(msgs).toHaveLength(1);
    expect(s.rejections).toBe(1);
    const row = repos.outbox.getOutbox(outboxId)!;
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(row.raw!.equals(storedAtFirstClaim)).toBe(true);
    expect(msgs[0]!.raw.equals(storedAtFirstClaim)).toBe(true);
    expect(eventsOf(repos, 'outbox.sent')[0]?.data).toMatchObject({ attempts: 2 });
  });

  it('fails a 5xx for good with an event carrying the response, and never tries again', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger } = memoryLogger();
    const { repos, tid, outboxId } = enqueueAck(freshRepos());
    const loop = loopFor(repos, smtp(s.port, logger), clock, logger);
    s.fail({ stage: 'data', code: 554, message: '5.7.1 Message rejected as spam', times: 1 });

    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    const row = repos.outbox.getOutbox(outboxId)!;
    expect(row).toMatchObject({ status: 'failed', attempts: 1, failedAt: T0, lastError: '554 5.7.1 Message rejected as spam' });
    expect(eventsOf(repos, 'outbox.failed')).toEqual([
      expect.objectContaining({
        ticketId: tid,
        data: expect.objectContaining({ outboxId, reason: 'permanent', responseCode: 554, response: '554 5.7.1 Message rejected as spam', attempts: 1 }),
      }),
    ]);
    expect(repos.tickets.findTicketByTid(tid)?.ackSentAt).toBeNull();

    clock.advance(24 * 60 * MIN);
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(repos.outbox.getOutbox(outboxId)?.attempts).toBe(1);
    expect(s.messages).toHaveLength(0);
  });

  it('schedules retries with growing, capped backoff while the server refuses connections, then gives up', async () => {
    const port = await freePort(); // nobody listens here
    const clock = testClock();
    const { logger } = memoryLogger();
    const { repos, outboxId } = enqueueAck(freshRepos());
    const loop = loopFor(repos, smtp(port, logger), clock, logger);

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await loop.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
      const row = repos.outbox.getOutbox(outboxId)!;
      expect(row).toMatchObject({ status: 'pending', attempts: attempt });
      expect(row.lastError).toMatch(/ECONNREFUSED/);
      delays.push(row.nextAttemptAt - clock.now());
      clock.set(row.nextAttemptAt);
    }
    expect(delays).toEqual([1, 2, 4, 8, 8].map((s) => s * SECOND));
    const retries = eventsOf(repos, 'outbox.retry');
    expect(retries).toHaveLength(5);
    expect(retries[0]?.data).toMatchObject({ code: 'ESOCKET' });

    // the 6th attempt is the last one
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(repos.outbox.getOutbox(outboxId)).toMatchObject({ status: 'failed', attempts: 6 });
    expect(eventsOf(repos, 'outbox.failed')[0]?.data).toMatchObject({ reason: 'attempts_exhausted', attempts: 6 });
  });

  it('treats a server that never greets as a temporary failure (timeout)', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          silent.close(() => r());
        }),
    );
    const port = (silent.address() as net.AddressInfo).port;
    const { logger } = memoryLogger();
    const transport = createSmtpTransport({ config: smtpConfig(port, { pool: false }), logger, timeouts: { connectionMs: 1000, greetingMs: 200, socketMs: 1000 } });
    cleanups.push(() => transport.close());
    await expect(transport.send({ from: SUPPORT, to: ['a@b.example'] }, Buffer.from('Subject: x\r\n\r\nx\r\n'), 'x@y')).rejects.toMatchObject({
      code: 'E_TRANSPORT_TEMPORARY',
      details: { code: 'ETIMEDOUT' },
    });
  });

  it('re-sends a row with the same Message-ID and bytes when the process died between send and markSent', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger } = memoryLogger();
    const { repos, outboxId, messageId, tid } = enqueueAck(freshRepos());
    const lease = 5 * MIN;

    // First "process": the send goes out, then recording it fails (as if the process died there).
    const crashing: Repositories = {
      ...repos,
      outbox: {
        ...repos.outbox,
        markSent: () => {
          throw new Error('simulated crash before markSent');
        },
      },
    };
    const first = loopFor(crashing, smtp(s.port, logger), clock, logger, { leaseMs: lease });
    expect(await first.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    await s.waitFor(1);
    const leased = repos.outbox.getOutbox(outboxId)!;
    expect(leased).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + lease });
    expect(repos.tickets.findTicketByTid(tid)?.ackSentAt).toBeNull();

    // Second "process": nothing is due until the lease runs out, then the same mail goes out again.
    const second = loopFor(repos, smtp(s.port, logger), clock, logger, { leaseMs: lease });
    clock.advance(lease - 1);
    expect(await second.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect(await second.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const msgs = await s.waitFor(2);
    expect(msgs.map((m) => messageIdHeader(m.raw))).toEqual([`<${messageId}>`, `<${messageId}>`]);
    expect(msgs[1]!.raw.equals(msgs[0]!.raw)).toBe(true);
    expect(repos.outbox.getOutbox(outboxId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(repos.tickets.findTicketByTid(tid)?.ackSentAt).toBe(T0 + lease);
  });

  it('resends the bytes stored at the first claim, whatever the row JSON says later', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger } = memoryLogger();
    const { repos, outboxId, mail, messageId } = enqueueAck(freshRepos());
    // A claim that rendered and stored the bytes, then crashed (lease 1 min).
    const [claimed] = repos.outbox.claimDue(clock.now(), 1, MIN);
    const firstRender = await renderMail({ mail, messageId, blobs: repos.blobs });
    expect(repos.outbox.setRaw(claimed!.id, firstRender)).toBe(true);
    repos.db.prepare('UPDATE outbox SET mail = ? WHERE id = ?').run(JSON.stringify({ ...mail, text: 'changed after the first render' }), outboxId);

    const loop = loopFor(repos, smtp(s.port, logger), clock, logger);
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 }); // still leased
    clock.advance(MIN);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const [msg] = await s.waitFor(1);
    expect(msg!.raw.equals(firstRender)).toBe(true);
  });

  it('never sends a row twice when runs are started concurrently, in one loop or in two', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger } = memoryLogger();
    const repos = freshRepos();
    for (let n = 1; n <= 7; n++) enqueuePlain(repos, n);
    const loop = loopFor(repos, smtp(s.port, logger), clock, logger, { batchSize: 3 });
    const other = loopFor(repos, smtp(s.port, logger), clock, logger, { batchSize: 3 });
    const results = await Promise.all([loop.runOnce(), loop.runOnce(), other.runOnce(), loop.runOnce()]);
    // the 2nd and 4th call wait for the 1st and share one follow-up pass
    expect(results[3]).toBe(results[1]);
    // whatever is left after the batches, one more pass picks up
    const rest = await loop.runOnce();
    const total = [...new Set([...results, rest])].reduce((a, r) => a + r.sent, 0);
    expect(total).toBe(7);
    await s.waitFor(7);
    const ids = s.messages.map((m) => messageIdHeader(m.raw));
    expect(new Set(ids).size).toBe(7);
    expect(ids).toHaveLength(7);
    expect(repos.outbox.countByStatus()).toEqual({ pending: 0, sent: 7, failed: 0 });
  });

  it('logs in with the password read from the environment, and never logs it', async () => {
    const s = await sink({ auth: { user: 'desk', password: 'pw-Secret-123' } });
    const clock = testClock();
    const { logger, text } = memoryLogger();
    const repos = freshRepos();
    enqueuePlain(repos, 1);
    const env = { TIDINGS_TEST_SMTP_PASSWORD: 'pw-Secret-123' };
    const transport = smtp(s.port, logger, { user: 'desk', password_env: 'TIDINGS_TEST_SMTP_PASSWORD' }, env);
    await expect(transport.verify?.()).resolves.toBeUndefined();
    const loop = loopFor(repos, transport, clock, logger);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const [msg] = await s.waitFor(1);
    expect(msg!.user).toBe('desk');

    // a wrong password is our configuration, not the message: retried, not failed
    enqueuePlain(repos, 2);
    const wrong = smtp(s.port, logger, { user: 'desk', password_env: 'TIDINGS_TEST_SMTP_PASSWORD' }, { TIDINGS_TEST_SMTP_PASSWORD: 'pw-Wrong-456' });
    const loop2 = loopFor(repos, wrong, clock, logger);
    expect(await loop2.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(eventsOf(repos, 'outbox.retry')[0]?.data).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(text()).not.toContain('pw-Secret-123');
    expect(text()).not.toContain('pw-Wrong-456');

    // no secret at all: refused when the transport is built
    expect(() => createSmtpTransport({ config: smtpConfig(s.port, { user: 'desk', password_env: 'TIDINGS_TEST_SMTP_PASSWORD' }), logger, env: {} })).toThrow(
      expect.objectContaining({ code: 'E_SECRET_MISSING' }),
    );
  });

  it('counts a partial delivery as sent and records the refused recipients', async () => {
    const s = await sink();
    const clock = testClock();
    const { logger } = memoryLogger();
    const repos = freshRepos();
    const id = enqueuePlain(repos, 1, T0, ['ann@client.example', 'gone@client.example', 'later@client.example']);
    s.fail({ stage: 'rcpt', code: 550, recipients: ['gone@client.example'], message: '5.1.1 no such user' });
    s.fail({ stage: 'rcpt', code: 452, recipients: ['later@client.example'], message: '4.2.2 mailbox full' });
    const loop = loopFor(repos, smtp(s.port, logger), clock, logger);
    expect(await loop.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const [msg] = await s.waitFor(1);
    expect(msg!.to).toEqual(['ann@client.example']);
    expect(repos.outbox.getOutbox(id)?.status).toBe('sent');
    const rejected = [
      { address: 'gone@client.example', response: '550 5.1.1 no such user', permanent: true },
      { address: 'later@client.example', response: '452 4.2.2 mailbox full', permanent: false },
    ];
    expect(eventsOf(repos, 'outbox.sent')[0]?.data).toMatchObject({ rejected });
    expect(eventsOf(repos, 'outbox.recipients_rejected')[0]?.data).toMatchObject({ outboxId: id, rejected });
  });

  it('start() delivers in the background, wake() sends a new row at once, stop() waits for the send in flight', async () => {
    const s = await sink();
    const { logger } = memoryLogger();
    const repos = freshRepos();
    enqueuePlain(repos, 1, Date.now());
    const loop = loopFor(repos, smtp(s.port, logger), { now: Date.now }, logger);
    loop.start(60 * MIN); // the interval alone would not send anything else during this test
    await s.waitFor(1);
    enqueuePlain(repos, 2, Date.now());
    loop.wake();
    await s.waitFor(2);
    await loop.stop();
    expect(repos.outbox.countByStatus()).toEqual({ pending: 0, sent: 2, failed: 0 });
    enqueuePlain(repos, 3, Date.now());
    loop.wake();
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
  });
});
