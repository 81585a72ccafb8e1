import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { mail, openDesk, type Desk } from './ingest-fixture.js';

const PROFILE = path.join(packageRoot(), 'config/examples/001-site-manager/tidings.yaml');
const desks: Desk[] = [];
afterEach(() => {
  while (desks.length) desks.pop()!.close();
});

describe('VIP coupons (seed 001) consumed at ingest', () => {
  it('a valid coupon gives the 24x7 VIP level once, is recorded, and counts against the yearly quota', async () => {
    // Sat 2026-11-28 23:00 Berlin: a VIP request at night is due 4 wall-clock hours later.
    const d = openDesk({}, '2026-11-28T23:00:00+01:00', PROFILE);
    desks.push(d);
    const first = await d.ingest(mail({ from: 'carol@gamma-shop.example', subject: 'Shop down VIP-GAMMA-2026-A' }));
    const t = d.repos.tickets.findTicketByTid(first.ticketId!)!;
    expect(t.level).toBe('vip-request');
    expect(t.levelReason).toBe('vip-coupon');
    expect(new Date(t.responseDueAt!).toISOString()).toBe('2026-11-29T02:00:00.000Z');
    expect(d.repos.coupons.findUse('VIP-GAMMA-2026-A')).toMatchObject({ licenceKey: 'SM-C-1002', year: 2026, ticketId: t.tid });
    expect(d.acks()[0]!.mail.text).toContain('VIP-GAMMA-2026-A');

    // The same code again: already used, so the ordinary level.
    const again = await d.ingest(mail({ from: 'carol@gamma-shop.example', subject: 'Again VIP-GAMMA-2026-A' }));
    expect(d.repos.tickets.findTicketByTid(again.ticketId!)!.level).not.toBe('vip-request');
    expect(d.repos.coupons.countUses('SM-C-1002', 2026)).toBe(1);
    const created = d.repos.events.listByTicket(again.ticketId!).find((e) => e.type === 'ticket.created')!;
    expect(created.data).toMatchObject({ couponRejected: 'already-used' });

    // Another licence's code from this sender does nothing.
    const foreign = await d.ingest(mail({ from: 'ann@acme.example', subject: 'Borrowed VIP-GAMMA-2026-B' }));
    expect(d.repos.tickets.findTicketByTid(foreign.ticketId!)!.level).not.toBe('vip-request');
    expect(d.repos.coupons.findUse('VIP-GAMMA-2026-B')).toBeUndefined();
  });
});
