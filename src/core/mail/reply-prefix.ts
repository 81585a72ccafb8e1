/**
 * Reply and forward markers that mail clients put in front of a subject, in the languages our
 * clients write in. Left out on purpose because a real subject may start that way: single letters
 * (Italian "R:", "I:") and words such as "Ref:".
 */
const MARKERS = [
  're', 'fw', 'fwd', // English, and what most clients use everywhere
  'aw', 'wg', 'antwort', // German (Antwort, Weitergeleitet)
  'sv', 'vs', 'vl', // Scandinavian and Finnish (svar, vastaus, välitetty)
  'antw', 'doorst', // Dutch
  'tr', // French Outlook (transféré; its reply marker is RE)
  'rif', 'res', 'enc', // Italian riferimento, Portuguese resposta / encaminhado
  'odp', 'pd', // Polish
  'ynt', 'ilt', // Turkish
  'ответ', 'отв', 'пересл', // Russian clients (The Bat!, Outlook in Russian)
];

// A marker, an optional counter such as RE[2]: Re(3): Re^2:, then a colon (ASCII or full width).
const LEADING_MARKER = new RegExp(`^\\s*(?:${MARKERS.join('|')})\\s*(?:\\[\\d{1,4}\\]|\\(\\d{1,4}\\)|\\^\\d{1,4})?\\s*[:：]`, 'iu');

/** Removes every leading reply or forward marker: "Re: AW: Fwd: x" gives "x". */
export function stripReplyPrefixes(subject: string): string {
  let rest = subject;
  for (;;) {
    const m = LEADING_MARKER.exec(rest);
    if (m === null) return rest.trimStart();
    rest = rest.slice(m[0].length);
  }
}
