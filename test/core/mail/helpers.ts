import { expect } from 'vitest';
import { isTidingsError, type ErrorCode } from '../../../src/errors.js';

export function expectCode(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isTidingsError(thrown, code), `expected TidingsError ${code}, got ${String(thrown)}`).toBe(true);
}

export async function expectCodeAsync(fn: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  expect(isTidingsError(thrown, code), `expected TidingsError ${code}, got ${String(thrown)}`).toBe(true);
}
