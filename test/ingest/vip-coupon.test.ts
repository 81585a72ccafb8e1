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

  // Issue 13 item 11: a refused coupon used to leave the client with a lower level and no word why.
  const notifications = (d: Desk, tid: number): string[] =>
    d.repos.db
      .prepare<[number], { mail: string }>(`SELECT mail FROM outbox WHERE kind = 'notification' AND ticket_id = ? ORDER BY id`)
      .all(tid)
      .map((r) => (JSON.parse(r.mail) as { text: string }).text);
  const ackOf = (d: Desk, tid: number): string => d.acks().find((a) => a.ticketId === tid)!.mail.text;

  it('the ack and the staff notification say why a used-up, foreign or expired coupon was refused, and name the licence', async () => {
    const d = openDesk({}, '2026-11-23T10:00:00+01:00', PROFILE);
    desks.push(d);
    await d.ingest(mail({ from: 'carol@gamma-shop.example', subject: 'Shop down VIP-GAMMA-2026-A' }));

    const used = await d.ingest(mail({ from: 'carol@gamma-shop.example', subject: 'Again VIP-GAMMA-2026-A' }));
    const usedAck = ackOf(d, used.ticketId!);
    expect(usedAck).toContain('VIP coupon VIP-GAMMA-2026-A was not used: it has already been used');
    expect(usedAck).toMatch(/Licence: SM-C-1002 \(Gamma Shop Inc\.\)/);
    expect(notifications(d, used.ticketId!)[0]).toContain('VIP coupon VIP-GAMMA-2026-A was not used: it has already been used');

    // Another licence's code: the client learns it is not theirs, never whose it is; staff see whose.
    const foreign = await d.ingest(mail({ from: 'ann@acme.example', subject: 'Borrowed VIP-GAMMA-2026-B' }));
    const foreignAck = ackOf(d, foreign.ticketId!);
    expect(foreignAck).toContain('VIP coupon VIP-GAMMA-2026-B was not used: it belongs to a different licence than yours.');
    expect(foreignAck).toMatch(/Licence: SM-C-1001 \(ACME Ltd\)/);
    expect(foreignAck).not.toMatch(/SM-C-1002|Gamma Shop/);
    const foreignNote = notifications(d, foreign.ticketId!)[0]!;
    expect(foreignNote).toContain('VIP coupon VIP-GAMMA-2026-B was not used: it belongs to a different licence than yours.');
    expect(foreignNote).toContain('SM-C-1002');

    const expired = await d.ingest(mail({ from: 'erin@delta.example', subject: 'VIP-DELTA-2024-A please' }));
    const expiredAck = ackOf(d, expired.ticketId!);
    expect(expiredAck).toContain('VIP coupon VIP-DELTA-2024-A was not used: support for licence SM-C-0999 ended on 2024-12-31.');
    expect(expiredAck).toMatch(/Licence: SM-C-0999 \(Delta Old Ltd\)/);
    expect(notifications(d, expired.ticketId!)[0]).toContain('VIP coupon VIP-DELTA-2024-A was not used');
  });

  it('says it in Russian to a client who writes in Russian', async () => {
    const d = openDesk({}, '2026-11-23T10:00:00+01:00', PROFILE);
    desks.push(d);
    await d.ingest(mail({ from: 'carol@gamma-shop.example', subject: 'Shop down VIP-GAMMA-2026-A' }));
    const again = await d.ingest(
      mail({ from: 'carol@gamma-shop.example', subject: 'Магазин снова не работает VIP-GAMMA-2026-A', body: 'Здравствуйте! Магазин снова не открывается, помогите, пожалуйста.' }),
    );
    const ack = ackOf(d, again.ticketId!);
    expect(ack).toContain('Ваше обращение зарегистрировано');
    expect(ack).toContain('VIP-купон VIP-GAMMA-2026-A не использован: он уже был использован');
    expect(ack).toMatch(/Лицензия: SM-C-1002 \(Gamma Shop Inc\.\)/);
  });
});

