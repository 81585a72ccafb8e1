/**
 * Small timing helpers shared by the sources: capped exponential backoff, a deadline (watchdog)
 * around a promise, and a sleeper that other events can cut short. Timers are injectable so the
 * helpers can be unit-tested without real waiting.
 */
import { TidingsError } from '../errors.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Global timers, deliberately not unref'd: while a source waits to reconnect it may be the only
 * thing keeping the daemon's event loop alive. stop() clears every one of them.
 */
export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface RetryPolicy {
  /** First wait after a failure, ms. */
  initialMs: number;
  /** The wait never grows beyond this, ms. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 60_000 };

/** Wait before attempt `failures + 1`: initial, 2×initial, 4×initial … capped at max. */
export function backoffDelay(failures: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const n = Math.max(0, Math.floor(failures));
  // 2 ** 40 is far beyond any cap and keeps the arithmetic finite
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n, 40));
}

/**
 * The watchdog: settles like `work`, unless `ms` pass first; then `onExpire` runs (e.g. closes the
 * socket so the stuck command fails too) and the result rejects with E_SOURCE_UNAVAILABLE. A later
 * rejection of `work` is swallowed, so an abandoned command never becomes an unhandled rejection.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onExpire: () => void, what: string, timers: Timers = REAL_TIMERS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = timers.setTimeout(() => {
      if (settled) return;
      settled = true;
      try {
        onExpire();
      } catch {
        // the deadline error below is what matters
      }
      reject(new TidingsError('E_SOURCE_UNAVAILABLE', `${what} did not finish within ${ms} ms`, { details: { what, timeoutMs: ms, watchdog: true } }));
    }, ms);
    work.then(
      (v) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** True for the error withDeadline() rejects with. */
export function isDeadlineError(err: unknown): boolean {
  return err instanceof TidingsError && err.code === 'E_SOURCE_UNAVAILABLE' && err.details.watchdog === true;
}

/**
 * A sleep that `wake()` can end early. A wake that comes while nobody sleeps is remembered, so
 * the next sleep returns at once (no lost notifications between "checked" and "started waiting").
 */
export class Alarm {
  private pending = false;
  private current: (() => void) | undefined;

  constructor(private readonly timers: Timers = REAL_TIMERS) {}

  wake(): void {
    this.pending = true;
    const c = this.current;
    this.current = undefined;
    c?.();
  }

  /** Forgets a remembered wake-up. */
  clear(): void {
    this.pending = false;
  }

  /** Resolves 'woken' on wake() (or a remembered one), 'timeout' after ms. */
  sleep(ms: number): Promise<'woken' | 'timeout'> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve('woken');
    }
    return new Promise((resolve) => {
      const done = (how: 'woken' | 'timeout'): void => {
        if (this.current === onWake) this.current = undefined;
        if (how === 'woken') this.pending = false;
        timers.clearTimeout(handle);
        resolve(how);
      };
      const onWake = (): void => done('woken');
      const timers = this.timers;
      const handle = timers.setTimeout(() => done('timeout'), Math.max(0, ms));
      this.current = onWake;
    });
  }
}
