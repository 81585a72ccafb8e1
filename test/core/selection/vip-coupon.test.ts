import { describe, expect, it } from 'vitest';
import { compileSelection } from '../../../src/core/selection/select-level.js';
import type { SelectionInput } from '../../../src/core/selection/selection-input.js';
import type { SelectionLicence, SelectionRule } from '../../../src/core/selection/selection-options.js';
import { at, NOON, OPTIONS, withSelection } from './fixtures.js';

const selector = compileSelection(OPTIONS);
const ann = (extra: Partial<SelectionInput>): SelectionInput => ({ from: 'ann@client.example', at: NOON, ...extra });

describe('VIP coupons (seed 001)', () => {
  it('a valid code of the sender’s licence in the subject gives the VIP level and says which coupon is spent', () => {
    const s = selector.select(ann({ subject: 'VIP-AAAA-0001 site down', couponUsesThisYear: new Map([['BX-1001', 1]]) }));
    expect(s.level).toBe('vip');
    expect(s.rule).toBe(0);
    expect(s.coupon).toEqual({ code: 'VIP-AAAA-0001', licenceKey: 'BX-1001', year: 2026, usedThisYear: 2, perYear: 3 });
    expect(s.couponRejected).toBeUndefined();
    expect(s.reason).toMatchObject({ code: 'vip-coupon', tellClient: false });
    expect(s.reason.text.en).toBe('VIP coupon VIP-AAAA-0001 of licence BX-1001 is used: 2 of 3 for 2026.');
    expect(s.reason.text.ru).toBe('Использован VIP-купон VIP-AAAA-0001 лицензии BX-1001: 2 из 3 на 2026 год.');
  });

  it('a code in the body, in lower case, is found and reported as configured', () => {
    const s = selector.select(ann({ subject: 'help', body: 'Coupon: vip-aaaa-0002.\nRegards' }));
    expect(s.level).toBe('vip');
    expect(s.coupon?.code).toBe('VIP-AAAA-0002');
    expect(s.coupon?.usedThisYear).toBe(1);
  });

  it('the quota is exhausted: the level falls back to what the licence gives, and the client is told', () => {
    const s = selector.select(ann({ subject: 'VIP-AAAA-0003', couponUsesThisYear: new Map([['BX-1001', 3]]) }));
    expect(s.level).toBe('commercial');
    expect(s.coupon).toBeUndefined();
    expect(s.couponRejected).toMatchObject({ code: 'VIP-AAAA-0003', reason: 'quota-exhausted', belongsTo: 'BX-1001' });
    expect(s.couponRejected?.text.en).toBe('VIP coupon VIP-AAAA-0003 was not used: all 3 VIP requests of licence BX-1001 for 2026 are used up.');
    expect(s.couponRejected?.text.ru).toContain('на 2026 год (3) уже использованы');
  });

  it('the quota is counted for the calendar year of the arrival in the desk’s zone', () => {
    const asked: [string, number][] = [];
    const count = (key: string, year: number): number => {
      asked.push([key, year]);
      return 0;
    };
    // 21:30 UTC on 31 December is already 00:30 on 1 January in Moscow.
    const s = selector.select(ann({ at: at('2026-12-31T21:30:00Z'), subject: 'VIP-AAAA-0001', couponUsesThisYear: count }));
    expect(asked).toEqual([['BX-1001', 2027]]);
    expect(s.coupon?.year).toBe(2027);
  });

  it('a code of another licence is refused without naming that licence to the client', () => {
    const s = selector.select({ from: 'x@partner.example', at: NOON, subject: 'VIP-AAAA-0001' });
    expect(s.level).toBe('partner');
    expect(s.couponRejected).toMatchObject({ reason: 'other-licence', belongsTo: 'BX-1001' });
    expect(s.couponRejected?.text.en).toBe('VIP coupon VIP-AAAA-0001 was not used: it belongs to a different licence than yours.');
    expect(s.couponRejected?.text.en).not.toContain('BX-1001');
    expect(s.couponRejected?.text.ru).not.toContain('BX-1001');
  });

  it('a code from an unknown sender is refused: a coupon is not an identity', () => {
    const s = selector.select({ from: 'thief@nowhere.example', at: NOON, subject: 'VIP-AAAA-0001' });
    expect(s.level).toBe('non-commercial');
    expect(s.couponRejected).toMatchObject({ reason: 'no-licence' });
    expect(s.reason.code).toBe('no-licence');
  });

  it('a code of the sender’s own expired licence is refused', () => {
    const s = selector.select({ from: 'dev@x.gamma.example', at: NOON, body: 'VIP-GGGG-0001' });
    expect(s.level).toBe('non-commercial');
    expect(s.couponRejected).toMatchObject({ reason: 'licence-expired', belongsTo: 'BX-3003' });
    expect(s.couponRejected?.text.en).toContain('support for licence BX-3003 ended on 2024-12-31');
    expect(s.reason.code).toBe('support-expired');
  });

  it('a code used before is refused, and the next unused code in the message is taken instead', () => {
    const used = new Set(['VIP-AAAA-0001']);
    const one = selector.select(ann({ subject: 'VIP-AAAA-0001', couponUsed: used }));
    expect(one.couponRejected?.reason).toBe('already-used');
    expect(one.level).toBe('commercial');
    const two = selector.select(ann({ subject: 'VIP-AAAA-0001', body: 'or VIP-AAAA-0002', couponUsed: (c) => used.has(c) }));
    expect(two.coupon?.code).toBe('VIP-AAAA-0002');
    expect(two.couponRejected).toBeUndefined();
  });

  it('with coupons switched off a code is neither used nor refused', () => {
    const s = compileSelection(withSelection({ vip_coupons: false })).select(ann({ subject: 'VIP-AAAA-0001' }));
    expect(s.level).toBe('commercial');
    expect(s.coupon).toBeUndefined();
    expect(s.couponRejected).toBeUndefined();
  });

  it('a code that does not change the level is kept, not spent', () => {
    const licences: SelectionLicence[] = OPTIONS.licences.map((l) =>
      l.key === 'BX-2002' ? { ...l, vip_coupons: { per_year: 2, codes: ['VIP-PPPP-0001'] } } : l,
    );
    const rules: SelectionRule[] = [
      { when: { 'licence.type': 'partner', 'licence.status': 'active' }, level: 'partner' },
      { when: { coupon: 'vip' }, level: 'vip' },
      { when: { coupon: true, 'licence.type': 'commercial' }, level: 'commercial' },
      { when: { 'licence.type': 'commercial' }, level: 'commercial' },
      { otherwise: true, level: 'non-commercial' },
    ];
    const sel = compileSelection({ ...OPTIONS, licences, rules });
    const partner = sel.select({ from: 'x@partner.example', at: NOON, subject: 'VIP-PPPP-0001' });
    expect(partner).toMatchObject({ level: 'partner', rule: 0, couponRejected: { reason: 'not-needed', code: 'VIP-PPPP-0001' } });
    expect(partner.coupon).toBeUndefined();
    expect(partner.couponRejected?.text.en).toBe('VIP coupon VIP-PPPP-0001 was not used: the request gets its service level without it, so the coupon is kept.');
  });

  it('two rules naming the same level: the coupon is still kept, and the rule is the one without it', () => {
    const rules: SelectionRule[] = [
      { when: { coupon: 'vip' }, level: 'commercial' },
      { when: { 'licence.type': 'commercial' }, level: 'commercial' },
    ];
    const s = compileSelection({ ...OPTIONS, rules }).select(ann({ subject: 'VIP-AAAA-0001' }));
    expect(s).toMatchObject({ level: 'commercial', rule: 1, couponRejected: { reason: 'not-needed' } });
  });

  it('coupon: none matches only when no valid coupon applies', () => {
    const rules: SelectionRule[] = [
      { when: { coupon: 'none', 'licence.type': 'commercial' }, level: 'commercial' },
      { when: { coupon: 'vip' }, level: 'vip' },
    ];
    const sel = compileSelection({ ...OPTIONS, rules });
    expect(sel.select(ann({})).level).toBe('commercial');
    expect(sel.select(ann({ subject: 'VIP-AAAA-0001' })).level).toBe('vip');
  });

  it('a licence identified by its quoted number may use its own coupon', () => {
    const licences: SelectionLicence[] = OPTIONS.licences.map((l) =>
      l.key === 'BX-7007' ? { ...l, vip_coupons: { per_year: 1, codes: ['VIP-BBBB-0001'] } } : l,
    );
    const sel = compileSelection({ ...OPTIONS, licences, selection: { ...OPTIONS.selection, licence_from_message: true } });
    const s = sel.select({ from: 'who@anywhere.example', at: NOON, subject: 'BX-7007 VIP-BBBB-0001' });
    expect(s.level).toBe('vip');
    expect(s.coupon).toMatchObject({ code: 'VIP-BBBB-0001', licenceKey: 'BX-7007', usedThisYear: 1, perYear: 1 });
  });

  it('a licence with a quota of zero never spends a coupon', () => {
    const licences: SelectionLicence[] = OPTIONS.licences.map((l) =>
      l.key === 'BX-1001' ? { ...l, vip_coupons: { per_year: 0, codes: ['VIP-AAAA-0001'] } } : l,
    );
    const s = compileSelection({ ...OPTIONS, licences }).select(ann({ subject: 'VIP-AAAA-0001' }));
    expect(s.couponRejected?.reason).toBe('quota-exhausted');
    expect(s.level).toBe('commercial');
  });
});
