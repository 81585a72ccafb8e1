import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailTransport } from '../../src/outbox/create-transport.js';
import { createFileTransport, emlFileName, sanitizeMessageId } from '../../src/outbox/file-transport.js';
import { createOutboxLoop } from '../../src/outbox/outbox-loop.js';
import { freshRepos } from '../store/helpers.js';
import { enqueueAck, enqueuePlain, memoryLogger, messageIdHeader, SECOND, SUPPORT, T0, testClock } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tidings-outbox-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ENVELOPE = { from: SUPPORT, to: ['ann@client.example'] };
const RAW = Buffer.from('Message-ID: <a.1@desk.example>\r\nSubject: hi\r\n\r\nhello\r\n');

describe('file transport', () => {
  it('writes <timestamp>-<message id>.eml with exactly the bytes given, leaving no temporary file', async () => {
    const dir = path.join(tempDir(), 'outbox'); // created on first use
    const { logger } = memoryLogger();
    const t = createFileTransport({ dir, logger, now: () => T0 + 123 });
    const receipt = await t.send(ENVELOPE, RAW, 'a.1@desk.example');
    expect(readdirSync(dir)).toEqual(['20260302T090000123Z-a.1@desk.example.eml']);
    expect(readFileSync(path.join(dir, '20260302T090000123Z-a.1@desk.example.eml')).equals(RAW)).toBe(true);
    expect(receipt).toMatchObject({ accepted: ['ann@client.example'], rejected: [] });
    await t.close();
  });

  it('does not write a second file for the same Message-ID, also after a restart or when sent twice at once', async () => {
    const dir = tempDir();
    const { logger, events } = memoryLogger();
    const clock = testClock();
    const t = createFileTransport({ dir, logger, now: clock.now });
    await t.send(ENVELOPE, RAW, 'a.1@desk.example');
    clock.advance(60 * SECOND);
    await t.send(ENVELOPE, RAW, 'a.1@desk.example');
    expect(readdirSync(dir)).toHaveLength(1);
    expect(events()).toContain('outbox.file_exists');

    // a new process on the same directory
    const t2 = createFileTransport({ dir, logger, now: clock.now });
    clock.advance(60 * SECOND);
    await t2.send(ENVELOPE, RAW, 'a.1@desk.example');
    await Promise.all([t2.send(ENVELOPE, RAW, 'b.2@desk.example'), t2.send(ENVELOPE, RAW, 'b.2@desk.example')]);
    expect(readdirSync(dir).sort()).toEqual(['20260302T090000000Z-a.1@desk.example.eml', '20260302T090200000Z-b.2@desk.example.eml']);
  });

  it('removes temporary files a crash left behind, and ignores them as messages', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.tidings-tmp-deadbeef-a.1@desk.example'), 'half a mess');
    const t = createFileTransport({ dir, logger: memoryLogger().logger, now: () => T0 });
    await t.send(ENVELOPE, RAW, 'a.1@desk.example');
    expect(readdirSync(dir)).toEqual(['20260302T090000000Z-a.1@desk.example.eml']);
  });

  it('reports an unwritable spool as a temporary failure and leaves nothing behind', async () => {
    const base = tempDir();
    writeFileSync(path.join(base, 'not-a-dir'), 'x');
    const t = createFileTransport({ dir: path.join(base, 'not-a-dir', 'outbox'), logger: memoryLogger().logger, now: () => T0 });
    await expect(t.send(ENVELOPE, RAW, 'a.1@desk.example')).rejects.toMatchObject({ code: 'E_TRANSPORT_TEMPORARY', details: { code: 'ENOTDIR' } });
    await expect(t.verify?.()).rejects.toMatchObject({ code: 'E_TRANSPORT_TEMPORARY' });
    expect(readdirSync(base)).toEqual(['not-a-dir']);
    const ok = createFileTransport({ dir: path.join(base, 'fine'), logger: memoryLogger().logger, now: () => T0 });
    await expect(ok.verify?.()).resolves.toBeUndefined();
    expect(readdirSync(path.join(base, 'fine'))).toEqual([]);
  });

  it('sanitises message ids into safe, distinct file names', () => {
    expect(sanitizeMessageId('tid12.ack.9f@desk.example')).toBe('tid12.ack.9f@desk.example');
    const a = sanitizeMessageId('a/b@x');
    const b = sanitizeMessageId('a_b@x');
    expect(a).toMatch(/^a_b@x~[0-9a-f]{16}$/);
    expect(b).toBe('a_b@x');
    expect(sanitizeMessageId('../../etc/passwd@x')).not.toContain('/');
    expect(sanitizeMessageId('x'.repeat(400) + '@y').length).toBeLessThan(200);
    expect(emlFileName('a.1@desk.example', Date.UTC(2026, 0, 5, 7, 8, 9, 10))).toBe('20260105T070809010Z-a.1@desk.example.eml');
  });

  it('delivers outbox rows through the loop: one .eml per row, the stored bytes, the ack recorded', async () => {
    const dir = tempDir();
    const clock = testClock();
    const { logger } = memoryLogger();
    const { repos, tid, outboxId, messageId } = enqueueAck(freshRepos());
    enqueuePlain(repos, 1);
    enqueuePlain(repos, 2);
    const transport = await createMailTransport({ config: { kind: 'file', path: dir }, logger, now: clock.now });
    const loop = createOutboxLoop({ repos, transport, logger, now: clock.now, envelopeFrom: SUPPORT });
    expect(await loop.runOnce()).toEqual({ sent: 3, retried: 0, failed: 0 });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(3);
    const ackFile = files.find((f) => f.includes(messageId));
    expect(ackFile).toBeDefined();
    const bytes = readFileSync(path.join(dir, ackFile!));
    expect(bytes.equals(repos.outbox.getOutbox(outboxId)!.raw!)).toBe(true);
    expect(messageIdHeader(bytes)).toBe(`<${messageId}>`);
    expect(repos.tickets.findTicketByTid(tid)?.ackSentAt).toBe(T0);
    expect(await loop.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(readdirSync(dir)).toHaveLength(3);
  });
});

describe('coalescedDirSync', () => {
  it('lets callers that arrive during a sync share the next one, and never answers before a sync that started after the call', async () => {
    const { coalescedDirSync } = await import('../../src/outbox/file-transport.js');
    const started: number[] = [];
    const finish: Array<() => void> = [];
    const sync = coalescedDirSync('/nowhere', () => {
      started.push(Date.now());
      return new Promise<void>((r) => finish.push(r));
    });
    const order: string[] = [];
    const a = sync().then(() => order.push('a'));
    const b = sync().then(() => order.push('b'));
    const c = sync().then(() => order.push('c'));
    expect(started).toHaveLength(1); // a started one; b and c wait for the next
    finish[0]!();
    await a;
    expect(order).toEqual(['a']);
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(2); // one more sync for b and c together
    finish[1]!();
    await Promise.all([b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(started).toHaveLength(2);
  });
});
