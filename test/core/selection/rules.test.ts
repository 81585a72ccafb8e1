import { describe, expect, it } from 'vitest';
import { compileSelection, selectLevel } from '../../../src/core/selection/select-level.js';
import type { SelectionRule } from '../../../src/core/selection/selection-options.js';
import { at, NOON, OPTIONS, withSelection } from './fixtures.js';

const selector = compileSelection(OPTIONS);

describe('rule order and the urgent marker (seed 002)', () => {
  it.each([
    ['partner, no marker', 'x@partner.example', 'Сайт не работает', 'partner', 2, false, 'licence-matched'],
    ['partner, marker', 'x@partner.example', 'СРОЧНО: сайт не работает', 'partner-urgent', 1, true, 'urgent'],
    ['partner, marker in lower case', 'x@partner.example', 'срочно, сайт лежит', 'partner-urgent', 1, true, 'urgent'],
    ['commercial, marker in brackets', 'ann@client.example', 'Re: [Срочно] 500 error', 'commercial-urgent', 4, true, 'urgent'],
    ['commercial, marker glued to a word', 'ann@client.example', 'НЕСРОЧНО: вопрос', 'commercial', 5, false, 'licence-matched'],
    ['enterprise: its rule comes first, urgent changes nothing', 'boss@delta.example', 'СРОЧНО', 'enterprise-vip', 3, true, 'licence-matched'],
    ['unknown sender: marker does not help', 'who@nowhere.example', 'СРОЧНО', 'non-commercial', 6, true, 'no-licence'],
    ['expired licence: marker does not help', 'dev@x.gamma.example', 'СРОЧНО', 'non-commercial', 6, true, 'support-expired'],
  ] as const)('%s', (_name, from, subject, level, rule, urgent, reason) => {
    const s = selector.select({ from, at: NOON, subject });
    expect({ level: s.level, rule: s.rule, urgent: s.urgent, reason: s.reason.code }).toEqual({ level, rule, urgent, reason });
  });

  it('the marker counts in the subject only', () => {
    const s = selector.select({ from: 'ann@client.example', at: NOON, subject: 'question', body: 'СРОЧНО!!!' });
    expect(s.urgent).toBe(false);
    expect(s.level).toBe('commercial');
  });

  it('with no marker configured nothing is urgent', () => {
    const s = compileSelection(withSelection({ urgent_marker: undefined })).select({ from: 'ann@client.example', at: NOON, subject: 'СРОЧНО' });
    expect(s.urgent).toBe(false);
    expect(s.level).toBe('commercial');
  });

  it('a punctuation marker is found even right after a word', () => {
    const s = compileSelection(withSelection({ urgent_marker: '!!!' })).select({ from: 'ann@client.example', at: NOON, subject: 'help!!!' });
    expect(s.urgent).toBe(true);
    expect(s.reason.text.en).toBe('The subject is marked urgent ("!!!").');
  });

  it('first match wins: swapping two rules swaps the answer', () => {
    const rules: SelectionRule[] = [
      { when: { 'licence.type': 'commercial' }, level: 'commercial' },
      { when: { 'licence.edition': ['premium', 'ultimate'] }, level: 'vip' },
      { otherwise: true, level: 'non-commercial' },
    ];
    const input = { from: 'ann@client.example', at: NOON };
    expect(selectLevel(input, { ...OPTIONS, rules })).toMatchObject({ level: 'commercial', rule: 0 });
    expect(selectLevel(input, { ...OPTIONS, rules: [rules[1]!, rules[0]!, rules[2]!] })).toMatchObject({ level: 'vip', rule: 0 });
  });

  it('no matching rule gives the fallback level, reported as rule "fallback"', () => {
    const rules: SelectionRule[] = [{ when: { 'licence.type': 'partner' }, level: 'partner' }];
    const s = selectLevel({ from: 'who@nowhere.example', at: NOON }, { ...OPTIONS, rules });
    expect(s).toMatchObject({ level: 'non-commercial', rule: 'fallback', reason: { code: 'no-licence' } });
    expect(s.reason.note).toBeUndefined();
  });

  it('a rule with "otherwise: true" matches anyone', () => {
    const rules: SelectionRule[] = [{ otherwise: true, level: 'non-product' }];
    expect(selectLevel({ from: 'ann@client.example', at: NOON }, { ...OPTIONS, rules })).toMatchObject({ level: 'non-product', rule: 0 });
  });

  it('licence.type: true asks for any licence, false for none', () => {
    const rules: SelectionRule[] = [
      { when: { 'licence.type': false }, level: 'non-product' },
      { when: { 'licence.type': true }, level: 'commercial' },
    ];
    expect(selectLevel({ from: 'who@nowhere.example', at: NOON }, { ...OPTIONS, rules }).level).toBe('non-product');
    expect(selectLevel({ from: 'dev@x.gamma.example', at: NOON }, { ...OPTIONS, rules }).level).toBe('commercial');
  });

  it('edition and type compare without case; arrays mean any of', () => {
    const rules: SelectionRule[] = [{ when: { 'licence.edition': ['ULTIMATE', 'premium'], 'licence.type': 'Commercial' }, level: 'vip' }];
    expect(selectLevel({ from: 'ann@client.example', at: NOON }, { ...OPTIONS, rules }).level).toBe('vip');
  });

  it('every condition of a rule must hold', () => {
    const rules: SelectionRule[] = [{ when: { 'licence.type': 'commercial', 'licence.edition': 'cloud' }, level: 'vip' }];
    expect(selectLevel({ from: 'ann@client.example', at: NOON }, { ...OPTIONS, rules }).level).toBe('non-commercial');
  });
});

describe('end of support in the desk’s zone', () => {
  // BX-4004 is supported through 2026-12-31, Moscow time (UTC+3).
  it.each([
    ['2026-12-31T23:59:59+03:00', 'active', 'enterprise-vip'],
    ['2026-12-31T21:00:00Z', 'expired', 'non-commercial'],
    ['2026-12-31T20:59:59Z', 'active', 'enterprise-vip'],
    ['2027-01-01T00:00:00+03:00', 'expired', 'non-commercial'],
  ] as const)('at %s the licence is %s', (iso, status, level) => {
    const s = selector.select({ from: 'boss@delta.example', at: at(iso) });
    expect(s.licenceStatus).toBe(status);
    expect(s.level).toBe(level);
  });

  it('the same instant read in UTC is still the last day', () => {
    const s = compileSelection({ ...OPTIONS, zone: 'UTC' }).select({ from: 'boss@delta.example', at: at('2026-12-31T21:00:00Z') });
    expect(s.licenceStatus).toBe('active');
  });
});
