import { afterEach, describe, expect, it } from 'vitest';
import { isBareBmp } from '../../src/core/lifecycle/bmp.js';
import { containsCredentials, maskCredentials } from '../../src/core/lifecycle/credentials.js';
import { parseRating } from '../../src/core/lifecycle/rating.js';
import { runAutoCloseScan } from '../../src/escalation/auto-close-scan.js';
import { runRedactionScan } from '../../src/escalation/redaction-scan.js';
import { BASE_FILES } from '../config/config-fixture.js';
import type { Desk } from '../ingest/ingest-fixture.js';
import { mail } from '../ingest/ingest-fixture.js';
import { clientTicket, eventTypes, LEVELS_YAML, openStaffDesk, outbox, staffMail, withAttachment } from '../ingest/staff-fixture.js';

let desk: Desk | undefined;
afterEach(() => {
  desk?.close();
  desk = undefined;
});

function open(): Desk {
  desk = openStaffDesk();
  return desk;
}

async function close(d: Desk, tid: number, iso = '2026-11-23T12:00:00+01:00'): Promise<void> {
  d.clock.now = Date.parse(iso);
  await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Done, see the settings page.\n' }));
  await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close' }));
}

describe('closing mail', () => {
  it('#close sends one closing mail asking for a rating, without a credential reminder for a clean thread', async () => {
    const d = open();
    const { tid } = await clientTicket(d);
    await close(d, tid);
    const closing = outbox(d, 'closing');
    expect(closing).toHaveLength(1);
    expect(closing[0]!.recipients).toEqual(['ann@client.example']);
    expect(closing[0]!.mail.subject).toContain(`[TID#${tid}]`);
    expect(closing[0]!.mail.text).toContain('reply to this mail with one number from 1 (poor) to 5 (excellent)');
    expect(closing[0]!.mail.text).not.toContain('change those passwords');
    expect(closing[0]!.mail.headers?.['Auto-Submitted']).toBe('auto-generated');
    // A second #close on a closed ticket sends nothing more.
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close' }));
    expect(outbox(d, 'closing')).toHaveLength(1);
  });

  it('reminds the client to change access data shared in the thread (seed 4.3)', async () => {
    const d = open();
    const { tid } = await clientTicket(d, { body: 'Admin access:\nlogin: admin\nPassword: S3cret!\nftp://deploy:hunter2@ftp.client.example/' });
    await close(d, tid);
    expect(outbox(d, 'closing')[0]!.mail.text).toContain('Please change those passwords');
  });
});

describe('rating reply', () => {
  it('a rating after the closing mail is stored and does not reopen the ticket; other text reopens it', async () => {
    const d = open();
    const { tid } = await clientTicket(d);
    await close(d, tid);
    d.clock.now = Date.parse('2026-11-24T09:00:00+01:00');
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Оценка: 5\n\nСпасибо!' }));
    let t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t.status).toBe('closed');
    expect(t.rating).toBe(5);
    expect(eventTypes(d, tid)).toContain('rating.received');
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Rating: 4' }));
    expect(d.repos.tickets.findTicketByTid(tid)!.rating).toBe(4);
    // Within reopen_days (14): a real message reopens it with a new cycle.
    await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'It broke again, 5 users affected.' }));
    t = d.repos.tickets.findTicketByTid(tid)!;
    expect(t.status).toBe('awaiting-staff');
    expect(t.cycle).toBe(2);
  });

  it('after reopen_days a reply opens a new ticket linked to the old one', async () => {
    const d = open();
    const { tid } = await clientTicket(d);
    await close(d, tid);
    d.clock.now = Date.parse('2026-12-10T10:00:00+01:00');
    const out = await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'It broke again.' }));
    expect(out.ticketId).not.toBe(tid);
    expect(d.repos.tickets.findTicketByTid(out.ticketId!)!.linkedTicketId).toBe(tid);
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('closed');
    // A late rating still lands on the old ticket and opens nothing.
    const late = await d.ingest(mail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '3' }));
    expect(late.ticketId).toBe(tid);
    expect(d.repos.tickets.findTicketByTid(tid)).toMatchObject({ status: 'closed', rating: 3 });
  });
});

describe('BMP note (seed 4.7)', () => {
  it('a bare BMP screenshot gets one polite note; a PNG does not', async () => {
    const d = open();
    const bmp = withAttachment(mail({ subject: 'Error screen' }), { name: 'screen.bmp', type: 'image/bmp', content: Buffer.alloc(2000, 1) });
    const out = await d.ingest(bmp);
    const notes = outbox(d, 'bmp-note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.ticketId).toBe(out.ticketId);
    expect(notes[0]!.recipients).toEqual(['ann@client.example']);
    expect(notes[0]!.mail.text).toContain('PNG or JPG');
    await d.ingest(withAttachment(mail({ subject: 'Another' }), { name: 'screen.png', type: 'image/png', content: Buffer.alloc(200, 1) }));
    expect(outbox(d, 'bmp-note')).toHaveLength(1);
  });
});

describe('pure rules', () => {
  it('ratings', () => {
    expect(parseRating('5')).toBe(5);
    expect(parseRating('Rating: 4\n\nthanks')).toBe(4);
    expect(parseRating('оценка 3 из 5')).toBe(3);
    expect(parseRating('4/5')).toBe(4);
    expect(parseRating('6')).toBeUndefined();
    expect(parseRating('5 users cannot log in')).toBeUndefined();
    expect(parseRating('')).toBeUndefined();
  });

  it('credentials are found and masked', () => {
    expect(containsCredentials('Password: x1')).toBe(true);
    expect(containsCredentials('пароль: qwerty')).toBe(true);
    expect(containsCredentials('see https://admin:pw@example.com/x')).toBe(true);
    expect(containsCredentials('ssh root@203.0.113.5')).toBe(true);
    expect(containsCredentials('I forgot my password yesterday')).toBe(false);
    expect(maskCredentials('Password: S3cret!\nurl https://admin:pw@example.com/')).toBe('Password: ********\nurl https://admin:********@example.com/');
  });

  it('bare BMP', () => {
    expect(isBareBmp({ contentType: 'image/bmp', filename: 'a.bmp' })).toBe(true);
    expect(isBareBmp({ contentType: 'application/octet-stream', filename: 'A.BMP' })).toBe(true);
    expect(isBareBmp({ contentType: 'application/zip', filename: 'a.zip' })).toBe(false);
    expect(isBareBmp({ contentType: 'image/png', filename: 'a.png' })).toBe(false);
  });
});

describe('auto-close', () => {
  const AUTO_CLOSE_LEVELS = (base: string): string => base.replace('    response: 24h\n', '    response: 24h\n    auto_close_days: 3\n');

  it('a ticket waiting for the client closes after 3 working days with the closing mail; a client reply in time keeps it open', async () => {
    const d = openStaffDesk({ 'levels.yaml': AUTO_CLOSE_LEVELS(LEVELS_YAML) });
    desk = d;
    const a = await clientTicket(d);
    const b = await clientTicket(d, { subject: 'Second' });
    // Answers on Friday 27 Nov 17:00: 3 working days → closes at the end of Wednesday 2 Dec (18:00 Berlin).
    d.clock.now = Date.parse('2026-11-27T17:00:00+01:00');
    await d.ingest(staffMail({ subject: `Re: [TID#${a.tid}] Cannot log in`, body: 'Try now.' }));
    await d.ingest(staffMail({ subject: `Re: [TID#${b.tid}] Second`, body: 'Try now.' }));
    d.clock.now = Date.parse('2026-11-30T10:00:00+01:00');
    await d.ingest(mail({ subject: `Re: [TID#${b.tid}] Second`, body: 'Still broken.' }));

    expect(runAutoCloseScan(d.deps, Date.parse('2026-12-02T17:59:00+01:00'))).toEqual({ closed: 0, cleared: 0 });
    expect(runAutoCloseScan(d.deps, Date.parse('2026-12-02T18:00:00+01:00'))).toEqual({ closed: 1, cleared: 1 });
    expect(runAutoCloseScan(d.deps, Date.parse('2026-12-03T18:00:00+01:00'))).toEqual({ closed: 0, cleared: 0 });
    expect(d.repos.tickets.findTicketByTid(a.tid)!.status).toBe('closed');
    expect(d.repos.tickets.findTicketByTid(b.tid)!.status).toBe('awaiting-staff');
    const closing = outbox(d, 'closing');
    expect(closing.map((c) => c.ticketId)).toEqual([a.tid]);
    expect(closing[0]!.mail.text).toContain('closed because we did not hear back from you');
    expect(eventTypes(d, a.tid)).toContain('ticket.auto_closed');
  });
});

describe('credentials after close', () => {
  const SECRET = 'Admin access:\nPassword: S3cret!\nftp://deploy:hunter2@ftp.client.example/';

  it('are masked in the staff notification', async () => {
    const d = open();
    const { notification } = await clientTicket(d, { body: SECRET });
    expect(notification.mail.text).toContain('Password: ********');
    expect(notification.mail.text).toContain('ftp://deploy:********@ftp.client.example/');
    expect(notification.mail.text).not.toContain('S3cret!');
    expect(notification.mail.text).not.toContain('hunter2');
  });

  it('are redacted from stored bodies N days after close, once; a reopen makes the ticket due again', async () => {
    desk = openStaffDesk({ 'tidings.yaml': BASE_FILES['tidings.yaml']!.replace('tid: {', 'redact_credentials_after_days: 7\ntid: {') });
    const d = desk;
    const { tid } = await clientTicket(d, { body: SECRET });
    await close(d, tid, '2026-11-23T12:00:00+01:00');
    const bodies = (): string => d.repos.messages.listByTicket(tid).map((m) => `${m.textBody ?? ''}|${m.visibleText ?? ''}`).join('\n');
    expect(bodies()).toContain('S3cret!');
    expect(runRedactionScan(d.deps, Date.parse('2026-11-30T11:59:00+01:00'))).toEqual({ tickets: 0, messages: 0 });
    expect(runRedactionScan(d.deps, Date.parse('2026-11-30T12:00:00+01:00'))).toEqual({ tickets: 1, messages: 1 });
    expect(bodies()).not.toContain('S3cret!');
    expect(bodies()).not.toContain('hunter2');
    expect(bodies()).toContain('Password: ********');
    expect(eventTypes(d, tid)).toContain('ticket.redacted');
    expect(runRedactionScan(d.deps, Date.parse('2026-12-30T12:00:00+01:00'))).toEqual({ tickets: 0, messages: 0 });
  });

  it('stay when redaction is not configured', async () => {
    const d = open();
    const { tid } = await clientTicket(d, { body: SECRET });
    await close(d, tid);
    expect(runRedactionScan(d.deps, Date.parse('2027-06-01T12:00:00+02:00'))).toEqual({ tickets: 0, messages: 0 });
    expect(d.repos.messages.listByTicket(tid)[0]!.textBody).toContain('S3cret!');
  });
});
