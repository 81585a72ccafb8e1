import { describe, expect, it } from 'vitest';
import { commitBatch, ingestBatch, prepareBatch } from '../../src/ingest/ingest-message.js';
import type { SourceMessage } from '../../src/sources/mail-source.js';
import type { Repositories } from '../../src/store/repositories.js';
import { BASE_FILES } from '../config/config-fixture.js';
import { countingCommits } from '../store/helpers.js';
import { closedAfterEach, mail, openDesk, type Desk } from './ingest-fixture.js';

const desk = closedAfterEach(openDesk);

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'));
let n = 0;
const at = (raw: string | Buffer): SourceMessage => ({ raw: Buffer.isBuffer(raw) ? raw : crlf(raw), position: { source: 'batch-test', key: `b${++n}` } });

const count = (d: Desk, table: string): number => d.repos.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;

describe('ingestBatch (group commit)', () => {
  it('stores a whole batch in one commit, each message as ingestMessage would', async () => {
    const d = desk();
    const c = countingCommits(d.repos);
    const copy = mail({ subject: 'Printer offline', messageId: 'same@client.example', body: 'The printer is offline.' });
    const out = await ingestBatch({ ...d.deps, repos: c.repos }, [
      at(mail({ subject: 'Cannot log in' })),
      at(mail({ from: 'bob@elsewhere.example', subject: 'Invoice question' })),
      at(copy),
      // the same mail again under another source position: the batch sees its own earlier writes
      at(copy),
      at(mail({ subject: 'VPN drops' })),
    ]);
    expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'duplicate', 'stored']);
    expect(c.commits()).toBe(1);
    // a source's own write joins the same transaction
    const more = await prepareBatch({ ...d.deps, repos: c.repos }, [at(mail({ subject: 'after' }))]);
    commitBatch(more, () => d.repos.cursors.setCursor('batch-test', { uidvalidity: 1, lastUid: 6 }, 0));
    expect(c.commits()).toBe(2);
    expect(d.repos.cursors.getCursor('batch-test')?.lastUid).toBe(6);
    expect(count(d, 'tickets')).toBe(5);
    expect(d.acks()).toHaveLength(5);
    expect(new Set(out.filter((o) => o.ticketId !== undefined).map((o) => o.ticketId)).size).toBe(4);
  });

  it('quarantines what cannot be parsed or stored and keeps the rest of the batch', async () => {
    const d = desk({ 'tidings.yaml': `${BASE_FILES['tidings.yaml']}limits: { max_message_bytes: 2048 }\n` });
    const c = countingCommits(d.repos);
    const out = await ingestBatch({ ...d.deps, repos: c.repos }, [
      at(mail({ subject: 'first' })),
      at(Buffer.from('\x00\x01 not a mail at all')),
      at(mail({ subject: 'too big', body: 'x'.repeat(4000) })),
      at(mail({ from: 'xxxxx@192.0.2.1', subject: 'odd sender' })), // a bare IP is no sender domain: refused by level selection
      at(mail({ subject: 'last' })),
    ]);
    expect(out.map((o) => o.status)).toEqual(['stored', 'quarantined', 'quarantined', 'quarantined', 'stored']);
    expect(c.commits()).toBe(1);
    const reasons = out.slice(1, 4).map((o) => d.repos.quarantine.get(o.quarantineId!)!.reasonCode);
    expect(reasons.slice(0, 2)).toEqual(['E_MESSAGE_UNPARSEABLE', 'E_MESSAGE_TOO_LARGE']);
    expect(reasons[2]).toMatch(/^E_/);
    // the failed message left nothing behind but its quarantine entry
    expect(count(d, 'tickets')).toBe(2);
    expect(d.acks()).toHaveLength(2);
  });

  it('stores nothing of the batch when a temporary database failure interrupts it, and throws', async () => {
    const d = desk();
    let calls = 0;
    const failing: Repositories = {
      ...d.repos,
      events: {
        ...d.repos.events,
        recordEvent: (e) => {
          calls += 1;
          if (calls === 5) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
          return d.repos.events.recordEvent(e);
        },
      },
    };
    const batch = [at(mail({ subject: 'one' })), at(mail({ subject: 'two' })), at(mail({ subject: 'three' }))];
    const failingDeps = { ...d.deps, repos: failing };
    await expect(prepareBatch(failingDeps, batch).then((p) => commitBatch(p, () => d.repos.cursors.setCursor('batch-test', { uidvalidity: 1, lastUid: 3 }, 0)))).rejects.toMatchObject({
      code: 'SQLITE_IOERR_WRITE',
    });
    // what ran with the batch was rolled back with it
    expect(d.repos.cursors.getCursor('batch-test')).toBeUndefined();
    expect(count(d, 'tickets')).toBe(0);
    expect(count(d, 'inbound_keys')).toBe(0);
    expect(count(d, 'outbox')).toBe(0);
    // handed over again (as the source does after a failure), the same messages are stored once
    const again = await ingestBatch(d.deps, batch);
    expect(again.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
    expect(count(d, 'tickets')).toBe(3);
  });
});
