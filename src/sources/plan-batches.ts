/**
 * Splits pending mail (in source order) into batches of at most `maxCount` messages and, beyond
 * the first message of each, at most `maxBytes` bytes: a message larger than the limit still gets
 * a batch of its own, so none is ever left out.
 */
export function planBatches<T extends { size: number }>(pending: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const m of pending) {
    if (cur.length > 0 && (cur.length >= maxCount || bytes + m.size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += m.size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
