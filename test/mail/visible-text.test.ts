import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/mail/parse-message.js';
import { parserVisibleText, plainVisibleText, replyPatternsLoaded, visibleText } from '../../src/mail/visible-text.js';
import { CORPUS_DIR, corpusPresent, filesUnder } from '../support/corpus.js';

/**
 * visibleText() answers the commonest shape of mail (no quotes, no quote header, maybe a
 * signature) without running email-reply-parser. Wherever it takes that shortcut its answer must
 * be the parser's, character for character.
 */
const corpusDir = CORPUS_DIR;


const BODY = 'Our nightly export stopped with a timeout.\nCould you check the proxy settings?';

describe('visibleText', () => {
  it('loads the parser patterns it needs for the shortcut', () => {
    expect(replyPatternsLoaded()).toBe(true);
  });

  it.each([
    ['plain text', `Hello,\n\n${BODY}  \n\nThanks`, `Hello,\n\n${BODY}\n\nThanks`],
    ['a "-- " signature', `Hello,\n\n${BODY}\n\n-- \nAnna Schmidt\nacme.example`, `Hello,\n\n${BODY}`],
    ['Sent from my phone', `${BODY}\n\nSent from my iPhone`, BODY],
    ['CRLF line ends', `${BODY.replace(/\n/g, '\r\n')}\r\n-- \r\nAnna`, BODY],
  ])('%s: the shortcut answers, and answers like the parser', (_name, text, expected) => {
    expect(plainVisibleText(text)).toBe(parserVisibleText(text));
    expect(visibleText(text)).toBe(expected);
  });

  it.each([
    ['a quoted reply', `Thanks, that worked.\n\nOn Mon, 2 Mar 2026 at 10:00, Desk <support@desk.example> wrote:\n> ${BODY}`],
    ['a quoted line', `See below.\n> ${BODY}`],
    ['an Outlook original message', `Fine.\n\n-----Original Message-----\nFrom: Desk\n${BODY}`],
    ['a signature on the first line', `-- \n${BODY}`],
  ])('%s: left to the parser', (_name, text) => {
    expect(plainVisibleText(text)).toBeUndefined();
  });

  it('removes the quote of a reply (through the parser)', () => {
    const quoted = BODY.split('\n').map((l) => `> ${l}`).join('\n');
    const text = `Thanks, that worked.\n\nOn Mon, 2 Mar 2026 at 10:00, Desk <support@desk.example> wrote:\n${quoted}`;
    expect(visibleText(text)).toBe('Thanks, that worked.');
  });

  it('agrees with the parser on random texts made of reply-like lines', () => {
    const line = fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        '-- ',
        '--',
        '__',
        '~~',
        'text~~',
        'Sent from my iPhone',
        'Best regards,',
        'Cheers',
        'Thanks',
        '> quoted',
        '>> deeper',
        ' > indented quote',
        'On Mon, Jan 5, 2026 at 9:00 AM Bob <bob@x.example> wrote:',
        'On Mon, Jan 5, 2026 at 9:00 AM Bob',
        '<bob@x.example> wrote:',
        'From: Bob <bob@x.example>',
        '-----Original Message-----',
        'Am 05.01.2026 um 09:00 schrieb Bob <bob@x.example>:',
        'Привет, вот лог:',
        '2026-01-05 09:00 GMT+01:00 Bob <bob@x.example>:',
      ),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol);
        const plain = plainVisibleText(text);
        if (plain !== undefined) expect(plain).toBe(parserVisibleText(text));
      }),
      { numRuns: 20000 },
    );
  });

  it.skipIf(!corpusPresent)('agrees with the parser on every text of the corpus', async () => {
    let shortcut = 0;
    let total = 0;
    for (const file of filesUnder(corpusDir)) {
      const raw = readFileSync(file);
      const texts = [raw.toString('utf8')];
      try {
        texts.push((await parseMessage(raw, { maxBytes: 25 * 1024 * 1024 })).text);
      } catch {
        // unparseable files still count as raw text
      }
      for (const text of texts) {
        if (text.length > 100_000) continue;
        total += 1;
        const plain = plainVisibleText(text);
        if (plain === undefined) continue;
        shortcut += 1;
        expect(plain, file).toBe(parserVisibleText(text));
      }
    }
    console.log(`visible text: ${shortcut} of ${total} corpus texts took the shortcut, all equal to the parser's answer`);
    expect(shortcut).toBeGreaterThan(100);
  });
});
