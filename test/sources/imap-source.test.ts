// The IMAP source against a real Dovecot (test/support/dovecot.ts): one fresh server per test.
import type { ImapFlow } from 'imapflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createImapSource, imapSourceName, PROCESSED_KEYWORD, type ImapSource, type ImapSourceConfig, type ImapSourceDeps } from '../../src/sources/imap-source.js';
import type { BatchHandler, MessageHandler, OversizedMessage, PreparedBatch } from '../../src/sources/mail-source.js';
import { commitBatch, ingestMessage, prepareBatch } from '../../src/ingest/ingest-message.js';
import { quarantineOversized } from '../../src/ingest/quarantine-oversized.js';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS } from '../config/config-fixture.js';
import { openDesk } from '../ingest/ingest-fixture.js';
import type { Repositories } from '../../src/store/repositories.js';
import { freshRepos } from '../store/helpers.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { mail, memoryLogger, PASSWORD, recordingHandler, silent, USER, waitFor, type RecordingHandler } from './helpers.js';

const FAST_RETRY = { initialMs: 50, maxMs: 400 };

describe('IMAP source against Dovecot', () => {
  let dovecot: DovecotServer;
  let repos: Repositories;
  const sources: ImapSource[] = [];
  const clients: ImapFlow[] = [];

  beforeEach(async () => {
    dovecot = await startDovecot();
    repos = freshRepos();
  });

  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    for (const c of clients.splice(0)) await c.logout().catch(() => c.close());
    await dovecot?.stop();
    repos?.db.close();
  });

  const config = (over: Partial<ImapSourceConfig> = {}): ImapSourceConfig => ({
    host: dovecot.host,
    port: dovecot.imapPort,
    secure: false,
    user: USER,
    folder: 'INBOX',
    processed_folder: 'Processed',
    poll_seconds: 2,
    fetch_timeout_seconds: 10,
    batch_size: 10,
    ...over,
  });

  const source = (h: RecordingHandler, over: Partial<ImapSourceDeps> = {}, cfg: Partial<ImapSourceConfig> = {}): ImapSource => {
    const s = createImapSource({
      config: config(cfg),
      password: PASSWORD,
      cursors: repos.cursors,
      handler: h.handler,
      logger: silent(),
      now: () => Date.now(),
      retry: FAST_RETRY,
      ...over,
    });
    sources.push(s);
    return s;
  };

  const stopSource = async (s: ImapSource): Promise<void> => {
    await s.stop();
    sources.splice(sources.indexOf(s), 1);
  };

  const imap = async (): Promise<ImapFlow> => {
    const c = await dovecot.connect(USER);
    clients.push(c);
    return c;
  };

  const count = async (folder: string): Promise<number> => {
    const c = await imap();
    const st = await c.status(folder, { messages: true });
    return st ? (st.messages ?? -1) : -1;
  };

  const uidValidity = async (folder: string): Promise<number> => {
    const c = await imap();
    const st = await c.status(folder, { uidValidity: true });
    return Number(st ? st.uidValidity : -1);
  };

  const deliverMany = async (n: number, tag: string, from = 1): Promise<void> => {
    for (let i = from; i < from + n; i++) await dovecot.deliver(USER, mail(i, tag));
  };

  it('hands over a 50-message backlog exactly once, in UID order, then moves it to Processed', async () => {
    const N = 50;
    await deliverMany(N, 'backlog');
    const v = await uidValidity('INBOX');
    const h = recordingHandler();
    const log = memoryLogger('debug');
    const s = source(h, { logger: log.logger }, { batch_size: 7 });
    await s.start();
    await waitFor('all messages handled', () => h.stored().length === N);
    await waitFor('inbox empty', async () => (await count('INBOX')) === 0);

    expect(h.calls).toHaveLength(N);
    expect(h.stored()).toEqual(Array.from({ length: N }, (_, i) => `uidvalidity:${v}:uid:${i + 1}`));
    expect(h.subjects()).toEqual(Array.from({ length: N }, (_, i) => `backlog number ${i + 1}`));
    expect(new Set(h.calls.map((c) => c.position.source))).toEqual(new Set([`imap:${USER}@127.0.0.1:${dovecot.imapPort}/INBOX`]));
    expect(h.calls[0]!.position.source).toBe(s.name);
    // the raw bytes as Dovecot keeps them: its trace headers on top, the delivered message unchanged below
    expect(h.calls[0]!.raw.toString('utf8')).toContain(mail(1, 'backlog'));
    expect(h.calls[0]!.position.receivedAt).toBeGreaterThan(Date.now() - 600_000);
    expect(await count('Processed')).toBe(N);
    expect(repos.cursors.getCursor(s.name)).toMatchObject({ uidvalidity: v, lastUid: N });
    expect(s.status()).toMatchObject({ state: 'connected', reconnects: 0, lagMs: 0 });

    // logs: stable event names, no password, no body text
    const events = log.lines().map((l) => l.event);
    expect(events).toContain('imap.connected');
    expect(events.filter((e) => e === 'imap.message.stored')).toHaveLength(N);
    expect(log.text()).not.toContain(PASSWORD);
    expect(log.text()).not.toContain('private-body-text');
  });

  it('stops a batch at a failing message and retries it and everything after it, losing nothing and repeating nothing', async () => {
    await deliverMany(10, 'fail');
    const v = await uidValidity('INBOX');
    // message 4 fails twice, message 7 once
    const h = recordingHandler({ fail: (c, attempt) => (c.position.key.endsWith(':uid:4') && attempt <= 2) || (c.position.key.endsWith(':uid:7') && attempt === 1) });
    const s = source(h, {}, { batch_size: 100 });
    await s.start();
    await waitFor('all ten stored', () => h.stored().length === 10);
    await waitFor('inbox empty', async () => (await count('INBOX')) === 0);

    const uidsCalled = h.calls.map((c) => Number(c.position.key.split(':').pop()));
    expect(uidsCalled).toEqual([1, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 9, 10]);
    expect(h.stored()).toEqual(Array.from({ length: 10 }, (_, i) => `uidvalidity:${v}:uid:${i + 1}`));
    expect(await count('Processed')).toBe(10);
    expect(repos.cursors.getCursor(s.name)?.lastUid).toBe(10);
    expect(s.status().lastError).toMatch(/temporary failure for uidvalidity:\d+:uid:7/);
    expect(s.status().state).toBe('connected');
  });

  it('with a batch handler commits each fetched batch in one call, in UID order, then moves it', async () => {
    await deliverMany(25, 'group');
    const v = await uidValidity('INBOX');
    const h = recordingHandler();
    const prepared: string[][] = [];
    const committed: string[][] = [];
    const cursorAfterCommit: number[] = [];
    const batchHandler: BatchHandler = {
      prepare: async (messages) => {
        prepared.push(messages.map((m) => m.position.key));
        return { size: messages.length, keys: messages.map((m) => m.position.key) } as PreparedBatch;
      },
      commit: (batch, alsoInTransaction) => {
        const keys = (batch as PreparedBatch & { keys: string[] }).keys;
        committed.push(keys);
        // the source's cursor moves inside the batch's transaction
        alsoInTransaction?.();
        cursorAfterCommit.push(repos.cursors.getCursor(s.name)?.lastUid ?? 0);
        return keys.map(() => ({ status: 'stored' as const }));
      },
    };
    // a listing window smaller than the backlog: the drain lists again after each window
    const s = source(h, { batchHandler, listingWindow: 12 }, { batch_size: 10 });
    await s.start();
    await waitFor('all committed', () => committed.flat().length === 25);
    await waitFor('inbox empty', async () => (await count('INBOX')) === 0);
    expect(committed.map((b) => b.length)).toEqual([10, 2, 10, 2, 1]);
    expect(committed.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `uidvalidity:${v}:uid:${i + 1}`));
    expect(prepared).toEqual(committed);
    expect(cursorAfterCommit).toEqual([10, 12, 22, 24, 25]);
    expect(h.calls).toHaveLength(0);
    expect(await count('Processed')).toBe(25);
    expect(repos.cursors.getCursor(s.name)?.lastUid).toBe(25);
  });

  it.each(['prepare', 'commit'] as const)('when a batch %s fails, hands the batch over one message at a time and stops at the failing one', async (failing) => {
    await deliverMany(6, `fallback-${failing}`);
    const v = await uidValidity('INBOX');
    // message 4 fails once on its own
    const h = recordingHandler({ fail: (c, attempt) => c.position.key.endsWith(':uid:4') && attempt === 1 });
    let batchCalls = 0;
    const batchHandler: BatchHandler = {
      prepare: async (messages) => {
        if (failing === 'prepare') {
          batchCalls += 1;
          throw new Error('mail thread gone');
        }
        return { size: messages.length };
      },
      commit: () => {
        batchCalls += 1;
        throw new Error('database is busy');
      },
    };
    const log = memoryLogger('debug');
    const s = source(h, { batchHandler, logger: log.logger }, { batch_size: 100 });
    await s.start();
    await waitFor('all six stored', () => h.stored().length === 6);
    await waitFor('inbox empty', async () => (await count('INBOX')) === 0);
    const uids = h.calls.map((c) => Number(c.position.key.split(':').pop()));
    expect(uids).toEqual([1, 2, 3, 4, 4, 5, 6]);
    expect(h.stored()).toEqual(Array.from({ length: 6 }, (_, i) => `uidvalidity:${v}:uid:${i + 1}`));
    expect(batchCalls).toBe(2);
    expect(log.lines().filter((l) => l.event === 'imap.batch.failed')).toHaveLength(2);
    expect(await count('Processed')).toBe(6);
  });

  it('a new instance over the same database does not hand over anything twice', async () => {
    await deliverMany(5, 'first');
    const h1 = recordingHandler();
    const s1 = source(h1);
    await s1.start();
    await waitFor('five handled', () => h1.stored().length === 5);
    await stopSource(s1);
    expect(s1.status().state).toBe('stopped');

    await deliverMany(2, 'second');
    const h2 = recordingHandler();
    const s2 = source(h2);
    await s2.start();
    await waitFor('two more handled', () => h2.stored().length === 2);
    await waitFor('inbox empty', async () => (await count('INBOX')) === 0);
    // give a wrong re-read the chance to show up: one more poll round
    await stopSource(s2);
    expect(h2.subjects()).toEqual(['second number 1', 'second number 2']);
    expect(h2.calls).toHaveLength(2);
    expect(await count('Processed')).toBe(7);
  });

  it('stop() lets the message in flight finish, records it and takes nothing new', async () => {
    await deliverMany(3, 'inflight');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const h = recordingHandler({ gate: (c) => (c.position.key.endsWith(':uid:2') ? held : undefined) });
    const s = source(h);
    await s.start();
    await waitFor('message 2 in the handler', () => h.calls.length === 2);
    const stopped = s.stop();
    await new Promise((r) => setTimeout(r, 100));
    release();
    await stopped;
    sources.splice(sources.indexOf(s), 1);
    expect(h.stored()).toHaveLength(2);
    expect(repos.cursors.getCursor(s.name)?.lastUid).toBe(2);
    expect(await count('Processed')).toBe(2);
    expect(await count('INBOX')).toBe(1);

    const h2 = recordingHandler();
    const s2 = source(h2);
    await s2.start();
    await waitFor('the third handled', () => h2.stored().length === 1);
    expect(h2.subjects()).toEqual(['inflight number 3']);
  });

  it('reconnects after a Dovecot restart in the middle of a backlog and loses nothing', async () => {
    const N = 30;
    await deliverMany(N, 'restart');
    const h = recordingHandler({ delayMs: 15 });
    const s = source(h, {}, { batch_size: 5 });
    await s.start();
    await waitFor('a third handled', () => h.stored().length >= 10);
    await dovecot.restart();
    await waitFor('all handled', () => new Set(h.stored()).size === N, 30_000);
    await waitFor('inbox empty', async () => (await count('INBOX')) === 0, 30_000);
    expect(s.status().reconnects).toBeGreaterThanOrEqual(1);
    expect(h.stored()).toHaveLength(N); // none twice: the cursor is saved even when the session dies mid-batch
    expect(h.subjects()).toEqual(Array.from({ length: N }, (_, i) => `restart number ${i + 1}`));
    expect(await count('Processed')).toBe(N);
    await waitFor('connected again', () => s.status().state === 'connected');
  });

  it('survives a Dovecot crash (SIGKILL) while idle and picks up mail delivered meanwhile', async () => {
    const h = recordingHandler();
    const s = source(h);
    await s.start();
    await dovecot.deliver(USER, mail(1, 'crash'));
    await waitFor('first handled', () => h.stored().length === 1);
    // Crash only once the MOVE is through: a SIGKILL in the middle of a MOVE leaves Dovecot's
    // dovecot-uidlist.lock behind and every SELECT then waits for the stale lock (about 2 min).
    await waitFor('first moved', async () => (await count('Processed')) === 1);
    await dovecot.crash();
    await waitFor('reconnecting', () => s.status().state === 'reconnecting' && s.status().reconnects >= 1);
    expect(s.status().lastError).toBeTruthy();
    await dovecot.restart();
    await dovecot.deliver(USER, mail(2, 'crash'));
    await waitFor('second handled', () => h.stored().length === 2, 30_000);
    expect(h.subjects()).toEqual(['crash number 1', 'crash number 2']);
    expect(s.status().state).toBe('connected');
  });

  it('handles mail delivered while idle through IDLE, without waiting for the poll', async () => {
    const h = recordingHandler();
    // a poll every 10 minutes: only IDLE can bring these in within the wait below
    const s = source(h, {}, { poll_seconds: 600 });
    await s.start();
    await waitFor('connected', () => s.status().state === 'connected');
    await new Promise((r) => setTimeout(r, 200)); // let it settle into IDLE
    await dovecot.deliver(USER, mail(1, 'idle'));
    await waitFor('first idle message', () => h.stored().length === 1, 10_000);
    await dovecot.deliver(USER, mail(2, 'idle'));
    await dovecot.deliver(USER, mail(3, 'idle'));
    await waitFor('three idle messages', () => h.stored().length === 3, 10_000);
    expect(h.subjects()).toEqual(['idle number 1', 'idle number 2', 'idle number 3']);
  });

  it('re-scans after a UIDVALIDITY change and hands the mail over again under new keys', async () => {
    const admin = await imap();
    await admin.mailboxCreate('Queue');
    for (let i = 1; i <= 3; i++) await dovecot.append(USER, 'Queue', mail(i, 'uv'));
    const v1 = await uidValidity('Queue');
    const h = recordingHandler();
    const s1 = source(h, {}, { folder: 'Queue' });
    await s1.start();
    await waitFor('three handled', () => h.stored().length === 3);
    await stopSource(s1);
    expect(repos.cursors.getCursor(s1.name)).toMatchObject({ uidvalidity: v1, lastUid: 3 });

    // The folder is recreated (e.g. restored from a backup): new UIDVALIDITY, UIDs from 1 again.
    await admin.mailboxDelete('Queue');
    await admin.mailboxCreate('Queue');
    for (let i = 1; i <= 3; i++) await dovecot.append(USER, 'Queue', mail(i, 'uv'));
    const v2 = await uidValidity('Queue');
    expect(v2).not.toBe(v1);

    const s2 = source(h, {}, { folder: 'Queue' });
    await s2.start();
    await waitFor('three more handled', () => h.stored().length === 6);
    // same mails, new keys: the pipeline's Message-ID + body dedupe turns these into no-ops
    expect(h.stored().slice(3)).toEqual([1, 2, 3].map((u) => `uidvalidity:${v2}:uid:${u}`));
    expect(h.subjects()).toEqual(['uv number 1', 'uv number 2', 'uv number 3', 'uv number 1', 'uv number 2', 'uv number 3']);
    expect(repos.cursors.getCursor(s2.name)).toMatchObject({ uidvalidity: v2, lastUid: 3 });
  });

  it("with acknowledge 'flag' sets the $TidingsProcessed keyword, moves and deletes nothing", async () => {
    await deliverMany(4, 'flag');
    const h = recordingHandler();
    const s = source(h, { acknowledge: 'flag' });
    await s.start();
    await waitFor('four handled', () => h.stored().length === 4);
    const c = await imap();
    await c.mailboxOpen('INBOX');
    await waitFor('all flagged', async () => {
      const list = await c.search({ keyword: PROCESSED_KEYWORD }, { uid: true });
      return Array.isArray(list) && list.length === 4;
    });
    const msgs = await c.fetchAll('1:*', { uid: true, flags: true }, { uid: true });
    expect(msgs).toHaveLength(4);
    for (const m of msgs) {
      expect(m.flags?.has('\\Deleted')).toBe(false);
      expect(m.flags?.has('\\Seen')).toBe(false); // \Seen is neither used nor set
    }
    expect(await count('Processed')).toBe(0);
    await stopSource(s);

    // a second instance skips them by the cursor, not by flags
    await dovecot.deliver(USER, mail(5, 'flag'));
    const h2 = recordingHandler();
    const s2 = source(h2, { acknowledge: 'flag' });
    await s2.start();
    await waitFor('the fifth handled', () => h2.stored().length === 1);
    expect(h2.subjects()).toEqual(['flag number 5']);
  });

  it('creates a missing processed folder', async () => {
    await deliverMany(2, 'create');
    const h = recordingHandler();
    const s = source(h, {}, { processed_folder: 'Archive/Tidings' });
    await s.start();
    await waitFor('two handled', () => h.stored().length === 2);
    await waitFor('moved into the new folder', async () => (await count('Archive/Tidings')) === 2);
    expect(await count('INBOX')).toBe(0);
  });

  it('acknowledges mail that was handled but not yet moved, without handing it over again', async () => {
    await deliverMany(5, 'sweep');
    const v = await uidValidity('INBOX');
    // as if the previous run committed 1-3 and died before the MOVE
    const name = imapSourceName(config());
    repos.cursors.setCursor(name, { uidvalidity: v, lastUid: 3 }, Date.now());
    const h = recordingHandler();
    const s = source(h);
    await s.start();
    await waitFor('4 and 5 handled', () => h.stored().length === 2);
    await waitFor('all five moved', async () => (await count('Processed')) === 5);
    expect(h.subjects()).toEqual(['sweep number 4', 'sweep number 5']);
    expect(await count('INBOX')).toBe(0);
  });

  it('reports the age of the oldest unhandled message as lagMs, and 0 once caught up', async () => {
    await deliverMany(3, 'lag');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const h = recordingHandler({ gate: (c) => (c.position.key.endsWith(':uid:1') ? held : undefined) });
    const later = Date.now() + 3_600_000;
    const s = source(h, { now: () => later });
    await s.start();
    await waitFor('first message in the handler', () => h.calls.length === 1);
    const lag = s.status().lagMs;
    expect(lag).toBeGreaterThanOrEqual(3_600_000 - 60_000);
    expect(lag).toBeLessThanOrEqual(3_600_000 + 600_000);
    release();
    await waitFor('caught up', () => h.stored().length === 3);
    await waitFor('lag back to 0', () => s.status().lagMs === 0);
  });

  it.each([{ batched: true }, { batched: false }])('never fetches a message over max_message_bytes: quarantined by reference, moved, the rest stored (batch handler: $batched)', async ({ batched }) => {
    const desk = openDesk({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: { max_message_bytes: 4096 }\n`, 'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS });
    try {
      await dovecot.deliver(USER, mail(1, 'size'));
      await dovecot.deliver(USER, mail(2, 'size').replace('private-body-text.', 'x'.repeat(20_000)));
      await dovecot.deliver(USER, mail(3, 'size'));
      const v = await uidValidity('INBOX');
      const handler: MessageHandler = (raw, position) => ingestMessage(desk.deps, raw, position);
      const batchHandler: BatchHandler = { prepare: (messages) => prepareBatch(desk.deps, messages), commit: commitBatch };
      const oversized = { maxBytes: () => desk.deps.config.limits.max_message_bytes, quarantine: (m: OversizedMessage) => quarantineOversized(desk.deps, m) };
      const s = createImapSource({
        config: config(),
        password: PASSWORD,
        cursors: desk.repos.cursors,
        handler,
        ...(batched ? { batchHandler } : {}),
        oversized,
        logger: silent(),
        now: () => Date.now(),
        retry: FAST_RETRY,
      });
      sources.push(s);
      await s.start();
      await waitFor('inbox empty', async () => (await count('INBOX')) === 0);
      expect(await count('Processed')).toBe(3);
      // Stored (as automated mail: the test delivery has a null Return-Path), the large one not among them.
      expect(desk.repos.db.prepare("SELECT count(*) FROM messages WHERE direction = 'in'").pluck().get()).toBe(2);
      const held = desk.repos.quarantine.list();
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({ reasonCode: 'E_MESSAGE_TOO_LARGE', source: s.name, sourceKey: `uidvalidity:${v}:uid:2` });
      expect(held[0]!.size).toBeGreaterThan(20_000);
      expect(held[0]!.original).toContain(`IMAP folder "Processed"`);
      expect(held[0]!.original).toContain(`UID 2`);
      // Never fetched: had its bytes been read, the parser's own size check would have kept them.
      expect(desk.repos.quarantine.get(held[0]!.id)!.raw).toBeNull();
      expect(desk.repos.cursors.getCursor(s.name)).toMatchObject({ uidvalidity: v, lastUid: 3 });
    } finally {
      for (const s of sources.splice(0)) await s.stop();
      desk.close();
    }
  });

  it('keeps retrying a refused login with backoff and never shows the password', async () => {
    const h = recordingHandler();
    const log = memoryLogger('debug');
    const s = source(h, { password: 'wrong-password-123', logger: log.logger });
    await s.start();
    await waitFor('two failed attempts', () => s.status().reconnects >= 2);
    const st = s.status();
    expect(st.state).toBe('reconnecting');
    expect(st.lastError).toMatch(/auth/i);
    expect(st.lastError).not.toContain('wrong-password-123');
    await stopSource(s);
    expect(s.status().state).toBe('stopped');
    expect(log.text()).not.toContain('wrong-password-123');
    expect(log.lines().some((l) => l.event === 'imap.reconnect')).toBe(true);
  });
});
