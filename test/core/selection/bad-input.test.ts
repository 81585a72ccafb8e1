import { describe, expect, it } from 'vitest';
import { checkSelectionOptions } from '../../../src/core/selection/check-selection.js';
import { compileSelection } from '../../../src/core/selection/select-level.js';
import type { SelectionRule } from '../../../src/core/selection/selection-options.js';
import { tryNormalizeAddress } from '../../../src/core/selection/sender-address.js';
import { isTidingsError, type ErrorCode } from '../../../src/errors.js';
import { NOON, OPTIONS, withSelection } from './fixtures.js';

function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isTidingsError(thrown, code), `expected TidingsError ${code}, got ${String(thrown)}`).toBe(true);
}

const selector = compileSelection(OPTIONS);

describe('invalid sender', () => {
  it.each([
    '',
    '   ',
    'ann',
    'ann@',
    '@client.example',
    'a b@client.example',
    '.ann@client.example',
    'ann.@client.example',
    'an..n@client.example',
    'ann@client..example',
    'ann@-client.example',
    'ann@client.example.',
    'ann@[192.0.2.1]',
    'ann@192.0.2.1',
    'ann@42',
    'ann@cli%65nt.example',
    '"ann smith"@client.example',
    'Ann <>',
    `${'a'.repeat(65)}@client.example`,
    `ann@${'a'.repeat(250)}.example`,
  ])('%j is E_ADDRESS_INVALID', (from) => {
    expectCode(() => selector.select({ from, at: NOON }), 'E_ADDRESS_INVALID');
  });

  it('a non-string sender is E_ADDRESS_INVALID, not a crash', () => {
    expectCode(() => selector.select({ from: 42 as unknown as string, at: NOON }), 'E_ADDRESS_INVALID');
  });

  it.each([
    ['First.Last+tag@Sub.Client.Example', 'first.last+tag@sub.client.example'],
    ["o'brien@client.example", "o'brien@client.example"],
    ['Иван@Пример.РФ', 'иван@xn--e1afmkfd.xn--p1ai'],
    ['"Smith, Ann" <ann@client.example>', 'ann@client.example'],
    // An intranet host is a sender like any other (issue 13 item 8); only licence domains need a dot.
    ['Root@LocalHost', 'root@localhost'],
  ])('%j is accepted as %j', (from, sender) => {
    expect(tryNormalizeAddress(from)).toBe(sender);
  });
});

describe('invalid instant', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, 9e15])('at %s is E_INSTANT_INVALID', (t) => {
    expectCode(() => selector.select({ from: 'ann@client.example', at: t }), 'E_INSTANT_INVALID');
  });
});

describe('config that would give a wrong answer is refused', () => {
  it('a rule naming an unknown level is E_LEVEL_UNKNOWN', () => {
    const rules: SelectionRule[] = [...OPTIONS.rules, { otherwise: true, level: 'platinum' }];
    expectCode(() => compileSelection({ ...OPTIONS, rules }), 'E_LEVEL_UNKNOWN');
  });

  it('an unknown fallback level is E_LEVEL_UNKNOWN', () => {
    expectCode(() => compileSelection(withSelection({ fallback_level: 'gold' })), 'E_LEVEL_UNKNOWN');
  });

  it('every problem is listed with its path', () => {
    const rules: SelectionRule[] = [
      { when: { 'licence.status': 'activ' }, level: 'commercial' },
      { when: { coupon: 'gold', urgent: 'yes' }, level: 'nope' },
      { level: 'commercial' },
      { when: { urgent: true }, otherwise: true, level: 'commercial' },
    ];
    const issues = checkSelectionOptions({ ...OPTIONS, rules, zone: 'Mars/Olympus' });
    expect(issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['zone', 'E_ZONE_INVALID'],
      ['rules.0.when.licence.status', 'E_CONFIG_INVALID'],
      ['rules.1.level', 'E_LEVEL_UNKNOWN'],
      ['rules.1.when.coupon', 'E_CONFIG_INVALID'],
      ['rules.1.when.urgent', 'E_CONFIG_INVALID'],
      ['rules.2', 'E_CONFIG_INVALID'],
      ['rules.3', 'E_CONFIG_INVALID'],
    ]);
    expect(issues[1]?.message).toBe('licence.status is active, expired or none, not "activ"');
  });

  it('compiling reports the first problem’s code and all problems in details', () => {
    let thrown: unknown;
    try {
      compileSelection({ ...OPTIONS, rules: [{ when: { 'licence.status': 'activ' }, level: 'commercial' }] });
    } catch (err) {
      thrown = err;
    }
    expect(isTidingsError(thrown, 'E_CONFIG_INVALID')).toBe(true);
    expect((thrown as Error).message).toContain('rules.0.when.licence.status');
  });

  it('an unknown zone is E_ZONE_INVALID', () => {
    expectCode(() => compileSelection({ ...OPTIONS, zone: 'Mars/Olympus' }), 'E_ZONE_INVALID');
  });

  it('bad licence data is reported: date, address, domain, quota, blank coupon, blank marker', () => {
    const bad = {
      ...OPTIONS.licences[0]!,
      support_until: '2026-02-30',
      emails: ['not-an-address'],
      domains: ['*.', 'ok.example'],
      vip_coupons: { per_year: -1, codes: [' '] },
    };
    const issues = checkSelectionOptions({ ...OPTIONS, licences: [bad], selection: { ...OPTIONS.selection, urgent_marker: '  ' } });
    expect(issues.map((i) => i.path.join('.'))).toEqual([
      'selection.urgent_marker',
      'licences.0.support_until',
      'licences.0.emails.0',
      'licences.0.domains.0',
      'licences.0.vip_coupons.per_year',
      'licences.0.vip_coupons.codes.0',
    ]);
  });

  it('the fixture profile has no problems', () => {
    expect(checkSelectionOptions(OPTIONS)).toEqual([]);
  });
});
