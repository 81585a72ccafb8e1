/**
 * Finds configured tokens (licence numbers, coupon codes, the urgent marker) in free text:
 * case-insensitive, and only as whole tokens, so coupon `VIP-7` is not found inside `VIP-77` and
 * the marker `urgent` not inside `nonurgent`.
 *
 * A letter, digit or `_` next to the token glues it to a word, and so does `-` or `.` followed by
 * one (`BX-1001-2`, `BX-1001.5`); a full stop or dash before a space still ends it, so
 * "licence BX-1001." counts. Boundaries apply only on a side where the token itself starts or ends
 * with a word character, so a marker like `!!!` is still found after a word.
 */
export type TokenFinder = (text: string) => string[];

const WORD = '[\\p{L}\\p{N}_]';
// A "word": word characters joined by single dashes or dots, taken as long as possible. A token
// of this shape matches exactly when it equals a whole word of the text, which is the boundary
// rule above, so the text is scanned once and each word looked up, whatever the number of tokens.
const WORDS = new RegExp(`${WORD}+(?:[-.]${WORD}+)*`, 'gu');
const WORD_SHAPED = new RegExp(`^${WORD}+(?:[-.]${WORD}+)*$`, 'u');
const BEFORE = `(?<!${WORD}|${WORD}[-.])`;
const AFTER = `(?!${WORD}|[-.]${WORD})`;
const WORD_CHAR = new RegExp(`^${WORD}$`, 'u');

// Only syntax characters: the `u` flag rejects needless escapes such as `\-`.
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function fold(text: string): string {
  // NFC first: a Cyrillic й typed as и + combining breve must still equal the configured й.
  return text.normalize('NFC').toLowerCase();
}

function pattern(token: string): string {
  const chars = [...token];
  const head = WORD_CHAR.test(chars[0] ?? '') ? BEFORE : '';
  const tail = WORD_CHAR.test(chars[chars.length - 1] ?? '') ? AFTER : '';
  return `${head}${escape(token)}${tail}`;
}

/**
 * Compiled once per config. Returns the tokens as configured, in order of first appearance, each
 * once. Tokens equal up to case collapse to the first one configured. Tokens of another shape
 * (`[URGENT]`, `!!!`, `A B`) are few and go through one alternation, longest first.
 */
export function compileTokenFinder(tokens: readonly string[]): TokenFinder {
  const canonical = new Map<string, string>();
  const odd: string[] = [];
  for (const t of tokens) {
    const key = fold(t.trim());
    if (key === '' || canonical.has(key)) continue;
    canonical.set(key, t);
    if (!WORD_SHAPED.test(key)) odd.push(key);
  }
  if (canonical.size === 0) return () => [];
  const oddRe =
    odd.length === 0
      ? undefined
      : new RegExp(
          odd
            .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0))
            .map(pattern)
            .join('|'),
          'giu',
        );
  return (raw) => {
    const text = raw.normalize('NFC');
    const hits: { at: number; token: string }[] = [];
    const collect = (re: RegExp): void => {
      for (const m of text.matchAll(re)) {
        // The regex folds case more widely than toLowerCase (ſ matches s); such a hit maps to no
        // configured token and is dropped rather than guessed.
        const token = canonical.get(fold(m[0]));
        if (token !== undefined) hits.push({ at: m.index, token });
      }
    };
    collect(WORDS);
    if (oddRe) collect(oddRe);
    if (oddRe) hits.sort((a, b) => a.at - b.at);
    const seen = new Set<string>();
    const found: string[] = [];
    for (const h of hits) {
      if (!seen.has(h.token)) {
        seen.add(h.token);
        found.push(h.token);
      }
    }
    return found;
  };
}

/** Tokens of the subject first, then of the body: the subject is what the client chose to stress. */
export function findInMessage(finder: TokenFinder, subject: string | undefined, body: string | undefined): string[] {
  const out = finder(subject ?? '');
  for (const t of finder(body ?? '')) if (!out.includes(t)) out.push(t);
  return out;
}
