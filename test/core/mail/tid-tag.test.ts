import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripReplyPrefixes } from '../../../src/core/mail/reply-prefix.js';
import { DEFAULT_TID_PREFIX, formatTidTag, parseTidFromSubject, stripTag, subjectWithTag } from '../../../src/core/mail/tid-tag.js';
import { expectCode } from './helpers.js';

describe('formatTidTag', () => {
  it('uses the default prefix', () => {
    expect(DEFAULT_TID_PREFIX).toBe('TID#');
    expect(formatTidTag(123)).toBe('[TID#123]');
  });
  it('uses a configured prefix', () => expect(formatTidTag(7, 'Заявка№')).toBe('[Заявка№7]'));
  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses ticket number %s', (tid) => {
    expectCode(() => formatTidTag(tid), 'E_TID_INVALID');
  });
  it.each(['', 'TID #', 'T[ID', 'TID]', 'x'.repeat(33)])('refuses prefix %j', (prefix) => {
    expectCode(() => formatTidTag(1, prefix), 'E_TID_PREFIX_INVALID');
  });
});

describe('parseTidFromSubject', () => {
  it.each<[string, number | undefined]>([
    ['[TID#123] Printer broken', 123],
    ['Re: [TID#123] Printer broken', 123],
    ['RE: [TID#123] Printer broken', 123],
    ['Fwd: [TID#123] Printer broken', 123],
    ['FW: [TID#123] Printer broken', 123],
    ['AW: [TID#123] Drucker defekt', 123],
    ['WG: [TID#123] Drucker defekt', 123],
    ['SV: [TID#123] Skrivare', 123],
    ['VS: [TID#123] Tulostin', 123],
    ['Antw: [TID#123] Printer', 123],
    ['Ответ: [TID#123] Принтер не печатает', 123],
    ['Отв: [TID#123] Принтер не печатает', 123],
    ['RE[2]: [TID#123] Printer broken', 123],
    ['Re: Re: Fwd: AW: [TID#123] x', 123],
    ['Printer broken [TID#123]', 123],
    ['Printer [TID#123] broken', 123],
    ['[tid#123] lower-case prefix', 123],
    ['[Tid#123] mixed case', 123],
    ['[TID# 123] space after the prefix', 123],
    ['[ TID#123 ] spaces inside the brackets', 123],
    ['[TID#0042] leading zeros', 42],
    ['[TID#123] Re: [TID#123] repeated tag', 123],
    ['[TID#9] Re: [TID#5] two tickets: the leftmost is the newest', 9],
    ['[TID#0] Re: [TID#5] a zero tag is skipped', 5],
    ['No tag here', undefined],
    ['TID#123 without brackets', undefined],
    ['[TID#] no number', undefined],
    ['[TID#12a] not a number', undefined],
    ['[TID#9007199254740991] the largest safe integer', 9007199254740991],
    ['[TID#9007199254740992] past the largest safe integer', undefined],
    ['[TID#12345678901234567] too long to be ours', undefined],
    ['[OTHER#123] another system', undefined],
    ['', undefined],
  ])('%j gives %s', (subject, tid) => {
    expect(parseTidFromSubject(subject)).toBe(tid);
  });

  it('matches a configured prefix case-insensitively, including Cyrillic', () => {
    expect(parseTidFromSubject('Ответ: [ЗАЯВКА№55] Принтер', 'Заявка№')).toBe(55);
    expect(parseTidFromSubject('Re: [TID#55] Printer', 'Заявка№')).toBeUndefined();
  });

  it('treats regular-expression characters in the prefix literally', () => {
    expect(parseTidFromSubject('[T.I.D+7] x', 'T.I.D+')).toBe(7);
    expect(parseTidFromSubject('[TxIxD+7] x', 'T.I.D+')).toBeUndefined();
  });
});

describe('stripReplyPrefixes', () => {
  it.each<[string, string]>([
    ['Re: x', 'x'],
    ['RE: Fwd: AW: WG: SV: VS: Antw: x', 'x'],
    ['Ответ: Отв: x', 'x'],
    ['Re[3]: Re(2): Re^4: x', 'x'],
    ['Re : x', 'x'],
    ['Re：x', 'x'],
    ['Reply to the question', 'Reply to the question'],
    ['Regarding: x', 'Regarding: x'],
    ['x Re: y', 'x Re: y'],
  ])('%j gives %j', (subject, expected) => expect(stripReplyPrefixes(subject)).toBe(expected));
});

describe('stripTag', () => {
  it.each<[string, string]>([
    ['[TID#1] Printer', 'Printer'],
    ['Re: [TID#1] Printer [tid#2]', 'Re: Printer'],
    ['Printer\r\n  broken', 'Printer broken'],
    ['[TID#[TID#1]2] nested', 'nested'],
  ])('%j gives %j', (subject, expected) => expect(stripTag(subject)).toBe(expected));
});

describe('subjectWithTag', () => {
  it.each<[string, string]>([
    ['Printer broken', '[TID#7] Printer broken'],
    ['Re: Printer broken', '[TID#7] Printer broken'],
    ['Re: [TID#7] Printer broken', '[TID#7] Printer broken'],
    ['[TID#7] Re: Printer broken', '[TID#7] Printer broken'],
    ['Re: [TID#3] Fwd: Printer broken', '[TID#7] Printer broken'],
    ['Ответ: [TID#7] Принтер', '[TID#7] Принтер'],
    ['Printer [TID#7] broken', '[TID#7] Printer broken'],
    ['', '[TID#7]'],
    ['Re:', '[TID#7]'],
    ['  Multi\nline\tsubject  ', '[TID#7] Multi line subject'],
  ])('%j gives %j', (original, expected) => expect(subjectWithTag(7, original)).toBe(expected));

  it('uses the configured prefix and leaves other prefixes alone', () => {
    expect(subjectWithTag(8, 'Re: [TID#3] x', 'REQ-')).toBe('[REQ-8] [TID#3] x');
  });
});

describe('properties', () => {
  const subject = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('Re: [TID#5] x', '[TID#[TID#1]2]', 'Ответ: [tid# 9] y'));
  const tid = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  const prefix = fc.constantFrom('TID#', 'REQ-', 'Заявка№', 'T.I.D+', '#');

  it('the tag put in is the tag read back', () => {
    fc.assert(fc.property(tid, subject, prefix, (t, s, p) => parseTidFromSubject(subjectWithTag(t, s, p), p) === t));
  });

  it('tagging twice changes nothing (no doubled tag)', () => {
    fc.assert(
      fc.property(tid, subject, prefix, (t, s, p) => {
        const once = subjectWithTag(t, s, p);
        return subjectWithTag(t, once, p) === once;
      }),
    );
  });

  it('stripping the tag leaves no tag to parse', () => {
    fc.assert(fc.property(tid, subject, prefix, (t, s, p) => parseTidFromSubject(stripTag(subjectWithTag(t, s, p), p), p) === undefined));
  });

  it('a tagged subject is a single line', () => {
    fc.assert(fc.property(tid, subject, (t, s) => !/[\r\n]/.test(subjectWithTag(t, s))));
  });
});
