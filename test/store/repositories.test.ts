import { describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/store/repositories.js';
import { freshRepos, HOUR, T0 } from './helpers.js';

const RAW = Buffer.from('From: ann@client.example\r\nMessage-ID: <q1@client.example>\r\nSubject: Help\r\n\r\nIt broke.\r\n');

/** The shape of one ingest: every row of one message in one transaction, keyed for exactly-once. */
function ingestOnce(repos: Repositories, uid: number, at: number): number | undefined {
  return repos.transaction(() => {
    const fresh = [`src:imap:a/INBOX:1:${uid}`, 'mid:q1@client.example'].map((k) => repos.inboundKeys.tryInsertInboundKey(k, at));
    if (!fresh.every(Boolean)) return undefined;
    const t = repos.tickets.createTicket({ subject: 'Help', requester: 'ann@client.example', level: 'non-commercial', at, clockStartedAt: at, responseDueAt: at + 48 * HOUR });
    repos.participants.addParticipant({ ticketId: t.tid, address: 'ann@client.example', role: 'requester', at });
    const m = repos.messages.addMessage({ ticketId: t.tid, direction: 'in', kind: 'client', messageId: 'q1@client.example', receivedAt: at, raw: RAW });
    repos.inboundKeys.linkInboundKey('mid:q1@client.example', { messageId: m.id });
    repos.events.recordEvent({ ticketId: t.tid, at, type: 'ticket.created' });
    repos.outbox.enqueueOutbox({ ticketId: t.tid, kind: 'ack', messageId: `tid${t.tid}.ack@desk`, recipients: ['ann@client.example'], subject: `[TID#${t.tid}] Help`, mail: {}, at });
    repos.escalations.schedule({ ticketId: t.tid, cycle: 1, threshold: '75%', dueAt: at + 36 * HOUR });
    repos.cursors.setCursor('imap:a/INBOX', { uidvalidity: 1, lastUid: uid }, at);
    return t.tid;
  });
}

const count = (repos: Repositories, table: string) => repos.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

describe('repositories', () => {
  it('builds every repository from one database', () => {
    const repos = freshRepos();
    expect(Object.keys(repos).sort()).toEqual(
      ['ackRequests', 'autoReplies', 'blobs', 'coupons', 'cursors', 'db', 'escalations', 'events', 'inboundKeys', 'messages', 'outbox', 'participants',
        'quarantine', 'tickets', 'transaction', 'undeliverable'].sort(),
    );
  });

  it('commits one ingest as a whole, and a re-read of the same message is a no-op', () => {
    const repos = freshRepos();
    expect(ingestOnce(repos, 42, T0)).toBe(1);
    expect(ingestOnce(repos, 42, T0 + 1)).toBeUndefined(); // same UID re-read after a crash
    expect(ingestOnce(repos, 43, T0 + 2)).toBeUndefined(); // same Message-ID delivered again
    for (const table of ['tickets', 'messages', 'outbox', 'events', 'participants', 'escalation_notices']) expect(count(repos, table), table).toBe(1);
    expect(repos.cursors.getCursor('imap:a/INBOX')?.lastUid).toBe(42);
  });

  it('rolls everything back when the transaction throws', () => {
    const repos = freshRepos();
    expect(() =>
      repos.transaction(() => {
        const t = repos.tickets.createTicket({ subject: 's', requester: 'a@b.example', level: 'x', at: T0 });
        repos.messages.addMessage({ ticketId: t.tid, direction: 'in', kind: 'client', receivedAt: T0, raw: RAW });
        repos.outbox.enqueueOutbox({ ticketId: t.tid, kind: 'ack', messageId: 'dup@desk', recipients: [], subject: 's', mail: {}, at: T0 });
        repos.outbox.enqueueOutbox({ ticketId: t.tid, kind: 'ack', messageId: 'dup@desk', recipients: [], subject: 's', mail: {}, at: T0 });
      }),
    ).toThrow(/UNIQUE constraint failed/);
    for (const table of ['tickets', 'messages', 'blobs', 'outbox']) expect(count(repos, table), table).toBe(0);
    expect(repos.db.inTransaction).toBe(false);
  });

  it('refuses an async function (nothing may be awaited inside a transaction)', () => {
    const repos = freshRepos();
    expect(() =>
      repos.transaction(async () => {
        repos.events.recordEvent({ at: T0, type: 'x' });
      }),
    ).toThrow(/promise/i);
    expect(count(repos, 'events')).toBe(0);
  });

  it('nests as a savepoint: an inner failure caught inside keeps the outer work', () => {
    const repos = freshRepos();
    repos.transaction(() => {
      repos.events.recordEvent({ at: T0, type: 'outer' });
      try {
        repos.transaction(() => {
          repos.events.recordEvent({ at: T0, type: 'inner' });
          throw new Error('inner');
        });
      } catch {
        /* expected */
      }
    });
    expect(repos.db.prepare('SELECT type FROM events').pluck().all()).toEqual(['outer']);
  });
});

describe('transaction({ durable: false })', () => {
  it('commits at synchronous=NORMAL and restores the configured level, also after a throw', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { openDatabase } = await import('../../src/store/open-database.js');
    const { migrate } = await import('../../src/store/migrate.js');
    const { createRepositories } = await import('../../src/store/repositories.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'tidings-durable-'));
    const db = openDatabase(path.join(dir, 't.db'), { synchronous: 'full' });
    try {
      migrate(db);
      const repos = createRepositories(db);
      const level = (): number => Number(db.pragma('synchronous', { simple: true }));
      expect(level()).toBe(2);
      expect(repos.transaction(() => level(), { durable: false })).toBe(1);
      expect(level()).toBe(2);
      expect(repos.transaction(() => level())).toBe(2);
      expect(() => repos.transaction(() => { throw new Error('boom'); }, { durable: false })).toThrow('boom');
      expect(level()).toBe(2);
      // nested: the outer transaction decides; no pragma inside a transaction
      expect(repos.transaction(() => repos.transaction(() => level(), { durable: false }))).toBe(2);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openDatabase({ cacheMb })', () => {
  it('sets the page cache in MiB, and leaves the build default (better-sqlite3: 16 MB) when unset', async () => {
    const { openDatabase } = await import('../../src/store/open-database.js');
    const sized = openDatabase(':memory:', { cacheMb: 32 });
    const plain = openDatabase(':memory:');
    try {
      // A negative cache_size is KiB.
      expect(Number(sized.pragma('cache_size', { simple: true }))).toBe(-32 * 1024);
      expect(Number(plain.pragma('cache_size', { simple: true }))).toBe(-16000);
    } finally {
      sized.close();
      plain.close();
    }
  });
});
