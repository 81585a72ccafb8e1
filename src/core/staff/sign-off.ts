/**
 * A sign-off block ends a staff reply and is cut before the relay: only a block at the very end,
 * never a sign-off-like phrase inside real text. A block is one sign-off line ("С уважением,",
 * "Mit freundlichen Grüßen", "Thanks,") with real text above it and, below it, nothing or a few
 * short lines that look like a signature (a name, a title, a phone number, an address), never a
 * sentence that carries on.
 *
 * email-reply-parser already hides a signature it recognises (the English "Regards," family), but
 * its list is English and fixed and it cuts such a line wherever it stands; this table covers en,
 * ru and de alike and keeps the end-only rule, so the three languages are cut the same way.
 */

interface SignOff {
  readonly phrase: RegExp;
  /**
   * Whether the phrase is a sign-off only when alone on its line with at most a comma ("Thanks,"
   * and "Спасибо," also start real sentences: "Спасибо, что написали", "Thanks!" as a closing line).
   */
  readonly bare: boolean;
}

// Whole phrases, matched case-insensitively at the start of a line.
const SIGN_OFFS: readonly SignOff[] = [
  // en
  { phrase: /(?:(?:best|kind|warm|warmest|many|with best)\s+)?regards/, bare: false },
  { phrase: /best wishes|all the best|best|cheers|sincerely|yours(?:\s+(?:sincerely|truly|faithfully))?|respectfully/, bare: false },
  { phrase: /(?:many\s+)?thanks(?:\s+(?:again|in advance))?|thank you|thx/, bare: true },
  // ru
  { phrase: /с\s+(?:(?:наилучшими|лучшими)\s+пожеланиями|(?:глубоким\s+)?уважением)|всего\s+(?:доброго|хорошего|наилучшего)|искренне\s+ваш/, bare: false },
  { phrase: /(?:заранее\s+)?(?:большое\s+)?спасибо(?:\s+заранее)?|благодарю/, bare: true },
  // de
  { phrase: /(?:mit\s+)?(?:freundlichen|besten|herzlichen|lieben|sonnigen)\s+grü(?:ß|ss)en|(?:viele|beste|liebe|herzliche|freundliche|schöne)\s+grü(?:ß|ss)e|grü(?:ß|ss)e|mfg|lg|vg|hochachtungsvoll/, bare: false },
  { phrase: /danke(?:\s+schön)?|(?:vielen\s+)?dank(?:\s+im\s+voraus)?/, bare: true },
];

// A plain signature delimiter: RFC 3676 "-- " and the forms mail programs and autocorrect make of it.
const DELIMITER = /^\s*(?:-{2,3}|[–—])[ \t\u00a0]*$/u;

// Alternatives are listed longest first where one starts another ("best wishes" before "best"):
// the phrase is matched on its own (case-insensitively) and what follows it is checked apart.
const PHRASES: readonly { start: RegExp; bare: boolean }[] = SIGN_OFFS.map((s) => ({
  start: new RegExp(`^\\s*(?:${s.phrase.source})`, 'iu'),
  bare: s.bare,
}));
const BARE_REST = /^\s*,?\s*$/;
// A name may follow a sign-off that is never a sentence start: "С уважением, Иван", "Best regards - Eve".
const NAMED_REST = /^\s*(?:[,.!]\s*|[,–—-]\s*\p{Lu}[^\n]{0,40})?$/u;

/** At most this many lines below a sign-off: a name, a title, a company, phone, mail, web. */
const MAX_SIGNATURE_LINES = 6;
const MAX_SIGNATURE_LINE_CHARS = 60;
// A signature line starts like a name, a number or an address, and does not ask or announce.
const SIGNATURE_LINE = /^\s*(?:[\p{Lu}\d+(«"]|[\w.+-]+@|https?:\/\/|www\.)[^\n]*?(?<![?!:;])\s*$/u;
// A sentence, not a signature line: five words or more with a full stop ("We have fixed it, retry.").
const SENTENCE = /^(?=(?:\S+\s+){4}\S)[^\n]*[.!?](?:\s|$)/u;

function isSignOffLine(line: string): boolean {
  if (DELIMITER.test(line)) return true;
  return PHRASES.some(({ start, bare }) => {
    const m = start.exec(line);
    return m !== null && (bare ? BARE_REST : NAMED_REST).test(line.slice(m[0].length));
  });
}

/** The text without its closing sign-off block; unchanged when there is none (see the module comment). */
export function cutSignOff(text: string): string {
  const lines = text.split('\n');
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  // Walk up from the end over lines that could be a signature until a sign-off line is found.
  for (let i = end - 1, below = 0; i >= 0 && below <= MAX_SIGNATURE_LINES; i--) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (isSignOffLine(line)) {
      const above = lines.slice(0, i);
      if (!above.some((l) => l.trim() !== '')) return text;
      return above.join('\n').replace(/\s+$/, '');
    }
    if (line.length > MAX_SIGNATURE_LINE_CHARS || !SIGNATURE_LINE.test(line) || SENTENCE.test(line.trim())) return text;
    below++;
  }
  return text;
}
