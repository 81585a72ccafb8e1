import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
import type { MailThread } from '../../src/mail/mail-thread.js';
import { renderMail } from '../../src/outbox/render-mail.js';
import { compiledTree } from '../support/compiled-tree.js';
import { openDesk } from '../ingest/ingest-fixture.js';
import { CORPUS_DIR, corpusPresent, filesUnder } from '../support/corpus.js';

/**
 * The daemon parses and renders mail in a worker thread. A worker runs compiled JavaScript only, so this suite
 * compiles the sources into a private directory (not dist/, which other suites build too) and
 * checks that the thread gives exactly what parseMessage and renderMail give on the calling thread.
 */
const corpusDir = CORPUS_DIR;


const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'));
const SAMPLE = crlf(
  [
    'From: =?koi8-r?B?5MXO?= <den@client.example>',
    'To: support@desk.example',
    'Subject: =?utf-8?B?0J/RgNC+0LHQu9C10LzQsA==?=',
    'Message-ID: <thread-1@client.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Не работает выгрузка.',
    '',
    '-- ',
    'Денис',
    '--b1',
    'Content-Type: application/octet-stream; name="log.bin"',
    'Content-Disposition: attachment; filename="log.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from([0, 1, 2, 250, 251, 252]).toString('base64'),
    '--b1--',
    '',
  ].join('\n'),
);

const ATTACHMENT = Buffer.from('%PDF-1.4 fake pdf bytes \x00\x01', 'latin1');
const SHA = 'a'.repeat(64);
const blobs = { get: (sha: string) => (sha === SHA ? ATTACHMENT : undefined) };
const OUTBOUND = {
  from: { name: 'Support', address: 'support@desk.example' },
  to: ['den@client.example'],
  subject: '[TID#7] Проблема',
  text: 'Здравствуйте,\nмы получили ваше обращение.',
  date: Date.parse('2026-11-23T10:00:00Z'),
  headers: { 'Auto-Submitted': 'auto-replied' },
  attachments: [{ sha256: SHA, contentType: 'application/pdf', filename: 'invoice.pdf' }],
};

describe('mail thread', () => {
  let parser: MailThread;

  let build: ReturnType<typeof compiledTree>;
  let outDir: string;

  beforeAll(() => {
    build = compiledTree('mail-thread');
    outDir = build.dir;
  }, 120_000);

  afterAll(async () => {
    await parser?.close();
    build?.remove();
  });

  it('runs in a thread and parses like the calling thread, attachments as Buffers', async () => {
    const mod = (await import(path.join(outDir, 'src/mail/mail-thread.js'))) as typeof import('../../src/mail/mail-thread.js');
    parser = mod.createMailThread({ logger: pino({ level: 'silent' }), blobs });
    expect(parser.mode).toBe('thread');
    const inThread = await parser.parse(SAMPLE, { maxBytes: 1_000_000 });
    const inline = await parseMessage(SAMPLE, { maxBytes: 1_000_000 });
    expect(inThread).toEqual(inline);
    expect(inThread.subject).toBe('Проблема');
    expect(inThread.visibleText).toBe('Не работает выгрузка.');
    expect(Buffer.isBuffer(inThread.attachments[0]!.content)).toBe(true);
    expect([...inThread.attachments[0]!.content]).toEqual([0, 1, 2, 250, 251, 252]);
  });

  it('renders outbound mail to the same bytes as the calling thread, attachments read here', async () => {
    const inThread = await parser.render(OUTBOUND, 'tid7.ack.x@desk.example');
    const inline = await renderMail({ mail: OUTBOUND, messageId: 'tid7.ack.x@desk.example', blobs });
    expect(Buffer.isBuffer(inThread)).toBe(true);
    expect(inThread.equals(inline)).toBe(true);
    expect(inThread.toString('latin1')).toContain('invoice.pdf');
    await expect(parser.render({ ...OUTBOUND, to: [] }, 'x@desk.example')).rejects.toMatchObject({ code: 'E_TRANSPORT_PERMANENT', details: { stage: 'render' } });
    await expect(parser.render({ ...OUTBOUND, attachments: [{ sha256: 'b'.repeat(64), contentType: 'text/plain' }] }, 'x@desk.example')).rejects.toMatchObject({
      code: 'E_TRANSPORT_PERMANENT',
    });
  });

  it('keeps the error codes that decide quarantine', async () => {
    await expect(parser.parse(SAMPLE, { maxBytes: 100 })).rejects.toMatchObject({ name: 'TidingsError', code: 'E_MESSAGE_TOO_LARGE', details: { limit: 100 } });
    await expect(parser.parse(Buffer.from('\x00\x01 not a mail'), { maxBytes: 1000 })).rejects.toMatchObject({ code: 'E_MESSAGE_UNPARSEABLE' });
  });

  it.skipIf(!corpusPresent)('gives the same result as the calling thread for every corpus file, many in flight at once', async () => {
    const files = filesUnder(corpusDir).filter((f) => statSync(f).size < 2_000_000);
    const settle = (p: Promise<unknown>) => p.then((v) => ({ ok: true, v }), (e: { code?: string }) => ({ ok: false, v: e.code ?? 'other' }));
    const threaded = await Promise.all(files.map((f) => settle(parser.parse(readFileSync(f), { maxBytes: 25 * 1024 * 1024 }))));
    let compared = 0;
    for (const [i, f] of files.entries()) {
      const inline = await settle(parseMessage(readFileSync(f), { maxBytes: 25 * 1024 * 1024 }));
      expect(threaded[i], f).toEqual(inline);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(700);
  }, 120_000);

  it('refuses work after close, with a code the source treats as temporary', async () => {
    const mod = (await import(path.join(outDir, 'src/mail/mail-thread.js'))) as typeof import('../../src/mail/mail-thread.js');
    const p = mod.createMailThread({ logger: pino({ level: 'silent' }), blobs });
    const pending = p.parse(SAMPLE, { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    await p.close();
    expect(await pending).toMatchObject({ code: 'E_MAIL_THREAD_UNAVAILABLE' });
    await expect(p.parse(SAMPLE, { maxBytes: 1_000_000 })).rejects.toMatchObject({ code: 'E_MAIL_THREAD_UNAVAILABLE' });
  });
  it('caps the thread heap at a quarter of the memory, between 512 MiB and 4 GiB', async () => {
    const { defaultMailThreadHeapMb } = await import('../../src/mail/mail-thread.js');
    const gib = 1024 ** 3;
    expect([1, 2, 4, 8, 16, 24, 64].map((g) => defaultMailThreadHeapMb(g * gib))).toEqual([512, 512, 1024, 2048, 4096, 4096, 4096]);
  });

  describe('a message that kills the thread', () => {
    /** The compiled mail thread over the stand-in worker that kills, exhausts or hangs on marked mail. */
    const killingThread = async (over: { maxHeapMb?: number; stuckAfterMs?: number; data?: Record<string, unknown> } = {}): Promise<MailThread> => {
      const mod = (await import(path.join(outDir, 'src/mail/mail-thread.js'))) as typeof import('../../src/mail/mail-thread.js');
      const real = pathToFileURL(path.join(outDir, 'src/mail/mail-worker.js')).href;
      const { data, ...limits } = over;
      return mod.createMailThread({ logger: pino({ level: 'silent' }), blobs, ...limits, worker: { url: new URL('./fixtures/killing-mail-worker.mjs', import.meta.url), data: { real, ...data } } });
    };
    const killer = (n: number): Buffer => crlf(`From: eve@client.example\nTo: support@desk.example\nSubject: poison ${n}\nX-Test-Kill-Thread: yes\nMessage-ID: <poison-${n}@client.example>\n\nboom\n`);
    const plain = (n: number): Buffer => crlf(`From: ann@client.example\nTo: support@desk.example\nSubject: fine ${n}\nMessage-ID: <fine-${n}@client.example>\n\nhello ${n}\n`);
    const settle = (p: Promise<{ subject: string }>) => p.then((v) => ({ ok: true as const, subject: v.subject }), (e: { code?: string }) => ({ ok: false as const, code: e.code }));

    it('is refused as unparseable after it killed a thread twice; the mail in flight with it is parsed', async () => {
      const t = await killingThread();
      try {
        // The thread has answered once, so it is known to work.
        expect((await t.parse(plain(0), { maxBytes: 1_000_000 })).subject).toBe('fine 0');
        const inputs = [plain(1), plain(2), killer(1), plain(3), plain(4), killer(2), plain(5)];
        const out = await Promise.all(inputs.map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([
          { ok: true, subject: 'fine 1' },
          { ok: true, subject: 'fine 2' },
          { ok: false, code: 'E_MESSAGE_UNPARSEABLE' },
          { ok: true, subject: 'fine 3' },
          { ok: true, subject: 'fine 4' },
          { ok: false, code: 'E_MESSAGE_UNPARSEABLE' },
          { ok: true, subject: 'fine 5' },
        ]);
        // And the thread goes on working, for parses and renders.
        expect((await t.parse(plain(6), { maxBytes: 1_000_000 })).subject).toBe('fine 6');
        expect((await t.render(OUTBOUND, 'tid7.ack.y@desk.example')).toString('latin1')).toContain('invoice.pdf');
      } finally {
        await t.close();
      }
    }, 60_000);

    it('ends quarantined with its raw bytes when a batch is ingested through the thread; the rest of the batch is stored', async () => {
      const t = await killingThread();
      const desk = openDesk();
      try {
        await t.parse(plain(0), { maxBytes: 1_000_000 });
        const deps = { ...desk.deps, parse: t.parse };
        const batch = [plain(1), killer(1), plain(2)].map((raw, i) => ({ raw, position: { source: 'test', key: `poison-${i}` } }));
        // The compiled pipeline, so the thread's errors are instances of the same TidingsError class.
        const { ingestBatch } = (await import(path.join(outDir, 'src/ingest/ingest-message.js'))) as typeof import('../../src/ingest/ingest-message.js');
        const out = await ingestBatch(deps, batch);
        expect(out.map((o) => o.status)).toEqual(['stored', 'quarantined', 'stored']);
        const q = desk.repos.quarantine.get(out[1]!.quarantineId!);
        expect(q?.reasonCode).toBe('E_MESSAGE_UNPARSEABLE');
        expect(q?.reason).toMatch(/mail thread ended on this message twice/);
        expect(q?.raw?.equals(killer(1))).toBe(true);
      } finally {
        desk.close();
        await t.close();
      }
    }, 60_000);

    it('a message that fills the heap ends only the thread (under its cap), and is refused as unparseable', async () => {
      const hog = crlf('From: eve@client.example\nTo: support@desk.example\nSubject: hog\nX-Test-Exhaust-Heap: yes\n\nmore\n');
      const t = await killingThread({ maxHeapMb: 128 });
      try {
        await t.parse(plain(0), { maxBytes: 1_000_000 });
        const out = await Promise.all([plain(1), hog, plain(2)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([{ ok: true, subject: 'fine 1' }, { ok: false, code: 'E_MESSAGE_UNPARSEABLE' }, { ok: true, subject: 'fine 2' }]);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('is quarantined even when it is the first thing a new thread is given', async () => {
      const t = await killingThread();
      try {
        const out = await Promise.all([killer(1), plain(1)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([{ ok: false, code: 'E_MESSAGE_UNPARSEABLE' }, { ok: true, subject: 'fine 1' }]);
      } finally {
        await t.close();
      }
    }, 60_000);

    it('a parse that never ends is cut by the stuck watchdog and refused as unparseable; the rest goes on', async () => {
      const hang = crlf('From: eve@client.example\nTo: support@desk.example\nSubject: hang\nX-Test-Hang-Thread: yes\n\nloop\n');
      const t = await killingThread({ stuckAfterMs: 500 });
      try {
        const out = await Promise.all([plain(1), hang, plain(2)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([{ ok: true, subject: 'fine 1' }, { ok: false, code: 'E_MESSAGE_UNPARSEABLE' }, { ok: true, subject: 'fine 2' }]);
      } finally {
        await t.close();
      }
    }, 60_000);

    it.skipIf(!existsSync('/proc/thread-self'))('a parse held off the CPU for longer than the watchdog allows is not convicted; the endless one still is', async () => {
      // The stand-in blocks the thread for several times stuckAfterMs without running it, as a
      // loaded machine does to a thread waiting for a core: wall time passes, CPU time does not.
      const starved = crlf('From: ann@client.example\nTo: support@desk.example\nSubject: slow but fine\nX-Test-Starve-Thread: yes\n\nhello\n');
      const hang = crlf('From: eve@client.example\nTo: support@desk.example\nSubject: hang\nX-Test-Hang-Thread: yes\n\nloop\n');
      const t = await killingThread({ stuckAfterMs: 300, data: { starveMs: 2000 } });
      try {
        await t.parse(plain(0), { maxBytes: 1_000_000 });
        const out = await Promise.all([plain(1), starved, plain(2)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([{ ok: true, subject: 'fine 1' }, { ok: true, subject: 'slow but fine' }, { ok: true, subject: 'fine 2' }]);
        expect(await settle(t.parse(hang, { maxBytes: 1_000_000 }))).toEqual({ ok: false, code: 'E_MESSAGE_UNPARSEABLE' });
        expect(await settle(t.parse(starved, { maxBytes: 1_000_000 }))).toEqual({ ok: true, subject: 'slow but fine' });
      } finally {
        await t.close();
      }
    }, 60_000);

    it('convicts nobody when the thread started after a death cannot load: all is refused as temporary', async () => {
      const brokenFlag = path.join(outDir, `broken-${process.pid}`);
      const t = await killingThread({ data: { brokenFlag } });
      try {
        expect((await t.parse(plain(0), { maxBytes: 1_000_000 })).subject).toBe('fine 0');
        writeFileSync(brokenFlag, 'the next thread will not load');
        // The killer goes first, so the thread dies before it can answer anything else: with a good
        // message first, a busy machine decides whether it is answered before the death or not.
        const out = await Promise.all([killer(1), plain(1), plain(2)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([
          { ok: false, code: 'E_MAIL_THREAD_UNAVAILABLE' },
          { ok: false, code: 'E_MAIL_THREAD_UNAVAILABLE' },
          { ok: false, code: 'E_MAIL_THREAD_UNAVAILABLE' },
        ]);
        // Mended: the same mail goes through again, and the killer is found out as before.
        rmSync(brokenFlag);
        const again = await Promise.all([plain(1), killer(1), plain(2)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(again).toEqual([{ ok: true, subject: 'fine 1' }, { ok: false, code: 'E_MESSAGE_UNPARSEABLE' }, { ok: true, subject: 'fine 2' }]);
      } finally {
        rmSync(brokenFlag, { force: true });
        await t.close();
      }
    }, 60_000);

    it('is refused as temporary while no thread has ever answered (the worker itself is broken)', async () => {
      const mod = (await import(path.join(outDir, 'src/mail/mail-thread.js'))) as typeof import('../../src/mail/mail-thread.js');
      const t = mod.createMailThread({ logger: pino({ level: 'silent' }), blobs, worker: { url: new URL('./fixtures/broken-mail-worker.mjs', import.meta.url) } });
      try {
        const out = await Promise.all([plain(1), plain(2)].map((raw) => settle(t.parse(raw, { maxBytes: 1_000_000 }))));
        expect(out).toEqual([{ ok: false, code: 'E_MAIL_THREAD_UNAVAILABLE' }, { ok: false, code: 'E_MAIL_THREAD_UNAVAILABLE' }]);
      } finally {
        await t.close();
      }
    }, 60_000);
  });
});
