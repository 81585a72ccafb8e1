import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/store/repositories.js';
import { freshRepos, MIN, newTicket, T0, thrown } from './helpers.js';

function enqueue(repos: Repositories, n: number, over: Partial<Parameters<Repositories['outbox']['enqueueOutbox']>[0]> = {}) {
  return repos.outbox.enqueueOutbox({
    kind: 'ack',
    messageId: `tid${n}.ack@desk.example`,
    recipients: ['ann@client.example'],
    subject: `[TID#${n}] Help`,
    mail: { text: `hello ${n}`, headers: { 'Auto-Submitted': 'auto-replied' } },
    at: T0,
    ...over,
  });
}

describe('outbox repository', () => {
  it('enqueues a pending mail with its fixed Message-ID', () => {
    const repos = freshRepos();
    const { tid } = newTicket(repos);
    const id = enqueue(repos, 1, { ticketId: tid, raw: Buffer.from('Message-ID: <tid1.ack@desk.example>\r\n\r\nhi\r\n') });
    expect(repos.outbox.getOutbox(id)).toMatchObject({
      id,
      ticketId: tid,
      kind: 'ack',
      messageId: 'tid1.ack@desk.example',
      recipients: ['ann@client.example'],
      subject: '[TID#1] Help',
      mail: { text: 'hello 1', headers: { 'Auto-Submitted': 'auto-replied' } },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
      lastError: null,
      createdAt: T0,
      sentAt: null,
      failedAt: null,
    });
    expect(repos.outbox.getOutbox(id)?.raw?.toString()).toContain('tid1.ack');
    expect(repos.outbox.findByMessageId('tid1.ack@desk.example')?.id).toBe(id);
    expect(repos.outbox.countByStatus()).toEqual({ pending: 1, sent: 0, failed: 0 });
  });

  it('refuses a second mail with the same Message-ID', () => {
    const repos = freshRepos();
    enqueue(repos, 1);
    expect(thrown(() => enqueue(repos, 1)).message).toMatch(/UNIQUE constraint failed: outbox.message_id/);
  });

  it('claims only due mails, oldest due first, up to the limit', () => {
    const repos = freshRepos();
    const later = enqueue(repos, 1, { notBefore: T0 + 10 * MIN });
    const a = enqueue(repos, 2, { at: T0 - 2 * MIN });
    const b = enqueue(repos, 3, { at: T0 - MIN });
    const c = enqueue(repos, 4, { at: T0 });
    const first = repos.outbox.claimDue(T0, 2);
    expect(first.map((m) => m.id)).toEqual([a, b]);
    expect(first.every((m) => m.attempts === 1 && m.status === 'pending')).toBe(true);
    expect(repos.outbox.claimDue(T0, 10).map((m) => m.id)).toEqual([c]);
    for (const id of [a, b, c]) expect(repos.outbox.markSent(id, T0)).toBe(true);
    expect(repos.outbox.claimDue(T0 + 10 * MIN, 10, 60 * MIN).map((m) => m.id)).toEqual([later]);
    expect(repos.outbox.claimDue(T0, 0)).toEqual([]);
  });

  it('leases a claimed mail so it is not claimed twice, and hands it out again after the lease (crash)', () => {
    const repos = freshRepos();
    const id = enqueue(repos, 1);
    expect(repos.outbox.claimDue(T0, 10, 5 * MIN).map((m) => m.id)).toEqual([id]);
    expect(repos.outbox.claimDue(T0 + MIN, 10, 5 * MIN)).toEqual([]);
    const again = repos.outbox.claimDue(T0 + 5 * MIN, 10, 5 * MIN);
    expect(again.map((m) => [m.id, m.attempts, m.messageId])).toEqual([[id, 2, 'tid1.ack@desk.example']]);
  });

  it('pending → sent, once; a sent mail is never claimed again', () => {
    const repos = freshRepos();
    const id = enqueue(repos, 1);
    repos.outbox.claimDue(T0, 10);
    expect(repos.outbox.markSent(id, T0 + 1000)).toBe(true);
    expect(repos.outbox.getOutbox(id)).toMatchObject({ status: 'sent', sentAt: T0 + 1000, attempts: 1 });
    expect(repos.outbox.markSent(id, T0 + 2000)).toBe(false);
    expect(repos.outbox.markRetry(id, T0, 'late')).toBe(false);
    expect(repos.outbox.markFailed(id, T0, 'late')).toBe(false);
    expect(repos.outbox.claimDue(T0 + 365 * 24 * 60 * MIN, 10)).toEqual([]);
    expect(repos.outbox.getOutbox(id)?.sentAt).toBe(T0 + 1000);
  });

  it('pending → retry (error kept, due again at nextAt) → failed', () => {
    const repos = freshRepos();
    const id = enqueue(repos, 1);
    repos.outbox.claimDue(T0, 10);
    expect(repos.outbox.markRetry(id, T0 + 2 * MIN, '421 4.7.0 try again later')).toBe(true);
    expect(repos.outbox.getOutbox(id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 2 * MIN, lastError: '421 4.7.0 try again later' });
    expect(repos.outbox.claimDue(T0 + MIN, 10)).toEqual([]);
    const [retry] = repos.outbox.claimDue(T0 + 2 * MIN, 10);
    expect(retry).toMatchObject({ id, attempts: 2, lastError: '421 4.7.0 try again later' });
    expect(repos.outbox.markFailed(id, T0 + 3 * MIN, '550 5.1.1 no such user')).toBe(true);
    expect(repos.outbox.getOutbox(id)).toMatchObject({ status: 'failed', failedAt: T0 + 3 * MIN, lastError: '550 5.1.1 no such user', attempts: 2 });
    expect(repos.outbox.claimDue(T0 + 600 * MIN, 10)).toEqual([]);
    expect(repos.outbox.markSent(id, T0)).toBe(false);
    expect(repos.outbox.countByStatus()).toEqual({ pending: 0, sent: 0, failed: 1 });
  });

  it('keeps the first rendering of a mail', () => {
    const repos = freshRepos();
    const id = enqueue(repos, 1);
    expect(repos.outbox.setRaw(id, Buffer.from('first'))).toBe(true);
    expect(repos.outbox.setRaw(id, Buffer.from('second'))).toBe(false);
    expect(repos.outbox.getOutbox(id)?.raw?.toString()).toBe('first');
  });

  it('uses the partial due index for claims', () => {
    const repos = freshRepos();
    const plan = repos.db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?")
      .all(T0, 10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX outbox_due/);
  });

  it('enforces the ticket foreign key', () => {
    const repos = freshRepos();
    expect(() => enqueue(repos, 1, { ticketId: 31337 })).toThrow(/FOREIGN KEY constraint failed/);
  });
});

describe('releaseLeases after an unclean stop', () => {
  it('makes claimed, never-failed rows due at once and leaves retry backoff alone', () => {
    const repos = freshRepos();
    const base = { kind: 'ack', recipients: ['a@x.example'], subject: 's', mail: {}, at: 1000 };
    const a = repos.outbox.enqueueOutbox({ ...base, messageId: 'a@x' });
    const b = repos.outbox.enqueueOutbox({ ...base, messageId: 'b@x' });
    repos.outbox.claimDue(2000, 10, 60_000);
    repos.outbox.markRetry(b, 50_000, '451 try later');
    expect(repos.outbox.releaseLeases(3000)).toBe(1);
    expect(repos.outbox.getOutbox(a)!.nextAttemptAt).toBe(3000);
    expect(repos.outbox.getOutbox(b)!.nextAttemptAt).toBe(50_000);
  });
});
