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
  ])('a forged staff From with %s is held: no ticket, no ack, the supervisor is told', async (_, ar, reason) => {
    const d = keep(openStaffDesk());
    const { tid } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    const ticketsBefore = d.repos.db.prepare('SELECT count(*) AS n FROM tickets').get();
    const acksBefore = d.acks().length;
    const out = await d.ingest(staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close\nYour data has been deleted.', authResults: ar }));
    // Not relayed, no command run, no ticket opened, nothing acknowledged to our own staff address.
    expect(out.status).toBe('quarantined');
    expect(outbox(d, 'relay')).toHaveLength(0);
    expect(d.repos.tickets.findTicketByTid(tid)).toEqual(before);
    expect(d.repos.db.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual(ticketsBefore);
    expect(d.acks()).toHaveLength(acksBefore);
    // Held with a clear reason, for `tidings reprocess --list`.
    const [held] = d.repos.quarantine.list({ status: 'held' });
    expect(held).toMatchObject({ id: out.quarantineId, reasonCode: 'E_STAFF_AUTH_FAILED' });
    expect(held!.reason).toContain('eve@desk.example');
    const failed = d.repos.db.prepare<[], { actor: string; data: string }>("SELECT actor, data FROM events WHERE type = 'staff.auth_failed'").get()!;
    expect(failed.actor).toBe('eve@desk.example');
    expect(JSON.parse(failed.data)).toMatchObject({ code: 'E_STAFF_AUTH_FAILED', reason, quarantineId: out.quarantineId });
    // The supervisor (not the agents) hears about it, through the outbox.
    const [notice] = outbox(d, 'held-notice');
    expect(notice).toMatchObject({ ticketId: null, recipients: ['sam@desk.example'] });
    expect(notice!.mail.text).toContain(`tidings reprocess ${out.quarantineId}`);
    expect(notice!.mail.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated' });
  });

  it('any address in our own domains is held too, our own mailbox address stays a loop', async () => {
    const d = keep(openStaffDesk());
    const out = await d.ingest(staffMail({ from: 'Boss <ceo@desk.example>', subject: 'Wire the money', authResults: null }));
    expect(out).toMatchObject({ status: 'quarantined' });
    expect(d.repos.quarantine.get(out.quarantineId!)!.reasonCode).toBe('E_STAFF_AUTH_FAILED');
    const loop = await d.ingest(staffMail({ from: 'support@desk.example', subject: 'Our own ack', authResults: null }));
    expect(loop.status).toBe('stored');
    expect(d.repos.quarantine.list({ status: 'held' })).toHaveLength(1);
    expect(d.acks()).toHaveLength(0);
  });

  it('an authenticated colleague in our domain who is not staff writes in as a client', async () => {
    const d = keep(openStaffDesk());
    const out = await d.ingest(staffMail({ from: 'ceo@desk.example', subject: 'Printer', authResults: 'mx.desk.example; dkim=pass header.d=desk.example' }));
    expect(out.status).toBe('stored');
    expect(d.repos.tickets.findTicketByTid(out.ticketId!)!.requester).toBe('ceo@desk.example');
  });

  it('reprocess releases a held message as a client message, never as staff', async () => {
    const d = keep(openStaffDesk());
    const { tid } = await clientTicket(d);
    const before = d.repos.tickets.findTicketByTid(tid)!;
    const raw = staffMail({ subject: `Re: [TID#${tid}] Cannot log in`, body: '#close\nYour data has been deleted.', authResults: null });
    const held = await d.ingest(raw);
    const entry = d.repos.quarantine.get(held.quarantineId!)!;
    const out = await d.ingest(entry.raw!, { source: 'reprocess', key: `quarantine:${entry.id}` }, { reprocessOf: entry.id });
    expect(out.status).toBe('stored');
    expect(d.repos.quarantine.get(entry.id)!.status).toBe('reprocessed');
    // What a stranger quoting the TID gets: a new ticket linked to the old one, acknowledged to the From.
    expect(d.repos.tickets.findTicketByTid(tid)).toEqual(before);
    expect(outbox(d, 'relay')).toHaveLength(0);
    const released = d.repos.tickets.findTicketByTid(out.ticketId!)!;
    expect(released).toMatchObject({ linkedTicketId: tid, requester: 'eve@desk.example', status: 'new' });
    expect(d.repos.events.listByTicket(released.tid).find((e) => e.type === 'staff.auth_failed')!.data).toMatchObject({ code: 'E_STAFF_AUTH_FAILED' });
    const n = outbox(d, 'notification').find((r) => r.ticketId === released.tid)!;
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
