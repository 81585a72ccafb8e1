import { pino } from 'pino';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { commitBatch, ingestMessage, prepareBatch } from '../../src/ingest/ingest-message.js';
import { ownAddresses } from '../../src/ingest/participants-of.js';
import type { BatchHandler, MessageHandler } from '../../src/sources/mail-source.js';
import { createLmtpSource, type LmtpSource, type LmtpSourceDeps } from '../../src/sources/lmtp-source.js';
import { openDesk, type Desk } from '../ingest/ingest-fixture.js';
import { dotStuff, lmtpConnect, toCrlf, type LmtpConversation } from '../support/lmtp.js';
import { mail, waitFor } from './helpers.js';

const MAIN = `mailbox: { address: support@desk.example, name: Support, aliases: [help@desk.example] }
source: { kind: maildir, path: ./data/inbox }
transport: { kind: file, path: ./data/outbox }
store: { path: ./data/tidings.db }
limits: { max_message_bytes: 4096 }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`;

let desk: Desk | undefined;
let source: LmtpSource | undefined;
const conversations: LmtpConversation[] = [];

afterEach(async () => {
  for (const c of conversations.splice(0)) c.close();
  await source?.stop();
  source = undefined;
  desk?.close();
  desk = undefined;
});

interface Started {
  desk: Desk;
  source: LmtpSource;
  /** Sizes of the batches committed, in order. */
  commits: number[];
  connect(): Promise<LmtpConversation>;
}

/** A real desk (in-memory SQLite, real migrations) behind an LMTP source on a free port. */
async function start(opts: { batchWindowMs?: number; commit?: BatchHandler['commit']; handler?: MessageHandler } = {}): Promise<Started> {
  const d = openDesk({ 'tidings.yaml': MAIN });
  desk = d;
  const commits: number[] = [];
  const batchHandler: BatchHandler = {
    prepare: (messages) => prepareBatch(d.deps, messages),
    commit: (batch, also) => {
      const out = (opts.commit ?? commitBatch)(batch, also);
      commits.push(out.length);
      return out;
    },
  };
  const deps: LmtpSourceDeps = {
    listen: '127.0.0.1:0',
    handler: opts.handler ?? ((raw, position) => ingestMessage(d.deps, raw, position)),
    batchHandler,
    maxBytes: () => d.deps.config.limits.max_message_bytes,
    isOurs: (a) => ownAddresses(d.deps.config).has(a),
    logger: pino({ level: 'silent' }),
    now: () => d.clock.now,
    ...(opts.batchWindowMs !== undefined ? { batchWindowMs: opts.batchWindowMs } : {}),
  };
  const s = createLmtpSource(deps);
  source = s;
  await s.start();
  const address = s.address();
  if (!address || !('port' in address)) throw new Error('no address');
  return {
    desk: d,
    source: s,
    commits,
    connect: async () => {
      const c = await lmtpConnect({ host: '127.0.0.1', port: address.port });
      conversations.push(c);
      expect(await c.replies(1)).toEqual([expect.stringMatching(/^220 /)]);
      return c;
    },
  };
}

const data = (raw: string): Buffer => dotStuff(toCrlf(raw));
const ticketCount = (d: Desk): number => d.repos.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM tickets').get()!.n;

describe('LMTP source', () => {
  it('advertises the RFC 2033 extensions and answers each accepted recipient once the message is committed; a foreign recipient gets 550 5.1.1', async () => {
    const { desk: d, connect } = await start();
    const c = await connect();
    c.write('LHLO mta.desk.example\r\n');
    await c.replies(1);
    const caps = c.all.at(-1)!.lines.map((l) => l.slice(4));
    for (const cap of ['PIPELINING', '8BITMIME', 'ENHANCEDSTATUSCODES']) expect(caps).toContain(cap);
    expect(caps).toContain('SIZE 4096');
    // pipelined: the whole envelope in one write
    c.write('MAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nRCPT TO:<stranger@elsewhere.example>\r\nRCPT TO:<Help@desk.example>\r\nDATA\r\n');
    const envelope = await c.replies(5);
    expect(envelope[0]).toMatch(/^250 /);
    expect(envelope[1]).toMatch(/^250 /);
    expect(envelope[2]).toMatch(/^550 5\.1\.1 /);
    expect(envelope[3]).toMatch(/^250 /);
    expect(envelope[4]).toMatch(/^354 /);
    c.write(data(mail(1, 'lmtp')));
    // one reply per accepted recipient (two), and only after the commit: the ticket is there already
    const first = await c.replies(1);
    expect(first[0]).toMatch(/^250 2\.6\.0 /);
    expect(ticketCount(d)).toBe(1);
    expect(await c.replies(1)).toEqual([expect.stringMatching(/^250 2\.6\.0 /)]);
    expect(d.acks()).toHaveLength(1);
    // RSET and NOOP, then QUIT
    c.write('RSET\r\nNOOP\r\nQUIT\r\n');
    expect(await c.replies(3)).toEqual([expect.stringMatching(/^250 /), expect.stringMatching(/^250 /), expect.stringMatching(/^221 /)]);
    // the envelope sender is recorded like a final delivery does
    const id = d.repos.db.prepare<[], { id: number }>('SELECT id FROM messages').get()!.id;
    expect(d.repos.messages.getRaw(id)!.toString('latin1')).toMatch(/^Return-Path: <client1@client\.example>\r\nFrom: Client 1/);
  });

  it('refuses a SIZE= over the limit at MAIL FROM, and a DATA stream that grows past it with 552 5.3.4 per recipient, storing nothing; the connection goes on', async () => {
    const { desk: d, connect } = await start();
    const c = await connect();
    c.write('LHLO mta.desk.example\r\n');
    await c.replies(1);
    c.write('MAIL FROM:<client1@client.example> SIZE=5000\r\n');
    expect(await c.replies(1)).toEqual([expect.stringMatching(/^552 5\.3\.4 /)]);

    const big = mail(2, 'big').replace('private-body-text.', 'x'.repeat(6000));
    c.write('MAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nRCPT TO:<help@desk.example>\r\nDATA\r\n');
    expect(await c.replies(4)).toEqual([expect.stringMatching(/^250 /), expect.stringMatching(/^250 /), expect.stringMatching(/^250 /), expect.stringMatching(/^354 /)]);
    c.write(data(big));
    expect(await c.replies(2)).toEqual([expect.stringMatching(/^552 5\.3\.4 /), expect.stringMatching(/^552 5\.3\.4 /)]);
    expect(ticketCount(d)).toBe(0);
    expect(d.repos.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM quarantine').get()!.n).toBe(0);

    c.write('MAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
    await c.replies(3);
    c.write(data(mail(3, 'small')));
    expect(await c.replies(1)).toEqual([expect.stringMatching(/^250 2\.6\.0 /)]);
    expect(ticketCount(d)).toBe(1);
  });

  it('answers 451 4.3.0 when the store cannot commit (a read-only database), and stores the retry once it can', async () => {
    const { desk: d, connect } = await start();
    d.repos.db.pragma('query_only = ON');
    const c = await connect();
    c.write('LHLO mta.desk.example\r\nMAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nRCPT TO:<help@desk.example>\r\nDATA\r\n');
    await c.replies(5);
    c.write(data(mail(4, 'ro')));
    expect(await c.replies(2)).toEqual([expect.stringMatching(/^451 4\.3\.0 /), expect.stringMatching(/^451 4\.3\.0 /)]);
    d.repos.db.pragma('query_only = OFF');
    expect(ticketCount(d)).toBe(0);
    expect(d.repos.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM quarantine').get()!.n).toBe(0);

    // the MTA retries the same message
    c.write('MAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
    await c.replies(3);
    c.write(data(mail(4, 'ro')));
    expect(await c.replies(1)).toEqual([expect.stringMatching(/^250 /)]);
    expect(ticketCount(d)).toBe(1);
  });

  it('answers 451 for the message whose commit throws, while the other message of the batch is stored', async () => {
    let failed = false;
    const { desk: d, connect } = await start({
      batchWindowMs: 200,
      commit: () => {
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      },
      handler: async (raw, position) => {
        if (!failed && raw.includes('bad number')) {
          failed = true;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        }
        return ingestMessage(d.deps, raw, position);
      },
    });
    const [a, b] = await Promise.all([connect(), connect()]);
    for (const [c, m] of [[a, mail(5, 'good')], [b, mail(6, 'bad')]] as const) {
      c.write('LHLO mta.desk.example\r\nMAIL FROM:<client@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
      await c.replies(4);
      c.write(data(m));
    }
    const [ra, rb] = await Promise.all([a.replies(1), b.replies(1)]);
    expect(ra[0]).toMatch(/^250 /);
    expect(rb[0]).toMatch(/^451 4\.3\.0 /);
    expect(ticketCount(d)).toBe(1);
  });

  it('commits messages from two connections at once in one transaction, and answers both', async () => {
    const { desk: d, commits, connect } = await start({ batchWindowMs: 300 });
    const [a, b] = await Promise.all([connect(), connect()]);
    for (const [c, m] of [[a, mail(7, 'conc')], [b, mail(8, 'conc')]] as const) {
      c.write('LHLO mta.desk.example\r\nMAIL FROM:<client@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
      await c.replies(4);
      c.write(data(m));
    }
    const [ra, rb] = await Promise.all([a.replies(1), b.replies(1)]);
    expect(ra[0]).toMatch(/^250 /);
    expect(rb[0]).toMatch(/^250 /);
    expect(commits).toEqual([2]);
    expect(ticketCount(d)).toBe(2);
    expect(d.acks()).toHaveLength(2);
  });

  it('stores a message delivered twice once (Message-ID and digest keys), answering 250 both times', async () => {
    const { desk: d, connect } = await start();
    for (let i = 0; i < 2; i++) {
      const c = await connect();
      c.write('LHLO mta.desk.example\r\nMAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
      await c.replies(4);
      c.write(data(mail(9, 'twice')));
      expect(await c.replies(1)).toEqual([expect.stringMatching(/^250 /)]);
    }
    expect(ticketCount(d)).toBe(1);
    expect(d.acks()).toHaveLength(1);
  });

  it('stores once a message the IMAP source of the same desk already stored (Dovecot added its own trace headers)', async () => {
    const { desk: d, connect } = await start();
    const viaImap = `Return-Path: <client1@client.example>\r\nDelivered-To: support@desk.example\r\nReceived: from mx by imap.desk.example with LMTP id x; Mon, 23 Nov 2026 10:00:01 +0100\r\n${mail(11, 'both')}`;
    expect((await d.ingest(viaImap, { source: 'imap:support@desk.example@127.0.0.1:143/INBOX', key: 'uidvalidity:1:uid:5' })).status).toBe('stored');
    const c = await connect();
    c.write('LHLO mta.desk.example\r\nMAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
    await c.replies(4);
    c.write(data(mail(11, 'both')));
    expect(await c.replies(1)).toEqual([expect.stringMatching(/^250 2\.6\.0 Message duplicate/)]);
    expect(ticketCount(d)).toBe(1);
  });

  it('on stop, commits and answers a message already received instead of waiting out the batch window', async () => {
    const { desk: d, source: s, connect } = await start({ batchWindowMs: 60_000 });
    const c = await connect();
    c.write('LHLO mta.desk.example\r\nMAIL FROM:<client1@client.example>\r\nRCPT TO:<support@desk.example>\r\nDATA\r\n');
    await c.replies(4);
    c.write(data(mail(12, 'stop')));
    // the source reports the waiting message as lag (the outbox yields to it meanwhile)
    await waitFor('the message waiting for its batch', () => {
      d.clock.now += 1;
      return s.status().lagMs > 0;
    });
    const answered = c.replies(1);
    await s.stop();
    source = undefined;
    expect(await answered).toEqual([expect.stringMatching(/^250 2\.6\.0 /)]);
    expect(ticketCount(d)).toBe(1);
  });

  it("takes mail from nodemailer's LMTP client, one accepted and one rejected recipient", async () => {
    const { desk: d, source: s } = await start();
    const address = s.address() as { port: number };
    const transport = nodemailer.createTransport({ lmtp: true, host: '127.0.0.1', port: address.port, name: 'mta.desk.example', ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: 'client1@client.example', to: ['support@desk.example', 'nobody@elsewhere.example'] },
        raw: mail(10, 'nm'),
      });
      expect(info.accepted).toEqual(['support@desk.example']);
      expect(info.rejected).toEqual(['nobody@elsewhere.example']);
    } finally {
      transport.close();
    }
    expect(ticketCount(d)).toBe(1);
  });
});
