import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from './ingest-fixture.js';
import { mail } from './ingest-fixture.js';
import { STAFF_YAML, clientTicket, eventTypes, openStaffDesk, outbox, staffMail, type OutboxRow } from './staff-fixture.js';

const desks: Desk[] = [];
afterEach(() => {
  while (desks.length) desks.pop()!.close();
});
function desk(extra: Record<string, string> = {}): Desk {
  const d = openStaffDesk(extra);
  desks.push(d);
  return d;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** How a vacation responder answers one of our mails. */
type Responder = (row: OutboxRow, n: number) => string;

/** Plain-looking: no Auto-Submitted or any other marker, "Re:" plus our subject, threaded to our mail. */
const plainThreaded =
  (from: string): Responder =>
  (row, n) =>
    mail({
      from,
      subject: `Re: ${row.mail.subject}`,
      inReplyTo: row.messageId,
      references: `<${row.messageId}>`,
      messageId: `vacation-${n}-${from}`,
      body: 'Thank you for your mail. I am out of the office until 4 January and will read it then.',
    });

/** RFC 3834 compliant. */
const rfc3834 =
  (from: string): Responder =>
  (row, n) =>
    mail({ from, subject: `Auto: ${row.mail.subject}`, inReplyTo: row.messageId, messageId: `auto-${n}`, headers: { 'Auto-Submitted': 'auto-replied' }, body: 'Away.' });

/** No threading at all, but an "Automatic reply:" subject. */
const subjectMarked =
  (from: string): Responder =>
  (_row, n) =>
    mail({ from, subject: 'Automatic reply: away', messageId: `oof-${n}`, body: 'Away.' });

/** The worst kind: plain-looking and a new thread every time (no tag, no In-Reply-To). */
const plainUnthreaded =
  (from: string): Responder =>
  (_row, n) =>
    mail({ from, subject: 'Away until Monday', messageId: `away-${n}`, body: 'I am away.' });

/** A staff member's plain responder, delivered through our MX (so it authenticates as staff). */
const staffPlain =
  (from: string): Responder =>
  (row, n) =>
    staffMail({ from, subject: `Re: ${row.mail.subject}`, inReplyTo: row.messageId, messageId: `staff-vacation-${n}`, body: 'I am on leave; Kim covers for me.' });

interface Exchange {
  /** Mails tidings sent to a responder, automatic ones (Auto-Submitted) counted apart. */
  toResponders: number;
  automaticToResponders: number;
  /** Mails the responders sent back: every one is automatic. */
  fromResponders: number;
}

/**
 * Runs `rounds` rounds: each round every responder answers each mail tidings queued for it since
 * the last round, tidings ingests the answers, and `step` of time passes.
 */
async function run(d: Desk, responders: Record<string, Responder>, rounds: number, step: number): Promise<Exchange> {
  const x: Exchange = { toResponders: 0, automaticToResponders: 0, fromResponders: 0 };
  let seen = 0;
  let n = 0;
  for (let round = 0; round < rounds; round++) {
    const fresh = outbox(d).filter((r) => r.id > seen);
    seen = Math.max(seen, ...fresh.map((r) => r.id));
    const answers: string[] = [];
    for (const row of fresh) {
      for (const rcpt of row.recipients) {
        const responder = responders[rcpt];
        if (!responder) continue;
        x.toResponders += 1;
        if (row.mail.headers?.['Auto-Submitted']) x.automaticToResponders += 1;
        answers.push(responder(row, ++n));
      }
    }
    for (const a of answers) await d.ingest(a);
    x.fromResponders += answers.length;
    d.clock.now += step;
  }
  return x;
}

describe('a vacation responder answering every mail never starts a loop', () => {
  it('100 rounds against a plain-looking responder that threads its replies: 2 automatic mails in all', async () => {
    const d = desk();
    const client = 'ann@client.example';
    const { tid } = await clientTicket(d, { from: client });
    // Five minutes a round: more than eight hours, so the hourly caps are not what stops it.
    const x = await run(d, { [client]: plainThreaded(client) }, 100, 5 * MINUTE);
    expect(x.automaticToResponders + x.fromResponders).toBe(2); // our acknowledgement and its one answer
    expect(x.toResponders).toBe(1);
    expect(d.acks()).toHaveLength(1);
    expect(d.repos.tickets.listOpenByDue(10).map((t) => t.tid)).toEqual([tid]);
    // The answer is kept on the ticket like any client message (staff hear about it once).
    expect(d.repos.messages.listByTicket(tid)).toHaveLength(2);
    expect(outbox(d, 'notification')).toHaveLength(2);
  });

  it.each<[string, (from: string) => Responder]>([
    ['an RFC 3834 responder (Auto-Submitted: auto-replied)', rfc3834],
    ['a responder with an "Automatic reply:" subject and no threading', subjectMarked],
  ])('100 rounds against %s: 2 automatic mails, its answers never answered nor notified', async (_, kind) => {
    const d = desk();
    const client = 'ann@client.example';
    await clientTicket(d, { from: client });
    const x = await run(d, { [client]: kind(client) }, 100, 10 * SECOND);
    expect(x.automaticToResponders + x.fromResponders).toBe(2);
    expect(outbox(d, 'notification')).toHaveLength(1);
  });

  it('a plain responder that starts a new thread every time is held as a repeat of its first answer', async () => {
    const d = desk();
    const client = 'ann@client.example';
    await clientTicket(d, { from: client });
    // 100 rounds ten seconds apart: all inside one hour.
    const x = await run(d, { [client]: plainUnthreaded(client) }, 100, 10 * SECOND);
    // The client's acknowledgement and the one for the responder's first answer; its second answer
    // repeats the first and gets none, which ends the exchange.
    expect(d.acks()).toHaveLength(2);
    expect(x.automaticToResponders).toBe(2);
    expect(x.fromResponders).toBe(2);
  });

  it('a staff member\'s plain responder answering notifications gets nothing automatic back', async () => {
    const d = desk();
    const { tid } = await clientTicket(d);
    const x = await run(d, { 'eve@desk.example': staffPlain('eve@desk.example') }, 100, 5 * MINUTE);
    // The notification and the one answer to it; the answer reads like a staff reply, so it is
    // relayed (real responders mark themselves, see the cases above, and are not), and nothing
    // more goes to the responder.
    expect(x.automaticToResponders + x.fromResponders).toBe(2);
    expect(outbox(d, 'relay')).toHaveLength(1);
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('awaiting-client');
  });

  it('a client\'s and a staff member\'s plain responders together are stopped by the per-ticket notification cap', async () => {
    const d = desk({ 'staff.yaml': `${STAFF_YAML}  notify: { per_ticket_per_hour: 6 }\n` });
    const client = 'ann@client.example';
    const { tid } = await clientTicket(d, { from: client });
    const x = await run(d, { [client]: plainThreaded(client), 'eve@desk.example': staffPlain('eve@desk.example') }, 100, 10 * SECOND);
    expect(outbox(d, 'notification')).toHaveLength(6);
    expect(x.fromResponders).toBeLessThanOrEqual(2 * 6 + 1);
    expect(eventTypes(d, tid)).toContain('notify.suppressed');
  });
});

describe('bounces of staff answers', () => {
  const bounceOf = (messageId: string, address: string): string =>
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.client.example>',
      'To: support@desk.example',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <bounce-${Math.random().toString(36).slice(2)}@mx.client.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.client.example',
      '',
      `Final-Recipient: rfc822; ${address}`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown',
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${messageId}>`,
      '',
      '--B--',
      '',
    ].join('\n');

  it('a bounced relay is recorded on the ticket and the staff are told, its author among them', async () => {
    const d = desk({ 'staff.yaml': `${STAFF_YAML}  group: team@desk.example\n` });
    const { tid } = await clientTicket(d, { from: 'gone@client.example' });
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Here is the fix.' }));
    const relay = outbox(d, 'relay')[0]!;
    const out = await d.ingest(bounceOf(relay.messageId, 'gone@client.example'));
    expect(out.ticketId).toBe(tid);
    expect(d.repos.undeliverable.isUndeliverable('gone@client.example')).toBe(true);
    expect(eventTypes(d, tid)).toContain('bounce.received');
    const n = outbox(d, 'notification').at(-1)!;
    expect(n.recipients).toEqual(['team@desk.example', 'eve@desk.example']);
    expect(n.mail.headers?.['X-Tidings-Event']).toBe('relay-bounced');
    expect(n.mail.text).toContain(`A reply on [TID#${tid}] could not be delivered`);
    expect(n.mail.text).toContain('  - gone@client.example (5.1.1): 550 5.1.1 mailbox unknown');
  });

  it('a bounced notification or acknowledgement is only recorded', async () => {
    const d = desk();
    const { tid, notification } = await clientTicket(d);
    const before = outbox(d).length;
    await d.ingest(bounceOf(notification.messageId, 'eve@desk.example'));
    await d.ingest(bounceOf(d.acks()[0]!.messageId, 'ann@client.example'));
    expect(outbox(d)).toHaveLength(before);
    expect(eventTypes(d, tid).filter((t) => t === 'bounce.received')).toHaveLength(2);
  });
});
