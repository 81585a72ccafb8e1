import { afterEach, describe, expect, it } from 'vitest';
import type { Desk } from './ingest-fixture.js';
import { openDesk } from './ingest-fixture.js';
import { clientTicket, openStaffDesk, outbox, staffMail } from './staff-fixture.js';

const desks: Desk[] = [];
afterEach(() => {
  while (desks.length) desks.pop()!.close();
});
function keep(d: Desk): Desk {
  desks.push(d);
  return d;
}

describe('staff authentication at ingest', () => {
  it.each<[string, string]>([
    ['dkim=pass aligned', 'mx.desk.example; dkim=pass header.d=desk.example'],
    ['spf=pass aligned', 'mx.desk.example; spf=pass smtp.mailfrom=eve@desk.example'],
  ])('%s from our mail server: the message acts as staff', async (_, ar) => {
    const d = keep(openStaffDesk());
    const { tid } = await clientTicket(d);
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close\nDone.', authResults: ar }));
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('closed');
    expect(outbox(d, 'relay')).toHaveLength(1);
  });

  it.each<[string, string | null, string]>([
    ['no Authentication-Results', null, 'no-results'],
    ['a pass written by a foreign server', 'mx.evil.example; dkim=pass header.d=desk.example; spf=pass smtp.mailfrom=eve@desk.example', 'no-results'],
    ['our server saying fail', 'mx.desk.example; dkim=fail header.d=desk.example; spf=fail smtp.mailfrom=eve@desk.example', 'no-pass'],
    ['a pass for the forger\'s own domain', 'mx.desk.example; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=x@evil.example', 'not-aligned'],
  ])('a forged staff From with %s changes nothing and is handled as a client message', async (_, ar, reason) => {
    const d = keep(openStaffDesk());
    const { tid } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    const out = await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close\nYour data has been deleted.', authResults: ar }));
    // Not relayed, no command run; the named ticket is untouched.
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(d.repos.tickets.findTicketByTid(tid)).toEqual(before);
    expect(d.repos.messages.listByTicket(tid)).toHaveLength(1);
    // What a stranger quoting the TID gets: a new ticket linked to the old one, acknowledged to the From.
    expect(out.ticketId).not.toBe(tid);
    const forged = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(forged).toMatchObject({ linkedTicketId: tid, requester: 'eve@desk.example', status: 'new' });
    const failed = d.repos.events.listByTicket(forged.tid).find((e) => e.type === 'staff.auth_failed')!;
    expect(failed).toMatchObject({ actor: 'eve@desk.example', data: { code: 'E_STAFF_AUTH_FAILED', reason } });
    // Staff hear about it with a warning in the notification.
    const n = outbox(d, 'notification').find((r) => r.ticketId === forged.tid)!;
    expect(n.mail.text).toContain('failed the authentication check');
  });

  it('only the top-most field of our server counts: a forged pass below our fail is ignored', async () => {
    const d = keep(openStaffDesk());
    const { tid } = await clientTicket(d);
    const raw = staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close', authResults: 'mx.desk.example; dkim=none; spf=softfail smtp.mailfrom=eve@desk.example' });
    // The sender wrote its own "pass" under our server's name; ours sits above it.
    const forged = raw.replace(/^(From: .*)$/m, '$1\nAuthentication-Results: mx.desk.example; dkim=pass header.d=desk.example');
    expect(forged.match(/^Authentication-Results:/gm)).toHaveLength(2);
    await d.ingest(forged);
    expect(d.repos.tickets.findTicketByTid(tid)!.status).toBe('new');
  });

  it('with require_auth off, the From is trusted (the base fixture)', async () => {
    const d = keep(openDesk());
    const { tid } = await clientTicket(d);
    await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: 'Fixed.', authResults: null }));
    expect(outbox(d, 'relay')).toHaveLength(1);
    expect(d.repos.events.listByTicket(tid).find((e) => e.type === 'staff.replied')!.data.auth).toBe('not-required');
  });
});
