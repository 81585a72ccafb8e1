import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { isTidingsError, type ErrorCode } from '../../../src/errors.js';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** Epoch ms of a literal ISO instant with offset; rejects typos instead of yielding NaN. */
export function at(iso: string): number {
  const ms = DateTime.fromISO(iso, { setZone: true }).toMillis();
  if (!Number.isFinite(ms)) throw new Error(`bad ISO literal in test: ${iso}`);
  return ms;
}

/** An instant as local ISO with offset, the form the expected values are written in. */
export function local(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? `invalid(${ms})`;
}

export function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isTidingsError(thrown, code), `expected TidingsError ${code}, got ${String(thrown)}`).toBe(true);
}
