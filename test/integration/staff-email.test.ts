import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load-config.js';
import { verifyMessageId } from '../../src/core/mail/message-id.js';
import { parseMessage, type ParsedMessage } from '../../src/mail/parse-message.js';
import { writeConfigDir, type ConfigDir } from '../config/config-fixture.js';
import { LEVELS_YAML, STAFF_YAML } from '../ingest/staff-fixture.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink.js';
import { until } from '../support/until.js';

const USER = 'support@desk.example';
const CLIENT = 'ann@client.example';
const EVE = 'eve@desk.example';
const SAM = 'sam@desk.example';
const HMAC = 'k'.repeat(32);
// What our own MX writes on top of a staff member's mail it has checked.
const PASS = 'Authentication-Results: mx.desk.example; dkim=pass header.d=desk.example header.s=s1; spf=pass smtp.mailfrom=eve@desk.example';

let seq = 0;
function message(o: { from: string; subject: string; body: string; inReplyTo?: string; top?: string[]; attachment?: { name: string; type: string; content: Buffer } }): string {
  const head = [
    ...(o.top ?? []),
    `From: ${o.from}`,
    `To: ${USER}`,
    `Subject: ${o.subject}`,
    `Message-ID: <it-${++seq}-${Date.now()}@${o.from.replace(/.*@|>.*/g, '')}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`, `References: <${o.inReplyTo}>`] : []),
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  if (!o.attachment) return [...head, 'Content-Type: text/plain; charset=utf-8', '', o.body, ''].join('\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="PART"',
    '',
    '--PART',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '--PART',
    `Content-Type: ${o.attachment.type}; name="${o.attachment.name}"`,
    `Content-Disposition: attachment; filename="${o.attachment.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    o.attachment.content.toString('base64'),
    '--PART--',
    '',
  ].join('\n');
}

function headerBlock(raw: Buffer): string {
  return raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
}

/** The staff member's mail program quoting the notification under the answer. */
function quoteOf(n: ParsedMessage): string {
  return `On ${new Date().toUTCString()}, Support <${USER}> wrote:\n${n.text.split('\n').map((l) => `> ${l}`).join('\n')}`;
}

describe('staff by email through a real Dovecot and SMTP sink', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let cfg: ConfigDir;
  let dataDir: string;
  let daemon: Daemon;
  let tid = 0;
  let notification: ParsedMessage;
  const parsedSink = new Map<SinkMessage, ParsedMessage>();

  const parsed = async (m: SinkMessage): Promise<ParsedMessage> => {
    let p = parsedSink.get(m);
    if (!p) {
      p = await parseMessage(m.raw, { maxBytes: 50_000_000 });
      parsedSink.set(m, p);
    }
    return p;
  };
  /** Waits for a mail to `rcpt`, after the first `skip` ones it got, that matches `pred`; returns it parsed. */
  const mailTo = async (rcpt: string, skip = 0, pred: (p: ParsedMessage) => boolean = () => true): Promise<{ raw: SinkMessage; p: ParsedMessage }> => {
    const start = Date.now();
    for (;;) {
      for (const m of sink.messages.filter((x) => x.to.includes(rcpt)).slice(skip)) {
        const p = await parsed(m);
        if (pred(p)) return { raw: m, p };
      }
      if (Date.now() - start > 30_000) throw new Error(`timed out waiting for a mail to ${rcpt}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const countTo = (rcpt: string): number => sink.messages.filter((m) => m.to.includes(rcpt)).length;
  const ticket = () => daemon.repos.tickets.findTicketByTid(tid)!;
  const events = (type: string) => daemon.repos.events.listByTicket(tid).filter((e) => e.type === type);
  const deliver = (raw: string, from: string): Promise<void> => dovecot.deliver(USER, raw, { from });
  const settled = async (what: string, messages: number): Promise<void> => {
    await until(what, () => daemon.repos.messages.listByTicket(tid).length >= messages);
    // Everything queued for that message is sent before the assertions on what did not arrive.
    await until('outbox drained', () => daemon.repos.outbox.countByStatus().pending === 0);
  };

  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-staff-'));
    cfg = writeConfigDir({
      'tidings.yaml': `mailbox: { address: ${USER}, name: Support }
source: { kind: imap, host: 127.0.0.1, port: ${dovecot.imapPort}, user: ${USER}, password_env: PW, folder: INBOX, processed_folder: Processed, poll_seconds: 5 }
transport: { kind: smtp, host: 127.0.0.1, port: ${sink.port} }
store: { path: ${path.join(dataDir, 'tidings.db')} }
security: { hmac_key_env: HK }
include: [levels.yaml, calendars.yaml, licences.yaml, staff.yaml]
`,
      'levels.yaml': LEVELS_YAML,
      'staff.yaml': STAFF_YAML,
    });
    daemon = await startDaemon({ config: loadConfig(cfg.main), logger: pino({ level: process.env.TEST_LOG ?? 'silent' }), env: { PW: 'support-secret', HK: HMAC } });
  });

  afterAll(async () => {
    await daemon?.stop();
    await sink?.stop();
    await dovecot?.stop();
    cfg?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('client mail: an acknowledgement to the client and a notification to staff', async () => {
    await deliver(
      message({ from: `Ann Client <${CLIENT}>`, subject: 'Cannot log in', body: 'The login page says error 500.', attachment: { name: 'error.png', type: 'image/png', content: Buffer.alloc(2048, 7) } }),
      CLIENT,
    );
    const ack = await mailTo(CLIENT);
    expect(ack.p.subject).toMatch(/^\[TID#\d+\] Cannot log in$/);
    expect(ack.p.headers['auto-submitted']).toEqual(['auto-replied']);
    tid = Number(/TID#(\d+)/.exec(ack.p.subject)![1]);

    const n = await mailTo(EVE);
    notification = n.p;
    expect(n.raw.to.sort()).toEqual([EVE, 'kim@desk.example']);
    expect(n.raw.from).toBe(USER);
    expect(n.p.subject).toBe(`[TID#${tid}] Cannot log in`);
    expect(n.p.replyTo?.address).toBe(USER);
    expect(n.p.headers['auto-submitted']).toEqual(['auto-generated']);
    expect(verifyMessageId(n.p.messageId!, HMAC)).toEqual({ tid, kind: 'notify' });
    expect(n.p.text).toContain('The login page says error 500.');
    expect(n.p.text).toContain('Level: Commercial (commercial)');
    expect(n.p.text).toMatch(/Respond by: \w+day \d+ \w+ \d{4}, \d\d:\d\d \(Europe\/Berlin/);
    expect(n.p.text).toContain('error.png (image/png, 2 KB)');
  });

  it('an authenticated staff reply reaches the client from support@, with the TID, without the staff address', async () => {
    const manual = Buffer.from('%PDF-1.4 reset guide');
    await deliver(
      message({
        top: [PASS],
        from: `Eve Agent <${EVE}>`,
        subject: `Re: ${notification.subject}`,
        inReplyTo: notification.messageId!,
        body: `Hello Ann,\n\nplease reset your password with the attached guide.\n\n-- \nEve Agent | Second level\n${EVE}\n\n${quoteOf(notification)}`,
        attachment: { name: 'guide.pdf', type: 'application/pdf', content: manual },
      }),
      EVE,
    );
    const relay = await mailTo(CLIENT, 1);
    expect(relay.raw.from).toBe(USER);
    expect(relay.p.from).toEqual({ address: USER, name: 'Support' });
    expect(relay.p.subject).toBe(`[TID#${tid}] Cannot log in`);
    expect(relay.p.visibleText).toContain('please reset your password with the attached guide.');
    expect(relay.p.text).not.toContain('Second level');
    expect(relay.p.text).not.toContain('Level: Commercial');
    expect(relay.p.attachments.map((a) => [a.filename, a.content.equals(manual)])).toEqual([['guide.pdf', true]]);
    const head = headerBlock(relay.raw.raw);
    expect(head).not.toMatch(/eve@|kim@|sam@|Eve Agent/i);
    expect(head).not.toMatch(/^(?:Reply-To|Sender|Cc|X-Mailer|Auto-Submitted):/im);
    expect(relay.raw.raw.toString('utf8')).not.toContain(EVE);
    // A person's answer: not marked as automatic mail.
    expect(relay.p.headers['auto-submitted']).toBeUndefined();
    expect(relay.p.inReplyTo).toMatch(/@client\.example$/);

    await until('clock stopped', () => ticket().status === 'awaiting-client');
    expect(ticket()).toMatchObject({ responseDueAt: null });
    expect(ticket().firstResponseAt).not.toBeNull();
  });

  it('#note is kept on the ticket and not relayed', async () => {
    await deliver(message({ from: `Ann Client <${CLIENT}>`, subject: `Re: [TID#${tid}] Cannot log in`, body: 'The guide did not help.' }), CLIENT);
    await until('clock running again', () => ticket().status === 'awaiting-staff');
    const dueBefore = ticket().responseDueAt;
    expect(dueBefore).not.toBeNull();
    const toClient = countTo(CLIENT);
    await deliver(message({ top: [PASS], from: `Eve Agent <${EVE}>`, subject: `Re: [TID#${tid}] Cannot log in`, body: '#note\nAsked dev about the 500, waiting for them.' }), EVE);
    await settled('note stored', 4);
    await new Promise((r) => setTimeout(r, 300));
    expect(countTo(CLIENT)).toBe(toClient);
    expect(events('command.note')).toHaveLength(1);
    expect(daemon.repos.messages.listByTicket(tid).at(-1)).toMatchObject({ kind: 'note', visibility: 'internal' });
    expect(ticket()).toMatchObject({ status: 'awaiting-staff', responseDueAt: dueBefore });
  });

  it('an unknown command is answered to the staff member and nothing is relayed', async () => {
    const toClient = countTo(CLIENT);
    const toEve = countTo(EVE);
    await deliver(message({ top: [PASS], from: `Eve Agent <${EVE}>`, subject: `Re: [TID#${tid}] Cannot log in`, body: '#levle development\nThis is a feature request.' }), EVE);
    const err = await mailTo(EVE, toEve);
    expect(err.p.subject).toBe(`[TID#${tid}] Not carried out: Cannot log in`);
    expect(err.p.headers['auto-submitted']).toEqual(['auto-generated']);
    expect(err.p.text).toContain('#levle development');
    await settled('outbox drained', 5);
    expect(countTo(CLIENT)).toBe(toClient);
    expect(ticket().level).toBe('commercial');
  });

  it('#level development moves the deadline', async () => {
    const before = ticket();
    await deliver(message({ top: [PASS], from: `Eve Agent <${EVE}>`, subject: `Re: [TID#${tid}] Cannot log in`, body: '#level development' }), EVE);
    await until('level changed', () => ticket().level === 'development');
    const [e] = events('command.level');
    const expected = DateTime.fromMillis(e!.at, { zone: 'Europe/Berlin' }).plus({ days: 14 }).toMillis();
    expect(ticket()).toMatchObject({ level: 'development', responseDueAt: expected, clockStartedAt: e!.at, status: 'awaiting-staff' });
    expect(ticket().responseDueAt).not.toBe(before.responseDueAt);
    expect(e!.data).toMatchObject({ from: 'commercial', to: 'development', previousDueAt: before.responseDueAt });
  });

  it('a forged staff From without authentication changes nothing, is held, and the supervisor is told', async () => {
    const before = ticket();
    const toClient = countTo(CLIENT);
    const toEve = countTo(EVE);
    const toSam = countTo(SAM);
    // No Authentication-Results from our server; the one it carries names a foreign server.
    await deliver(
      message({
        top: ['Authentication-Results: mx.evil.example; dkim=pass header.d=desk.example; spf=pass smtp.mailfrom=eve@desk.example'],
        from: `Eve Agent <${EVE}>`,
        subject: `Re: [TID#${tid}] Cannot log in`,
        body: '#close\nPlease send your password to recover@evil.example.',
      }),
      'mallory@evil.example',
    );
    // Held, not answered: the supervisor gets a notice naming the quarantine entry.
    const notice = await mailTo(SAM, toSam, (p) => p.headers['x-tidings-event']?.[0] === 'held-mail');
    const [held] = daemon.repos.quarantine.list({ status: 'held' });
    expect(held).toMatchObject({ reasonCode: 'E_STAFF_AUTH_FAILED' });
    expect(notice.p.text).toContain(`tidings reprocess ${held!.id}`);
    await until('outbox drained', () => daemon.repos.outbox.countByStatus().pending === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(countTo(CLIENT)).toBe(toClient);
    expect(countTo(EVE)).toBe(toEve);
    expect(ticket()).toEqual(before);
  });

  it('#close closes the ticket', async () => {
    await deliver(message({ top: [PASS], from: `Eve Agent <${EVE}>`, subject: `Re: [TID#${tid}] Cannot log in`, body: '#close' }), EVE);
    await until('closed', () => ticket().status === 'closed');
    expect(ticket()).toMatchObject({ responseDueAt: null });
    expect(ticket().closedAt).not.toBeNull();
    expect(events('command.close')).toHaveLength(1);
  });
});
