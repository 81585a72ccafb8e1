import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSelection } from '../../../src/core/selection/select-level.js';
import type { SelectionInput } from '../../../src/core/selection/selection-input.js';
import { at, LEVELS, LICENCES, OPTIONS, withSelection } from './fixtures.js';

const SENDERS = [
  'ann@client.example',
  'ivan@пример.рф',
  'x@partner.example',
  'y@eu.partner.example',
  'boss@delta.example',
  'clerk@delta.example',
  'it@ops.delta.example',
  'dev@eu.gamma.example',
  'e@echo.example',
  'who@nowhere.example',
];
const CODES = LICENCES.flatMap((l) => l.vip_coupons?.codes ?? []);
const WORDS = [
  ...CODES,
  ...LICENCES.map((l) => l.key),
  'СРОЧНО',
  'срочно',
  'несрочно',
  'VIP-AAAA-00011',
  'BX-70071',
  'licence',
  'help',
  '!',
  '—',
  '\n',
];

const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }).map((w) => w.join(' '));
const flips = fc.array(fc.boolean(), { minLength: 40, maxLength: 40 });
const instant = fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2028-12-31T23:59:59Z') });
const uses = fc.dictionary(fc.constantFrom(...LICENCES.map((l) => l.key)), fc.integer({ min: 0, max: 6 }));
const used = fc.subarray(CODES);
const switches = fc.record({ licence_from_message: fc.boolean(), vip_coupons: fc.boolean() });

function flipCase(s: string, f: readonly boolean[]): string {
  return [...s].map((ch, i) => (f[i % f.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');
}

const input = fc.record({
  from: fc.constantFrom(...SENDERS),
  at: instant,
  subject: text,
  body: text,
  uses,
  used,
});

function inputOf(r: { from: string; at: number; subject: string; body: string; uses: Record<string, number>; used: string[] }): SelectionInput {
  return {
    from: r.from,
    at: r.at,
    subject: r.subject,
    body: r.body,
    couponUsesThisYear: new Map(Object.entries(r.uses)),
    couponUsed: new Set(r.used),
  };
}

describe('selection properties', () => {
  it('is deterministic and blind to the case of the sender address', () => {
    fc.assert(
      fc.property(switches, input, flips, (sw, r, f) => {
        const sel = compileSelection(withSelection(sw));
        const base = sel.select(inputOf(r));
        expect(sel.select(inputOf(r))).toEqual(base);
        expect(sel.select({ ...inputOf(r), from: flipCase(r.from, f) })).toEqual(base);
        expect(compileSelection(withSelection(sw)).select({ ...inputOf(r), from: `Someone <${r.from.toUpperCase()}>` })).toEqual(base);
      }),
      { numRuns: 300 },
    );
  });

  it('always names a configured level, and a commercial one only for an active licence (4.9)', () => {
    const levels = new Set<string>(LEVELS);
    fc.assert(
      fc.property(switches, input, (sw, r) => {
        const s = compileSelection(withSelection(sw)).select(inputOf(r));
        expect(levels.has(s.level)).toBe(true);
        if (s.licenceStatus !== 'active') expect(s.level).toBe('non-commercial');
        // In this profile every reduced answer is the non-commercial level, and only those are explained to the client.
        expect(s.reason.tellClient).toBe(s.level === 'non-commercial');
        if (s.licence?.matchedBy === 'message') {
          const lic = LICENCES.find((l) => l.key === s.licence?.key)!;
          expect(lic.emails.length + lic.domains.length).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a coupon is spent only from the sender’s own active licence, unused, within quota', () => {
    fc.assert(
      fc.property(input, (r) => {
        const s = compileSelection(withSelection({ vip_coupons: true, licence_from_message: true })).select(inputOf(r));
        if (!s.coupon) return;
        expect(s.level).toBe('vip');
        expect(s.licenceStatus).toBe('active');
        expect(s.coupon.licenceKey).toBe(s.licence?.key);
        expect(r.used).not.toContain(s.coupon.code);
        expect(s.coupon.usedThisYear).toBe((r.uses[s.coupon.licenceKey] ?? 0) + 1);
        expect(s.coupon.usedThisYear).toBeLessThanOrEqual(s.coupon.perYear);
        expect(`${r.subject} ${r.body}`.toLowerCase()).toContain(s.coupon.code.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });
});

it('the fixture options are not mutated by compiling or selecting', () => {
  const before = JSON.stringify(OPTIONS);
  compileSelection(OPTIONS).select({ from: 'ann@client.example', at: at('2026-06-17T12:00:00Z'), subject: 'VIP-AAAA-0001' });
  expect(JSON.stringify(OPTIONS)).toBe(before);
});
