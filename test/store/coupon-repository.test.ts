import { describe, expect, it } from 'vitest';
import { freshRepos, newTicket, T0 } from './helpers.js';

describe('coupon repository', () => {
  it('consumes a code once and counts uses per licence and year', () => {
    const repos = freshRepos();
    const t1 = newTicket(repos).tid;
    const t2 = newTicket(repos).tid;
    expect(repos.coupons.tryUse({ code: 'VIP-1', licenceKey: 'BX-1001', year: 2026, ticketId: t1, usedAt: T0 })).toBe(true);
    expect(repos.coupons.tryUse({ code: 'VIP-1', licenceKey: 'BX-1001', year: 2026, ticketId: t2, usedAt: T0 + 1 })).toBe(false);
    expect(repos.coupons.tryUse({ code: 'VIP-2', licenceKey: 'BX-1001', year: 2026, ticketId: t2, usedAt: T0 + 1 })).toBe(true);
    expect(repos.coupons.tryUse({ code: 'VIP-3', licenceKey: 'BX-1001', year: 2027, ticketId: t2, usedAt: T0 + 2 })).toBe(true);
    expect(repos.coupons.countUses('BX-1001', 2026)).toBe(2);
    expect(repos.coupons.countUses('BX-1001', 2027)).toBe(1);
    expect(repos.coupons.countUses('BX-2002', 2026)).toBe(0);
    expect(repos.coupons.findUse('VIP-1')).toEqual({ code: 'VIP-1', licenceKey: 'BX-1001', year: 2026, ticketId: t1, usedAt: T0 });
  });

  it('enforces the ticket foreign key', () => {
    const repos = freshRepos();
    expect(() => repos.coupons.tryUse({ code: 'X', licenceKey: 'L', year: 2026, ticketId: 3, usedAt: T0 })).toThrow(/FOREIGN KEY constraint failed/);
  });
});
