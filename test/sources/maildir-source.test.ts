import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMaildirSource, isMaildir, maildirBaseName, type MaildirSourceDeps } from '../../src/sources/maildir-source.js';
import { FIRST_BATCH } from '../../src/sources/plan-batches.js';
import { commitBatch, ingestMessage, prepareBatch } from '../../src/ingest/ingest-message.js';
import type { BatchHandler, MailSource, OversizedMessage, PreparedBatch, SourcePosition } from '../../src/sources/mail-source.js';
import { quarantineOversized } from '../../src/ingest/quarantine-oversized.js';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS } from '../config/config-fixture.js';
import { openDesk } from '../ingest/ingest-fixture.js';
import { mail, memoryLogger, recordingHandler, silent, waitFor, type RecordingHandler } from './helpers.js';

describe('Maildir source', () => {
  let dir: string;
  const sources: MailSource[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tidings-maildir-'));
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const inbox = (): string => path.join(dir, 'inbox');

  /** As a delivery agent does it: write into tmp/, rename into new/. */
  const drop = (name: string, text: string): void => {
    const tmp = path.join(inbox(), 'tmp', name);
    writeFileSync(tmp, text);
    renameSync(tmp, path.join(inbox(), 'new', name));
  };

  const source = (h: RecordingHandler, over: Partial<MaildirSourceDeps> = {}): MailSource => {
    const s = createMaildirSource({ path: inbox(), handler: h.handler, logger: silent(), now: () => Date.now(), pollSeconds: 0.2, retry: { initialMs: 50, maxMs: 200 }, ...over });
    sources.push(s);
    return s;
  };

  const stop = async (s: MailSource): Promise<void> => {
    await s.stop();
    sources.splice(sources.indexOf(s), 1);
  };

  const ls = (sub: string): string[] => readdirSync(path.join(inbox(), sub)).sort();

  it('creates new/ cur/ tmp/, hands files over in name order and moves them to cur/ with the same base name', async () => {
    const h = recordingHandler();
    const s = source(h);
    await s.start();
    expect(isMaildir(inbox())).toBe(true);
    drop('1700000002.M2P1.host', mail(2, 'md'));
    drop('1700000001.M1P1.host', mail(1, 'md'));
    drop('1700000003.M3P1.host', mail(3, 'md'));
    await waitFor('three handled', () => h.stored().length === 3);
    await waitFor('new/ empty', () => ls('new').length === 0);
    expect(ls('cur')).toEqual(['1700000001.M1P1.host:2,S', '1700000002.M2P1.host:2,S', '1700000003.M3P1.host:2,S']);
    expect(h.calls.every((c) => c.position.source === `maildir:${path.resolve(inbox())}`)).toBe(true);
    // bytes exactly as written
    expect(h.calls.map((c) => c.raw.toString('utf8')).sort()).toEqual([mail(1, 'md'), mail(2, 'md'), mail(3, 'md')]);
    expect(h.stored()).toHaveLength(3);
    expect(s.status()).toMatchObject({ state: 'connected', lagMs: 0, reconnects: 0 });
  });

  it('reads a backlog in name order and keys messages by the base name without flags', async () => {
    mkdirSync(path.join(inbox(), 'new'), { recursive: true });
    mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
    drop('b', mail(2, 'order'));
    drop('a:2,', mail(1, 'order')); // info part in new/ is unusual but legal; not part of the key
    drop('c', mail(3, 'order'));
    const h = recordingHandler();
    const s = source(h);
    await s.start();
    await waitFor('three handled', () => h.stored().length === 3);
    expect(h.stored()).toEqual(['a', 'b', 'c']);
    await waitFor('all in cur/', () => ls('cur').length === 3);
    expect(ls('cur')).toEqual(['a:2,S', 'b:2,S', 'c:2,S']);
  });

  it('ignores dotfiles, directories and tmp/', async () => {
    mkdirSync(path.join(inbox(), 'new', 'subdir'), { recursive: true });
    mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
    writeFileSync(path.join(inbox(), 'new', '.hidden'), mail(9, 'x'));
    writeFileSync(path.join(inbox(), 'tmp', 'half-written'), 'From: partial');
    drop('1.real', mail(1, 'real'));
    const h = recordingHandler();
    const s = source(h);
    await s.start();
    await waitFor('the real one handled', () => h.stored().length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.stored()).toEqual(['1.real']);
    expect(ls('new')).toEqual(['.hidden', 'subdir']);
    expect(ls('tmp')).toEqual(['half-written']);
    expect(s.status().state).toBe('connected');
  });

  it('leaves a failed message in new/, keeps later ones waiting, and retries until it is stored', async () => {
    const h = recordingHandler({ fail: (c, attempt) => c.position.key === '2' && attempt <= 2 });
    const log = memoryLogger();
    const s = source(h, { logger: log.logger });
    await s.start();
    drop('1', mail(1, 'f'));
    drop('2', mail(2, 'f'));
    drop('3', mail(3, 'f'));
    await waitFor('all stored', () => h.stored().length === 3);
    expect(h.calls.map((c) => c.position.key)).toEqual(['1', '2', '2', '2', '3']);
    expect(h.stored()).toEqual(['1', '2', '3']);
    await waitFor('all in cur/', () => ls('cur').length === 3);
    expect(ls('new')).toEqual([]);
    expect(s.status().lastError).toMatch(/temporary failure for 2/);
    expect(log.lines().filter((l) => l.event === 'maildir.message.failed')).toHaveLength(2);
    expect(log.text()).not.toContain('private-body-text');
  });

  it('a message that keeps failing stays in new/ and is not moved', async () => {
    const h = recordingHandler({ fail: (c) => c.position.key === 'bad' });
    const s = source(h);
    await s.start();
    drop('bad', mail(1, 'bad'));
    await waitFor('a few attempts', () => h.calls.length >= 3);
    expect(ls('new')).toEqual(['bad']);
    expect(ls('cur')).toEqual([]);
  });

  it('is restart safe: a new instance hands over only what is still in new/', async () => {
    const h1 = recordingHandler();
    const s1 = source(h1);
    await s1.start();
    drop('1', mail(1, 'r'));
    drop('2', mail(2, 'r'));
    await waitFor('two handled', () => h1.stored().length === 2 && ls('cur').length === 2);
    await stop(s1);
    drop('3', mail(3, 'r'));
    const h2 = recordingHandler();
    const s2 = source(h2);
    await s2.start();
    await waitFor('the third handled', () => h2.stored().length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(h2.stored()).toEqual(['3']);
    expect(ls('cur')).toEqual(['1:2,S', '2:2,S', '3:2,S']);
  });

  it('stop() lets the message in flight finish and moves it, then takes nothing new', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const h = recordingHandler({ gate: (c) => (c.position.key === '1' ? held : undefined) });
    const s = source(h);
    await s.start();
    drop('1', mail(1, 's'));
    drop('2', mail(2, 's'));
    await waitFor('first in the handler', () => h.calls.length === 1);
    const stopped = s.stop();
    release();
    await stopped;
    sources.splice(sources.indexOf(s), 1);
    expect(h.stored()).toEqual(['1']);
    expect(ls('cur')).toEqual(['1:2,S']);
    expect(ls('new')).toEqual(['2']);
    expect(s.status().state).toBe('stopped');
  });

  it('finds files by polling alone (no fs.watch event needed) and reports lag from the file time', async () => {
    mkdirSync(path.join(inbox(), 'new'), { recursive: true });
    mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
    drop('old', mail(1, 'lag'));
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    utimesSync(path.join(inbox(), 'new', 'old'), hourAgo, hourAgo);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const h = recordingHandler({ gate: () => held });
    const s = source(h);
    await s.start();
    await waitFor('in the handler', () => h.calls.length === 1);
    expect(s.status().lagMs).toBeGreaterThanOrEqual(3_600_000 - 5_000);
    expect(h.calls[0]!.position.receivedAt).toBeLessThan(Date.now() - 3_500_000);
    release();
    await waitFor('lag 0', () => h.stored().length === 1 && s.status().lagMs === 0);
  });

  it('survives new/ disappearing and recovers when it is back', async () => {
    const h = recordingHandler();
    const s = source(h);
    await s.start();
    rmSync(path.join(inbox(), 'new'), { recursive: true });
    await waitFor('scan failure reported', () => s.status().state === 'reconnecting');
    expect(s.status().lastError).toMatch(/ENOENT/);
    mkdirSync(path.join(inbox(), 'new'));
    drop('back', mail(1, 'back'));
    await waitFor('handled after recovery', () => h.stored().length === 1, 10_000);
    expect(s.status().state).toBe('connected');
  });

  it('through the real pipeline: a batch committed but not renamed (cur/ broken) is re-read after the fix and stored once', async () => {
    const desk = openDesk({ 'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS });
    try {
      const batchHandler: BatchHandler = { prepare: (messages) => prepareBatch(desk.deps, messages), commit: commitBatch };
      const handler = (raw: Buffer, position: SourcePosition) => ingestMessage(desk.deps, raw, position);
      const log = memoryLogger('debug');
      const s = createMaildirSource({ path: inbox(), handler, batchHandler, batchSize: 5, logger: log.logger, now: () => Date.now(), pollSeconds: 0.2, retry: { initialMs: 50, maxMs: 100 } });
      sources.push(s);
      await s.start();
      // cur/ becomes a file: every rename after a commit fails until it is a folder again
      rmSync(path.join(inbox(), 'cur'), { recursive: true });
      writeFileSync(path.join(inbox(), 'cur'), 'not a folder');
      for (let i = 1; i <= 12; i++) drop(`17000001${String(i).padStart(2, '0')}.M${i}P1.host`, mail(i, 'pipeline'));
      await waitFor('a failed scan', () => log.lines().some((l) => l.event === 'maildir.scan.failed'));
      // a batch is stored (the first scan may have seen only some of the files), none renamed
      const stored = desk.repos.db.prepare('SELECT count(*) FROM tickets').pluck().get() as number;
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThanOrEqual(5);
      expect(ls('new')).toHaveLength(12);
      rmSync(path.join(inbox(), 'cur'));
      mkdirSync(path.join(inbox(), 'cur'));
      await waitFor('new/ empty', () => ls('new').length === 0);
      expect(ls('cur')).toHaveLength(12);
      expect(desk.repos.db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(12);
      expect(desk.repos.db.prepare("SELECT count(*) FROM messages WHERE direction = 'in'").pluck().get()).toBe(12);
      expect(desk.acks()).toHaveLength(12);
    } finally {
      for (const s of sources.splice(0)) await s.stop();
      desk.close();
    }
  });

  describe('messages over the size limit', () => {
    /** The daemon's wiring over an in-memory desk whose limit is 4 KiB. */
    const deskSource = (desk: ReturnType<typeof openDesk>): MailSource => {
      const batchHandler: BatchHandler = { prepare: (messages) => prepareBatch(desk.deps, messages), commit: commitBatch };
      const handler = (raw: Buffer, position: SourcePosition) => ingestMessage(desk.deps, raw, position);
      const oversized = { maxBytes: () => desk.deps.config.limits.max_message_bytes, quarantine: (m: OversizedMessage) => quarantineOversized(desk.deps, m) };
      const s = createMaildirSource({ path: inbox(), handler, batchHandler, oversized, batchSize: 5, logger: silent(), now: () => Date.now(), pollSeconds: 0.2, retry: { initialMs: 50, maxMs: 100 } });
      sources.push(s);
      return s;
    };
    const LIMITED = { 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: { max_message_bytes: 4096 }\n`, 'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS };
    /** A sparse file: its size without the disk use; reading it whole would need a Buffer that large. */
    const dropSparse = (name: string, size: number): void => {
      const tmp = path.join(inbox(), 'tmp', name);
      writeFileSync(tmp, mail(0, 'big'));
      truncateSync(tmp, size);
      renameSync(tmp, path.join(inbox(), 'new', name));
    };

    it('are quarantined by reference without being read, moved to cur/, and the mail after them is stored', async () => {
      const desk = openDesk(LIMITED);
      try {
        for (const d of ['new', 'cur', 'tmp']) mkdirSync(path.join(inbox(), d), { recursive: true });
        dropSparse('1700000001.M1P1.big', 64 * 1024);
        dropSparse('1700000002.M2P1.huge', 2 ** 31 + 1); // more than readFileSync can return
        drop('1700000003.M3P1.host', mail(3, 'after'));
        drop('1700000004.M4P1.host', mail(4, 'after'));
        const s = deskSource(desk);
        await s.start();
        await waitFor('new/ empty', () => ls('new').length === 0, 20_000);
        expect(ls('cur')).toEqual(['1700000001.M1P1.big:2,S', '1700000002.M2P1.huge:2,S', '1700000003.M3P1.host:2,S', '1700000004.M4P1.host:2,S']);
        expect(desk.repos.db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(2);
        const held = desk.repos.quarantine.list();
        expect(held.map((q) => [q.reasonCode, q.size, q.sourceKey, q.original])).toEqual([
          ['E_MESSAGE_TOO_LARGE', 64 * 1024, '1700000001.M1P1.big', path.join(inbox(), 'cur', '1700000001.M1P1.big:2,S')],
          ['E_MESSAGE_TOO_LARGE', 2 ** 31 + 1, '1700000002.M2P1.huge', path.join(inbox(), 'cur', '1700000002.M2P1.huge:2,S')],
        ]);
        for (const q of held) {
          expect(q.source).toBe(`maildir:${path.resolve(inbox())}`);
          expect(desk.repos.quarantine.get(q.id)!.raw).toBeNull();
        }

        // Read again from the same position (a crash before the rename): no second entry.
        await stop(s);
        renameSync(path.join(inbox(), 'cur', '1700000002.M2P1.huge:2,S'), path.join(inbox(), 'new', '1700000002.M2P1.huge'));
        drop('1700000005.M5P1.host', mail(5, 'after'));
        await deskSource(desk).start();
        await waitFor('new/ empty again', () => ls('new').length === 0, 20_000);
        expect(desk.repos.quarantine.list()).toHaveLength(2);
        expect(desk.repos.db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(3);
      } finally {
        for (const s of sources.splice(0)) await s.stop();
        desk.close();
      }
    }, 60_000);
  });

  describe('with a batch handler (group commit)', () => {
    /** Records each prepare and commit; renames must not happen before the commit that covers them. */
    const recordingBatches = (opts: { failPrepare?: boolean; failCommit?: boolean } = {}) => {
      const prepared: string[][] = [];
      const committed: string[][] = [];
      const inNewAtCommit: number[] = [];
      const batchHandler: BatchHandler = {
        prepare: async (messages) => {
          prepared.push(messages.map((m) => m.position.key));
          if (opts.failPrepare) throw new Error('mail thread gone');
          return { size: messages.length, keys: messages.map((m) => m.position.key) } as PreparedBatch;
        },
        commit: (batch) => {
          if (opts.failCommit) throw new Error('database is busy');
          const keys = (batch as PreparedBatch & { keys: string[] }).keys;
          committed.push(keys);
          // every file of the batch is still in new/ when its commit runs
          inNewAtCommit.push(keys.filter((k) => ls('new').includes(k)).length);
          return keys.map(() => ({ status: 'stored' as const }));
        },
      };
      return { batchHandler, prepared, committed, inNewAtCommit };
    };
    const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `17000000${String(i + 10).padStart(2, '0')}.M${i}P1.host`);

    it('commits a backlog in batches of batch_size, in name order, and renames each file only after its commit', async () => {
      mkdirSync(path.join(inbox(), 'new'), { recursive: true });
      mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
      mkdirSync(path.join(inbox(), 'cur'), { recursive: true });
      const all = names(23);
      all.forEach((n, i) => drop(n, mail(i + 1, 'batch')));
      const h = recordingHandler();
      const b = recordingBatches();
      const s = source(h, { batchHandler: b.batchHandler, batchSize: 10 });
      await s.start();
      await waitFor('all committed', () => b.committed.flat().length === 23);
      await waitFor('new/ empty', () => ls('new').length === 0);
      expect(b.committed.map((c) => c.length)).toEqual([10, 10, 3]);
      expect(b.committed.flat()).toEqual(all);
      expect(b.prepared).toEqual(b.committed);
      expect(b.inNewAtCommit).toEqual([10, 10, 3]);
      expect(ls('cur')).toEqual(all.map((n) => `${n}:2,S`));
      expect(h.calls).toHaveLength(0);
    });

    it('commits the first FIRST_BATCH files of a backlog on their own, so the first commit does not wait for a full batch', async () => {
      mkdirSync(path.join(inbox(), 'new'), { recursive: true });
      mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
      const all = names(60);
      all.forEach((n, i) => drop(n, mail(i + 1, 'ramp')));
      const b = recordingBatches();
      const s = source(recordingHandler(), { batchHandler: b.batchHandler, batchSize: 250 });
      await s.start();
      await waitFor('all committed', () => b.committed.flat().length === 60);
      expect(b.committed.map((c) => c.length)).toEqual([FIRST_BATCH, 2 * FIRST_BATCH, 60 - 3 * FIRST_BATCH]);
      expect(b.committed.flat()).toEqual(all);
    });

    it('a file another reader took between its commit and its rename counts as done; the scan goes on', async () => {
      mkdirSync(path.join(inbox(), 'new'), { recursive: true });
      mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
      const all = names(4);
      all.forEach((n, i) => drop(n, mail(i + 1, 'taken')));
      const committed: string[] = [];
      const batchHandler: BatchHandler = {
        prepare: async (messages) => ({ size: messages.length, keys: messages.map((m) => m.position.key) }) as PreparedBatch,
        commit: (batch) => {
          const keys = (batch as PreparedBatch & { keys: string[] }).keys;
          committed.push(...keys);
          // someone else moves the second file away right after our commit
          rmSync(path.join(inbox(), 'new', all[1]!), { force: true });
          return keys.map(() => ({ status: 'stored' as const }));
        },
      };
      const log = memoryLogger('debug');
      const s = source(recordingHandler(), { batchHandler, batchSize: 10, logger: log.logger });
      await s.start();
      await waitFor('new/ empty', () => ls('new').length === 0);
      expect(committed).toEqual(all);
      expect(ls('cur')).toEqual([all[0], all[2], all[3]].map((n) => `${n}:2,S`));
      expect(log.lines().filter((l) => l.event === 'maildir.scan.failed')).toEqual([]);
    });

    it('cuts batches by bytes too', async () => {
      mkdirSync(path.join(inbox(), 'new'), { recursive: true });
      mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
      const all = names(6);
      const text = (i: number): string => `${mail(i, 'big')}${'x'.repeat(1000)}\r\n`;
      all.forEach((n, i) => drop(n, text(i + 1)));
      const b = recordingBatches();
      // room for two files, not three
      const s = source(recordingHandler(), { batchHandler: b.batchHandler, batchSize: 100, maxBatchBytes: Math.floor(2.5 * Buffer.byteLength(text(1))) });
      await s.start();
      await waitFor('all committed', () => b.committed.flat().length === 6);
      expect(b.committed.map((c) => c.length)).toEqual([2, 2, 2]);
    });

    it.each(['prepare', 'commit'] as const)('when a batch %s fails, hands the files over one at a time and stops at the failing one', async (failing) => {
      mkdirSync(path.join(inbox(), 'new'), { recursive: true });
      mkdirSync(path.join(inbox(), 'tmp'), { recursive: true });
      const all = names(5);
      all.forEach((n, i) => drop(n, mail(i + 1, 'fallback')));
      // the third file fails once on its own
      const h = recordingHandler({ fail: (c, attempt) => c.position.key === all[2] && attempt === 1 });
      const b = recordingBatches(failing === 'prepare' ? { failPrepare: true } : { failCommit: true });
      const log = memoryLogger('debug');
      const s = source(h, { batchHandler: b.batchHandler, batchSize: 100, logger: log.logger });
      await s.start();
      await waitFor('all five stored', () => h.stored().length === 5);
      await waitFor('new/ empty', () => ls('new').length === 0);
      expect(h.calls.map((c) => c.position.key)).toEqual([all[0], all[1], all[2], all[2], all[3], all[4]]);
      expect(log.lines().filter((l) => l.event === 'maildir.batch.failed').length).toBeGreaterThanOrEqual(2);
      expect(ls('cur')).toHaveLength(5);
    });
  });

  it('maildirBaseName drops the info part', () => {
    expect(maildirBaseName('1700000000.M1P1.host:2,S')).toBe('1700000000.M1P1.host');
    expect(maildirBaseName('1700000000.M1P1.host')).toBe('1700000000.M1P1.host');
  });
});
