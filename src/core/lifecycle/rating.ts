/**
 * A client's rating after the closing mail: "Rating: 4", "Оценка: 5", "rating 3/5", or a bare
 * digit 1-5 as the whole first line. Only the first non-empty line counts, so a number in a
 * longer text (a new question) is not taken for a rating.
 */
export function parseRating(visibleText: string): number | undefined {
  const first = visibleText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (first === undefined) return undefined;
  const m = /^(?:(?:rating|оценка|score)\s*[:=-]?\s*)?([1-5])(?:\s*(?:\/\s*5|из\s*5|of\s*5))?\s*[.!]?$/iu.exec(first);
  return m ? Number(m[1]) : undefined;
}
