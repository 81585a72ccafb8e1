import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTokenFinder, findInMessage } from '../../../src/core/selection/quoted-tokens.js';

/**
 * The boundary rule written out as one regex per token: the obvious implementation, too slow to
 * compile for thousands of licences, kept here as the reference the word scan must agree with.
 */
function reference(tokens: readonly string[]): (text: string) => string[] {
  const W = '[\\p{L}\\p{N}_]';
  const res = tokens.map((t) => {
    const esc = t.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const head = new RegExp(`^${W}`, 'u').test(t) ? `(?<!${W}|${W}[-.])` : '';
    const tail = new RegExp(`${W}$`, 'u').test(t) ? `(?!${W}|[-.]${W})` : '';
    return { t, re: new RegExp(`${head}${esc}${tail}`, 'iu') };
  });
  return (text) =>
    res
      .map(({ t, re }) => ({ t, at: re.exec(text.normalize('NFC'))?.index ?? -1 }))
      .filter((h) => h.at >= 0)
      .sort((a, b) => a.at - b.at)
      .map((h) => h.t);
}

describe('token finder', () => {
  const find = compileTokenFinder(['BX-1001', 'BX-1001-2', 'VIP.7', '[СРОЧНО]', '!!!', 'Йод']);

  it.each([
    ['BX-1001', ['BX-1001']],
    ['(bx-1001)', ['BX-1001']],
    ['licence BX-1001.', ['BX-1001']],
    ['licence BX-1001-', ['BX-1001']],
    ['BX-1001-2', ['BX-1001-2']],
    ['BX-10011', []],
    ['ABX-1001', []],
    ['x-BX-1001', []],
    ['x.BX-1001', []],
    ['BX-1001.5', []],
    ['BX-1001_', []],
    ['vip.7 and VIP.70', ['VIP.7']],
    ['Re: [срочно] Сайт', ['[СРОЧНО]']],
    ['help!!!', ['!!!']],
    ['БX-1001', []],
    ['йод', ['Йод']],
    ['и\u0306од', ['Йод']],
    ['BX-1001 then !!! then BX-1001 again [СРОЧНО]', ['BX-1001', '!!!', '[СРОЧНО]']],
    ['', []],
  ])('%j → %j', (text, expected) => {
    expect(find(text)).toEqual(expected);
  });

  it('an empty token list finds nothing, and blank tokens are ignored', () => {
    expect(compileTokenFinder([])('anything')).toEqual([]);
    expect(compileTokenFinder(['', '  '])('anything  ')).toEqual([]);
  });

  it('tokens equal up to case are reported as the first configured', () => {
    expect(compileTokenFinder(['Abc-1', 'ABC-1'])('abc-1')).toEqual(['Abc-1']);
  });

  it('subject hits come before body hits', () => {
    expect(findInMessage(find, 'x BX-1001-2', '!!! BX-1001 BX-1001-2')).toEqual(['BX-1001-2', '!!!', 'BX-1001']);
  });

  it('agrees with a per-token regex on random text', () => {
    const tokens = ['ab-1', 'ab-12', 'x.y', 'Q_1', '#77', 'n-a-b'];
    const finder = compileTokenFinder(tokens);
    const ref = reference(tokens);
    const piece = fc.constantFrom('ab', '-', '1', '2', '.', 'x', 'y', 'q_1', 'Q', '_', '#', '77', ' ', 'n', 'a', 'b', 'é', '\n', '..', '--');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const text = parts.join('');
        expect(finder(text)).toEqual(ref(text));
      }),
      { numRuns: 2000 },
    );
  });
});
