import { describe, expect, it } from 'vitest';
import { createRandomPool } from '../../src/app/random-pool.js';

describe('createRandomPool', () => {
  it('hands out the requested number of bytes, across block boundaries and beyond a block', () => {
    const take = createRandomPool(64);
    for (const n of [0, 1, 10, 10, 10, 10, 10, 10, 10, 63, 64, 65, 1000]) expect(take(n).length).toBe(n);
  });

  it('never hands out the same bytes twice and never changes bytes already handed out', () => {
    const take = createRandomPool(32);
    const seen = new Set<string>();
    const kept: Array<{ view: Uint8Array; copy: string }> = [];
    for (let i = 0; i < 2000; i++) {
      const view = take(10);
      const hex = Buffer.from(view).toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
      kept.push({ view, copy: hex });
    }
    // 2000 × 10 bytes used many blocks: the early views still hold what they held.
    for (const k of kept) expect(Buffer.from(k.view).toString('hex')).toBe(k.copy);
  });

  it('looks random: every byte value turns up, none dominates', () => {
    const take = createRandomPool();
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 10_000; i++) for (const b of take(10)) counts[b]! += 1;
    // 100,000 bytes: about 390 of each value; a stuck or zero-filled pool fails this by far.
    expect(Math.min(...counts)).toBeGreaterThan(250);
    expect(Math.max(...counts)).toBeLessThan(550);
  });

  it('refuses a negative or fractional count', () => {
    const take = createRandomPool();
    expect(() => take(-1)).toThrow(RangeError);
    expect(() => take(1.5)).toThrow(RangeError);
  });
});
