import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyMessageId } from '../../src/core/mail/message-id.js';
import { renderMail } from '../../src/outbox/render-mail.js';
import type { Desk } from './ingest-fixture.js';
import { HMAC_KEY, mail } from './ingest-fixture.js';
import { clientTicket, eventTypes, openStaffDesk, outbox, staffMail, withAttachment } from './staff-fixture.js';

const desks: Desk[] = [];
afterEach(() => {
  while (desks.length) desks.pop()!.close();
});
function desk(): Desk {
  const d = openStaffDesk();
  desks.push(d);
  return d;
}

const MIN = 60_000;

/** What a mail program makes of a reply to the notification: the answer on top, the notification quoted below. */
function replyTo(n: { messageId: string; mail: { subject: string; text: string } }, answer: string, extra: Parameters<typeof staffMail>[0] = {}): string {
  const quoted = n.mail.text.split('\n').map((l) => `> ${l}`).join('\n');
  return staffMail({ subject: `Re: ${n.mail.subject}`, inReplyTo: n.messageId, body: `${answer}\n\nOn Mon, 23 Nov 2026 at 10:05, Support <support@desk.example> wrote:\n${quoted}`, ...extra });
}

describe('a staff reply is relayed to the client', () => {
  it('from support@, with the TID, the client\'s thread, the attachment, and no trace of the staff member', async () => {
    const d = desk();
    const { tid, notification, clientMessageId } = await clientTicket(d, { cc: 'Cid <cid@client.example>' });
    d.clock.now += 30 * MIN;
    const pdf = Buffer.from('%PDF-1.4 the manual');
    let raw = replyTo(notification, 'Hello Ann,\n\nplease clear the browser cache.\n\n-- \nEve Agent, 2nd level\neve@desk.example | +49 30 123', {
      cc: 'Kim <kim@desk.example>',
      headers: { 'Reply-To': 'eve@desk.example', 'X-Mailer': 'Eve\'s Thunderbird', Sender: 'eve@desk.example' },
    });
    raw = withAttachment(raw, { name: 'manual.pdf', type: 'application/pdf', content: pdf });
    const out = await d.ingest(raw);
    expect(out).toMatchObject({ status: 'stored', ticketId: tid });

    const [relay] = outbox(d, 'relay');
    expect(relay).toBeDefined();
    expect(relay!.ticketId).toBe(tid);
    expect(relay!.recipients).toEqual(['ann@client.example', 'cid@client.example']);
    expect(verifyMessageId(relay!.messageId, HMAC_KEY)).toEqual({ tid, kind: 'relay' });
    const m = relay!.mail;
    expect(m.from).toEqual({ address: 'support@desk.example', name: 'Support' });
    expect(m.to).toEqual(['ann@client.example']);
    expect(m.cc).toEqual(['cid@client.example']);
    expect(m.subject).toBe(`[TID#${tid}] Cannot log in`);
    expect(m.inReplyTo).toBe(clientMessageId);
    expect(m.references).toEqual([clientMessageId]);
    expect(m.text).toBe('Hello Ann,\n\nplease clear the browser cache.\n\n-- \nSupport\n');
    // A person wrote it: no Auto-Submitted, and no header of the staff member's mail survives.
    expect(m.headers).toEqual({ 'X-Tidings-Ticket': String(tid) });
    expect(m.replyTo).toBeUndefined();
    expect(m.attachments).toEqual([{ sha256: createHash('sha256').update(pdf).digest('hex'), filename: 'manual.pdf', contentType: 'application/pdf' }]);

    const bytes = (await renderMail({ mail: m, messageId: relay!.messageId, blobs: d.repos.blobs })).toString('utf8');
    const head = bytes.split('\r\n\r\n')[0]!;
    for (const leak of ['eve@', 'kim@', 'Eve', 'Kim', 'Thunderbird']) expect(head, leak).not.toContain(leak);
    expect(head).not.toMatch(/^(?:Reply-To|Sender|X-Mailer|Auto-Submitted):/im);
    expect(bytes).toContain(pdf.toString('base64'));
    expect(bytes).not.toMatch(/eve@desk\.example|kim@desk\.example/i);

    // The answer stops the clock and waits for the client.
    const t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t).toMatchObject({ status: 'awaiting-client', responseDueAt: null, clockStartedAt: null, firstResponseAt: d.clock.now });
    expect(eventTypes(d, tid)).toEqual(['ticket.created', 'ack.queued', 'notify.queued', 'staff.replied']);
    const stored = d.repos.messages.getMessage(out.messageRowId!)!;
    expect(stored).toMatchObject({ kind: 'staff', visibility: 'public', fromAddr: 'eve@desk.example' });
  });

  it('relays real attachments only, not inline parts such as a signature logo', async () => {
    const d = desk();
    const { notification } = await clientTicket(d);
    await d.ingest(withAttachment(replyTo(notification, 'See the logo-less answer.'), { name: 'logo.png', type: 'image/png', content: Buffer.alloc(100, 2), disposition: 'inline' }));
    expect(outbox(d, 'relay')[0]!.mail.attachments).toBeUndefined();
  });

  it('threads by our Message-ID when the subject lost the tag, and answers the client\'s latest message', async () => {
    const d = desk();
    const { tid, notification } = await clientTicket(d);
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, messageId: 'second@client.example', body: 'Also the app.' }));
    await d.ingest(staffMail({ subject: 'Re: your problem', inReplyTo: notification.messageId, body: 'Both are fixed.' }));
    const relay = outbox(d, 'relay')[0]!;
    expect(relay.ticketId).toBe(tid);
    expect(relay.mail.subject).toBe(`[TID#${tid}] Cannot log in`);
    expect(relay.mail.inReplyTo).toBe('second@client.example');
  });

  it('a client answer after the relay starts the next clock cycle; the first response stays the first', async () => {
    const d = desk();
    const { tid, notification } = await clientTicket(d);
    await d.ingest(replyTo(notification, 'First answer.'));
    const first = d.clock.now;
    d.clock.now += 60 * MIN;
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Did not help.' }));
    let t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t).toMatchObject({ status: 'awaiting-staff', cycle: 2, clockStartedAt: d.clock.now });
    d.clock.now += 60 * MIN;
    await d.ingest(replyTo(notification, 'Second answer.'));
    t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t).toMatchObject({ status: 'awaiting-client', responseDueAt: null, firstResponseAt: first });
    expect(outbox(d, 'relay')).toHaveLength(2);
  });

  it('on a closed ticket the answer is relayed and the ticket stays closed', async () => {
    const d = desk();
    const { tid, notification } = await clientTicket(d);
    d.repos.tickets.setStatus(tid, 'closed', d.clock.now);
    await d.ingest(replyTo(notification, 'One more hint: restart.'));
    expect(outbox(d, 'relay')).toHaveLength(1);
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('closed');
  });

  it('without a Russian or German sign-off and the name below it', async () => {
    const d = desk();
    const { notification } = await clientTicket(d);
    await d.ingest(replyTo(notification, 'Добрый день!\nИсправлено, проверьте.\n\nС уважением,\nЕва Агент\n+49 30 123'));
    await d.ingest(replyTo(notification, 'Bitte erneut versuchen.\n\nMit freundlichen Grüßen\nEva Agent'));
    expect(outbox(d, 'relay').map((r) => r.mail.text.split('\n\n')[0])).toEqual(['Добрый день!\nИсправлено, проверьте.', 'Bitte erneut versuchen.']);
    for (const r of outbox(d, 'relay')) expect(r.mail.text).not.toMatch(/Eva Agent|Ева Агент|\+49 30 123/);
  });
});

describe('a staff message that cannot be relayed', () => {
  it('without a ticket: kept, nothing relayed, the sender is told', async () => {
    const d = desk();
    const out = await d.ingest(staffMail({ subject: 'Question about a customer', body: 'Who handles ACME?' }));
    expect(out.ticketId).toBeUndefined();
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(d.repos.tickets.listOpenByDue(10)).toHaveLength(0);
    const [err] = outbox(d, 'command-error');
    expect(err!.recipients).toEqual(['eve@desk.example']);
    expect(err!.mail.headers?.['Auto-Submitted']).toBe('auto-generated');
    expect(err!.mail.text).toContain('it names no ticket');
    expect(d.acks()).toHaveLength(0);
  });

  it('with only quoted text and a signature: nothing relayed, the ticket unchanged, the sender told', async () => {
    const d = desk();
    const { tid, notification } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    await d.ingest(replyTo(notification, '-- \nEve Agent'));
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(d.repos.tickets.findTicketByTid(tid)).toEqual(before);
    expect(outbox(d, 'command-error')[0]!.mail.text).toContain('your message was empty');
    expect(eventTypes(d, tid)).toContain('staff.reply_empty');
  });
});
