/** The first batch of a Maildir scan or of an IMAP source's first window (see planBatches). */
export const FIRST_BATCH = 16;

/**
 * Splits pending mail (in source order) into batches of at most `maxCount` messages and, beyond
 * the first message of each, at most `maxBytes` bytes: a message larger than the limit still gets
 * a batch of its own, so none is ever left out.
 *
 * With `firstCount`, the first batch holds at most that many and each next one twice the one
 * before, up to `maxCount`: a backlog's first commit then waits for a few parses, not for a full
 * batch on a thread that is still loading and a JIT that is still cold, which is what lets a
 * daemon restarted in a crash loop make progress. Later batches are full, so throughput stays.
 */
export function planBatches<T extends { size: number }>(pending: readonly T[], maxCount: number, maxBytes: number, firstCount: number = maxCount): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  let limit = Math.max(1, Math.min(firstCount, maxCount));
  for (const m of pending) {
    if (cur.length > 0 && (cur.length >= limit || bytes + m.size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
      limit = Math.min(limit * 2, maxCount);
    }
    cur.push(m);
    bytes += m.size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
