import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { BASE_FILES, STAFF_WITHOUT_NOTIFICATIONS, writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { until } from '../support/until.js';

const USER = 'support@desk.example';

function clientMail(i: number, extra: { from?: string; subject?: string; inReplyTo?: string; messageId?: string } = {}): string {
  return [
    `From: ${extra.from ?? `Client ${i} <client${i}@client${i}.example>`}`,
    `To: ${USER}`,
    `Subject: ${extra.subject ?? `Problem number ${i}`}`,
    `Message-ID: <${extra.messageId ?? `msg-${i}-${Math.random().toString(36).slice(2)}@client.example`}>`,
    ...(extra.inReplyTo ? [`In-Reply-To: <${extra.inReplyTo}>`] : []),
    'Date: Mon, 23 Nov 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of message ${i}.`,
    '',
  ].join('\n');
}

function header(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  const m = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return m?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim();
}


describe('inbound mail through a real Dovecot and SMTP sink', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let cfg: ConfigDir;
  let dataDir: string;
  let daemon: Daemon | undefined;
  const env = { TIDINGS_TEST_IMAP_PASSWORD: 'support-secret', TIDINGS_TEST_HMAC: 'k'.repeat(32) };

  const start = async (): Promise<Daemon> => {
    const config = loadConfig(cfg.main);
    daemon = await startDaemon({ config, logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), env });
    return daemon;
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-it-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER}, name: Support }
source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: TIDINGS_TEST_IMAP_PASSWORD, folder: INBOX, processed_folder: Processed, poll_seconds: 5 }
transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }
store: { path: ${path.join(dataDir, 'tidings.db')} }
security: { hmac_key_env: TIDINGS_TEST_HMAC }
limits: { auto_replies_per_sender_per_hour: 5 }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'levels.yaml': BASE_FILES['levels.yaml']!,
      // Counts acknowledgements only; staff notifications are tested in staff-email.test.ts.
      'staff.yaml': STAFF_WITHOUT_NOTIFICATIONS,
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await sink?.stop();
    await dovecot?.stop();
    cfg?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const N = 30;

  it(`turns ${N} delivered messages into ${N} tickets and ${N} acknowledgements`, async () => {
    const d = await start();
    for (let i = 1; i <= N; i++) await dovecot.deliver(USER, clientMail(i), { from: `client${i}@client${i}.example` });
    const acks = await sink.waitFor(N, 30_000);
    expect(acks).toHaveLength(N);
    const count = d.repos.db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number };
    expect(count.n).toBe(N);
    const recipients = acks.map((a) => a.to[0]).sort();
    expect(new Set(recipients).size).toBe(N);
    for (const a of acks) {
      expect(header(a.raw, 'Subject')).toMatch(/^\[TID#\d+\] Problem number \d+$/);
      expect(header(a.raw, 'Auto-Submitted')).toBe('auto-replied');
      expect(a.from).toBe(USER);
    }
    // every ticket's acknowledgement is recorded as sent (seed 4.12)
    await until('ack_sent_at on every ticket', () => (d.repos.db.prepare('SELECT count(*) AS n FROM tickets WHERE ack_sent_at IS NULL').get() as { n: number }).n === 0);
    // the source is acknowledged only after the commit: everything ends in Processed
    const imap = await dovecot.connect(USER);
    try {
      const inbox = (await imap.status('INBOX', { messages: true })) as { messages?: number };
      const processed = (await imap.status('Processed', { messages: true })) as { messages?: number };
      expect(inbox.messages).toBe(0);
      expect(processed.messages).toBe(N);
    } finally {
      await imap.logout();
    }
  });

  it('threads replies by TID and by In-Reply-To, and gives a stranger a new ticket', async () => {
    const d = daemon!;
    const first = sink.messages.find((m) => m.to[0] === 'client1@client1.example')!;
    const tid = Number(/TID#(\d+)/.exec(header(first.raw, 'Subject')!)![1]);
    const ackId = header(first.raw, 'Message-ID')!.replace(/[<>]/g, '');
    const before = sink.messages.length;

    const envelope = { from: 'client1@client1.example' };
    await dovecot.deliver(USER, clientMail(1, { subject: `Re: [TID#${tid}] Problem number 1` }), envelope);
    await dovecot.deliver(USER, clientMail(1, { subject: 'Re: Problem number 1', inReplyTo: ackId }), envelope);
    await dovecot.deliver(USER, clientMail(99, { from: 'mallory@evil.example', subject: `Re: [TID#${tid}] Problem number 1` }), { from: 'mallory@evil.example' });

    await until('three more messages stored', () => (d.repos.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n >= N + 3);
    expect(d.repos.messages.listByTicket(tid)).toHaveLength(3);
    const stranger = d.repos.db.prepare("SELECT id, linked_ticket_id AS linked FROM tickets WHERE requester = 'mallory@evil.example'").get() as { id: number; linked: number };
    expect(stranger.linked).toBe(tid);
    // only the stranger's new ticket is acknowledged; replies are not
    await sink.waitFor(before + 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.length).toBe(before + 1);
  });

  it('after a restart reads nothing twice and picks up mail that arrived while it was down', async () => {
    await daemon!.stop();
    const acksBefore = sink.messages.length;
    await dovecot.deliver(USER, clientMail(200), { from: 'client200@client200.example' });
    const d = await start();
    await sink.waitFor(acksBefore + 1, 15_000);
    const count = d.repos.db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number };
    expect(count.n).toBe(N + 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.length).toBe(acksBefore + 1);
  });
});
